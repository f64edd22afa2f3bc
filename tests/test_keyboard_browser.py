"""Everything from the keyboard alone, in Debian's Chromium: a participant's whole path (join, post
in each lane, link, edit, plan details, vote and unvote, the commitment) and a facilitator running a
board from the console (phase, timer, reveal, spotlight). Only Tab, Shift+Tab, Enter, Space, arrows
and typing; elements are found by role and name, and after every step the focus is somewhere, never
on the page's body."""
import re

import pytest
from playwright.sync_api import expect

from .live import Visitor, card, open_as, wait_until

pytestmark = pytest.mark.browser

TITLE = "Child poverty and the EU Child Guarantee"
PROBLEM = "Families do not know which support they can claim"
IDEA = "One family desk per district"
ACTION = "Open family desks by March"


def tab_to(page, target, backwards=False, most=150):
    """Press Tab (or Shift+Tab) until `target` (a locator, found again each time: a live update may
    rebuild it) has the focus."""
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def press_on(page, target, key="Enter", backwards=False):
    tab_to(page, target, backwards)
    page.keyboard.press(key)


def focus_kept(page):
    """The focus is on an element of the page, not dropped to its body."""
    wait_until(page, "document.activeElement && document.activeElement !== document.body", timeout=3)
    return page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent.trim().slice(0, 80)")


def test_a_participant_does_everything_from_the_keyboard(new_page, live_server, facilitator):
    code, boards = facilitator.create_workshop("Keyboard lab")
    fran = facilitator.socket()
    assert fran.call("join_board", {"board_id": boards[0]})["ok"]
    page = new_page()

    # Join: the form, by Tab and typing.
    page.goto(f"/join/{code}")
    tab_to(page, page.get_by_label("Your name as others will see it"))
    page.keyboard.type("Mateja")
    tab_to(page, page.get_by_label("Your city, if it is not in the list"))
    page.keyboard.type("Ljubljana")
    press_on(page, page.get_by_role("button", name="Join the workshop"))
    expect(page.get_by_role("heading", name="Boards")).to_be_visible()

    # Open the board.
    press_on(page, page.get_by_role("link", name=TITLE).first)
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    wait_until(page, "window.workshopBoard?.sync.joined")

    # A problem: the composer, then its button.
    tab_to(page, page.get_by_label("New problem"))
    page.keyboard.type(PROBLEM)
    press_on(page, page.get_by_role("button", name="Add problem"))
    expect(card(page, PROBLEM)).to_be_visible()
    expect(page.get_by_label("New problem")).to_be_focused()  # ready for the next one

    # An idea answering the problem: the link chosen with the arrow keys; Ctrl+Enter posts.
    tab_to(page, page.get_by_label("New idea"))
    page.keyboard.type(IDEA)
    tab_to(page, page.get_by_label("Answers the problem"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Answers the problem")).to_have_value(re.compile(r"\d+"))
    press_on(page, page.get_by_role("button", name="Add idea"))
    idea = card(page, IDEA)
    expect(idea.get_by_role("link", name=PROBLEM)).to_be_visible()

    # An action plan building on the idea.
    tab_to(page, page.get_by_label("New action plan"))
    page.keyboard.type(ACTION)
    tab_to(page, page.get_by_label("Builds on the idea"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Control+Enter")
    expect(card(page, ACTION).get_by_role("link", name=IDEA)).to_be_visible()
    focus_kept(page)

    # The idea's link to the problem jumps there (Enter on the link).
    press_on(page, idea.get_by_role("link", name=PROBLEM), backwards=True)
    expect(card(page, PROBLEM)).to_be_focused()

    # Edit the problem: the form opens with the text focused; Enter on Save; the focus stays on the card.
    press_on(page, card(page, PROBLEM).get_by_role("button", name="Edit"))
    expect(page.get_by_label("Edit card")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("Families do not know which benefits they can claim")
    press_on(page, page.get_by_role("button", name="Save"))
    problem = card(page, "Families do not know which benefits they can claim")
    expect(problem).to_be_visible()
    expect(problem).to_be_focused()

    # Plan details: text by typing, the status by arrows, a principle by Space, saved by Enter.
    press_on(page, card(page, ACTION).get_by_role("button", name="Plan details"))
    expect(page.get_by_label("Title", exact=True)).to_be_focused()
    page.keyboard.type("Family desks")
    tab_to(page, page.get_by_label("Lead (department or role)"))
    page.keyboard.type("Department for Social Affairs")
    tab_to(page, page.get_by_label("Status"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Status")).to_have_value("agreed")
    principles = page.get_by_role("group", name="European Pillar of Social Rights principles served")
    press_on(page, principles.get_by_role("checkbox", name="11. Childcare and support to children"), "Space")
    press_on(page, page.get_by_role("button", name="Save plan"))
    action = card(page, ACTION)
    expect(action).to_contain_text("Family desks")
    expect(action).to_contain_text("Agreed")
    focus_kept(page)

    # Voting: the facilitator opens it; the focus survives the live update that rebuilds the cards.
    assert fran.call("set_phase", {"board_id": boards[0], "phase": "vote"})["ok"]
    expect(page.get_by_text(re.compile(r"Dots left: \d+ of \d+"))).to_be_visible()
    focus_kept(page)
    idea = card(page, IDEA)
    press_on(page, idea.get_by_role("button", name="Add a dot"))
    expect(idea).to_contain_text(re.compile(r"Your dots on this card: 1 of \d+"))
    expect(idea.get_by_role("button", name="Add a dot")).to_be_focused()  # the rebuilt card's button
    press_on(page, idea.get_by_role("button", name="Take a dot back"))
    expect(idea).to_contain_text(re.compile(r"Your dots on this card: 0 of \d+"))
    assert focus_kept(page) == "Add a dot"  # "Take a dot back" is disabled now: its neighbour has the focus

    # The commitment: back to the workshop (the breadcrumb), then its link.
    press_on(page, page.get_by_role("main").get_by_role("link", name="Keyboard lab"), backwards=True)
    expect(page.get_by_role("heading", name="Boards")).to_be_visible()
    press_on(page, page.get_by_role("link", name=re.compile(r"commitment of Ljubljana")))
    expect(page.get_by_role("heading", name="Commitment of Ljubljana", level=1)).to_be_visible()
    fran.close()
    assert page.errors == []


@pytest.fixture
def with_an_idea(live_server, facilitator):
    """The facilitator's new workshop, whose first board has Ben's idea IDEA: its board ids."""
    code, boards = facilitator.create_workshop("Facilitator keyboard lab")
    socket = Visitor(live_server.url).join(code, "Ben", "Bologna").socket()
    assert socket.call("join_board", {"board_id": boards[0]})["ok"]
    assert socket.call("add_card", {"board_id": boards[0], "lane": "idea", "text": IDEA})["ok"]
    yield boards
    socket.close()


def test_a_facilitator_runs_a_board_from_the_console_by_keyboard(new_page, facilitator, with_an_idea):
    page = open_as(new_page, facilitator, f"/workshops/{facilitator.workshop_id}/console")
    wait_until(page, "document.querySelector('[data-fact=phase]').textContent !== ''")

    toggle = page.get_by_role("button", name=TITLE, exact=True)
    press_on(page, toggle)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    region = page.get_by_role("region", name=TITLE, exact=True)

    # Counts hidden until the reveal: the voting settings' disclosure, a checkbox (Space), Save.
    press_on(page, region.get_by_role("button", name="Voting settings", exact=True))
    expect(region.get_by_role("button", name="Voting settings", exact=True)).to_have_attribute("aria-expanded", "true")
    hidden = region.get_by_label("Hide counts until the reveal")
    press_on(page, hidden, "Space")
    expect(hidden).not_to_be_checked()
    page.keyboard.press("Space")
    expect(hidden).to_be_checked()
    press_on(page, region.get_by_role("button", name="Save voting settings"))
    expect(region).to_contain_text("The room does not see the counts until you reveal them.")
    focus_kept(page)

    # Phase: Start voting; the focus goes to the next step shown, not to the body.
    press_on(page, region.get_by_role("button", name="Start voting"), backwards=True)
    expect(region.locator("[data-fact=phase]")).to_have_text("Voting")
    assert focus_kept(page) != "Start voting"

    # Timer: start it, then pause it (the focus moves to the button that undoes each).
    press_on(page, region.get_by_role("button", name="3 minutes"))
    expect(region.get_by_role("timer")).to_contain_text("Time left:")
    expect(region.get_by_role("button", name="Pause timer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(region.get_by_role("timer")).to_contain_text("Timer paused at")
    expect(region.get_by_role("button", name="Resume timer")).to_be_focused()

    # Reveal the votes.
    press_on(page, region.get_by_role("button", name="Reveal votes"))
    expect(region).to_contain_text("The room sees the counts (revealed).")
    focus_kept(page)

    # Spotlight a card from the moderation list; the focus goes to Release spotlight.
    item = region.get_by_role("listitem", name=IDEA)
    press_on(page, item.get_by_role("button", name="Spotlight", exact=True))
    expect(region.get_by_role("group", name="Spotlight", exact=True)).to_contain_text(IDEA)
    expect(region.get_by_role("button", name="Release spotlight")).to_be_focused()
    page.keyboard.press("Enter")
    expect(region.get_by_role("button", name="Release spotlight")).to_be_hidden()
    focus_kept(page)
    assert page.errors == []


def test_a_facilitator_on_the_board_reveals_private_cards_and_hides_one_by_keyboard(new_page, facilitator, with_an_idea):
    page = open_as(new_page, facilitator, f"/boards/{with_an_idea[0]}")
    wait_until(page, "window.workshopBoard?.sync.joined")

    # Private writing on (Space), then "Reveal all cards" (Enter): the button goes, the focus to the switch.
    switch = page.get_by_role("checkbox", name=re.compile("Private writing"))
    press_on(page, switch, "Space")
    reveal = page.get_by_role("button", name="Reveal all cards")
    expect(reveal).to_be_visible()
    press_on(page, reveal)
    expect(reveal).to_be_hidden()
    expect(switch).not_to_be_checked()
    expect(switch).to_be_focused()

    # Hide a card: Enter on Hide, the reason typed, Enter sends; the focus is on the card.
    press_on(page, card(page, IDEA).get_by_role("button", name="Hide"))
    expect(page.get_by_label("Why hide it? Its author will see this.")).to_be_focused()
    page.keyboard.type("Off topic")
    page.keyboard.press("Enter")
    expect(card(page, IDEA)).to_contain_text("Hidden by a facilitator: Off topic")
    expect(card(page, IDEA)).to_be_focused()
    assert page.errors == []
