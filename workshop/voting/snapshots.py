"""What each person sees of the votes: their own dots (or their city team's, with who spent
what) always; everyone's counts only once they are public, or if they run the workshop."""
from sqlalchemy import func, select

from ..boards.services import is_staff
from ..boards.snapshots import THE_ROOM, can_see
from ..extensions import db
from ..models import Card, Vote


def counts(board, card_ids=None):
    """Dots per card on live cards: {card id: count}."""
    query = (
        select(Vote.card_id, func.count(Vote.id))
        .join(Card, Card.id == Vote.card_id)
        .where(Vote.board_id == board.id, Card.deleted_at.is_(None), Card.merged_into_id.is_(None))
        .group_by(Vote.card_id)
    )
    if card_ids is not None:
        query = query.where(Vote.card_id.in_(card_ids))
    found = dict(db.session.execute(query).all())
    return {card_id: found.get(card_id, 0) for card_id in card_ids} if card_ids is not None else found


def holder_filter(board, voter):
    """The votes that spend the same budget as `voter`'s."""
    if board.vote_mode == "city":
        return Vote.city_team_id == voter.city_team_id
    return Vote.participant_id == voter.id


def holding(board, voter):
    """The dots that spend `voter`'s budget on `board` (theirs, or their city team's):
    {(card id, participant id): count}."""
    rows = db.session.execute(
        select(Vote.card_id, Vote.participant_id, func.count(Vote.id))
        .where(Vote.board_id == board.id, holder_filter(board, voter))
        .group_by(Vote.card_id, Vote.participant_id)
    ).all()
    return {(card_id, person): count for card_id, person, count in rows}


def holder_json(board, voter, dots=None):
    """A budget's state as its holder sees it: spent, left, and each dot by whom on which card.
    `dots` is the holder's `holding`, when the caller already has it."""
    dots = holding(board, voter) if dots is None else dots
    names = {voter.id: voter.display_name}
    if board.vote_mode == "city":
        names = {person.id: person.display_name for person in voter.city_team.participants}
    spent = sum(dots.values())
    return {
        "board_id": board.id,
        "spent": spent,
        "left": max(board.dots_per_person - spent, 0),
        "dots": [{"card_id": card_id, "participant_id": person, "name": names.get(person, ""), "count": count}
                 for (card_id, person), count in sorted(dots.items()) if count],
    }


def votes_json(board, viewer):
    """The votes part of a snapshot for `viewer`: counts only of cards they may see, and only once public."""
    staff = is_staff(viewer, board)
    visible_counts = None
    if staff or board.votes_public:
        visible = {card.id for card in board.cards if card.is_live and can_see(viewer, card)}
        visible_counts = {str(card_id): count for card_id, count in counts(board).items() if card_id in visible}
    return {"counts": visible_counts, "mine": None if staff or viewer is THE_ROOM else holder_json(board, viewer)}


def standings(board):
    """Every live card's dots and rank within its lane, ties sharing a rank: {card id: (dots, rank)}."""
    tally = counts(board)
    live = [card for card in board.cards if card.is_live]
    result = {}
    for card in live:
        dots = tally.get(card.id, 0)
        above = sum(1 for other in live if other.lane == card.lane and tally.get(other.id, 0) > dots)
        result[card.id] = (dots, above + 1)
    return result
