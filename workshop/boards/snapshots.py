"""What each person sees of a board: the JSON shapes sent to browsers (who may see a card is
`visibility.audience`).

Hidden means absent: a card someone may not see is never in their snapshot or events, not even
its text in a field the page ignores."""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import Refused
from ..extensions import db
from ..models import LANES, LINKABLE_LANE, BoardEvent, Card, Participant, utcnow
from .plans import plan_json
from .visibility import THE_ROOM, audience, can_see
from .votes import votes_json
from .services import require_board_open

# A client this far behind gets a fresh snapshot instead of the events it missed.
MAX_EVENTS_SENT = 500


def person_json(participant):
    return {"id": participant.id, "name": participant.display_name, "city": participant.city_team.name}


def iso(moment):
    return moment.isoformat(timespec="milliseconds") + "Z" if moment else None


def card_json(card):
    """A card as every viewer allowed to see it receives it (nothing in it depends on the viewer)."""
    link = card.link
    return {
        "id": card.id,
        "lane": card.lane,
        "text": card.text,
        "author": person_json(card.author),
        "created_at": iso(card.created_at),
        "edited_at": iso(card.edited_at),
        "link_id": link.id if link is not None and link.is_live else None,
        "private": card.private and card.board.private_writing,
        "hidden": {"reason": card.hidden_reason} if card.is_hidden else None,
        "merged": [{"id": part.id, "text": part.text, "author": person_json(part.author)} for part in card.merged],
        "client_id": card.client_id,
        "plan": plan_json(card.plan) if card.lane == "action" else None,
    }


def allows(check, *args):
    """Whether the server's `check` (a `require_...` that raises a refusal) lets this through."""
    try:
        check(*args)
    except Refused:
        return False
    return True


def board_json(board):
    """The board as every viewer receives it. Its rules come as facts the server decides with its
    own checks (`posting_open`, `open`, `links`), so that no page writes them again."""
    area = board.policy_area
    return {
        "id": board.id,
        "title": area.title,
        "workshop_id": area.workshop_id,
        "phase": board.phase,
        "paused": board.paused,
        "keep_posting_open": board.keep_posting_open,
        # Participants post, and change their own cards' text, only while this holds.
        "posting_open": board.accepts_cards,
        # Facilitators change cards and plan details are completed until the board closes.
        "open": allows(require_board_open, board),
        # The lane each lane's cards link to (an idea answers a problem, an action plan builds on an idea).
        "links": dict(LINKABLE_LANE),
        "private_writing": board.private_writing,
        "private_scope": board.private_scope,
        "lanes": list(LANES),
        "voting": {
            "budget": board.dots_per_person,
            "cap": board.dots_per_card,
            "lanes": board.lanes_to_vote,
            "mode": board.vote_mode,
            "hidden": board.votes_hidden,
            "revealed": board.votes_revealed,
            "round": board.vote_round,
        },
        "timer": timer_json(board),
        "spotlight_card_id": board.spotlight_card_id,
        "last_seq": board.last_seq,
    }


def timer_json(board):
    """The timer as its end time on the server's clock (clients count down from that, not their own tick)."""
    return {"ends_at": iso(board.timer_ends_at), "remaining": board.timer_remaining, "advances": board.timer_advances}


def viewer_json(viewer, board):
    if viewer is THE_ROOM:
        return {"role": "room", "id": None, "name": None, "city": None, "city_id": None}
    if board.is_run_by(viewer):
        return {"role": "facilitator", "id": viewer.id, "name": viewer.name, "city": None, "city_id": None}
    return {"role": "participant", "id": viewer.id, "name": viewer.display_name,
            "city": viewer.city_team.name, "city_id": viewer.city_team_id}


# A card's JSON needs its author with their city, the cards merged into it, its link and its plan.
CARD_PARTS = (
    selectinload(Card.author).selectinload(Participant.city_team),
    selectinload(Card.merged).selectinload(Card.author).selectinload(Participant.city_team),
    selectinload(Card.link),
    selectinload(Card.plan),
)


def live_cards(board, among=None):
    """The live cards of `board` (of those with ids in `among`, when given), in posting order."""
    query = select(Card).where(Card.board_id == board.id, Card.deleted_at.is_(None), Card.merged_into_id.is_(None))
    if among is not None:
        query = query.where(Card.id.in_(among))
    return db.session.scalars(query.options(*CARD_PARTS).order_by(Card.id)).all()


class RoomCards:
    """What `visible_cards` keeps of a board: the sequence number it is current to, the JSON of the
    cards everyone may see (by id), and the ids of the cards only some may see."""

    def __init__(self, seq, for_everyone, restricted):
        self.seq, self.for_everyone, self.restricted = seq, for_everyone, restricted

    def sorted_for_everyone(self):
        return [self.for_everyone[card_id] for card_id in sorted(self.for_everyone)]


def visible_cards(board, viewer):
    """The JSON of every live card `viewer` may see, in posting order.

    Kept per app and board (`RoomCards`). Every change to a card records an event, so a new
    sequence number is all it takes to know it is stale, and the events since say which cards to
    read again: 500 people joining a 1,000-card board build it once, and a join while the room
    writes reads the few cards written since the last join, not the board (docs/performance.md)."""
    room_cards = current_app.extensions.setdefault("workshop.room_cards", {})
    kept = room_cards.get(board.id)
    if kept is None or kept.seq != board.last_seq:
        kept = room_cards[board.id] = _brought_up_to_date(board, kept)
    if not kept.restricted:
        return kept.sorted_for_everyone()
    extra = {card.id: card_json(card) for card in db.session.scalars(select(Card).where(Card.id.in_(kept.restricted)))
             if can_see(viewer, card)}
    cards = {**kept.for_everyone, **extra}
    return [cards[card_id] for card_id in sorted(cards)]


def _brought_up_to_date(board, kept):
    """`kept` brought to the board's sequence number: the cards its events since name, and the cards
    that link to them (a link to a card gone is shown as none), read again; the whole board when
    nothing is kept, when it is far behind, or when the board itself changed (its events name no
    card, and a card's JSON depends on the board's private writing)."""
    changed = None
    if kept is not None and 0 <= board.last_seq - kept.seq <= MAX_EVENTS_SENT:
        changed = set(db.session.scalars(select(BoardEvent.card_id).where(
            BoardEvent.board_id == board.id, BoardEvent.seq > kept.seq, BoardEvent.seq <= board.last_seq)))
    if changed is None or None in changed:
        cards = live_cards(board)
        return RoomCards(board.last_seq, {card.id: card_json(card) for card in cards if audience(card).everyone},
                         {card.id for card in cards if not audience(card).everyone})
    changed |= set(db.session.scalars(select(Card.id).where(Card.board_id == board.id, Card.link_id.in_(changed))))
    for_everyone = {card_id: card for card_id, card in kept.for_everyone.items() if card_id not in changed}
    restricted = kept.restricted - changed
    for card in live_cards(board, among=changed):
        if audience(card).everyone:
            for_everyone[card.id] = card_json(card)
        else:
            restricted.add(card.id)
    return RoomCards(board.last_seq, for_everyone, restricted)


def forget_board(board_id):
    """Drop what `visible_cards` keeps of a board that is gone (SQLite may give its id to a new one)."""
    current_app.extensions.get("workshop.room_cards", {}).pop(board_id, None)


def snapshot(board, viewer):
    """The whole board as `viewer` may see it, with the sequence number it is current to."""
    return {
        "board": board_json(board),
        "me": viewer_json(viewer, board),
        "cards": visible_cards(board, viewer),
        "votes": votes_json(board, viewer),
        "server_time": iso(utcnow()),
        "last_seq": board.last_seq,
    }


def render_event(event):
    """The event as (name, payload) for those who may see its card, rendered from the card's
    current state, so that replaying it later can only bring a client up to date."""
    base = {"seq": event.seq, "board_id": event.board_id}
    if event.card is None:
        return event.type, {**base, "board": board_json(event.board)}
    if not event.card.is_live:
        return removal_of(event)
    return event.type, {**base, "card": card_json(event.card)}


def removal_of(event):
    """What those who may not see the card get: only that it is gone from their board."""
    return "card_removed", {"seq": event.seq, "board_id": event.board_id, "card_id": event.card_id}


def render_for(event, viewer):
    if event.card is not None and event.card.is_live and not can_see(viewer, event.card):
        return removal_of(event)
    return render_event(event)


def events_since(board, viewer, since):
    """What `viewer` missed after sequence number `since`, or None when a snapshot is the better answer.

    Each card appears once, in its newest event: the payloads carry current state anyway."""
    events = db.session.scalars(
        select(BoardEvent)
        .where(BoardEvent.board_id == board.id, BoardEvent.seq > since)
        .order_by(BoardEvent.seq)
        .limit(MAX_EVENTS_SENT + 1)
    ).all()
    if len(events) > MAX_EVENTS_SENT:
        return None
    newest = {}
    for event in events:
        newest[event.card_id if event.card_id is not None else ("board", event.seq)] = event
    return [
        {"type": name, **payload}
        for name, payload in (render_for(event, viewer) for event in sorted(newest.values(), key=lambda e: e.seq))
    ]


def catch_up(board, viewer, since):
    """The answer to "I have everything up to `since`": the missed events (with the board's and the
    votes' current state, which have no events of their own), or a snapshot."""
    if isinstance(since, int) and 0 <= since <= board.last_seq:
        events = events_since(board, viewer, since)
        if events is not None:
            return {"events": events, "board": board_json(board), "votes": votes_json(board, viewer),
                    "server_time": iso(utcnow()), "last_seq": board.last_seq}
    return {"snapshot": snapshot(board, viewer), "last_seq": board.last_seq}
