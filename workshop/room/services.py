"""Rules and changes for running the room. Only the workshop's facilitators make them."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..access import require_runs
from ..boards.services import find_card, record
from ..boards.visibility import audience
from ..errors import Refused
from ..extensions import db
from ..models import PHASES, utcnow
from ..voting.services import next_round

TIMER_MAX = 4 * 60 * 60  # seconds


def has_timer(board):
    """Whether the board shows a timer (running, paused, or run out and not yet stopped)."""
    return board.timer_ends_at is not None or board.timer_remaining is not None


def next_phase(phase):
    return PHASES[min(PHASES.index(phase) + 1, len(PHASES) - 1)]


def set_phase(actor, board, phase, keep_posting_open=None):
    """Move a board to another phase; entering results reveals the counts, and voting again after
    a round's results starts a new round."""
    require_runs(actor, board)
    if phase not in PHASES:
        raise Refused("bad_phase", _l("A board is in collect, vote, results or closed."), field="phase")
    return _enter_phase(board, phase, keep_posting_open)


def _enter_phase(board, phase, keep_posting_open=None):
    if phase == "vote" and board.round_shown:
        next_round(board)  # voting again after a round's results: a new round, budgets full
    board.phase = phase
    # A timer belongs to the phase it was started in: left running, "Time is up" would stay on
    # every screen through the phases after it.
    board.timer_ends_at = board.timer_remaining = None
    board.timer_advances = False
    if keep_posting_open is not None:
        board.keep_posting_open = keep_posting_open
    if phase == "results":
        board.votes_revealed = board.round_shown = True
    events = [record(board, "board_updated")]
    db.session.commit()
    return events


def set_paused(actor, board, paused):
    """Pause (lock) a board at any time, or let it go on."""
    require_runs(actor, board)
    board.paused = paused
    events = [record(board, "board_updated")]
    db.session.commit()
    return events


# Timer ---------------------------------------------------------------------------------------

def _check_seconds(seconds):
    if not 1 <= seconds <= TIMER_MAX:
        raise Refused("bad_duration", _l("A timer runs from 1 second to 4 hours."), field="seconds")


def start_timer(actor, board, seconds, advances=False):
    require_runs(actor, board)
    _check_seconds(seconds)
    board.timer_ends_at, board.timer_remaining, board.timer_advances = utcnow() + timedelta(seconds=seconds), None, advances
    db.session.commit()


def pause_timer(actor, board):
    require_runs(actor, board)
    if board.timer_ends_at is None:
        raise Refused("timer_not_running", _l("The timer is not running."))
    left = (board.timer_ends_at - utcnow()).total_seconds()
    board.timer_ends_at, board.timer_remaining = None, max(int(round(left)), 0)
    db.session.commit()


def resume_timer(actor, board):
    require_runs(actor, board)
    if board.timer_remaining is None:
        raise Refused("timer_not_paused", _l("The timer is not paused."))
    board.timer_ends_at, board.timer_remaining = utcnow() + timedelta(seconds=board.timer_remaining), None
    db.session.commit()


def add_time(actor, board, seconds=60):
    """A minute more (or `seconds`), whether the timer runs, is paused, or has run out."""
    require_runs(actor, board)
    _check_seconds(seconds)
    if board.timer_remaining is not None:
        board.timer_remaining += seconds
    elif board.timer_ends_at is not None:
        board.timer_ends_at = max(board.timer_ends_at, utcnow()) + timedelta(seconds=seconds)
    else:
        raise Refused("timer_not_running", _l("The timer is not running."))
    db.session.commit()


def stop_timer(actor, board):
    require_runs(actor, board)
    board.timer_ends_at = board.timer_remaining = None
    db.session.commit()


def timer_ran_out(board, ends_at):
    """Called when a timer that was set to end at `ends_at` should have ended: if it still stands
    and was set to advance the phase, advance it. Returns the events, or [] if nothing happened."""
    if board.timer_ends_at != ends_at or board.timer_ends_at > utcnow():
        return []
    if not board.timer_advances or board.phase == "closed":
        return []
    board.timer_advances = False
    return _enter_phase(board, next_phase(board.phase))


# Spotlight and moderation --------------------------------------------------------------------

def spotlight(actor, board, card_id):
    """Put one card in focus on every screen (a card the whole room may see), or release it (None)."""
    require_runs(actor, board)
    if card_id is not None:
        card = find_card(card_id, board)
        if not audience(card).everyone:
            raise Refused("card_not_public", _l("Only a card the whole room can see goes in the spotlight."))
    board.spotlight_card_id = card_id
    db.session.commit()


def remove_participant(actor, participant):
    """End a participant's session for good: this identity cannot sign in again."""
    require_runs(actor, participant.workshop)
    participant.removed_at = participant.removed_at or utcnow()
    db.session.commit()
