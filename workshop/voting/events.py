"""Socket.IO for dot voting: thin adapters over `services`; counts go out through `tallies`."""
from flask import request
from flask_login import current_user

from ..boards.broadcast import broadcast
from ..boards.events import board_of, card_of
from ..boards.votes import holder_json
from ..live import handler, keep_loaded_after_commit, read
from ..publish import to_person, to_team
from . import services
from .tallies import tallies


def after_vote(card, dots):
    """Tell the voter's other tabs (or their whole city team) their budget, and the room the count."""
    board = card.board
    mine = holder_json(board, current_user, dots)
    # Not to this tab: it has its budget in the ack.
    if board.vote_mode == "city":
        to_team(board.id, current_user.city_team_id, "my_votes_changed", mine, skip_sid=request.sid)
    else:
        to_person(board.id, current_user.id, "my_votes_changed", mine, skip_sid=request.sid)
    tallies.touch(board.id, [card.id])
    return {"votes": mine}


def change_dots(data, change):
    """Cast or take back one dot, then tell the voter's tabs (or city team) and, soon, the room."""
    card = card_of(data)
    keep_loaded_after_commit()
    return after_vote(card, change(current_user, card))


@handler("vote", limit="VOTES")
def vote(data):
    """A participant puts a dot on a card. The ack and their other tabs (or city team) get the new
    budget; the room gets the count with the next `votes_changed` if counts are public."""
    return change_dots(data, services.cast_vote)


@handler("unvote", limit="VOTES")
def unvote(data):
    """A participant takes one of their dots back off a card."""
    return change_dots(data, services.take_back_vote)


@handler("configure_voting")
def configure_voting(data):
    """A facilitator sets the budget, cap, votable lanes, mode and whether counts stay hidden."""
    board = board_of(data)
    events = services.configure_voting(
        current_user, board, read(data, "budget", int), read(data, "cap", int), read(data, "lanes", list),
        read(data, "mode", str), read(data, "hidden", bool),
    )
    broadcast(events)
    return {}


@handler("reveal_votes")
def reveal_votes(data):
    """A facilitator shows the counts to everyone: the room gets `board_updated` and all counts."""
    board = board_of(data)
    broadcast(services.reveal_votes(current_user, board))
    tallies.touch(board.id, [card.id for card in board.cards if card.is_live and card.lane in board.lanes_to_vote])
    return {}


@handler("start_round")
def start_round(data):
    """A facilitator starts a new voting round: budgets full again, counts hidden again if the board
    hides them until reveal; earlier rounds' results stay. The room gets `board_updated`."""
    board = board_of(data)
    broadcast(services.start_round(current_user, board))
    return {}
