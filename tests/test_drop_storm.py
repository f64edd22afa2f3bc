"""The venue's Wi-Fi drops (issue 18), at a size CI affords: 200 participants on 3 boards lose their
connections at once (a TCP reset, no goodbye) while others keep posting, editing and voting; each
reconnects with the browser's backoff and rejoins with its `since`, and gets exactly the events it
missed, as events, with presence exact soon after and nothing in the server's log. The full size
(1,000) is bench/drops.py, with the same harness (bench/drops.mjs) and the same checks."""
import json

import pytest
from playwright.sync_api import expect

from bench.drops import BOARDS, check, event_log, live_run, run_harness, seed
from bench.live import SERVER_ENV

from .live import BoardScene, LiveServer, card


@pytest.mark.live
def test_a_room_cut_off_at_once_rejoins_with_exactly_the_events_it_missed(tmp_path):
    clients = 200
    database = f"sqlite:///{tmp_path / 'drops.sqlite'}"
    cookies, boards = seed(database, clients, BOARDS)
    cookie_file = tmp_path / "cookies.json"
    cookie_file.write_text(json.dumps(cookies))
    server = LiveServer(database, extra_env=SERVER_ENV, log_path=tmp_path / "server.log")
    try:
        result = run_harness(server, cookie_file, boards, clients, cut_after=1, write_for=0.5)
        figures = check(result, event_log(database, boards), server.output())
    finally:
        server.stop()
    assert figures["not_back"] == 0 and figures["client_errors"] == []
    assert figures["caught_up"] > 0, "nothing was written while the room was away: the test proved nothing"
    assert (figures["duplicates"], figures["gaps"], figures["snapshots"]) == (0, 0, 0), figures
    presence = figures["presence_exact_after_last_rejoin_s"]
    assert all(seconds is not None and seconds <= 2 for seconds in presence.values()), figures
    assert figures["server_errors"] == []


def person(board, joins, events, presence, connected=True):
    return {"board": board, "joins": joins, "events": events, "presence": presence, "errors": [], "connected": connected}


def join(connection, since, last_seq, caught=(), kind="events", acked=0):
    return {"connection": connection, "since": since, "kind": kind, "caught": list(caught), "last_seq": last_seq, "acked": acked}


# The server's log: seqs 1-6 on board 1; cards 10, 11, 12; seq 5 edits card 10 again.
LOG = {1: [(1, 10), (2, 11), (3, 12), (4, 10), (5, 10), (6, 12)]}


def figures_for(*people):
    return check({"all_back_s": 1.0, "writes": {}, "people": list(people)}, LOG, "")


def test_the_check_finds_a_catch_up_that_is_right():
    right = person(1, [join(1, None, 2), join(2, 3, 5, caught=[5])], [(1, 3), (2, 6)], [(0, 1)])
    figures = figures_for(right)
    assert (figures["duplicates"], figures["gaps"], figures["snapshots"], figures["caught_up"]) == (0, 0, 0, 1)
    assert figures["presence_exact_after_last_rejoin_s"] == {1: 0.0}


@pytest.mark.parametrize("wrong, found", [
    # The catch-up sent card 10's older event as well as its newest.
    (person(1, [join(1, None, 2), join(2, 3, 5, caught=[4, 5])], [(1, 3), (2, 6)], [(0, 1)]), "duplicates"),
    # The catch-up left out card 10 (seq 5).
    (person(1, [join(1, None, 2), join(2, 3, 5)], [(1, 3), (2, 6)], [(0, 1)]), "gaps"),
    # A live event came twice after the rejoin.
    (person(1, [join(1, None, 2), join(2, 3, 5, caught=[5])], [(1, 3), (2, 6), (2, 6)], [(0, 1)]), "duplicates"),
    # The last event never came.
    (person(1, [join(1, None, 2), join(2, 3, 5, caught=[5])], [(1, 3)], [(0, 1)]), "gaps"),
    # The client asked from seq 2 while it held 3: it is sent again what it had.
    (person(1, [join(1, None, 2), join(2, 2, 5, caught=[3, 5])], [(1, 3), (2, 6)], [(0, 1)]), "duplicates"),
    (person(1, [join(1, None, 2), join(2, 3, 6, kind="snapshot")], [(1, 3)], [(0, 1)]), "snapshots"),
    (person(1, [join(1, None, 2)], [(1, 3)], [(0, 1)]), "not_back"),
])
def test_the_check_finds_what_went_wrong(wrong, found):
    assert figures_for(wrong)[found] == 1


def test_presence_that_stays_wrong_is_never_exact():
    stale = person(1, [join(1, None, 2), join(2, 3, 5, caught=[5])], [(1, 3), (2, 6)], [(0, 1), (10, 2)])
    assert figures_for(stale)["presence_exact_after_last_rejoin_s"] == {1: None}


def test_live_events_the_catch_up_brought_are_counted_apart():
    assert live_run([4, 5, 6, 7], after=5) == (2, 0, 0, 7)


@pytest.mark.browser
def test_the_board_page_waits_a_jittered_while_after_a_drop_then_rejoins_with_its_since(live_server, facilitator, new_page):
    scene = BoardScene(live_server, facilitator, new_page, "Wi-Fi drops", with_sockets=("ana",))
    page = scene.page(scene.ben)
    scene.call("ana", "add_card", board_id=scene.board, lane="problem", text="Before the drop")
    expect(card(page, "Before the drop")).to_be_visible()
    # The page's own socket manager draws each first wait anew, between 0.5 and 1.5 s: a room that
    # drops at once comes back spread over a second, not in one instant.
    first_waits = page.evaluate(FIRST_WAITS)
    assert 500 <= min(first_waits) and max(first_waits) <= 1500 and max(first_waits) - min(first_waits) > 600
    assert page.evaluate("window.workshopBoard.socket.io.reconnectionDelayMax()") == 5000

    held = page.evaluate("window.workshopBoard.sync.state.lastSeq")
    page.evaluate(DROP_AND_RECORD_JOINS)
    scene.call("ana", "add_card", board_id=scene.board, lane="problem", text="While Ben was away")
    expect(card(page, "While Ben was away")).to_be_visible()
    joins = page.evaluate("window.joins")
    assert joins[0]["payload"]["since"] == held > 0
    assert joins[0]["after"] >= 450  # not at once (a timer may fire a little early)
    assert page.errors == []
    scene.close()


# Samples the manager's backoff as a first try after a drop would (reset, then one duration),
# leaving it reset as it was.
FIRST_WAITS = """() => {
  const backoff = window.workshopBoard.socket.io.backoff;
  const waits = [];
  for (let n = 0; n < 400; n += 1) { backoff.reset(); waits.push(backoff.duration()); }
  backoff.reset();
  return waits;
}"""

# Records each join_board the page sends from now on, with the time since the drop; then drops the
# connection under the socket, which reconnects by itself as after a network failure.
DROP_AND_RECORD_JOINS = """() => {
  const socket = window.workshopBoard.socket;
  const emit = socket.emit.bind(socket);
  const dropped = performance.now();
  window.joins = [];
  socket.emit = (event, payload, ...rest) => {
    if (event === "join_board") window.joins.push({ payload, after: performance.now() - dropped });
    return emit(event, payload, ...rest);
  };
  socket.io.engine.close();
}"""
