"""Running the room over sockets: phases, pause, timer, spotlight, removing a participant, and
that participants can send none of these."""
import threading
import time
from datetime import datetime

import pytest

from workshop.extensions import db
from workshop.models import utcnow
from workshop.room import events as room_events

from .helpers import assert_refused, board_events, emit, named, post


@pytest.fixture
def timer_ends(monkeypatch):
    """`timer_ends.acquire(timeout=...)`: wait until the server has handled the end of one more timer
    (a running timer is watched in the background from its start; at its end it advances the phase
    if it was set to)."""
    handled = threading.Semaphore(0)
    watch = room_events._when_timer_ends

    def watched(*args):
        try:
            watch(*args)
        finally:
            handled.release()

    monkeypatch.setattr(room_events, "_when_timer_ends", watched)
    return handled


FACILITATOR_EVENTS = [
    ("set_phase", {"phase": "vote"}),
    ("set_paused", {"paused": True}),
    ("start_timer", {"seconds": 60}),
    ("pause_timer", {}),
    ("resume_timer", {}),
    ("add_time", {}),
    ("stop_timer", {}),
    ("spotlight", {"card_id": None}),
    ("reveal_votes", {}),
    ("configure_voting", {"budget": 9, "cap": 9, "lanes": ["idea"], "mode": "person", "hidden": False}),
    ("set_private_writing", {"enabled": True}),
]


@pytest.mark.parametrize("event, payload", FACILITATOR_EVENTS, ids=[event for event, _ in FACILITATOR_EVENTS])
def test_participants_cannot_send_facilitator_events(room, event, payload):
    before = (room.board.phase, room.board.paused, room.board.timer_ends_at, room.board.last_seq)
    assert_refused(emit(room.ana_socket, event, board_id=room.board.id, **payload), "not_facilitator")
    db.session.expire_all()
    assert (room.board.phase, room.board.paused, room.board.timer_ends_at, room.board.last_seq) == before
    assert board_events(room.ben_socket) == []


def test_participants_cannot_remove_a_participant(room):
    assert_refused(emit(room.ana_socket, "remove_participant", participant_id=room.ben.id), "not_facilitator")
    db.session.expire_all()
    assert room.ben.removed_at is None and room.ben_socket.is_connected()


def test_a_facilitator_of_another_workshop_cannot_run_this_board(room, connect, make_workshop):
    other = make_workshop().facilitators[0]
    socket = connect(other)
    assert_refused(emit(socket, "set_phase", board_id=room.board.id, phase="closed"), "not_member")
    assert_refused(emit(socket, "remove_participant", participant_id=room.ana.id), "not_facilitator")


@pytest.mark.parametrize("phase", ["vote", "results", "closed", "collect"])
def test_phases_change_on_every_screen(room, phase):
    assert emit(room.staff_socket, "set_phase", board_id=room.board.id, phase=phase)["ok"]
    [update] = named(room.ben_socket, "board_updated")
    assert update["board"]["phase"] == phase
    assert update["board"]["voting"]["revealed"] is (phase == "results")


def test_bad_phase_is_refused(room):
    assert_refused(emit(room.staff_socket, "set_phase", board_id=room.board.id, phase="party"), "bad_phase")
    assert_refused(emit(room.staff_socket, "set_phase", board_id=room.board.id, phase=3), "bad_field")
    db.session.expire_all()
    assert room.board.phase == "collect"


def test_phase_rules_for_posting(room):
    emit(room.staff_socket, "set_phase", board_id=room.board.id, phase="vote")
    assert_refused(post(room.ana_socket, room.board), "posting_closed")
    emit(room.staff_socket, "set_phase", board_id=room.board.id, phase="vote", keep_posting_open=True)
    assert post(room.ana_socket, room.board)["ok"]
    emit(room.staff_socket, "set_phase", board_id=room.board.id, phase="closed")
    assert_refused(post(room.ana_socket, room.board), "posting_closed")


def test_a_paused_board_takes_nothing_from_participants(room):
    card = post(room.ana_socket, room.board)["card"]
    assert emit(room.staff_socket, "set_paused", board_id=room.board.id, paused=True)["ok"]
    assert named(room.ben_socket, "board_updated")[-1]["board"]["paused"] is True
    assert_refused(post(room.ana_socket, room.board), "board_paused")
    assert_refused(emit(room.ana_socket, "edit_card", card_id=card["id"], text="x"), "board_paused")
    emit(room.staff_socket, "set_paused", board_id=room.board.id, paused=False)
    assert post(room.ana_socket, room.board)["ok"]


def test_timer_start_pause_resume_add_and_stop(room):
    started = emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=300)
    ends_at = datetime.fromisoformat(started["timer"]["ends_at"].rstrip("Z"))
    assert 299 <= (ends_at - utcnow()).total_seconds() <= 300
    [seen] = named(room.ben_socket, "timer_changed")
    assert seen["timer"] == started["timer"] and seen["server_time"]

    paused = emit(room.staff_socket, "pause_timer", board_id=room.board.id)["timer"]
    assert paused["ends_at"] is None and 298 <= paused["remaining"] <= 300
    plus = emit(room.staff_socket, "add_time", board_id=room.board.id)["timer"]
    assert plus["remaining"] == paused["remaining"] + 60
    resumed = emit(room.staff_socket, "resume_timer", board_id=room.board.id)["timer"]
    left = (datetime.fromisoformat(resumed["ends_at"].rstrip("Z")) - utcnow()).total_seconds()
    assert plus["remaining"] - 2 <= left <= plus["remaining"]
    stopped = emit(room.staff_socket, "stop_timer", board_id=room.board.id)["timer"]
    assert stopped["ends_at"] is None and stopped["remaining"] is None


@pytest.mark.parametrize(
    "event, payload, code",
    [("start_timer", {"seconds": 0}, "bad_duration"), ("start_timer", {"seconds": 4 * 3600 + 1}, "bad_duration"),
     ("start_timer", {"seconds": "60"}, "bad_field"), ("pause_timer", {}, "timer_not_running"),
     ("resume_timer", {}, "timer_not_paused"), ("add_time", {}, "timer_not_running")],
)
def test_bad_timer_commands_are_refused(room, event, payload, code):
    assert_refused(emit(room.staff_socket, event, board_id=room.board.id, **payload), code)
    assert named(room.ben_socket, "timer_changed") == []


def test_two_clients_see_the_same_end_time(room):
    emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=180)
    [for_ana] = named(room.ana_socket, "timer_changed")
    [for_ben] = named(room.ben_socket, "timer_changed")
    assert for_ana["timer"] == for_ben["timer"]
    snapshot = emit(room.ana_socket, "join_board", board_id=room.board.id)["snapshot"]
    assert snapshot["board"]["timer"] == for_ana["timer"]


def test_a_timer_set_to_advance_moves_the_board_on_at_zero(room):
    emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=1, advances=True)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not named(room.ben_socket, "board_updated"):
        time.sleep(0.05)
    db.session.expire_all()
    assert room.board.phase == "vote"


def test_a_stopped_timer_does_not_advance(room, timer_ends):
    emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=1, advances=True)
    emit(room.staff_socket, "stop_timer", board_id=room.board.id)
    assert timer_ends.acquire(timeout=10)  # the end of the timer that was stopped came and went
    db.session.expire_all()
    assert room.board.phase == "collect"


def test_spotlight_a_card_and_release_it(room):
    card = post(room.ana_socket, room.board)["card"]
    room.clear()
    assert emit(room.staff_socket, "spotlight", board_id=room.board.id, card_id=card["id"])["ok"]
    assert named(room.ben_socket, "spotlight_changed") == [{"board_id": room.board.id, "card_id": card["id"]}]
    assert emit(room.ben_socket, "join_board", board_id=room.board.id)["snapshot"]["board"]["spotlight_card_id"] == card["id"]
    emit(room.staff_socket, "spotlight", board_id=room.board.id, card_id=None)
    assert named(room.ana_socket, "spotlight_changed")[-1]["card_id"] is None


def test_only_a_card_the_room_can_see_goes_in_the_spotlight(room):
    card = post(room.ana_socket, room.board)["card"]
    emit(room.staff_socket, "hide_card", card_id=card["id"], reason="Off topic")
    assert_refused(emit(room.staff_socket, "spotlight", board_id=room.board.id, card_id=card["id"]), "card_not_public")
    assert_refused(emit(room.staff_socket, "spotlight", board_id=room.board.id, card_id=99999), "no_such_card")


def test_removing_a_participant_ends_their_session_for_good(app, room, connect):
    room.clear()
    assert emit(room.staff_socket, "remove_participant", participant_id=room.ana.id)["ok"]
    assert not room.ana_socket.is_connected()
    assert room.ben_socket.is_connected()
    # The same identity can neither use a socket nor a page again.
    assert not connect(room.ana).is_connected()
    http = app.test_client()
    with http.session_transaction() as session:
        session["_user_id"] = room.ana.get_id()
    assert http.get(f"/workshops/{room.workshop.id}").status_code == 302
    assert_refused(emit(room.staff_socket, "remove_participant", participant_id=99999), "no_such_participant")


NO_TIMER = {"ends_at": None, "remaining": None, "advances": False}


def run_out(room, timer_ends):
    """A timer that reached zero without advancing the phase: it shows "Time is up" until stopped."""
    emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=1)
    assert timer_ends.acquire(timeout=10)


@pytest.mark.parametrize("timer", ["running", "paused", "ran out"])
def test_a_phase_change_stops_the_timer_on_every_screen(room, timer_ends, timer):
    if timer == "ran out":
        run_out(room, timer_ends)
    else:
        emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=300, advances=True)
    if timer == "paused":
        emit(room.staff_socket, "pause_timer", board_id=room.board.id)
    room.clear()
    assert emit(room.staff_socket, "set_phase", board_id=room.board.id, phase="vote")["ok"]
    received = {m["name"]: m["args"][0] for m in room.ben_socket.get_received()}
    assert received["board_updated"]["board"]["phase"] == "vote" and received["board_updated"]["board"]["timer"] == NO_TIMER
    assert received["timer_changed"]["timer"] == NO_TIMER and received["timer_changed"]["board_id"] == room.board.id
    snapshot = emit(room.ana_socket, "join_board", board_id=room.board.id)["snapshot"]
    assert snapshot["board"]["timer"] == NO_TIMER
    db.session.expire_all()
    assert (room.board.timer_ends_at, room.board.timer_remaining, room.board.timer_advances) == (None, None, False)


def test_a_timer_that_advances_the_phase_is_gone_in_the_next_phase(room):
    emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=1, advances=True)
    room.clear()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not named(room.ben_socket, "timer_changed"):
        time.sleep(0.05)
    db.session.expire_all()
    assert room.board.phase == "vote"
    [update] = named(room.ana_socket, "board_updated")
    assert update["board"]["timer"] == NO_TIMER
    snapshot = emit(room.ana_socket, "join_board", board_id=room.board.id)["snapshot"]
    assert snapshot["board"]["timer"] == NO_TIMER


def test_a_refused_phase_change_keeps_the_timer(room):
    started = emit(room.staff_socket, "start_timer", board_id=room.board.id, seconds=300)["timer"]
    room.clear()
    assert_refused(emit(room.staff_socket, "set_phase", board_id=room.board.id, phase="party"), "bad_phase")
    assert named(room.ben_socket, "timer_changed") == []
    snapshot = emit(room.ana_socket, "join_board", board_id=room.board.id)["snapshot"]
    assert snapshot["board"]["timer"] == started


def test_a_phase_change_without_a_timer_sends_no_timer_change(room):
    assert emit(room.staff_socket, "set_phase", board_id=room.board.id, phase="vote")["ok"]
    received = [m["name"] for m in room.ben_socket.get_received()]
    assert "board_updated" in received and "timer_changed" not in received
