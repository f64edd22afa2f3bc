"""A whole lab session, run the way a room runs it, in Debian's Chromium: a facilitator on a laptop,
three participants from three cities (one on a 390x844 phone) and the projector at 1920x1080.

Join, collect, private writing, moderation (hide, merge), two voting rounds with a timer, the
spotlight, results, action plans completed in results, two cities' commitments made final, the
city report and the workshop summary read back from their PDFs, and the share link opened without
an account. At each step it checks what each screen shows, and that no screen scrolls sideways or
shows a button that cannot be read. Screenshots of every key screen go to tests/screenshots/session
(kept out of git; SCREENSHOTS_DIR moves them)."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import pdf_text
from .journey import PROJECTOR, Room, card, post, shots, show_lane
from .layout import PHONE
from .live import Visitor, server_of_its_own, join_in_browser as join

pytestmark = pytest.mark.browser

SHOTS = shots("session")
BOARD = "Child poverty and the EU Child Guarantee"

PROBLEM = "Families do not know which benefits they can claim"
DESK = "One family desk per district"
BREAKFAST = "Free breakfast at every primary school"
CAMPS = "Summer camps for every child"
DUPLICATE = "A family desk in each district"
OFF_TOPIC = "Who is parking in the courtyard?"
PLAN_GLASGOW = "Open family desks in all districts by 2027"
PLAN_BOLOGNA = "Train school staff as benefit navigators"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from server_of_its_own(tmp_path_factory, "session")


@pytest.fixture
def room(browser, server):
    room = Room(browser, server, SHOTS, narrow=("chloe",))
    yield room
    room.close()


def test_a_whole_lab_session_from_joining_to_the_signed_commitments(room, server, tmp_path):
    fran_account = Visitor(server.url).sign_up("Fran")
    code, boards = fran_account.create_workshop("Social Innovation Lab 2025")
    workshop = fran_account.workshop_id
    board = boards[0]

    # The facilitator's laptop: console and board in one context, the projector in another window.
    fran = room.page("fran")
    fran.context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in fran_account.http.cookies])
    projector = room.page("projector", PROJECTOR, context=fran.context)
    ana, ben = room.page("ana"), room.page("ben")
    chloe = room.page("chloe", PHONE, phone=True)

    # Join ----------------------------------------------------------------------------------
    join(ana, code, "Ana", "Glasgow")
    join(ben, code, "Ben", "Bologna")
    join(chloe, code, "Chloé", "Lille Métropole")
    room.shoot("joined", ana, chloe)
    for page in (ana, ben, chloe):
        page.get_by_role("link", name=BOARD).first.click()
        expect(page.get_by_role("heading", name=BOARD, level=1)).to_be_visible()
    projector.goto(f"/boards/{board}/projector")
    fran.goto(f"/workshops/{workshop}/console")
    fran.get_by_role("button", name=BOARD, exact=True).click()
    console = fran.get_by_role("region", name=BOARD)

    # Collect -------------------------------------------------------------------------------
    post(ana, "problem", PROBLEM)
    post(ben, "idea", DESK, link=PROBLEM)
    post(chloe, "idea", BREAKFAST)
    post(ben, "idea", DUPLICATE)
    post(ana, "idea", OFF_TOPIC)
    for text in (PROBLEM, DESK, BREAKFAST):
        expect(projector.get_by_text(text, exact=True)).to_be_visible()
    show_lane(chloe, "Ideas")
    expect(card(chloe, DESK)).to_be_visible()
    room.shoot("collect", ana, chloe, projector, fran)

    # Private writing: nobody else sees a card until the reveal, the projector included -------
    ana.goto(f"/boards/{board}")  # the facilitator's own board page holds the private-writing switch
    fran_board = room.page("fran-board", context=fran.context)
    fran_board.goto(f"/boards/{board}")
    fran_board.get_by_label("Private writing (participants see only their own cards)").check()
    expect(ana.get_by_text("Private writing: the room sees your cards when the facilitator reveals them.")).to_be_visible()
    post(ana, "idea", CAMPS)
    expect(card(ana, CAMPS)).to_contain_text("Private until revealed")
    ben.wait_for_timeout(500)
    expect(card(ben, CAMPS)).to_have_count(0)
    assert CAMPS not in projector.content()
    room.shoot("private-writing", ana, ben, projector)
    fran_board.get_by_role("button", name="Reveal all cards").click()
    expect(card(ben, CAMPS)).to_be_visible()
    expect(projector.get_by_text(CAMPS, exact=True)).to_be_visible()  # without a reload
    fran_board.close()

    # Moderation from the console: merge the duplicate, hide the off-topic card ---------------
    console.get_by_role("listitem", name=DUPLICATE).get_by_role("button", name="Merge into…").click()
    console.get_by_label("Merge this card into").select_option(label=DESK)
    console.get_by_role("button", name="Merge", exact=True).click()
    expect(card(ben, DUPLICATE)).to_have_count(0)
    expect(card(ana, DESK)).to_contain_text(DUPLICATE)
    console.get_by_role("listitem", name=OFF_TOPIC).get_by_role("button", name="Hide").click()
    console.get_by_label("Why hide it? Its author will see this.").fill("Not about child poverty")
    console.get_by_role("button", name="Hide card").click()
    expect(card(ana, OFF_TOPIC)).to_contain_text("Hidden by a facilitator: Not about child poverty")
    expect(card(ben, OFF_TOPIC)).to_have_count(0)
    expect(projector.get_by_text(OFF_TOPIC)).to_have_count(0)
    room.shoot("moderated", ana, fran)

    post(ana, "action", PLAN_GLASGOW, link=DESK)
    post(ben, "action", PLAN_BOLOGNA, link=BREAKFAST)

    # Round 1: a timer, dots, hidden counts, the reveal, results -----------------------------
    console.get_by_role("button", name="Start voting").click()
    console.get_by_role("button", name="3 minutes").click()
    for page in (ana, ben, chloe, projector):
        expect(page.get_by_role("timer")).to_contain_text("Time left")
    for _ in range(3):
        card(ana, DESK).get_by_role("button", name="Add a dot").click()
    card(ana, BREAKFAST).get_by_role("button", name="Add a dot").click()
    card(ana, BREAKFAST).get_by_role("button", name="Add a dot").click()
    expect(ana.get_by_text("Dots left: 0 of 5")).to_be_visible()
    expect(card(ana, CAMPS).get_by_role("button", name="Add a dot")).to_be_disabled()
    expect(card(ana, CAMPS)).to_contain_text("No dots left")
    card(ben, BREAKFAST).get_by_role("button", name="Add a dot").click()
    card(ben, CAMPS).get_by_role("button", name="Add a dot").click()
    show_lane(chloe, "Ideas")
    card(chloe, DESK).get_by_role("button", name="Add a dot").click()
    expect(chloe.get_by_text("Dots left: 4 of 5")).to_be_visible()
    # Hidden until the reveal: no counts anywhere but the facilitator's screens.
    for page in (ana, ben, chloe, projector):
        expect(page.locator(".dot-count")).to_have_count(0)
    room.shoot("round-1-voting", ana, chloe, projector, fran)
    console.get_by_role("button", name="Reveal votes").click()
    console.get_by_role("button", name="Show results").click()
    for page in (ana, ben, chloe, projector):
        expect(page.get_by_role("timer")).to_be_hidden()  # a timer belongs to its phase
    expect(projector.get_by_text(DESK)).to_be_visible()
    room.shoot("round-1-results", ana, chloe, projector, fran)

    # Round 2: back to collecting, then voting again: full budgets, counts hidden again -------
    console.get_by_role("button", name="Back to collecting").click()
    console.get_by_role("button", name="Start voting").click()
    expect(ana.get_by_text("Dots left: 5 of 5")).to_be_visible()
    expect(ben.get_by_text("Dots left: 5 of 5")).to_be_visible()
    for page in (ana, ben, projector):
        expect(page.locator(".dot-count")).to_have_count(0)
    for _ in range(3):
        card(ana, CAMPS).get_by_role("button", name="Add a dot").click()
    card(ben, CAMPS).get_by_role("button", name="Add a dot").click()
    room.shoot("round-2-voting", ana, projector)
    console.get_by_role("button", name="Reveal votes").click()
    console.get_by_role("button", name="Show results").click()
    # One ranking for everyone: round 2's on the lanes, round 1's kept below, the same on every screen.
    for page in (ana, ben, chloe):
        show_lane(page, "Ideas")
        expect(page.locator("#lanes .rank").first).to_contain_text("Rank 1", ignore_case=True)
        expect(card(page, CAMPS)).to_contain_text("4 dots")
        earlier = page.get_by_role("region", name="Earlier voting rounds")
        expect(earlier.get_by_role("heading", name="Round 1")).to_be_visible()
        expect(earlier.get_by_role("listitem").first).to_contain_text(DESK)
    expect(projector.get_by_text(CAMPS)).to_be_visible()

    # The spotlight -------------------------------------------------------------------------
    console.get_by_role("listitem", name=CAMPS).get_by_role("button", name="Spotlight").click()
    expect(projector.get_by_text("In the spotlight")).to_be_visible()
    room.shoot("results-spotlight", ana, chloe, projector)

    # Plans completed in results -------------------------------------------------------------
    show_lane(ana, "Action plans")
    card(ana, PLAN_GLASGOW).get_by_role("button", name="Plan details").click()
    ana.get_by_label("Title", exact=True).fill("Family desks")
    ana.get_by_label("Lead (department or role)").fill("Department for Social Affairs")
    ana.get_by_role("checkbox", name=re.compile("Childcare and support to children")).check()
    ana.get_by_role("button", name="Save plan").click()
    expect(card(ana, PLAN_GLASGOW)).to_contain_text("Family desks")
    card(ana, PLAN_GLASGOW).get_by_role("button", name="Plan details").click()
    expect(ana.get_by_label("Lead (department or role)")).to_have_value("Department for Social Affairs")
    ana.get_by_role("button", name="Cancel").click()

    # Commitments: Glasgow and Bologna, final ------------------------------------------------
    for page, plan, city, statement, person in (
        (ana, "Family desks", "Glasgow", "Glasgow commits to a family desk in every district by 2027.", "Susan Aitken"),
        (ben, PLAN_BOLOGNA, "Bologna", "Bologna commits to benefit navigators in every school.", "Matteo Lepore"),
    ):
        page.goto(f"/workshops/{workshop}")
        page.get_by_role("link", name=f"Commitment of {city}").first.click()
        page.get_by_role("checkbox", name=plan).check()
        page.get_by_label("Commitment statement").fill(statement)
        page.get_by_label("Name").first.fill(person)
        page.get_by_label("Role").first.fill("Mayor")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("status")).to_contain_text("Draft saved.")
        expect(page.get_by_label("Commitment statement")).to_have_value(statement)  # what is stored shows
        page.get_by_role("button", name="Mark final").click()
        expect(page.get_by_text("Final: version 1.")).to_be_visible()
    room.shoot("commitment-final", ana)

    with ana.expect_download(timeout=90_000) as download:
        ana.get_by_role("link", name="Download the PDF of version 1").click()
    city_report = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
    for expected in ("Glasgow", "Glasgow commits to a family desk in every district by 2027.", "Family desks",
                     "Department for Social Affairs", "Susan Aitken", "Childcare and support to children"):
        assert expected in city_report, expected
    for internal in ("1 dots", "Phase:", "in the room)"):
        assert internal not in city_report, internal

    fran.goto(f"/workshops/{workshop}/console")
    room.shoot("console-after", fran)
    with fran.expect_download(timeout=90_000) as download:
        fran.get_by_role("link", name="Download the workshop summary (PDF)").click()
    summary = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
    for expected in (BOARD, DESK, CAMPS, "Glasgow", "Bologna"):
        assert expected in summary, expected

    # After the download the preparing page leads back; the share link opens without an account -
    expect(ana.get_by_role("heading", name="Your report has downloaded")).to_be_visible()
    room.shoot("report-downloaded", ana)
    ana.get_by_role("link", name="Back to the commitment").click()
    ana.get_by_role("button", name="Make a private link").click()
    link = ana.locator(".share-link-text").inner_text()
    mayor = room.page("mayor", PHONE, phone=True)
    mayor.goto(link)
    expect(mayor.get_by_text("Glasgow").first).to_be_visible()
    room.shoot("shared-link", mayor)
    with mayor.expect_download(timeout=90_000) as download:
        mayor.get_by_role("link", name=re.compile("version 1")).first.click()
    assert "Glasgow commits" in " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())

    for page in (fran, projector, ana, ben, chloe, mayor):
        assert page.errors == [], (page.who, page.errors)
