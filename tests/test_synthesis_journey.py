"""Cross-city synthesis (issue 16) as a lab lives it, in Debian's Chromium, on a server of its own that
embeds cards as they are written: Ana from Glasgow writes in English, Chloé from Lyon in French, Klaus
from Munich in German (and in English when he rewords a card), Giulia from Bologna in Italian on a
390x844 phone; Fran facilitates from the console and the themes page, and the projector is open all along.

1. People post problems and ideas: the same problem in three languages, a reworded near-duplicate, one
   card Fran hides, one card Chloé writes while private writing is on.
2. Giulia types a problem already on the board in other languages: "Similar cards already on the board"
   shows it, never the hidden card nor Lyon's private one; typing an idea she chooses "Build on this".
3. Fran looks for duplicates: merges one pair, says "Not the same" to another; the merged card is one
   card on every screen.
4. Fran finds the themes, renames one and splits another; a reload shows it, finding again keeps it.
5. Glasgow's commitment page names its peer cities; its final PDF prints them.
6. Throughout: the projector never shows the hidden or private text nor any synthesis controls, and never
   receives them over its socket; no page logs an error; no page scrolls sideways; the new panels pass axe.

Screenshots go to tests/screenshots/synthesis (SCREENSHOTS_DIR moves them)."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .a11y import assert_accessible
from .conftest import pdf_text
from . import journey
from .journey import PROJECTOR, card, post, shots, show_lane
from .layout import LAPTOP, PHONE
from .live import Visitor, server_of_its_own, join_in_browser as join

pytestmark = pytest.mark.browser  # which counts as live too (pyproject.toml)

SHOTS = shots("synthesis")
AREA = "Child poverty and the EU Child Guarantee"
PEERS = "Cities working on the same problems"
SIMILAR = "Similar cards already on the board"

# Hungry at school, in three languages and once reworded (the pair to merge).
MEALS = "Many children arrive at school hungry because families cannot afford breakfast"
MEALS_DE = "Viele Kinder kommen ohne Frühstück in die Schule, weil das Geld zu Hause nicht reicht"
MEALS_AGAIN = "Lots of children arrive at school hungry because their families cannot afford breakfast"
MEALS_IT = "Tanti bambini arrivano a scuola a stomaco vuoto perché in famiglia mancano i soldi per la colazione"
BREAKFAST_IT = "Offrire la colazione gratis a scuola ai bambini che arrivano a scuola affamati perché a casa non c'è"
# Evictions: a pair that looks alike and that Fran says is not the same, and Lyon's own wording.
HOUSING = "Families with children are evicted and end up in emergency shelters for months"
HOUSING_AGAIN = "Families with children get evicted and stay in emergency shelters for months"
HOUSING_FR = "Des familles avec enfants sont expulsées et vivent des mois en hébergement d'urgence"
# Waiting for a psychologist, in three languages (the theme Fran splits).
WAITING_FR = "Les jeunes attendent des mois un rendez-vous chez le psychologue"
WAITING_DE = "Jugendliche warten monatelang auf einen Termin beim Psychotherapeuten"
WAITING_IT = "I ragazzi aspettano mesi per un appuntamento dallo psicologo"
# The secrets: a card Fran hides, a card Chloé writes in private.
HIDDEN = "Hungry children at school are the fault of lazy parents who spend breakfast money on beer"
PRIVATE = "Des enfants arrivent à l'école sans petit-déjeuner, leurs parents n'en ont pas les moyens"
PLAN = "Breakfast clubs in every Glasgow primary school by 2027"
SYNTHESIS_UI = ("Suggested merges", "Look for duplicates", "Possible duplicates", "Find themes", SIMILAR,
                "Build on this", PEERS, "Not the same")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from server_of_its_own(tmp_path_factory, "synthesis", extra_env={"SYNTHESIS_EMBED_ON_WRITE": "1"})


class Room(journey.Room):
    """The journey's room, where every page also counts what it logs as an error in its console."""

    def page(self, who, viewport=LAPTOP, phone=False, context=None, audited=False):
        page = super().page(who, viewport, phone, context, timeout=20_000, **({"bypass_csp": True} if audited else {}))
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        return page


@pytest.fixture
def room(browser, server):
    room = Room(browser, server, SHOTS, narrow=("giulia",))
    yield room
    room.close()


def similar(page, lane):
    """The similar-cards panel under a lane's composer, on a laptop (where every lane shows)."""
    return page.get_by_role("region", name=re.compile(f"^{lane}")).get_by_role("region", name=SIMILAR)


def projector_shows_no_secret(projector, *secrets):
    """Nothing in the projector's document (shown or not) holds a secret or a synthesis control; but for its
    screen-reader news, which tells that a card was taken off the board by quoting the card the room saw."""
    text = projector.evaluate("""() => {
      const copy = document.body.cloneNode(true);
      copy.querySelector("#room-news").remove();
      return copy.textContent;
    }""")
    for secret in secrets:
        assert secret not in text, secret
    for control in SYNTHESIS_UI:
        assert control not in text, control


def test_cities_find_each_other_across_languages(room, server):
    fran_account = Visitor(server.url).sign_up("Fran")
    code, boards = fran_account.create_workshop("Social Innovation Lab 2025")
    workshop, board = fran_account.workshop_id, boards[0]

    fran = room.page("fran", audited=True)
    fran.context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in fran_account.http.cookies])
    projector = room.page("projector", PROJECTOR, context=fran.context)
    frames = []
    projector.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(str(payload))))
    projector.goto(f"/boards/{board}/projector")
    fran_board = room.page("fran-board", context=fran.context)
    fran_board.goto(f"/boards/{board}")
    fran.goto(f"/workshops/{workshop}/console")
    fran.get_by_role("button", name=AREA, exact=True).click()
    console = fran.get_by_role("region", name=AREA)

    ana = room.page("ana", audited=True)
    chloe = room.page("chloe")
    klaus = room.page("klaus")
    giulia = room.page("giulia", PHONE, phone=True, audited=True)
    for page, name, city in ((ana, "Ana", "Glasgow"), (chloe, "Chloé", "Lyon"), (klaus, "Klaus", "Munich"),
                             (giulia, "Giulia", "Bologna")):
        join(page, code, name, city)
        page.get_by_role("link", name=AREA).first.click()
        expect(page.get_by_role("heading", name=AREA, level=1)).to_be_visible()

    # 1. Problems and ideas, in four languages -------------------------------------------------------
    post(ana, "problem", MEALS)
    post(klaus, "problem", MEALS_DE)
    post(ana, "problem", HOUSING)
    post(chloe, "problem", HOUSING_FR)
    post(chloe, "problem", WAITING_FR)
    post(klaus, "problem", WAITING_DE)
    post(klaus, "problem", HOUSING_AGAIN)
    post(klaus, "problem", MEALS_AGAIN)
    post(giulia, "problem", WAITING_IT)
    post(ana, "action", PLAN)
    post(klaus, "problem", HIDDEN)
    expect(projector.get_by_text(HIDDEN, exact=True)).to_be_visible()  # the newest card is in view
    console.get_by_role("listitem", name=HIDDEN).get_by_role("button", name="Hide").click()
    console.get_by_label("Why hide it? Its author will see this.").fill("Blames parents")
    console.get_by_role("button", name="Hide card").click()
    expect(card(klaus, HIDDEN)).to_contain_text("Hidden by a facilitator: Blames parents")
    for page in (ana, chloe, giulia):
        expect(card(page, HIDDEN)).to_have_count(0)
    expect(projector.get_by_role("listitem", name=HIDDEN)).to_have_count(0)
    hidden_at = len(frames)  # the projector heard the card while it was on the board; from now on, never

    fran_board.get_by_label("Private writing (participants see only their own cards)").check()
    expect(chloe.get_by_text("Private writing: the room sees your cards when the facilitator reveals them.")).to_be_visible()
    post(chloe, "problem", PRIVATE)
    expect(card(chloe, PRIVATE)).to_contain_text("Private until revealed")
    room.shoot("collect", ana, chloe, projector)
    projector_shows_no_secret(projector, HIDDEN, PRIVATE)

    # 2. Giulia, on her phone, types a problem the board already holds in other languages -------------
    # The server embeds cards as they are written, in a worker; on a busy machine that takes a while, which
    # a room spends talking: the test waits for it here rather than in the page's five seconds.
    fran_socket = fran_account.socket()
    assert fran_socket.call("join_board", {"board_id": board})["ok"]
    fran_socket.until_embedded(board, MEALS, MEALS_DE, PRIVATE)
    fran_socket.close()
    show_lane(giulia, "Problems")
    giulia.get_by_role("textbox", name="New problem").fill(MEALS_IT)
    found = giulia.get_by_role("region", name=SIMILAR)
    entries = found.get_by_role("list").get_by_role("listitem")
    expect(entries.filter(has_text=MEALS).or_(entries.filter(has_text=MEALS_DE)).first).to_be_visible()
    for secret in (HIDDEN, PRIVATE):
        expect(found).not_to_contain_text(secret)
    room.shoot("phone-similar-problem", giulia)
    assert_accessible(giulia)
    # She builds on the problem instead of posting it again: an idea that answers it.
    giulia.get_by_role("textbox", name="New problem").fill("")
    show_lane(giulia, "Ideas")
    giulia.get_by_role("textbox", name="New idea").fill(BREAKFAST_IT)
    found = giulia.get_by_role("region", name=SIMILAR)  # the Ideas tab's panel: the Problems tab is hidden now
    entry = found.get_by_role("listitem").filter(has_text=MEALS).first
    expect(entry).to_be_visible()
    for secret in (HIDDEN, PRIVATE):
        expect(found).not_to_contain_text(secret)
    entry.get_by_role("button", name=re.compile("^Build on this")).click()
    expect(giulia.get_by_role("status").filter(has_text="Your idea will answer:")).to_have_count(1)
    room.shoot("phone-build-on-this", giulia)
    # Ana, in Glasgow, never sees Lyon's private card suggested either.
    ana.get_by_role("textbox", name="New problem").fill("Children in our schools come in hungry with no breakfast")
    ana_found = similar(ana, "Problems")
    expect(ana_found.get_by_role("listitem").first).to_be_visible()
    for secret in (HIDDEN, PRIVATE):
        expect(ana_found).not_to_contain_text(secret)
    ana.get_by_role("textbox", name="New problem").fill("")
    projector_shows_no_secret(projector, HIDDEN, PRIVATE)
    assert not [frame for frame in frames if PRIVATE in frame]
    # Private writing ends (the room sees Chloé's card now); Giulia posts her idea.
    fran_board.get_by_label("Private writing (participants see only their own cards)").uncheck()
    expect(card(ana, PRIVATE)).to_be_visible()
    giulia.get_by_role("button", name="Add idea").click()
    posted = card(giulia, BREAKFAST_IT)
    expect(posted).to_contain_text("Answers:")
    expect(posted.get_by_role("link", name=re.compile("^Many children arrive"))).to_be_visible()

    # 3. Fran looks for duplicates: one pair merged, one pair not the same --------------------------------
    merges = console.get_by_role("group", name="Suggested merges")
    merges.get_by_role("button", name="Look for duplicates").click()
    pairs = merges.get_by_role("list", name="Possible duplicates").get_by_role("listitem")
    meals = pairs.filter(has_text=MEALS_AGAIN).filter(has_text=MEALS)
    housing = pairs.filter(has_text=HOUSING).filter(has_text=HOUSING_AGAIN)
    expect(meals).to_have_count(1, timeout=60_000)
    expect(housing).to_have_count(1)
    expect(merges).not_to_contain_text(HIDDEN)
    room.shoot("console-suggested-merges", fran)
    assert_accessible(fran)
    meals.get_by_role("button", name=re.compile(r"^Merge “Lots of children")).click()
    expect(merges).to_contain_text("Merged.")
    housing.get_by_role("button", name=re.compile(r"^Not the same")).click()
    expect(housing).to_have_count(0)
    expect(meals).to_have_count(0)
    for page in (ana, chloe, klaus, giulia):
        show_lane(page, "Problems")
        expect(card(page, MEALS_AGAIN)).to_have_count(0)
        expect(card(page, MEALS)).to_have_count(1)
        expect(card(page, MEALS)).to_contain_text(MEALS_AGAIN)  # it lives on inside the earlier card
    expect(projector.get_by_text(MEALS, exact=True)).to_have_count(1)
    expect(projector.get_by_role("listitem", name=MEALS_AGAIN, exact=True)).to_have_count(0)
    room.shoot("merged", giulia, projector)
    # Asked again, the pair Fran said was not the same stays away.
    merges.get_by_role("button", name="Look for duplicates").click()
    expect(merges.locator("[data-merges-status]")).to_have_text(re.compile(r"^(Possible duplicates: \d+|No duplicates found\.)$"))
    expect(housing).to_have_count(0)
    expect(pairs.filter(has_text=MEALS_AGAIN)).to_have_count(0)
    projector_shows_no_secret(projector, HIDDEN)

    # 4. Themes: found, one renamed, one split; a reload shows it, finding again keeps it ------------------
    fran.goto(f"/workshops/{workshop}/console")
    fran.get_by_role("link", name="Themes", exact=True).click()
    area = fran.get_by_role("region", name=AREA, exact=True)
    area.get_by_role("button", name="Find themes").click()
    hunger = area.get_by_role("article").filter(has=card(fran, MEALS))
    housing = area.get_by_role("article").filter(has=card(fran, HOUSING))
    expect(hunger).to_be_visible(timeout=120_000)
    expect(area.get_by_role("status")).to_contain_text("Themes found.")
    expect(hunger).to_contain_text("Cities: Bologna, Glasgow, Lyon, Munich")  # Bologna by Giulia's idea
    expect(card(hunger, BREAKFAST_IT)).to_be_visible()
    # The machine put the waiting lists with the evictions (young people, months, in several languages).
    for text in (HOUSING_FR, HOUSING_AGAIN, WAITING_FR, WAITING_DE, WAITING_IT):
        expect(card(housing, text)).to_be_visible()
    expect(area).not_to_contain_text(HIDDEN)
    room.shoot("themes-found", fran)
    hunger.get_by_label("Theme name").fill("Hungry at school")
    hunger.get_by_role("button", name="Save name").click()
    hunger = area.get_by_role("article", name="Hungry at school")
    expect(hunger).to_be_visible()
    for text in (WAITING_FR, WAITING_DE, WAITING_IT):
        card(housing, text).get_by_role("checkbox", name=re.compile("^Move to a new theme")).check()
    housing.get_by_label("Name of the new theme (optional)").fill("Waiting for a psychologist")
    housing.get_by_role("button", name="Split off the chosen cards").click()
    waiting = area.get_by_role("article", name="Waiting for a psychologist")
    expect(waiting).to_contain_text("3 cards")
    expect(housing).to_contain_text("3 cards")
    expect(card(housing, WAITING_FR)).to_have_count(0)
    fran.reload()
    area = fran.get_by_role("region", name=AREA, exact=True)
    for _ in range(2):  # as stored, then after the machine looked again
        waiting = area.get_by_role("article", name="Waiting for a psychologist")
        for text in (WAITING_FR, WAITING_DE, WAITING_IT):
            expect(card(waiting, text)).to_be_visible()
        expect(card(area.get_by_role("article", name="Hungry at school"), MEALS)).to_be_visible()
        expect(area.get_by_role("article").filter(has=card(fran, HOUSING))).to_contain_text("3 cards")
        if _ == 0:
            area.get_by_role("button", name="Find themes").click()
            expect(area.get_by_role("status")).to_contain_text("Themes found.", timeout=60_000)
    room.shoot("themes-edited", fran)
    assert_accessible(fran)
    projector_shows_no_secret(projector, HIDDEN)

    # 5. Glasgow's peers, on its commitment page and in its final report --------------------------------------
    ana.goto(f"/workshops/{workshop}")
    ana.get_by_role("link", name="Commitment of Glasgow").first.click()
    peers = ana.get_by_role("region", name=PEERS)
    cities = peers.get_by_role("list", name=PEERS)
    expect(cities.locator(":scope > li")).to_have_count(3)
    expect(cities.get_by_role("listitem").filter(has_text="Munich")).to_contain_text("2 shared themes")
    expect(cities.get_by_role("listitem").filter(has_text="Lyon")).to_contain_text("2 shared themes")
    expect(cities.get_by_role("listitem").filter(has_text="Bologna")).to_contain_text("1 shared theme")
    expect(peers.get_by_role("list", name="Themes shared with Bologna").get_by_role("listitem")).to_have_text(f"Hungry at school ({AREA})")
    expect(peers.get_by_role("list", name="Themes shared with Munich")).to_contain_text("Hungry at school")
    expect(peers).not_to_contain_text("Waiting for a psychologist")  # Glasgow wrote nothing in it
    expect(peers).not_to_contain_text("Glasgow")
    ana.get_by_role("checkbox", name=PLAN).check()
    ana.get_by_label("Commitment statement").fill("Glasgow commits to breakfast clubs in every primary school by 2027.")
    ana.get_by_label("Name").first.fill("Susan Aitken")
    ana.get_by_label("Role").first.fill("Leader of the Council")
    ana.get_by_role("button", name="Save draft").click()
    expect(ana.get_by_role("status")).to_contain_text("Draft saved.")
    ana.get_by_role("button", name="Mark final").click()
    expect(ana.get_by_text("Final: version 1.")).to_be_visible()
    room.shoot("commitment-peers", ana)
    assert_accessible(ana)
    with ana.expect_download(timeout=90_000) as download:
        ana.get_by_role("link", name="Download the PDF of version 1").click()
    report = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
    assert PEERS in report
    for city, count in (("Munich", "2 shared themes"), ("Lyon", "2 shared themes"), ("Bologna", "1 shared theme")):
        assert f"{city} ({count}): " in report, (city, report)
    assert "Bologna (1 shared theme): Hungry at school" in report
    assert "Waiting for a psychologist" not in report

    # 6. The projector all along: no secret, no synthesis controls, nothing of them over its socket -------------
    room.shoot("projector", projector)
    projector_shows_no_secret(projector, HIDDEN)
    later = frames[hidden_at:]
    assert not [frame for frame in later if HIDDEN in frame]
    heard = " ".join(later)
    for event in ("merge_dismissed", "themes_changed", "similar_cards", "merge_suggestions"):
        assert f'"{event}"' not in heard, event
    assert any("card_removed" in frame or "card_merged" in frame or "cards_merged" in frame for frame in later)
    for page in room.pages:
        assert page.errors == [], (page.who, page.errors)
