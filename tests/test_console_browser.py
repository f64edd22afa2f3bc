"""The facilitator's console in Debian's Chromium: one compact row per board, one board's controls
open at a time, only the controls that apply to the board's state, moderation from the console,
the focus kept where the facilitator is, and a page that fits a phone."""
import os

import pytest
from playwright.sync_api import expect

from .live import wait_until
from .live import card, join_in_browser, log_in_in_browser

pytestmark = pytest.mark.browser

CHILD_POVERTY = "Child poverty and the EU Child Guarantee"
SCREENSHOTS = "/tmp/console-screenshots"


def open_console(page, facilitator, width=1366, height=768):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/workshops/{facilitator.workshop_id}/console")
    wait_until(page, "document.querySelector('[data-fact=phase]').textContent !== ''")


def board_row(page, title=CHILD_POVERTY):
    """The board's region (its row, and its controls when open)."""
    return page.get_by_role("region", name=title, exact=True)


def open_board(page, title=CHILD_POVERTY):
    toggle = page.get_by_role("button", name=title, exact=True)
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    return board_row(page, title)


def focused(page):
    """The accessible text of the focused element (its aria-label or text), or 'BODY'."""
    return page.evaluate("""() => {
        const element = document.activeElement;
        if (!element || element === document.body) return "BODY";
        return element.getAttribute("aria-label") || element.textContent.trim() || element.id;
    }""")


def expect_shown(region, present, absent):
    """Buttons named in `present` show, and none named in `absent` is there at all (for a person)."""
    for name in present:
        expect(region.get_by_role("button", name=name, exact=True)).to_be_visible()
    for name in absent:
        expect(region.get_by_role("button", name=name, exact=True)).to_have_count(0)


def test_each_board_is_one_compact_row_and_one_board_opens_at_a_time(new_page, facilitator):
    code, boards = facilitator.create_workshop("Rows lab")
    fran = new_page()
    log_in_in_browser(fran, facilitator)
    open_console(fran, facilitator)

    toggles = fran.locator(".console-toggle")
    expect(toggles).to_have_count(3)
    for index in range(3):
        expect(toggles.nth(index)).to_have_attribute("aria-expanded", "false")
    row = board_row(fran)
    expect(row).to_contain_text("Collecting cards")
    expect(row).to_contain_text("No timer")
    expect(row).to_contain_text("0 online · 0 cities")
    expect(row).to_contain_text("0 cards")
    expect(row).to_contain_text("0 dots cast")
    expect(row.get_by_role("button", name="Start voting")).to_be_hidden()
    # Three boards closed, the commitments and the participants: one screen and a bit, not 3,900 px.
    height = fran.evaluate("document.documentElement.scrollHeight")
    assert height < 1200, height
    # Each row is one line at a laptop's width: the title and its facts side by side.
    row_heights = fran.evaluate("[...document.querySelectorAll('.console-row')].map((row) => row.getBoundingClientRect().height)")
    assert max(row_heights) < 80, row_heights

    # From the keyboard: Tab to the first board's button, Enter opens it, the focus stays on it.
    first = fran.get_by_role("button", name=CHILD_POVERTY, exact=True)
    first.focus()
    fran.keyboard.press("Enter")
    expect(first).to_have_attribute("aria-expanded", "true")
    expect(row.get_by_role("button", name="Start voting")).to_be_visible()
    assert focused(fran) == CHILD_POVERTY
    # Opening another board closes the first (Space, as on any button).
    second = toggles.nth(1)
    second.focus()
    fran.keyboard.press("Space")
    expect(second).to_have_attribute("aria-expanded", "true")
    expect(first).to_have_attribute("aria-expanded", "false")
    expect(row.get_by_role("button", name="Start voting")).to_be_hidden()
    second.click()
    expect(second).to_have_attribute("aria-expanded", "false")

    # Live updates keep the open board open and what the facilitator is typing as typed.
    region = open_board(fran)
    region.get_by_role("button", name="Voting settings", exact=True).click()
    region.get_by_label("Dots per person").fill("7")
    region.get_by_label("Find a card").fill("breakfast")
    ana = new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    ana.goto(f"/boards/{boards[0]}")
    expect(row).to_contain_text("1 online · 1 city")
    expect(region).to_contain_text("Online now: Glasgow (1)")
    ana.get_by_label("New idea").fill("Free breakfast at school")
    ana.get_by_role("button", name="Add idea").click()
    expect(row).to_contain_text("1 card")
    expect(card(region, "Free breakfast at school")).to_be_visible()
    expect(first).to_have_attribute("aria-expanded", "true")
    expect(region.get_by_label("Dots per person")).to_have_value("7")
    expect(region.get_by_label("Find a card")).to_have_value("breakfast")
    # A reload remembers which board was open.
    fran.reload()
    expect(fran.get_by_role("button", name=CHILD_POVERTY, exact=True)).to_have_attribute("aria-expanded", "true")

    # Removing a participant asks once more, and the focus goes to the list's heading, not the page.
    people = fran.get_by_role("region", name="Participants (1)")
    people.get_by_role("button", name="Remove Ana").click()
    expect(people.get_by_role("button", name="Remove Ana")).to_have_text("Really remove Ana?")
    people.get_by_role("button", name="Remove Ana").click()
    expect(people.get_by_role("button", name="Remove Ana")).to_have_count(0)
    expect(fran.get_by_role("heading", name="Participants (1)")).to_be_focused()
    assert fran.errors == [] and ana.errors == []


def test_only_the_controls_that_apply_to_the_board_now_show(new_page, facilitator):
    code, boards = facilitator.create_workshop("States lab")
    fran, ana = new_page(), new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    ana.goto(f"/boards/{boards[0]}")
    log_in_in_browser(fran, facilitator)
    open_console(fran, facilitator)
    board = open_board(fran)
    row = board_row(fran)

    # Collecting: the next step is voting; nothing to reveal, resume or release.
    expect_shown(board, ["Start voting", "Close board", "Pause board", "1 minute", "3 minutes", "Start"],
                 ["Show results", "Back to collecting", "Reveal votes", "Resume board", "Start a new voting round",
                  "Pause timer", "Resume timer", "Add a minute", "Stop timer", "Release spotlight"])
    expect(board.get_by_label("Keep posting open while voting")).to_be_visible()

    # Pause: Resume takes its place and the focus; Pause is gone.
    board.get_by_role("button", name="Pause board").click()
    expect_shown(board, ["Resume board"], ["Pause board"])
    expect(ana.get_by_text("Paused by the facilitator")).to_be_visible()
    expect(row).to_contain_text("Collecting cards · paused")
    wait_until(fran, "() => document.activeElement.textContent === 'Resume board'")
    fran.keyboard.press("Enter")
    expect_shown(board, ["Pause board"], ["Resume board"])
    wait_until(fran, "() => document.activeElement.textContent === 'Pause board'")

    # The timer's buttons follow the timer.
    board.get_by_role("button", name="3 minutes").click()
    expect(row.get_by_role("timer")).to_contain_text("Time left: 2:5")
    expect(ana.get_by_role("timer")).to_contain_text("Time left")
    expect_shown(board, ["Pause timer", "Add a minute", "Stop timer"], ["1 minute", "3 minutes", "Resume timer"])
    assert focused(fran) == "Pause timer"
    fran.keyboard.press("Enter")
    expect_shown(board, ["Resume timer", "Stop timer"], ["Pause timer", "3 minutes"])
    expect(row.get_by_role("timer")).to_contain_text("Timer paused at 2:5")
    wait_until(fran, "() => document.activeElement.textContent === 'Resume timer'")
    board.get_by_role("button", name="Stop timer").click()
    expect_shown(board, ["1 minute", "3 minutes"], ["Pause timer", "Resume timer", "Stop timer", "Add a minute"])
    expect(row).to_contain_text("No timer")
    assert focused(fran) == "1 minute"

    # To voting: the results are the next step; the counts are hidden, so Reveal shows; the focus
    # stays in the phase controls.
    board.get_by_role("button", name="Start voting").click()
    expect(row).to_contain_text("Voting")
    expect_shown(board, ["Show results", "Back to collecting", "Close board", "Reveal votes", "Start a new voting round"],
                 ["Start voting", "Resume board"])
    expect(ana.get_by_text("Dots left: 5 of 5")).to_be_visible()
    wait_until(fran, "() => document.activeElement.textContent === 'Show results'")
    expect(board.get_by_text("The room does not see the counts until you reveal them.")).to_be_visible()
    board.get_by_role("button", name="Reveal votes").click()
    expect_shown(board, ["Show results"], ["Reveal votes"])
    expect(board.get_by_text("The room sees the counts (revealed).")).to_be_visible()
    assert focused(fran) != "BODY"

    # While voting, "Keep posting open" applies at once: the participant can post again.
    expect(ana.get_by_label("New idea")).to_be_hidden()
    board.get_by_label("Keep posting open while voting").check()
    expect(ana.get_by_label("New idea")).to_be_visible()
    expect(board.get_by_label("Keep posting open while voting")).to_be_focused()

    # Results, then closed: each with its own way on.
    board.get_by_role("button", name="Show results").click()
    expect(row).to_contain_text("Results")
    expect_shown(board, ["Start a new voting round", "Back to collecting", "Close board"], ["Show results", "Start voting", "Reveal votes"])
    expect(board.get_by_label("Keep posting open while voting")).to_be_hidden()
    assert focused(fran) != "BODY"
    board.get_by_role("button", name="Close board").click()
    expect(row).to_contain_text("Closed")
    expect_shown(board, ["Back to the results", "Back to collecting"], ["Close board", "Pause board", "Start a new voting round"])
    assert focused(fran) == "Back to the results"
    assert fran.errors == [] and ana.errors == []


def test_voting_settings_open_in_their_own_disclosure_and_refusals_show_beside_them(new_page, facilitator):
    code, boards = facilitator.create_workshop("Settings lab")
    fran = new_page()
    log_in_in_browser(fran, facilitator)
    open_console(fran, facilitator)
    board = open_board(fran)
    settings = board.get_by_role("button", name="Voting settings", exact=True)
    expect(settings).to_have_attribute("aria-expanded", "false")
    expect(board.get_by_label("Dots per person")).to_be_hidden()
    settings.click()
    expect(settings).to_have_attribute("aria-expanded", "true")
    expect(board.get_by_label("Dots per person")).to_have_value("5")
    board.get_by_label("Dots per person").fill("40")
    board.get_by_role("button", name="Save voting settings").click()
    error = board.get_by_role("group", name="Votes").locator(".error")
    expect(error).to_have_text("Dots must be between 1 and 20.")
    wait_until(fran, "() => document.getElementById('console-announce').textContent === 'Dots must be between 1 and 20.'")
    board.get_by_label("Dots per person").fill("3")
    board.get_by_role("button", name="Save voting settings").click()
    expect(error).to_be_hidden()
    fran.reload()
    board = open_board(fran)
    board.get_by_role("button", name="Voting settings", exact=True).click()
    expect(board.get_by_label("Dots per person")).to_have_value("3")


def test_a_facilitator_hides_restores_merges_and_spotlights_cards_from_the_console(new_page, facilitator):
    code, boards = facilitator.create_workshop("Moderation lab")
    fran, ana, ben = new_page(), new_page(), new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    join_in_browser(ben, code, "Ben", "Bologna")
    for page in (ana, ben):
        page.goto(f"/boards/{boards[0]}")
    ideas = ["Free breakfast at school", "Breakfast for every pupil", "Summer camps for every child",
             "One family desk per district", "Youth councils in every city", "Rent support for single parents",
             "Buy my product at spam.example"]
    for text in ideas:
        ana.get_by_label("New idea").fill(text)
        ana.get_by_role("button", name="Add idea").click()
    expect(card(ben, ideas[-1])).to_be_visible()
    log_in_in_browser(fran, facilitator)
    open_console(fran, facilitator)
    board = open_board(fran)

    # The latest five, newest first; the filter box and "Show all cards" reach the others.
    cards = board.locator('[data-list="cards"] > li')
    expect(cards).to_have_count(5)
    expect(cards.first).to_contain_text("Buy my product at spam.example")
    expect(board.get_by_text("The latest 5 of 7 cards.", exact=False)).to_be_visible()
    board.get_by_label("Find a card").fill("breakfast")
    expect(cards).to_have_count(2)
    expect(board.get_by_text("2 cards match.")).to_be_visible()
    board.get_by_label("Find a card").fill("")
    board.get_by_role("button", name="Show all cards").click()
    expect(board.get_by_role("button", name="Show all cards")).to_have_attribute("aria-pressed", "true")
    expect(cards).to_have_count(7)

    # Hide needs a reason: a refusal shows beside the card and to assistive technology.
    spam = card(board, "Buy my product at spam.example")
    spam.get_by_role("button", name="Hide").click()
    reason = spam.get_by_label("Why hide it? Its author will see this.")
    expect(reason).to_be_focused()
    spam.get_by_role("button", name="Hide card").click()
    expect(spam.locator(".error")).to_be_visible()
    message = spam.locator(".error").inner_text()
    wait_until(fran, "(text) => document.getElementById('console-announce').textContent === text", message)
    # A card arriving while the reason is typed leaves the form, its text and the focus alone.
    reason.press_sequentially("Advert")
    ana.get_by_label("New idea").fill("Late idea from the back row")
    ana.get_by_role("button", name="Add idea").click()
    expect(card(board, "Late idea from the back row")).to_be_visible()
    expect(reason).to_be_focused()
    expect(reason).to_have_value("Advert")
    reason.press_sequentially("ising")
    reason.press("Enter")
    expect(card(ben, "Buy my product at spam.example")).to_have_count(0)
    expect(card(ana, "Buy my product at spam.example")).to_contain_text("Hidden by a facilitator: Advertising")
    hidden = board.locator('[data-list="hidden"] > li')
    expect(hidden).to_have_count(1)
    expect(hidden.first).to_contain_text("Hidden by a facilitator: Advertising")
    expect(board.get_by_role("heading", name="Hidden cards")).to_be_visible()
    expect(hidden.first.get_by_role("button", name="Restore")).to_be_focused()
    expect(board_row(fran)).to_contain_text("7 cards")

    # Restore brings it back for everyone.
    hidden.first.get_by_role("button", name="Restore").click()
    expect(card(ben, "Buy my product at spam.example")).to_be_visible()
    expect(hidden).to_have_count(0)
    expect(board.get_by_role("heading", name="Hidden cards")).to_be_hidden()
    expect(card(board, "Buy my product at spam.example").get_by_role("button", name="Hide")).to_be_focused()

    # Merge into another card of the same lane.
    twin = card(board, "Breakfast for every pupil")
    twin.get_by_role("button", name="Merge into…").click()
    target = twin.get_by_label("Merge this card into")
    expect(target).to_be_focused()
    target.select_option(label="Free breakfast at school")
    twin.get_by_role("button", name="Merge", exact=True).click()
    expect(card(ben, "Breakfast for every pupil")).to_have_count(0)
    merged = card(ben, "Free breakfast at school")
    expect(merged.get_by_role("list", name="Merged from")).to_contain_text("Breakfast for every pupil")
    expect(card(board, "Breakfast for every pupil")).to_have_count(0)
    assert focused(fran) != "BODY"

    # Spotlight, then release it from the console.
    card(board, "Summer camps for every child").get_by_role("button", name="Spotlight").click()
    expect(card(ben, "Summer camps for every child")).to_contain_text("In the spotlight")
    expect(board.get_by_role("group", name="Spotlight")).to_contain_text("Summer camps for every child")
    expect(card(board, "Summer camps for every child").get_by_role("button", name="Spotlight")).to_have_count(0)
    board.get_by_role("button", name="Release spotlight").click()
    expect(card(ben, "Summer camps for every child")).not_to_contain_text("In the spotlight")
    expect(board.get_by_role("button", name="Release spotlight")).to_be_hidden()
    expect(card(board, "Summer camps for every child").get_by_role("button", name="Spotlight")).to_be_focused()
    assert fran.errors == [] and ana.errors == [] and ben.errors == []


# What sticks out to the right of the page (to name it when the page scrolls sideways).
WIDE = """[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8)"""


# The contrast of a button's text on the colour behind it (the first opaque background up the tree).
CONTRAST = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("button, a.button")].filter((b) => b.checkVisibility()).map((button) => {
    const [a, b] = [lum(rgb(getComputedStyle(button).color)), lum(background(button))];
    return [button.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


def test_the_console_fits_a_phone_and_every_button_is_legible(new_page, facilitator):
    code, boards = facilitator.create_workshop("Phone lab")
    ana, fran = new_page(), new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    ana.goto(f"/boards/{boards[0]}")
    ana.get_by_label("New idea").fill("A very long idea " + "withaverylongwordthatdoesnotbreak" * 3 + " to test wrapping")
    ana.get_by_role("button", name="Add idea").click()
    ana.get_by_label("New idea").fill("Free breakfast at school")
    ana.get_by_role("button", name="Add idea").click()
    log_in_in_browser(fran, facilitator)
    open_console(fran, facilitator)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    fran.screenshot(path=f"{SCREENSHOTS}/console-1366-closed.png", full_page=True)
    board = open_board(fran)
    board.get_by_role("button", name="Voting settings", exact=True).click()
    board.get_by_role("button", name="3 minutes").click()
    expect(board.get_by_role("button", name="Pause timer")).to_be_visible()
    card(board, "Free breakfast at school").get_by_role("button", name="Spotlight").click()
    expect(board.get_by_role("button", name="Release spotlight")).to_be_visible()
    card(board, "Free breakfast at school").get_by_role("button", name="Hide").click()
    fran.screenshot(path=f"{SCREENSHOTS}/console-1366-open.png", full_page=True)
    for width, height in ((390, 844), (320, 640)):
        fran.set_viewport_size({"width": width, "height": height})
        fran.wait_for_timeout(100)
        fran.screenshot(path=f"{SCREENSHOTS}/console-{width}-open.png", full_page=True)
        overflow = fran.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (width, overflow, fran.evaluate(WIDE))
    low = [(text, round(ratio, 2)) for text, ratio in fran.evaluate(CONTRAST) if ratio < 4.5]
    assert low == []
    fran.set_viewport_size({"width": 390, "height": 844})
    fran.get_by_role("button", name=CHILD_POVERTY, exact=True).click()
    fran.screenshot(path=f"{SCREENSHOTS}/console-390-closed.png", full_page=True)
    assert fran.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    low = [(text, round(ratio, 2)) for text, ratio in fran.evaluate(CONTRAST) if ratio < 4.5]
    assert low == []
