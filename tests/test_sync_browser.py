"""Every live page converges through one sync module, in Debian's Chromium: the projector (the
room, whoever opened it) and the console follow the board's sequence, take a fresh snapshot when
who sees what changes, and catch up on what they missed."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .live import Visitor, wait_until
from .live import card, log_in_in_browser
from .helpers import HIDDEN, PRIVATE, PUBLIC, REASON, SECRETS
from .helpers import LATER_HIDDEN as LIVE_HIDDEN, LATER_PRIVATE as LIVE_PRIVATE

pytestmark = pytest.mark.browser


def call(socket, event, **payload):
    ack = socket.call(event, payload)
    assert ack["ok"], (event, ack)
    return ack


@pytest.fixture
def session(live_server, facilitator):
    """A workshop with two participants and the facilitator on sockets, on its first board."""
    code, boards = facilitator.create_workshop("Sync lab")
    board = boards[0]
    people = {}
    for name, city in (("Ana", "Glasgow"), ("Ben", "Bologna")):
        socket = Visitor(live_server.url).join(code, name, city).socket()
        call(socket, "join_board", board_id=board)
        people[name] = socket
    staff = facilitator.socket()
    call(staff, "join_board", board_id=board, watch=True)
    yield {"board": board, "staff": staff, **people}
    for socket in (staff, *people.values()):
        socket.close()


def frames_of(page):
    """Record every Socket.IO message the page's WebSocket receives."""
    page.frames_received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: page.frames_received.append(str(frame))))
    return page


def post(socket, board, text, lane="idea"):
    return call(socket, "add_card", board_id=board, lane=lane, text=text)["card"]


def test_the_projector_opened_by_a_facilitator_shows_only_what_the_room_sees(new_page, facilitator, session):
    board, staff, ana, ben = session["board"], session["staff"], session["Ana"], session["Ben"]
    public = post(ana, board, PUBLIC)
    hidden = post(ben, board, HIDDEN)
    call(staff, "hide_card", card_id=hidden["id"], reason=REASON)
    later = post(ana, board, "Shown, then hidden", lane="problem")
    call(staff, "set_private_writing", board_id=board, enabled=True)
    post(ben, board, PRIVATE)
    call(staff, "set_phase", board_id=board, phase="vote", keep_posting_open=True)
    for _ in range(3):
        call(ana, "vote", card_id=public["id"])

    fran = frames_of(new_page())
    log_in_in_browser(fran, facilitator)
    response = fran.goto(f"/boards/{board}/projector")
    html = response.text()
    expect(fran.get_by_text(PUBLIC)).to_be_visible()
    wait_until(fran, "() => window.workshopProjector?.sync.joined")

    # While people post, vote and edit, and the facilitator hides.
    post(ben, board, LIVE_PRIVATE, lane="problem")
    call(ben, "vote", card_id=public["id"])
    expect(fran.get_by_text("Shown, then hidden")).to_be_visible()
    call(staff, "hide_card", card_id=later["id"], reason=REASON)
    call(staff, "edit_card", card_id=later["id"], text=LIVE_HIDDEN)
    expect(fran.get_by_text("Shown, then hidden")).to_have_count(0)
    fran.wait_for_timeout(500)  # counts are coalesced: one would have come by now

    shown = fran.content()
    for secret in SECRETS:
        assert secret not in html and secret not in shown
        assert not any(secret in frame for frame in fran.frames_received), secret
    assert not any("votes_changed" in frame or "my_votes_changed" in frame for frame in fran.frames_received)
    assert fran.evaluate("window.workshopProjector.sync.state.votes.counts") is None
    assert fran.errors == []

    # The facilitator's own board page still sees all of it.
    fran.goto(f"/boards/{board}")
    for text in (PRIVATE, HIDDEN, LIVE_PRIVATE, LIVE_HIDDEN):
        expect(card(fran, text)).to_be_visible()
    assert fran.evaluate(f"window.workshopBoard.state.votes.counts['{public['id']}']") == 4


# Drops the next server event named `name` on this page, as a lost message would.
DROP_NEXT = """name => {
  const socket = (window.workshopProjector || window.workshopConsole || window.workshopBoard).socket;
  const original = socket.onevent.bind(socket);
  window.dropped = [];
  socket.onevent = (packet) => {
    if (packet.data[0] === name && window.dropped.length === 0) window.dropped.push(packet.data[1]);
    else original(packet);
  };
}"""


def open_projector_and_console(new_page, facilitator, board):
    fran = new_page()
    log_in_in_browser(fran, facilitator)
    fran.goto(f"/workshops/{facilitator.workshop_id}/console")
    fran.get_by_role("button", name="Child poverty and the EU Child Guarantee", exact=True).click()  # its cards show
    projector = fran.context.new_page()
    projector.errors = []
    projector.on("pageerror", lambda error: projector.errors.append(error))
    projector.goto(f"/boards/{board}/projector")
    wait_until(projector, "() => window.workshopProjector?.sync.joined")
    wait_until(fran, "() => window.workshopConsole?.syncs.every((sync) => sync.joined)")
    return fran, projector


def test_the_projector_shows_revealed_cards_without_a_reload(new_page, facilitator, session):
    board, staff, ana, ben = session["board"], session["staff"], session["Ana"], session["Ben"]
    call(staff, "set_private_writing", board_id=board, enabled=True)
    post(ana, board, "Ana's draft, private for now")
    post(ben, board, "Ben's draft, private for now", lane="problem")
    fran, projector = open_projector_and_console(new_page, facilitator, board)
    expect(projector.get_by_text("Ana's draft, private for now")).to_have_count(0)

    console = fran.get_by_role("region", name="Child poverty and the EU Child Guarantee")
    call(staff, "set_private_writing", board_id=board, enabled=False)  # the reveal

    expect(projector.get_by_text("Ana's draft, private for now")).to_be_visible()
    expect(projector.get_by_text("Ben's draft, private for now")).to_be_visible()
    expect(console.get_by_text("Ben's draft, private for now")).to_be_visible()
    assert projector.errors == [] and fran.errors == []


def test_the_projector_and_the_console_converge_after_a_lost_event_and_a_disconnect(new_page, facilitator, session):
    board, staff, ana = session["board"], session["staff"], session["Ana"]
    fran, projector = open_projector_and_console(new_page, facilitator, board)
    for page in (projector, fran):
        page.evaluate(DROP_NEXT, "card_added")

    post(ana, board, "The card whose event was lost")
    post(ana, board, "The card after it", lane="problem")  # its seq shows the gap

    console = fran.get_by_role("region", name="Child poverty and the EU Child Guarantee")
    for where in (projector, console):
        expect(where.get_by_text("The card whose event was lost")).to_be_visible()
        expect(where.get_by_text("The card after it")).to_be_visible()
    assert projector.evaluate("window.dropped.length") == fran.evaluate("window.dropped.length") == 1

    # Away for a while: what happened meanwhile arrives with the reconnect, the timer too.
    projector.evaluate("window.workshopProjector.socket.disconnect()")
    post(ana, board, "Posted while the projector was away")
    call(staff, "set_phase", board_id=board, phase="vote")
    call(staff, "start_timer", board_id=board, seconds=120)  # after the phase change, which stops a timer
    projector.evaluate("window.workshopProjector.socket.connect()")
    expect(projector.get_by_text("Posted while the projector was away")).to_be_visible()
    expect(projector.get_by_text("Voting", exact=True)).to_be_visible()
    expect(projector.get_by_role("timer")).to_contain_text("Time left")
    last_seq = staff.call("get_events", {"board_id": board, "since": -1})["last_seq"]
    wait_until(projector, "seq => window.workshopProjector.sync.state.lastSeq === seq", last_seq)
    wait_until(fran, "seq => window.workshopConsole.syncs[0].state.lastSeq === seq", last_seq)
    assert projector.errors == [] and fran.errors == []


def test_the_screens_show_the_timer_the_server_has_after_a_phase_change_and_a_stop(new_page, facilitator, session):
    """A timer belongs to its phase: `board_updated` carries `board.timer`, and every screen
    applies it (the server stops the timer when the phase changes), as it applies `timer_changed`."""
    board, staff = session["board"], session["staff"]
    fran, projector = open_projector_and_console(new_page, facilitator, board)
    console_timer = fran.get_by_role("region", name="Child poverty and the EU Child Guarantee").get_by_role("timer")
    call(staff, "start_timer", board_id=board, seconds=1, advances=True)  # at zero the board moves to voting
    expect(projector.get_by_text("Voting", exact=True)).to_be_visible()
    server_timer = staff.call("get_events", {"board_id": board, "since": -1})["snapshot"]["board"]["timer"]
    for screen in (projector.get_by_role("timer"), console_timer):
        if server_timer["ends_at"] is None:
            expect(screen).to_be_hidden()
        else:
            expect(screen).to_have_text("Time is up")

    call(staff, "start_timer", board_id=board, seconds=120)
    expect(projector.get_by_role("timer")).to_contain_text("Time left")
    expect(console_timer).to_contain_text("Time left")
    call(staff, "stop_timer", board_id=board)
    expect(projector.get_by_role("timer")).to_be_hidden()
    expect(console_timer).to_be_hidden()


NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_the_projector_fills_a_1920_screen_by_lane_and_ranks_with_bars(browser, live_server, facilitator, session, tmp_path):
    board, staff, ana, ben = session["board"], session["staff"], session["Ana"], session["Ben"]
    shots = Path(os.environ.get("PROJECTOR_SCREENSHOTS", tmp_path))
    for number in range(1, 15):
        post(ana, board, f"Problem {number}: families wait months for a childcare place in the district", lane="problem")
    ideas = [post(ben, board, f"Idea {number}: one family desk per district, open on Saturdays") for number in range(1, 7)]
    post(ana, board, "Action plan: a pilot desk in two districts by spring, with the library network", lane="action")

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1920, "height": 1080})
    projector = context.new_page()
    try:
        projector.errors = []
        projector.on("pageerror", lambda error: projector.errors.append(error))
        projector.request.post("/login", form={"email": facilitator.email, "password": facilitator.password,
                                               "csrf_token": csrf_of(projector, "/login")})
        projector.goto(f"/boards/{board}/projector")

        # Collect: three columns, each with its heading and count, newest first, only whole cards.
        lanes = [projector.get_by_role("region", name=name) for name in ("Problems", "Ideas", "Action plans")]
        expect(lanes[0].get_by_role("heading", name="Problems 14")).to_be_visible()
        expect(lanes[1].get_by_role("heading", name="Ideas 6")).to_be_visible()
        expect(lanes[2].get_by_role("heading", name="Action plans 1")).to_be_visible()
        # Measured in one go in the page: each message re-renders the projector, and a box read
        # between two renders finds its element gone.
        boxes = projector.evaluate("""() => [...document.querySelectorAll("#projector-body > .projector-lane")]
            .map((lane) => lane.getBoundingClientRect()).map(({ x, width }) => ({ x, width }))""")
        assert len(boxes) == 3 and boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"] and all(box["width"] > 500 for box in boxes)
        shown = lanes[0].get_by_role("listitem").filter(visible=True)
        expect(shown.first).to_contain_text("Problem 14")  # newest first
        assert 2 <= shown.count() < 14  # as many as fit, not all
        assert projector.evaluate(NO_SIDEWAYS_SCROLL)
        assert projector.evaluate("() => document.documentElement.scrollHeight <= innerHeight")
        projector.screenshot(path=shots / "projector-collect.png")

        # Results: the voted lane ranked as bars sized by dots; ties as ties.
        call(staff, "configure_voting", board_id=board, budget=10, cap=5, lanes=["idea"], mode="person", hidden=True)
        call(staff, "set_phase", board_id=board, phase="vote")
        for socket, card, times in ((ana, ideas[0], 4), (ben, ideas[1], 2), (ana, ideas[2], 2)):
            for _ in range(times):
                call(socket, "vote", card_id=card["id"])
        call(staff, "set_phase", board_id=board, phase="results")
        ranking = projector.get_by_role("region", name="Ideas")
        rows = ranking.get_by_role("listitem")
        expect(rows.first).to_contain_text("Idea 1:")
        expect(rows.first).to_contain_text("Rank 1")
        expect(rows.nth(1)).to_contain_text("Rank 2 (tie)")
        expect(rows.nth(2)).to_contain_text("Rank 2 (tie)")
        expect(rows.nth(1)).to_contain_text("2 dots")
        # Bars sized by dots: 4, 2 and 2 (waited for: the counts come with the snapshot after the phase).
        wait_until(projector, """() => {
          const [a, b, c] = [...document.querySelectorAll(".projector-ranking li .projector-bar")].map((bar) => bar.getBoundingClientRect().width);
          return Math.abs(a - 2 * b) <= 2 && b === c;
        }""", timeout=15)
        assert projector.evaluate(NO_SIDEWAYS_SCROLL)
        projector.screenshot(path=shots / "projector-results.png")

        # The spotlight takes the screen.
        call(staff, "spotlight", board_id=board, card_id=ideas[0]["id"])
        expect(projector.locator(".projector-card")).to_have_text(ideas[0]["text"])
        # Read in one go in the page: a render between finding the card and reading it leaves a detached one.
        projector.wait_for_function("""() => {
          const card = document.querySelector(".projector-card");
          return card && parseFloat(getComputedStyle(card).fontSize) >= 60;
        }""", timeout=5000)
        assert projector.evaluate(NO_SIDEWAYS_SCROLL)
        projector.screenshot(path=shots / "projector-spotlight.png")
        call(staff, "spotlight", board_id=board, card_id=None)
        for width in (390, 320):  # no page scrolls sideways, even one never meant for a phone
            projector.set_viewport_size({"width": width, "height": 844})
            assert projector.evaluate(NO_SIDEWAYS_SCROLL), width
        assert projector.errors == []
    finally:
        context.close()


def csrf_of(page, path):
    import re

    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page.request.get(path).text()).group(1)


def test_the_share_page_shows_the_address_as_large_as_the_code(browser, live_server, facilitator, session, tmp_path):
    shots = Path(os.environ.get("PROJECTOR_SCREENSHOTS", tmp_path))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.request.post("/login", form={"email": facilitator.email, "password": facilitator.password,
                                          "csrf_token": csrf_of(page, "/login")})
        page.goto(f"/workshops/{facilitator.workshop_id}/share")
        address = page.locator(".share-host")
        expect(address).to_have_text(live_server.url.removeprefix("http://"))
        size = "e => parseFloat(getComputedStyle(e).fontSize)"
        assert address.evaluate(size) == page.locator(".share-code").evaluate(size)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.screenshot(path=shots / "share.png")
        for width in (390, 320):  # a facilitator checking it on a phone
            page.set_viewport_size({"width": width, "height": 844})
            assert page.evaluate(NO_SIDEWAYS_SCROLL), width
    finally:
        context.close()
