"""The board as a product, in Debian's Chromium: cards get the space on a laptop (lanes fill the
window and scroll on their own, one-line composers that open when used) and on a phone one lane
at a time behind tabs with counts. Set BOARD_SCREENSHOTS=/some/folder to keep screenshots."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .layout import LAPTOP, PHONE, layout_problems
from .live import CROWD_LIMITS, LiveServer, Visitor, wait_until

pytestmark = pytest.mark.browser

IDEAS = ["A family desk in every district, open on Saturdays", "Free breakfast at every primary school",
         "One form for all child benefits, in eight languages", "Summer camps for every child, whatever the income",
         "Social workers in schools two days a week", "A text message when a benefit is due",
         "Libraries as homework clubs after school", "Free public transport for under-18s"]


def card(page, text):
    return page.get_by_role("listitem", name=text, exact=True)


def screenshot(page, name):
    folder = os.environ.get("BOARD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own: Ana posts 48 cards at once, more than a person's limit allows."""
    server = LiveServer(f"sqlite:///{tmp_path_factory.mktemp('laptop') / 'laptop.sqlite'}", extra_env=CROWD_LIMITS)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def full_board(server):
    """A workshop whose first two boards have 8 cards in each lane, posted by Ana (the second for the phone)."""
    live_server = server
    fran = Visitor(live_server.url).sign_up("Fran")
    code, boards = fran.create_workshop("Laptop lab")
    ana = Visitor(live_server.url).join(code, "Ana Kovač", "Ljubljana")
    socket = ana.socket()
    try:
        for board in boards[:2]:
            for lane, prefix in (("problem", "Families cannot find"), ("idea", ""), ("action", "Plan:")):
                for n, idea in enumerate(IDEAS):
                    text = f"{prefix} {idea.lower()}" if prefix else idea
                    assert socket.call("add_card", {"board_id": board, "lane": lane, "text": text})["ok"]
    finally:
        socket.close()
    return {"fran": fran, "ana": ana, "boards": boards, "server": server}


def open_as(new_page, full_board, who, path, viewport):
    visitor = full_board[who]
    page = new_page(full_board["server"])
    page.set_viewport_size(viewport)
    page.context.add_cookies([{"name": c.name, "value": c.value, "url": visitor.base} for c in visitor.http.cookies])
    page.goto(path)
    expect(page.locator("#lanes .card").nth(23)).to_be_attached()
    return page


def cards_above_the_fold(page, lane):
    """How many of `lane`'s cards show whole within the window as the page opens."""
    return page.evaluate("""(lane) => {
      const list = document.querySelector(`#lane-${lane} .cards`).getBoundingClientRect();
      return [...document.querySelectorAll(`#lane-${lane} .card`)].filter((card) => {
        const box = card.getBoundingClientRect();
        return box.top >= list.top && box.bottom <= Math.min(list.bottom, innerHeight) && box.height > 0;
      }).length;
    }""", lane)


def test_on_a_laptop_several_cards_per_lane_show_and_each_lane_scrolls_on_its_own(new_page, full_board):
    page = open_as(new_page, full_board, "ana", f"/boards/{full_board['boards'][0]}", LAPTOP)
    screenshot(page, "laptop-collect")
    for lane in ("problem", "idea", "action"):
        assert cards_above_the_fold(page, lane) >= 3, lane
    # The page itself does not scroll; the lanes do, each on its own.
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight + 1")
    ideas = page.locator("#lane-idea .cards")
    ideas.hover()
    page.mouse.wheel(0, 600)
    wait_until(page, "document.querySelector('#lane-idea .cards').scrollTop > 0")
    assert page.evaluate("document.querySelector('#lane-problem .cards').scrollTop") == 0
    assert page.evaluate("scrollY") == 0


def test_the_composer_is_one_line_until_used_and_posts_with_ctrl_enter(new_page, full_board):
    page = open_as(new_page, full_board, "ana", f"/boards/{full_board['boards'][0]}", LAPTOP)
    composer = page.get_by_label("New idea")
    closed_height = composer.bounding_box()["height"]
    assert closed_height < 50
    expect(page.get_by_role("button", name="Add idea")).to_be_hidden()
    expect(page.get_by_label("Answers the problem")).to_be_hidden()

    # N, from a card in the lane, opens the lane's composer with the whole form.
    card(page, IDEAS[0]).focus()
    page.keyboard.press("n")
    expect(composer).to_be_focused()
    expect(page.get_by_role("button", name="Add idea")).to_be_visible()
    expect(page.get_by_label("Answers the problem")).to_be_visible()
    assert composer.bounding_box()["height"] > closed_height * 1.5
    screenshot(page, "laptop-composer-open")

    # Escape closes it; focus goes to the lane, not to the page.
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Add idea")).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "lane-idea"

    # Typing opens it again; Ctrl+Enter posts and leaves it open for the next card.
    composer.focus()
    page.keyboard.type("Youth councils in every district")
    page.keyboard.press("Control+Enter")
    expect(card(page, "Youth councils in every district")).to_be_visible()
    expect(composer).to_be_focused()
    expect(composer).to_have_value("")

    # Leaving it empty folds it back to one line.
    page.get_by_label("Search cards").focus()
    expect(page.get_by_role("button", name="Add idea")).to_be_hidden()
    assert composer.bounding_box()["height"] == closed_height
    assert page.errors == []


def test_on_a_phone_one_lane_shows_at_a_time_behind_tabs_with_counts(new_page, full_board):
    page = open_as(new_page, full_board, "ana", f"/boards/{full_board['boards'][1]}", PHONE)
    tabs = page.get_by_role("tablist", name="Lanes")
    expect(tabs.get_by_role("tab")).to_have_count(3)
    problems = tabs.get_by_role("tab", name=re.compile("^Problems"))
    expect(problems).to_have_attribute("aria-selected", "true")
    expect(problems).to_contain_text("8")
    expect(page.get_by_role("tabpanel", name=re.compile("^Problems"))).to_be_visible()
    expect(card(page, IDEAS[0])).to_be_hidden()
    screenshot(page, "phone-collect")

    # Arrow keys move between lanes, as with any tabs.
    problems.focus()
    page.keyboard.press("ArrowRight")
    ideas = tabs.get_by_role("tab", name=re.compile("^Ideas"))
    expect(ideas).to_be_focused()
    expect(ideas).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name=re.compile("^Ideas"))).to_be_visible()
    expect(card(page, IDEAS[0])).to_be_visible()
    expect(card(page, f"Families cannot find {IDEAS[0].lower()}")).to_be_hidden()
    page.keyboard.press("End")
    expect(tabs.get_by_role("tab", name=re.compile("^Action plans"))).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")
    expect(problems).to_have_attribute("aria-selected", "true")

    # N on the tabs writes in the lane shown; the count follows the new card.
    page.keyboard.press("n")
    expect(page.get_by_label("New problem")).to_be_focused()
    page.keyboard.type("Nobody answers the phone at the benefits office")
    screenshot(page, "phone-composer-open")
    assert layout_problems(page, sizes=(PHONE,)) == []
    page.keyboard.press("Control+Enter")
    expect(problems).to_contain_text("9")
    assert page.errors == []


def test_the_tabs_are_not_shown_on_a_laptop_and_the_lanes_are_regions(new_page, full_board):
    page = open_as(new_page, full_board, "ana", f"/boards/{full_board['boards'][0]}", LAPTOP)
    expect(page.get_by_role("tablist")).to_be_hidden()
    for name in ("Problems", "Ideas", "Action plans"):
        expect(page.get_by_role("region", name=re.compile(f"^{name}"))).to_be_visible()
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("tablist", name="Lanes")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("^Ideas"))).to_have_count(0)


def test_on_a_phone_the_voted_lane_shows_when_voting_starts_and_in_results(new_page, full_board):
    board = full_board["boards"][1]
    page = open_as(new_page, full_board, "ana", f"/boards/{board}", PHONE)
    tabs = page.get_by_role("tablist", name="Lanes")
    expect(tabs.get_by_role("tab", name=re.compile("^Problems"))).to_have_attribute("aria-selected", "true")
    fran = full_board["fran"].socket()
    try:
        assert fran.call("set_phase", {"board_id": board, "phase": "vote"})["ok"]
        expect(tabs.get_by_role("tab", name=re.compile("^Ideas"))).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("button", name="Add a dot").first).to_be_visible()
        # The person's own choice stands while the phase does.
        tabs.get_by_role("tab", name=re.compile("^Problems")).click()
        page.get_by_label("Search cards").evaluate("e => e.dispatchEvent(new Event('input', {bubbles: true}))")
        expect(tabs.get_by_role("tab", name=re.compile("^Problems"))).to_have_attribute("aria-selected", "true")
        assert fran.call("set_phase", {"board_id": board, "phase": "results"})["ok"]
        expect(tabs.get_by_role("tab", name=re.compile("^Ideas"))).to_have_attribute("aria-selected", "true")
        expect(page.locator("#lane-idea .rank").first).to_be_visible()
        screenshot(page, "phone-results")
    finally:
        assert fran.call("set_phase", {"board_id": board, "phase": "collect"})["ok"]
        fran.close()
    assert page.errors == []


# Every line of a link's text lies inside the link's painted shape (its rounded corners included).
_TEXT_OUTSIDE_ITS_SHAPE = """(selector) => {
  const outside = [];
  for (const link of document.querySelectorAll(selector)) {
    const box = link.getBoundingClientRect();
    const style = getComputedStyle(link);
    const radius = Math.min(parseFloat(style.borderTopLeftRadius) || 0, box.width / 2, box.height / 2);
    const inside = (x, y) => {
      const cx = Math.min(Math.max(x, box.left + radius), box.right - radius);
      const cy = Math.min(Math.max(y, box.top + radius), box.bottom - radius);
      return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 + 1;
    };
    const range = document.createRange();
    range.selectNodeContents(link);
    for (const line of range.getClientRects()) {
      const corners = [[line.left, line.top], [line.right, line.top], [line.left, line.bottom], [line.right, line.bottom]];
      if (!corners.every(([x, y]) => inside(x, y))) outside.push(`${link.textContent.trim()}: a line at ${Math.round(line.left)},${Math.round(line.top)}`);
    }
  }
  return outside;
}"""


def test_on_a_phone_a_long_board_name_in_the_switcher_stays_inside_its_shape(new_page, full_board):
    # The names wrap on a phone (access.css); a pill's round ends would then cut the corners of the first
    # and last lines (seen in the synthesis journey's screenshots: the "C" of "Child poverty" off the dark pill).
    page = open_as(new_page, full_board, "ana", f"/boards/{full_board['boards'][0]}", PHONE)
    current = page.get_by_role("navigation", name="Other boards").get_by_role("link", name="Child poverty and the EU Child Guarantee")
    expect(current).to_have_attribute("aria-current", "page")
    assert current.bounding_box()["height"] > 40  # wrapped: the case that matters
    assert page.evaluate(_TEXT_OUTSIDE_ITS_SHAPE, ".board-switcher a") == []
