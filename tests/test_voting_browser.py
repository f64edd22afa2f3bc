"""Voting in Debian's Chromium: one ranking for every screen, two rounds with the earlier round's
results kept, each person's own dots and why a dot cannot be added, and focus that stays put."""
import re

import pytest
from playwright.sync_api import expect

from .live import BoardScene
from .live import card

pytestmark = pytest.mark.browser

TITLE = "Child poverty and the EU Child Guarantee"


class Session(BoardScene):
    """The voting lab: each person has a socket and can open a browser page as themself."""

    def __init__(self, live_server, facilitator, new_page):
        super().__init__(live_server, facilitator, new_page, "Voting lab")

    def idea(self, who, text):
        return self.call(who, "add_card", board_id=self.board, lane="idea", text=text)["card"]["id"]

    def phase(self, name):
        self.call("fran", "set_phase", board_id=self.board, phase=name)

    def vote(self, who, card_id, times=1):
        for _ in range(times):
            self.call(who, "vote", card_id=card_id)

    def page(self, person, path=None):
        page = super().page(person, path)
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        return page


@pytest.fixture
def session(live_server, facilitator, new_page):
    session = Session(live_server, facilitator, new_page)
    yield session
    session.close()


def ranking(page, region="Ideas"):
    """(rank, text, dots) of every ranked idea on the board page, top first."""
    lane = page.get_by_role("region", name=re.compile(f"^{region}"))
    return [(item.locator(".rank").inner_text(), item.locator(".card-text").inner_text(), item.locator(".dot-count").inner_text())
            for item in lane.get_by_role("listitem").all() if item.locator(".rank").count()]


def test_the_author_of_a_hidden_card_another_participant_and_the_projector_see_one_ranking(session):
    desk, hidden, meals = (session.idea("ben", "One family desk per district"), session.idea("ben", "Hidden idea"),
                           session.idea("ana", "Free school meals"))
    session.phase("vote")
    session.vote("ana", desk, 2)
    session.vote("ana", hidden, 3)
    session.vote("ben", meals)
    session.call("fran", "hide_card", card_id=hidden, reason="Off topic")
    session.phase("results")

    ana, ben = session.page(session.ana), session.page(session.ben)
    projector = session.page(session.fran, f"/boards/{session.board}/projector")
    expected = [("RANK 1", "One family desk per district", "2 dots"), ("RANK 2", "Free school meals", "1 dot")]
    for page in (ana, ben):
        expect(page.locator(".rank")).to_have_count(2)
        assert ranking(page) == expected
    # Ben still sees his hidden card, below the ranking and without a rank.
    expect(card(ben, "Hidden idea")).to_be_visible()
    expect(card(ben, "Hidden idea").locator(".rank")).to_have_count(0)
    expect(card(ana, "Hidden idea")).to_have_count(0)
    rows = projector.get_by_role("region", name="Ideas").get_by_role("listitem")
    expect(rows).to_have_count(2)
    assert [row.inner_text().upper().split("\n")[:2] for row in rows.all()] == [
        ["RANK 1", "ONE FAMILY DESK PER DISTRICT"], ["RANK 2", "FREE SCHOOL MEALS"]]
    assert ana.errors == [] and ben.errors == [] and projector.errors == []


def test_a_second_round_starts_with_full_budgets_and_results_show_both_rounds(session):
    desk, meals = session.idea("ben", "One family desk per district"), session.idea("ben", "Free school meals")
    session.phase("vote")
    ana = session.page(session.ana)
    desk_card = card(ana, "One family desk per district")
    for _ in range(3):
        desk_card.get_by_role("button", name="Add a dot").click()
    expect(ana.get_by_text("Dots left: 2 of 5")).to_be_visible()
    session.vote("ben", meals, 2)
    session.call("fran", "reveal_votes", board_id=session.board)
    session.phase("results")
    expect(ana.locator(".rank")).to_have_count(2)
    session.phase("collect")
    session.phase("vote")

    # Round 2: the budget is full again and the counts are hidden again.
    expect(ana.get_by_text("Dots left: 5 of 5")).to_be_visible()
    expect(ana.get_by_text("Voting, round 2")).to_be_visible()
    expect(ana.locator(".dot-count")).to_have_count(0)
    card(ana, "Free school meals").get_by_role("button", name="Add a dot").click()
    expect(card(ana, "Free school meals")).to_contain_text("Your dots on this card: 1 of 3")
    session.phase("results")

    expect(ana.get_by_text("Results, round 2")).to_be_visible()
    expect(ana.locator("#lanes .rank")).to_have_count(2)  # the counts come with the fresh snapshot, just after the phase
    assert ranking(ana) == [("RANK 1", "Free school meals", "1 dot"), ("RANK 2", "One family desk per district", "0 dots")]
    earlier = ana.get_by_role("region", name="Earlier voting rounds")
    expect(earlier.get_by_role("heading", name="Round 1")).to_be_visible()
    expect(earlier.get_by_role("listitem")).to_have_text(["Rank 1 One family desk per district 3 dots",
                                                          "Rank 2 Free school meals 2 dots"])
    assert ana.errors == []


def test_own_dots_show_and_add_a_dot_is_disabled_with_the_reason_beside_it(session):
    desk, meals, camps = (session.idea("ben", "One family desk per district"), session.idea("ben", "Free school meals"),
                          session.idea("ben", "Summer camps for every child"))
    session.phase("vote")
    ana = session.page(session.ana)
    desk_card = card(ana, "One family desk per district")
    add = desk_card.get_by_role("button", name="Add a dot")
    expect(desk_card.locator(".dot-marks")).to_have_text("○○○")
    expect(desk_card).to_contain_text("Your dots on this card: 0 of 3")
    for _ in range(3):
        add.click()
    expect(desk_card.locator(".dot-marks")).to_have_text("●●●")
    expect(desk_card).to_contain_text("Your dots on this card: 3 of 3")
    expect(add).to_be_disabled()
    expect(add).to_have_accessible_description(re.compile("most dots it can take from you \\(3\\)"))
    expect(desk_card.get_by_text("This card has the most dots it can take from you (3).")).to_be_visible()

    meals_card = card(ana, "Free school meals")
    meals_card.get_by_role("button", name="Add a dot").click()
    meals_card.get_by_role("button", name="Add a dot").click()
    expect(ana.get_by_text("Dots left: 0 of 5")).to_be_visible()
    camps_add = card(ana, "Summer camps for every child").get_by_role("button", name="Add a dot")
    expect(camps_add).to_be_disabled()
    expect(camps_add).to_have_accessible_description(re.compile("No dots left"))
    expect(card(ana, "Summer camps for every child").get_by_text("No dots left: take one back from another card first.")).to_be_visible()

    # A page a moment out of date (a budget spent elsewhere): the server's refusal shows on the
    # card, in words, as well as in the live region.
    meals_card.get_by_role("button", name="Take a dot back").click()
    expect(ana.get_by_text("Dots left: 1 of 5")).to_be_visible()
    session.vote("ana", camps)  # Ana's other tab spends the last dot ...
    expect(ana.get_by_text("Dots left: 0 of 5")).to_be_visible()
    ana.evaluate("() => { window.workshopBoard.state.votes.mine.left = 1; }")  # ... but this page has not heard yet
    ana.get_by_label("Search cards").fill(" ")  # any render
    meals_card.get_by_role("button", name="Add a dot").click()
    expect(meals_card.locator(".vote-error")).to_have_text("No dots left: take one back from another card first.")
    expect(meals_card.locator(".vote-error")).to_be_visible()
    expect(ana.locator("#announcer")).to_contain_text("No dots left")
    assert ana.errors == []


def active(page):
    """What has focus: the accessible bits of document.activeElement."""
    return page.evaluate("""() => { const a = document.activeElement;
        return { tag: a.tagName, text: a.textContent.trim(), card: a.closest('[data-card-id]')?.querySelector('.card-text')?.textContent || null }; }""")


def test_focus_stays_with_the_vote_and_is_never_dropped_on_a_phase_change(session):
    session.idea("ben", "One family desk per district")
    session.idea("ben", "Free school meals")
    ana = session.page(session.ana)
    ana.get_by_label("New problem").focus()
    session.phase("vote")  # the add forms close: focus goes to the lane's heading, not the body
    expect(ana.get_by_text("Dots left: 5 of 5")).to_be_visible()
    assert active(ana)["tag"] == "H2" and active(ana)["text"].startswith("Problems")

    desk_card = card(ana, "One family desk per district")
    desk_card.get_by_role("button", name="Add a dot").focus()
    ana.keyboard.press("Enter")
    expect(desk_card).to_contain_text("Your dots on this card: 1 of 3")
    assert active(ana) == {"tag": "BUTTON", "text": "Add a dot", "card": "One family desk per district"}
    ana.keyboard.press("Enter")
    expect(desk_card).to_contain_text("Your dots on this card: 2 of 3")
    ana.keyboard.press("Enter")
    expect(desk_card).to_contain_text("Your dots on this card: 3 of 3")
    # "Add a dot" is now disabled: focus moves to its sibling, which can still act.
    assert active(ana) == {"tag": "BUTTON", "text": "Take a dot back", "card": "One family desk per district"}
    ana.keyboard.press("Enter")
    expect(desk_card).to_contain_text("Your dots on this card: 2 of 3")
    assert active(ana) == {"tag": "BUTTON", "text": "Take a dot back", "card": "One family desk per district"}

    session.phase("results")  # the vote buttons go: focus stays on the card
    expect(ana.get_by_text("Results", exact=True)).to_be_visible()
    expect(desk_card.get_by_role("button", name="Take a dot back")).to_have_count(0)
    focused = active(ana)  # read once: the ranks may render between two reads and change the card's text
    assert (focused["tag"], focused["card"]) == ("LI", "One family desk per district")
    ana.get_by_label("Search cards").focus()
    session.phase("collect")  # focus outside the lanes stays where it is
    expect(ana.get_by_text("Collecting cards", exact=True)).to_be_visible()
    assert active(ana)["tag"] == "INPUT"
    assert ana.errors == []
