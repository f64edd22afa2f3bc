"""Boards in Debian's Chromium: live cards between two people, editing, links, filters, and a card
typed while the server is away."""
import pytest
from playwright.sync_api import expect

from .live import LiveServer, Visitor, card, join_in_browser, log_in_in_browser, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def lab(facilitator):
    return facilitator.create_workshop("Browser lab")


def test_a_card_posted_in_one_browser_appears_in_the_other_and_so_does_its_edit(new_page, lab):
    code, boards = lab
    ana, ben = new_page(), new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    join_in_browser(ben, code, "Ben", "Bologna")
    for page in (ana, ben):
        page.get_by_role("link", name="Child poverty and the EU Child Guarantee").first.click()
        expect(page.get_by_role("heading", name="Child poverty and the EU Child Guarantee", level=1)).to_be_visible()
    expect(ana.get_by_text("2 here now")).to_be_visible()

    problem = "Families do not know which support they can claim"
    ana.get_by_label("New problem").fill(problem)
    expect(ana.get_by_text(f"{500 - len(problem)} characters left")).to_be_visible()
    ana.get_by_role("button", name="Add problem").click()
    expect(card(ben, "Families do not know which support they can claim")).to_be_visible(timeout=2000)
    expect(card(ben, "Families do not know which support they can claim")).to_contain_text("Glasgow")

    mine = card(ana, "Families do not know which support they can claim")
    mine.get_by_role("button", name="Edit").click()
    ana.get_by_label("Edit card").fill("Families do not know which benefits they can claim")
    ana.get_by_role("button", name="Save").click()
    expect(card(ben, "Families do not know which benefits they can claim")).to_be_visible(timeout=2000)
    expect(card(ben, "Families do not know which support they can claim")).to_have_count(0)
    expect(card(ben, "Families do not know which benefits they can claim").get_by_role("button", name="Edit")).to_have_count(0)

    # Ben answers the problem with an idea; the link jumps to the problem.
    ben.get_by_label("New idea").fill("One family desk per district")
    ben.get_by_label("Answers the problem").select_option(label="Families do not know which benefits they can claim")
    ben.get_by_role("button", name="Add idea").click()
    idea = card(ana, "One family desk per district")
    expect(idea).to_be_visible(timeout=2000)
    idea.get_by_role("link", name="Families do not know which benefits they can claim").click()
    expect(card(ana, "Families do not know which benefits they can claim")).to_be_focused()

    # Filters: only my cards, by city, by text.
    ana.get_by_label("Only my cards").check()
    expect(card(ana, "One family desk per district")).to_be_hidden()
    ana.get_by_label("Only my cards").uncheck()
    ana.get_by_label("City team").select_option("Bologna")
    expect(card(ana, "Families do not know which benefits they can claim")).to_be_hidden()
    expect(card(ana, "One family desk per district")).to_be_visible()
    ana.get_by_label("City team").select_option("")
    ana.get_by_label("Search cards").fill("desk")
    expect(card(ana, "Families do not know which benefits they can claim")).to_be_hidden()
    assert ana.errors == [] and ben.errors == []


def test_a_card_typed_while_the_server_is_away_is_sent_once_when_it_returns(new_page, tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'offline.sqlite'}")
    try:
        code, boards = Visitor(server.url).sign_up("Fran").create_workshop("Offline lab")
        page = new_page(server)
        join_in_browser(page, code, "Ana", "Glasgow")
        page.goto(f"/boards/{boards[0]}")
        expect(page.get_by_text("1 here now")).to_be_visible()

        server.halt()
        expect(page.get_by_role("status").filter(has_text="Reconnecting…")).to_be_visible()
        page.get_by_label("New problem").fill("Written on the train, offline")
        page.get_by_role("button", name="Add problem").click()
        pending = card(page, "Written on the train, offline")
        expect(page.locator(".card.pending")).to_have_count(1)
        assert "Written on the train, offline" in page.evaluate("JSON.stringify(localStorage)")

        server.start()
        expect(page.get_by_role("status").filter(has_text="Back online")).to_be_visible(timeout=15000)
        expect(page.locator(".card.pending")).to_have_count(0)
        expect(pending).to_have_count(1)
        cards = page.request.get(f"/api/boards/{boards[0]}").json()["cards"]
        assert [c["text"] for c in cards] == ["Written on the train, offline"]
        assert page.evaluate("localStorage.length") == 0 or "Written on the train" not in page.evaluate("JSON.stringify(localStorage)")
        assert page.errors == []
    finally:
        server.stop()


def test_the_board_works_from_the_keyboard_alone(new_page, lab):
    code, boards = lab
    page = new_page()
    join_in_browser(page, code, "Ana", "Glasgow")
    page.goto(f"/boards/{boards[0]}")
    page.get_by_label("New problem").focus()
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add problem")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card(page, "Typed without a mouse")).to_be_visible()
    expect(page.get_by_label("New problem")).to_be_focused()
    page.keyboard.type("Sent with Ctrl+Enter")
    page.keyboard.press("Control+Enter")
    expect(card(page, "Sent with Ctrl+Enter")).to_be_visible()
    # Edit through the card's buttons with Tab and Enter.
    card(page, "Typed without a mouse").get_by_role("button", name="Edit").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Edit card")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("Edited from the keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(card(page, "Edited from the keyboard")).to_be_visible()


def test_a_facilitator_hides_a_card_and_only_its_author_sees_why(new_page, lab, facilitator):
    code, boards = lab
    ana, ben, fran = new_page(), new_page(), new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    join_in_browser(ben, code, "Ben", "Bologna")
    log_in_in_browser(fran, facilitator)
    for page in (ana, ben, fran):
        page.goto(f"/boards/{boards[0]}")
    ana.get_by_label("New problem").fill("Buy my product")
    ana.get_by_role("button", name="Add problem").click()
    expect(card(ben, "Buy my product")).to_be_visible()

    card(fran, "Buy my product").get_by_role("button", name="Hide").click()
    fran.get_by_label("Why hide it? Its author will see this.").fill("Advertising is not a problem statement")
    fran.get_by_role("button", name="Hide card").click()
    expect(card(ben, "Buy my product")).to_have_count(0)
    expect(card(ana, "Buy my product")).to_contain_text("Hidden by a facilitator: Advertising is not a problem statement")

    card(fran, "Buy my product").get_by_role("button", name="Restore").click()
    expect(card(ben, "Buy my product")).to_be_visible()
    expect(card(ana, "Buy my product")).not_to_contain_text("Hidden by a facilitator")


def test_a_facilitator_switch_shows_what_the_board_has_and_says_why_when_refused(new_page, lab, facilitator):
    """Private writing asked for as the page opens is sent once the socket is up; on a closed board
    the refusal shows beside the tools and the switch goes back to what the board has."""
    code, boards = lab
    fran = new_page()
    log_in_in_browser(fran, facilitator)
    fran.goto(f"/boards/{boards[1]}")
    fran.get_by_label("Private writing (participants see only their own cards)").check()  # at once, as the page opens
    wait_until(fran, "() => window.workshopBoard.sync.state.board.private_writing === true")

    staff = facilitator.socket()
    try:
        assert staff.call("set_phase", {"board_id": boards[2], "phase": "closed"})["ok"]
    finally:
        staff.close()
    fran.goto(f"/boards/{boards[2]}")
    wait_until(fran, "() => window.workshopBoard.sync.joined")
    switch = fran.get_by_label("Private writing (participants see only their own cards)")
    switch.click()  # not check(): the refusal may untick it before check() looks
    expect(fran.get_by_role("alert").filter(has_text="This board is closed.")).to_be_visible()
    expect(switch).not_to_be_checked()
    assert fran.errors == []
