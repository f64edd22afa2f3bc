"""Who may see a card, and who is watching: the one home of the rules that decide what each
screen and each room hears. Snapshots, broadcasts, vote counts, the spotlight and commitments all
ask here.

Hidden means absent: a card someone may not see is never in their snapshot or events."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Audience:
    """Who may see a card: everyone on the board, or only its authors, one city team, and the facilitators."""

    everyone: bool
    person_ids: frozenset = frozenset()
    team_id: int | None = None


def audience(card):
    if card.is_hidden:
        return Audience(False, _author_ids(card))
    board = card.board
    if card.private and board.private_writing:
        team = card.author.city_team_id if board.private_scope == "team" else None
        return Audience(False, _author_ids(card), team)
    return Audience(True)


def _author_ids(card):
    return frozenset([card.author_id, *(part.author_id for part in card.merged)])


def can_see(viewer, card):
    if card.board.is_run_by(viewer):
        return True
    who = audience(card)
    if who.everyone or viewer.id in who.person_ids:
        return True
    return who.team_id is not None and who.team_id == viewer.city_team_id


class TheRoom:
    """The room as a viewer: sees only what every participant sees (cards whose audience is
    everyone, counts once public) and owns nothing (no card, city team or dots). The projector is
    rendered for it, whoever opened it. It passes every visibility check as nobody in particular:
    not staff, no id, no city team."""

    is_authenticated = False
    is_facilitator = False
    id = None
    city_team_id = None


THE_ROOM = TheRoom()


def viewer_for(user, as_room):
    """Who a page is rendered for: the room when it asks to be (`as_room`), else the person."""
    return THE_ROOM if as_room else user
