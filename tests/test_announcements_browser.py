"""What the room does, as a screen reader hears it (static/js/announce.js), in Debian's Chromium:
cards others add, batched into one polite message; phase, timer, reveal and spotlight; never the
person's own action; at most one message every two seconds; and the quiet setting."""
import re
import time

import pytest
from playwright.sync_api import expect

from .live import BoardScene, card, wait_until

pytestmark = pytest.mark.browser

TITLE = "Child poverty and the EU Child Guarantee"
# Every write to the room's news region, with when it happened (ms), kept by the page.
RECORD = """() => {
  window.newsLog = [];
  new MutationObserver(() => {
    const text = document.getElementById("room-news").textContent;
    if (text) window.newsLog.push([performance.now(), text]);
  }).observe(document.getElementById("room-news"), { childList: true, characterData: true, subtree: true });
}"""


class Room(BoardScene):
    """Fran facilitates and Ben takes part over sockets; Ana opens the board in the browser."""

    def __init__(self, live_server, facilitator, new_page):
        super().__init__(live_server, facilitator, new_page, "Announcements lab", with_sockets=("fran", "ben"))

    def post(self, who, lane, text):
        return self.call(who, "add_card", board_id=self.board, lane=lane, text=text)["card"]["id"]

    def page(self, person, path=None):
        page = super().page(person, path)
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        wait_until(page, "(window.workshopBoard || window.workshopProjector)?.sync.joined")
        page.evaluate(RECORD)
        return page


@pytest.fixture
def room(live_server, facilitator, new_page):
    room = Room(live_server, facilitator, new_page)
    yield room
    room.close()


def news(page):
    return page.get_by_role("status", name="What others do")


def heard(page):
    return [text for _, text in page.evaluate("window.newsLog")]


def test_cards_others_add_within_two_seconds_become_one_message(room):
    ana = room.page(room.ana)
    room.post("ben", "problem", "Families do not know which support they can claim")
    room.post("ben", "problem", "Forms only in one language")
    room.post("ben", "idea", "One family desk per district")
    expect(news(ana)).to_have_text("3 new cards: 2 problems, 1 idea.", timeout=5000)
    assert heard(ana) == ["3 new cards: 2 problems, 1 idea."]

    # One card alone is told in full: who, which lane, what it says.
    room.post("ben", "action", "Open the desks by March")
    expect(news(ana)).to_have_text("Ben (Bologna) added an action plan: Open the desks by March", timeout=5000)

    # Ana's own card is not news to her: her composer and the card itself already tell her.
    ana.get_by_label("New idea").fill("Free breakfast at school")
    ana.keyboard.press("Control+Enter")
    expect(ana.get_by_role("listitem", name="Free breakfast at school")).to_be_visible()
    time.sleep(3)
    assert len(heard(ana)) == 2, heard(ana)
    assert ana.errors == []


def test_a_busy_board_gets_at_most_one_message_every_two_seconds_newest_summary_winning(room):
    ana = room.page(room.ana)
    for n in range(12):
        room.post("ben", "idea", f"Idea number {n}")
        time.sleep(0.3)
    wait_until(ana, "window.newsLog.length >= 2", timeout=8)
    time.sleep(2.5)
    log = ana.evaluate("window.newsLog")
    assert 2 <= len(log) <= 3, log
    gaps = [later[0] - earlier[0] for earlier, later in zip(log, log[1:])]
    assert all(gap >= 1900 for gap in gaps), gaps
    total = sum(int(re.match(r"(\d+) new cards", text).group(1)) if "new cards" in text else 1 for _, text in log)
    assert total == 12, log


def test_phase_timer_reveal_and_spotlight_are_told_as_they_happen(room):
    ana = room.page(room.ana)
    problem = room.post("ben", "problem", "Families do not know which support they can claim")
    expect(news(ana)).to_contain_text("Ben (Bologna) added a problem", timeout=5000)
    room.call("fran", "configure_voting", board_id=room.board, budget=5, cap=3, lanes=["problem"], mode="person", hidden=True)
    room.call("fran", "set_phase", board_id=room.board, phase="vote")
    room.call("fran", "start_timer", board_id=room.board, seconds=300)
    expect(news(ana)).to_have_text(re.compile(r"^The board is now: Voting\. Timer running: [45]:\d\d left\.$"), timeout=5000)
    room.call("fran", "pause_timer", board_id=room.board)
    expect(news(ana)).to_have_text(re.compile(r"^Timer paused at [45]:\d\d$"), timeout=5000)
    room.call("fran", "reveal_votes", board_id=room.board)
    expect(news(ana)).to_have_text("The votes are revealed.", timeout=5000)
    room.call("fran", "spotlight", board_id=room.board, card_id=problem)
    expect(news(ana)).to_have_text("In the spotlight: Families do not know which support they can claim", timeout=5000)
    room.call("fran", "stop_timer", board_id=room.board)
    expect(news(ana)).to_have_text("Timer stopped.", timeout=5000)
    assert ana.errors == []


def test_a_timer_reaching_zero_is_told_once(room):
    ana = room.page(room.ana)
    room.call("fran", "start_timer", board_id=room.board, seconds=3)
    expect(news(ana)).to_have_text(re.compile(r"^Timer running: 0:0\d left\.$"), timeout=5000)
    expect(news(ana)).to_have_text("Time is up", timeout=8000)
    time.sleep(2.5)
    assert heard(ana)[-1] == "Time is up" and heard(ana).count("Time is up") == 1


def test_merges_and_hidden_cards_are_told_and_a_facilitators_own_spotlight_is_not_news_to_her(room):
    desk = room.post("ben", "idea", "One family desk per district")
    again = room.post("ben", "idea", "A family desk in every district")
    spam = room.post("ben", "idea", "Buy my bike")
    ana, fran = room.page(room.ana), room.page(room.fran)
    room.call("fran", "merge_cards", card_id=again, into_id=desk)
    # Told as a merge, not also as a card taken off the board.
    expect(news(ana)).to_have_text("Cards merged into: One family desk per district", timeout=5000)
    room.call("fran", "hide_card", card_id=spam, reason="Off topic")
    expect(news(ana)).to_have_text("Taken off the board: Buy my bike", timeout=5000)

    card(fran, "One family desk per district").get_by_role("button", name="Spotlight", exact=True).click()
    expect(news(ana)).to_have_text("In the spotlight: One family desk per district", timeout=5000)
    time.sleep(2.5)
    assert not any("spotlight" in text for text in heard(fran)), heard(fran)
    assert ana.errors == [] and fran.errors == []


def test_a_card_hidden_before_it_was_told_is_never_read_out(room):
    ana = room.page(room.ana)
    spam = room.post("ben", "idea", "Buy my bike")
    room.post("ben", "idea", "One family desk per district")
    room.call("fran", "hide_card", card_id=spam, reason="Off topic")  # within the two seconds of one message
    expect(news(ana)).to_have_text("Ben (Bologna) added an idea: One family desk per district", timeout=5000)
    time.sleep(2.5)
    assert not any("Buy my bike" in text for text in heard(ana)), heard(ana)
    assert ana.errors == []


def test_the_projector_tells_the_room_too(room):
    projector = room.page(room.fran, f"/boards/{room.board}/projector")
    room.post("ben", "idea", "One family desk per district")
    room.post("ben", "idea", "Free breakfast at school")
    expect(news(projector)).to_have_text("2 new cards: 2 ideas.", timeout=5000)
    # The screen redraws whole: it is not itself a live region (else every card would be read again).
    assert projector.locator("[aria-live]").count() == 1
    assert projector.errors == []


def test_quiet_setting_writes_nothing_and_is_remembered(room):
    ana = room.page(room.ana)
    setting = ana.get_by_role("checkbox", name="Announce what others do")
    expect(setting).to_be_checked()
    setting.focus()
    ana.keyboard.press("Space")
    expect(setting).not_to_be_checked()
    ana.reload()
    expect(ana.get_by_role("checkbox", name="Announce what others do")).not_to_be_checked()
    wait_until(ana, "window.workshopBoard?.sync.joined")
    ana.evaluate(RECORD)
    room.post("ben", "problem", "Forms only in one language")
    room.call("fran", "set_phase", board_id=room.board, phase="vote")
    expect(ana.get_by_role("listitem", name="Forms only in one language")).to_be_visible()
    time.sleep(3)
    assert heard(ana) == []
    expect(news(ana)).to_have_text("")
    # Own feedback still speaks: a refusal goes to the page's status region as before.
    assert ana.errors == []
