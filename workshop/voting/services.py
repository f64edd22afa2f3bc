"""Rules and changes for dot voting. The budget and the cap are checked inside the transaction
that writes the dot, after locking the budget's holder (the person, or the city team in per-city
mode), so parallel votes from two tabs or a script queue up instead of overspending."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..access import require_runs
from ..boards.services import record, require_board_open, require_not_paused
from ..boards.visibility import can_see
from ..boards.votes import holding
from ..errors import Forbidden, Refused
from ..extensions import db
from ..models import DOTS_MAX, LANES, VOTE_MODES, CityTeam, Participant, Vote


def lock_holder(board, voter):
    """Row-lock the budget's holder for the rest of the transaction, so that parallel votes queue
    up. PostgreSQL only: SQLite has a single writer, and a vote's reads and write run without a
    pause in between (the event loop switches only on network I/O), so there is nothing to lock."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    model, key = (CityTeam, voter.city_team_id) if board.vote_mode == "city" else (Participant, voter.id)
    db.session.execute(select(model.id).where(model.id == key).with_for_update())


def require_voting_open(actor, card):
    board = card.board
    if not board.has_participant(actor):
        raise Forbidden("not_voter", _l("Only this workshop's participants vote."))
    require_not_paused(board)
    if board.phase != "vote":
        raise Refused("voting_closed", _l("Voting is not open on this board."))
    if card.lane not in board.lanes_to_vote:
        raise Refused("lane_not_votable", _l("Cards in this lane are not voted on."))
    if card.is_hidden or not can_see(actor, card):
        raise Refused("no_such_card", _l("That card is not on this board."))


def cast_vote(voter, card):
    """Put one of the voter's dots (or their city team's) on `card`. Returns the holder's dots
    after it (`boards.votes.holding`), read in the same transaction: the ack needs no second look."""
    board = card.board
    require_voting_open(voter, card)
    lock_holder(board, voter)
    dots = holding(board, voter)
    if sum(dots.values()) >= board.dots_per_person:
        raise Refused("no_dots_left", _l("No dots left: take one back from another card first."))
    if sum(count for (card_id, _), count in dots.items() if card_id == card.id) >= board.dots_per_card:
        raise Refused("card_cap_reached", _l("This card already has the most dots it can take from you (%(cap)d).", cap=board.dots_per_card))
    db.session.add(Vote(board_id=board.id, card_id=card.id, participant_id=voter.id, city_team_id=voter.city_team_id,
                       round=board.vote_round))
    db.session.commit()
    dots[card.id, voter.id] = dots.get((card.id, voter.id), 0) + 1
    return dots


def take_back_vote(voter, card):
    """Take one of the voter's own dots off `card` (their latest there). Returns the holder's dots
    after it, as `cast_vote` does."""
    require_voting_open(voter, card)
    lock_holder(card.board, voter)
    dots = holding(card.board, voter)
    if not dots.get((card.id, voter.id)):
        raise Refused("no_dot_here", _l("You have no dot on this card."))
    latest = (select(func.max(Vote.id))
              .where(Vote.card_id == card.id, Vote.participant_id == voter.id, Vote.round == card.board.vote_round)
              .scalar_subquery())
    db.session.execute(delete(Vote).where(Vote.id == latest).execution_options(synchronize_session=False))
    db.session.commit()
    dots[card.id, voter.id] -= 1
    return dots


def configure_voting(actor, board, budget, cap, lanes, mode, hidden):
    """The facilitator's voting settings for a board."""
    require_runs(actor, board)
    require_board_open(board)
    for name, value in (("budget", budget), ("cap", cap)):
        if not 1 <= value <= DOTS_MAX:
            raise Refused("bad_" + name, _l("Dots must be between 1 and %(max)d.", max=DOTS_MAX), field=name)
    if not lanes or any(not isinstance(lane, str) or lane not in LANES for lane in lanes):
        raise Refused("bad_lanes", _l("Pick at least one lane to vote on."), field="lanes")
    if mode not in VOTE_MODES:
        raise Refused("bad_mode", _l("Voting is per person or per city team."), field="mode")
    board.dots_per_person, board.dots_per_card = budget, cap
    board.votable_lanes = ",".join(lane for lane in LANES if lane in lanes)
    board.vote_mode, board.votes_hidden = mode, hidden
    events = [record(board, "board_updated")]
    db.session.commit()
    return events


def reveal_votes(actor, board):
    """Show everyone's counts to the room."""
    require_runs(actor, board)
    board.votes_revealed = True
    events = [record(board, "board_updated")]
    db.session.commit()
    return events


def start_round(actor, board):
    """A new voting round: every budget is full again, and counts are hidden again if the board
    hides them until reveal. Earlier rounds' votes stay, with their round, for the results."""
    require_runs(actor, board)
    require_board_open(board)
    next_round(board)
    events = [record(board, "board_updated")]
    db.session.commit()
    return events


def next_round(board):
    """Move `board` to its next voting round (the caller records and commits)."""
    board.vote_round += 1
    board.votes_revealed = False
    board.round_shown = False
