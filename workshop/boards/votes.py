"""The read side of votes: counts per card and per round, each budget's dots, the room's
standings, and what each person sees of them (their own dots, or their city team's, with who
spent what, always; everyone's counts only once they are public, or if they run the workshop).

Here, in boards, because a board's snapshot, the console, the reports and the commitments all
show them; the `voting` feature writes dots and builds on this, never the other way round."""
from sqlalchemy import func, select

from ..extensions import db
from ..models import Card, Vote
from .visibility import THE_ROOM, audience, can_see


def counts(board, card_ids=None, round=None):
    """Dots per card on live cards in one round (the current one unless named): {card id: count}."""
    query = (
        select(Vote.card_id, func.count(Vote.id))
        .join(Card, Card.id == Vote.card_id)
        .where(Vote.board_id == board.id, Vote.round == (round or board.vote_round),
               Card.deleted_at.is_(None), Card.merged_into_id.is_(None))
        .group_by(Vote.card_id)
    )
    if card_ids is not None:
        query = query.where(Vote.card_id.in_(card_ids))
    found = dict(db.session.execute(query).all())
    return {card_id: found.get(card_id, 0) for card_id in card_ids} if card_ids is not None else found


def counts_by_round(board, before=None):
    """Dots per card on live cards, round by round, for rounds 1 up to (not including) `before`
    (default: every round so far, the current one included): {round: {card id: count}}."""
    last = (before - 1) if before is not None else board.vote_round
    rows = db.session.execute(
        select(Vote.round, Vote.card_id, func.count(Vote.id))
        .join(Card, Card.id == Vote.card_id)
        .where(Vote.board_id == board.id, Vote.round <= last, Card.deleted_at.is_(None), Card.merged_into_id.is_(None))
        .group_by(Vote.round, Vote.card_id)
    ).all() if last >= 1 else []
    result = {number: {} for number in range(1, last + 1)}
    for number, card_id, count in rows:
        result[number][card_id] = count
    return result


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
        .where(Vote.board_id == board.id, Vote.round == board.vote_round, holder_filter(board, voter))
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
    """The votes part of a snapshot for `viewer`: counts only of cards they may see, and only once
    public; earlier rounds' counts (public once their round is over), of cards they may see."""
    staff = board.is_run_by(viewer)
    visible_counts = None
    visible = None
    if staff or board.votes_public or board.vote_round > 1:
        visible = {card.id for card in board.cards if card.is_live and can_see(viewer, card)}
    if staff or board.votes_public:
        visible_counts = {str(card_id): count for card_id, count in counts(board).items() if card_id in visible}
    rounds = [{"round": number, "counts": {str(card_id): count for card_id, count in tally.items() if card_id in visible}}
              for number, tally in counts_by_round(board, before=board.vote_round).items()] if board.vote_round > 1 else []
    mine = None if staff or viewer is THE_ROOM else holder_json(board, viewer)
    return {"counts": visible_counts, "mine": mine, "rounds": rounds}


def ranks(cards, tally):
    """{card id: (dots, rank)} of `cards`, ranked within their lane by `tally`, ties sharing a rank."""
    result = {}
    for card in cards:
        dots = tally.get(card.id, 0)
        above = sum(1 for other in cards if other.lane == card.lane and tally.get(other.id, 0) > dots)
        result[card.id] = (dots, above + 1)
    return result


def standings(board, tally=None):
    """The room's ranking: every live card's dots in the current round (or in `tally`), and its rank
    within its lane among the cards the whole room sees, ties sharing a rank: {card id: (dots, rank)}.
    A card only some may see (hidden, or private writing) keeps its dots but has no rank (None):
    the room, the projector and every participant see one and the same ranking."""
    tally = counts(board) if tally is None else tally
    live = [card for card in board.cards if card.is_live]
    public = [card for card in live if audience(card).everyone]
    result = {card.id: (tally.get(card.id, 0), None) for card in live}
    result.update(ranks(public, tally))
    return result


def standings_by_round(board):
    """`standings` of every round so far, the current one last: [(round, {card id: (dots, rank)})]."""
    return [(number, standings(board, tally)) for number, tally in counts_by_round(board).items()]


def card_rounds(card_id, rounds):
    """One card's dots and rank in each round of `rounds` (`standings_by_round`): [{"round", "dots", "rank"}]."""
    return [{"round": number, "dots": standing.get(card_id, (0, None))[0], "rank": standing.get(card_id, (0, None))[1]}
            for number, standing in rounds]
