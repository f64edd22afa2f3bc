"""Suggested merges for a board's facilitators: near-duplicate pairs, and the pairs they dismissed ("not the
same"), which are never suggested again, by any facilitator. Merging itself is the boards' own
`merge_cards`, with its rules; a merged card is no longer live, so its pairs drop out by themselves."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access import require_runs
from ..boards.services import find_board, find_card, require_member
from ..errors import Refused
from ..extensions import db
from ..models import MergeDismissal
from . import services


def pair_json(card, other, similarity):
    """A suggested pair as its board's facilitators receive it: `card` is the older (the smaller id)."""
    return {"card": _card_json(card), "other": _card_json(other), "similarity": round(similarity, 3)}


def _card_json(card):
    return {"id": card.id, "lane": card.lane, "text": card.text, "city": card.author.city_team.name}


def board_of(actor, board_id):
    """The board `board_id`, if `actor` is on its workshop (who may then do what is checked per action)."""
    board = find_board(board_id)
    require_member(actor, board)
    return board


def suggestions(actor, board):
    """The board's suggested merges, for its facilitators only: [(card, other, similarity)], most similar first."""
    require_runs(actor, board)
    return services.merge_suggestions(board)


def dismiss(actor, board, card_id, other_card_id):
    """`actor` says two live cards of `board` are not the same: the pair is remembered (in id order) and
    never suggested again. Returns the pair (card_id, other_card_id) in id order, or None when it was
    already dismissed (dismissing twice changes nothing)."""
    require_runs(actor, board)
    card, other = find_card(card_id, board=board), find_card(other_card_id, board=board)
    if card.id == other.id:
        raise Refused("same_card", _l("A card cannot be a duplicate of itself."))
    first, second = sorted((card.id, other.id))
    known = db.session.scalar(select(MergeDismissal).where(MergeDismissal.card_id == first,
                                                           MergeDismissal.other_card_id == second))
    if known is not None:
        return None
    db.session.add(MergeDismissal(card_id=first, other_card_id=second, board_id=board.id, dismissed_by_id=actor.id))
    try:
        db.session.commit()
    except IntegrityError:  # another facilitator dismissed the same pair at the same moment
        db.session.rollback()
        return None
    return first, second
