"""Socket.IO for running the room: phases, pause, timer, spotlight, removing a participant.
Only the workshop's facilitators may send these; everyone on the board sees the result."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..boards.broadcast import broadcast
from ..boards.events import board_of
from ..boards.snapshots import iso, timer_json
from ..errors import NotFound
from ..extensions import db, socketio
from ..live import handler, read
from ..models import Board, Participant, utcnow
from ..publish import tell_and_close, to_board, user_key, user_room
from . import services


@handler("set_phase")
def set_phase(data):
    """Move the board to `phase` (collect, vote, results, closed); the room gets `board_updated`."""
    board = board_of(data)
    keep_open = read(data, "keep_posting_open", bool, required=False)
    phase_changed(board, lambda: services.set_phase(current_user, board, read(data, "phase", str), keep_open))
    return {}


def phase_changed(board, change):
    """Run a phase change and send it to the room; a timer it stopped goes as `timer_changed` too,
    for pages that follow the timer only through that event."""
    had_timer = services.has_timer(board)
    events = change()
    broadcast(events)
    if events and had_timer and not services.has_timer(board):
        timer_changed(board)


@handler("set_paused")
def set_paused(data):
    board = board_of(data)
    broadcast(services.set_paused(current_user, board, read(data, "paused", bool)))
    return {}


def timer_changed(board):
    """Send the timer to the room, and watch for its end if it runs."""
    payload = {"board_id": board.id, "timer": timer_json(board), "server_time": iso(utcnow())}
    to_board(board.id, "timer_changed", payload)
    if board.timer_ends_at is not None:
        socketio.start_background_task(_when_timer_ends, current_app._get_current_object(), board.id, board.timer_ends_at)
    return {"timer": payload["timer"]}


def _when_timer_ends(app, board_id, ends_at):
    """At the end of a timer set to advance the phase, advance it (unless it was changed since)."""
    socketio.sleep(max((ends_at - utcnow()).total_seconds(), 0) + 0.05)
    with app.app_context():
        try:
            board = db.session.get(Board, board_id)
            if board is not None:
                phase_changed(board, lambda: services.timer_ran_out(board, ends_at))
        except Exception:
            app.logger.exception("timer end on board %s failed", board_id)
        finally:
            db.session.remove()


# Timer commands: each changes the board's timer, then the room gets `timer_changed`.
TIMER_COMMANDS = {
    # A countdown of `seconds`; with `advances`, the board moves to the next phase at zero.
    "start_timer": lambda board, data: services.start_timer(
        current_user, board, read(data, "seconds", int), read(data, "advances", bool, required=False, default=False)),
    "pause_timer": lambda board, data: services.pause_timer(current_user, board),
    "resume_timer": lambda board, data: services.resume_timer(current_user, board),
    "add_time": lambda board, data: services.add_time(current_user, board, read(data, "seconds", int, required=False, default=60)),
    "stop_timer": lambda board, data: services.stop_timer(current_user, board),
}


def _timer_handler(name, command):
    @handler(name)
    def timer_command(data):
        board = board_of(data)
        command(board, data)
        return timer_changed(board)

    return timer_command


for _name, _command in TIMER_COMMANDS.items():
    _timer_handler(_name, _command)


@handler("spotlight")
def spotlight(data):
    """Put `card_id` in focus on every screen, or release the spotlight with `card_id: null`."""
    board = board_of(data)
    services.spotlight(current_user, board, read(data, "card_id", int, required=False))
    to_board(board.id, "spotlight_changed", {"board_id": board.id, "card_id": board.spotlight_card_id})
    return {}


@handler("remove_participant")
def remove_participant(data):
    """End a participant's session: their sockets are told and closed, and they cannot sign in again."""
    participant = db.session.get(Participant, read(data, "participant_id", int))
    if participant is None:
        raise NotFound("no_such_participant", _l("There is no such participant."))
    services.remove_participant(current_user, participant)
    tell_and_close(user_room(user_key(participant)), "participant_removed", {"participant_id": participant.id})
    return {}
