"""The visual side of WCAG 2.2 AA that axe does not measure, in Chromium: targets of 24 by 24 CSS px
(2.5.8), text at 200 % without loss (1.4.4), focus never hidden under the sticky lane tabs (2.4.11),
no motion when the system asks for less (2.3.3), forced colours keeping every boundary and marker,
and colour never the only signal (1.4.1): lanes, hidden and private cards, own dots, the spotlight."""
import pytest
from playwright.sync_api import expect

from .a11y import clipped_text, focus_walk, small_targets
from .layout import PHONE, sideways_overflow
from .live import card
from .page_states import PAGES, SWITCHED, Room, on_board, open_as

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def room(live_server):
    return Room(live_server)


def opener(new_page, **media):
    """Open pages in fresh contexts, emulating `media` features (reduced_motion, forced_colors)."""
    def open_page():
        page = new_page()
        if media:
            page.emulate_media(**media)
        return page
    return open_page


def board_as(new_page, room, who, board, **media):
    page = open_as(opener(new_page, **media), getattr(room, who), f"/boards/{board}")
    on_board(page)
    return page


def double_text_size(page):
    """Set Chromium's default font size from 16 to 32 px (its "font size" setting, through the DevTools
    protocol): pages sized in rem and em follow, media queries in rem too; check that the text grew."""
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.wait_for_timeout(100)
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "32px"


@pytest.mark.parametrize("who, path, prepare", [pytest.param(*page[1:], id=page[0]) for page in PAGES + SWITCHED])
def test_targets_are_24_px_and_text_reads_at_200_percent(new_page, room, who, path, prepare):
    page = open_as(new_page, getattr(room, who) if who else None, path(room))
    prepare(page, room)
    problems = [f"at 1280 px: {line}" for line in small_targets(page)]
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(50)
    problems += [f"at {PHONE['width']} px: {line}" for line in small_targets(page)]
    # Text zoom: the browser's default font size doubled, as its text size setting does (the projector
    # sizes its type to the screen it is shown on, and leaves out the cards that do not fit, by design).
    if not page.evaluate("() => document.documentElement.classList.contains('projector-page')"):
        page.set_viewport_size(LAPTOP)
        double_text_size(page)
        problems += [f"text at 200 %: {line}" for line in sideways_overflow(page) + clipped_text(page)]
    assert not problems, "\n".join(problems)


def test_the_target_check_sees_a_small_button_and_the_zoom_check_clipped_text(new_page, room):
    page = open_as(new_page, None, "/")
    page.evaluate("""() => {
      const main = document.querySelector('main');
      const button = document.createElement('button'); button.textContent = 'Go'; button.style.cssText = 'padding: 0; font-size: 10px; margin: 0';
      const box = document.createElement('p'); box.textContent = 'A sentence that cannot fit a box this small.';
      box.style.cssText = 'width: 6rem; height: 1.5rem; overflow: hidden';
      main.append(button, box);
    }""")
    assert any('button "Go"' in line for line in small_targets(page))
    assert any("A sentence that cannot fit" in line for line in clipped_text(page))


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_focus_is_never_hidden_under_the_sticky_lane_tabs(new_page, room, size):
    """Tab through a long board (cards of long text, with their buttons): every focused element is on
    screen and not covered at its centre by the lane tabs (sticky on a phone) or anything else."""
    page = board_as(new_page, room, "ana", room.boards[0])
    page.set_viewport_size(size)
    page.wait_for_timeout(50)
    walked = focus_walk(page, steps=80)
    # The walk went through the cards of a lane (each has its Edit button), there and back.
    assert sum(name.startswith('button "Edit') for name in walked["seen"]) >= 6, walked
    assert walked["scrolled"], walked  # and the page (or a lane) had to scroll to show what took focus
    assert walked["covered"] == [], walked["covered"]


def test_the_focus_check_sees_a_covered_element(new_page, room):
    page = open_as(lambda: new_page(bypass_csp=True), room.ana, f"/boards/{room.boards[0]}")  # for the style below
    on_board(page)
    page.set_viewport_size(PHONE)
    page.add_style_tag(content=".lanes * { scroll-margin-top: 0 !important; } html { scroll-padding-top: 0 !important; }"
                               ".lane-tabs { height: 16rem; }")
    assert focus_walk(page, steps=40)["covered"]


MOTION = """() => {
  const moving = [];
  for (const element of document.querySelectorAll('*')) {
    for (const pseudo of [null, '::before', '::after']) {
      const style = getComputedStyle(element, pseudo);
      const durations = style.transitionDuration.split(',').map(parseFloat);
      if (durations.some((d) => d > 0) || style.animationName !== 'none') moving.push(`${element.className || element.tagName}${pseudo || ''}`);
    }
  }
  return moving;
}"""


def test_no_transition_or_animation_when_reduced_motion_is_asked_for(new_page, room):
    # Highlighted and measured in one step: the board may draw its cards again in between (a late
    # snapshot under load), which once took the highlight away before it was measured.
    highlighted = "() => { document.querySelector('#lanes .card').classList.add('flash-highlight'); return (" + MOTION + ")(); }"
    page = board_as(new_page, room, "ana", room.boards[0])
    assert page.evaluate(highlighted), "the board has a transition (the highlight of a card) to turn off"
    calm = board_as(new_page, room, "ana", room.boards[0], reduced_motion="reduce")
    assert calm.evaluate(highlighted) == []


FORCED = """() => {
  const shown = (element) => {
    const style = getComputedStyle(element);
    const border = ['Top', 'Right', 'Bottom', 'Left'].some((side) => style[`border${side}Style`] !== 'none' && parseFloat(style[`border${side}Width`]) >= 1);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    return border || outline;
  };
  const unbounded = (selector) => [...document.querySelectorAll(selector)].filter((element) => !shown(element)).map((element) => element.id || element.className);
  return {cards: unbounded('#lanes .card'), lanes: unbounded('#lanes .lane'), tools: unbounded('.board-tools'),
          hidden: unbounded('.card.is-hidden'), spotlit: unbounded('.card.spotlight'), counted: document.querySelectorAll('#lanes .card').length};
}"""

FOCUS_RING = """() => { const style = getComputedStyle(document.activeElement);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), tag: document.activeElement.tagName}; }"""


@pytest.mark.parametrize("who, board", [("ana", 1), ("ben", 0), ("fran", 0)], ids=["own dots and spotlight", "hidden and private", "facilitator"])
def test_forced_colors_keep_boundaries_markers_and_focus_rings(new_page, room, who, board):
    boards = room.second_boards if who == "ben" else room.boards
    page = board_as(new_page, room, "fran" if who == "fran" else who, boards[board], forced_colors="active")
    assert page.evaluate("() => matchMedia('(forced-colors: active)').matches")
    found = page.evaluate(FORCED)
    assert found["counted"] > 0
    assert [found[key] for key in ("cards", "lanes", "tools", "hidden", "spotlit")] == [[]] * 5, found
    for _ in range(8):  # the focus ring of each stop on the way in
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        assert ring["style"] != "none" and ring["width"] >= 2, ring
    if who == "ana":
        expect(page.locator("#lanes .dot-marks").first).to_be_visible()  # the ●○ marks are text, kept


def test_colour_is_never_the_only_signal(new_page, room):
    """Each thing told by a colour is also told in words on the card or around it."""
    ben = board_as(new_page, room, "ben", room.second_boards[0])
    expect(card(ben, "(to be hidden)")).to_contain_text("Hidden by a facilitator: Names a person")
    expect(card(ben, "(private)")).to_contain_text("Private until revealed")
    ana = board_as(new_page, room, "ana", room.boards[1])
    spotlit = ana.locator("#lanes .card.spotlight")
    expect(spotlit).to_have_count(1)
    expect(spotlit).to_contain_text("In the spotlight")
    expect(spotlit).to_contain_text("Your dots on this card: 1 of")
    # Lanes: each card sits in a region named by its lane's heading (or, on a phone, its tab).
    for size in (LAPTOP, PHONE):
        ana.set_viewport_size(size)
        lanes = ana.evaluate("""() => [...document.querySelectorAll('#lanes .card')].map((card) => {
          const lane = card.closest('section.lane');
          const label = lane && document.getElementById(lane.getAttribute('aria-labelledby'));
          return label ? label.textContent.trim() : null; })""")
        assert lanes and all(name and name.rstrip("0123456789() ") in ("Problems", "Ideas", "Action plans") for name in lanes), lanes
    console = open_as(new_page, room.fran, f"/workshops/{room.workshop_id}/console")
    console.get_by_role("button", name="Child poverty and the EU Child Guarantee", exact=True).click()
    tags = console.locator(".console-card .lane-tag")
    expect(tags.first).to_be_visible()
    assert set(tags.all_inner_texts()) <= {"Problems", "Ideas", "Action plans"}, tags.all_inner_texts()
