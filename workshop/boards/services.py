"""Rules and changes on a board. Each change checks who may make it, validates, writes one
transaction with its numbered events, and returns those events for the caller to broadcast."""
import psycopg
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..access import require_runs
from ..errors import Forbidden, NotFound, Refused
from ..extensions import db
from ..models import (
    CARD_TEXT_MAX, HIDE_REASON_MAX, LANES, LINKABLE_LANE, PRIVATE_SCOPES, Board, BoardEvent, Card, Vote, utcnow,
)
from .visibility import can_see

CLIENT_ID_MAX = 64


# Who may do what (who is on a board and who runs it are the models' `has_member`/`is_run_by`;
# who sees a card is `visibility`) ------------------------------------------------------------

def require_member(actor, board):
    if not board.has_member(actor):
        raise Forbidden("not_member", _l("This board belongs to another workshop."))


def require_not_paused(board):
    if board.paused:
        raise Refused("board_paused", _l("The facilitator has paused this board for a moment."))


def require_posting_open(board):
    require_not_paused(board)
    if not board.accepts_cards:
        raise Refused("posting_closed", _l("Posting is closed on this board."))


def require_board_open(board):
    if board.phase == "closed":
        raise Refused("board_closed", _l("This board is closed."))


def may_change(actor, card):
    """Facilitators change any card until the board closes; authors their own while posting is open."""
    if card.board.is_run_by(actor):
        require_board_open(card.board)
    elif card.is_by(actor):
        require_posting_open(card.board)
    else:
        raise Forbidden("not_author", _l("You can only change your own cards."))


# Finding things the client names -------------------------------------------------------------

# A board comes with its policy area: whether someone is on it (`Board.has_member`), asked at
# every board event, reads the area's workshop, which was one more query for each of them.
BOARD_WITH_AREA = (joinedload(Board.policy_area),)


def find_board(board_id):
    board = db.session.get(Board, board_id, options=BOARD_WITH_AREA) if isinstance(board_id, int) else None
    if board is None:
        raise NotFound("no_such_board", _l("There is no such board."))
    return board


# The board and its policy area come in the same query as a card: every check after needs them.
# Built once: SQLAlchemy memoises an option's cache key on the option, so one object is cheaper.
WITH_BOARD = (joinedload(Card.board).joinedload(Board.policy_area),)


def find_card(card_id, board=None, viewer=None):
    """A card still on its board (or of `board`, or that `viewer` may see), else a refusal."""
    card = db.session.get(Card, card_id, options=WITH_BOARD) if isinstance(card_id, int) else None
    if card is None or not card.is_live or (board is not None and card.board_id != board.id) or (
        viewer is not None and not can_see(viewer, card)
    ):
        raise NotFound("no_such_card", _l("That card is not on this board."))
    return card


# Validation ----------------------------------------------------------------------------------

def clean_text(text):
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise Refused("text_missing", _l("Write something on the card first."), field="text")
    if len(text) > CARD_TEXT_MAX:
        raise Refused("text_too_long", _l("A card holds at most %(max)d characters.", max=CARD_TEXT_MAX), field="text")
    return text


def clean_link(actor, board, lane, link_id):
    """The card `link_id` names, if a card of `lane` may point to it (an idea to a problem, an action
    plan to an idea) and `actor` may see it: a hidden or private card is no card to link to."""
    if link_id is None:
        return None
    target_lane = LINKABLE_LANE.get(lane)
    if target_lane is None:
        raise Refused("link_not_allowed", _l("Problems do not link to other cards."), field="link_id")
    link = find_card(link_id, board, viewer=actor)
    if link.lane != target_lane:
        message = _l("An idea answers a problem.") if lane == "idea" else _l("An action plan builds on an idea.")
        raise Refused("link_wrong_lane", message, field="link_id")
    return link


# The event log -------------------------------------------------------------------------------
#
# A board numbers its events 1, 2, 3... with no gap and in the order they commit: a screen that has
# event n asks for what came after n. The number comes from the board's row (`last_seq`), whose
# lock queues the board's writers until each one commits. So it is taken last: `record` only notes
# an event, and the session numbers and stores the noted events as it commits. On PostgreSQL the
# numbering, the events and the COMMIT go to the server in one message: the lock is
# held for the server's own work, never while a writer waits for its process's event loop. Taken
# before the writer's last two or three statements, the lock was held that many loop waits; with
# 500 people on two processes, writers queued behind it for seconds (docs/performance.md).

NOTED_EVENTS = "workshop.noted_board_events"


def record(board, type, card=None):
    """Note an event on `board`; it gets its number and is stored when the session commits."""
    event = BoardEvent(board_id=board.id, board=board, type=type, card=card)
    db.session.info.setdefault(NOTED_EVENTS, []).append((board, event))
    return event


def commit(events):
    db.session.commit()
    return events


@sa_event.listens_for(Session, "before_commit")
def _store_noted_events(session):
    noted = session.info.pop(NOTED_EVENTS, None)
    if not noted:
        return
    session.flush()  # the cards the events name get their ids; no board is locked yet
    per_board = {}
    for board, event in noted:
        per_board.setdefault(board.id, (board, []))[1].append(event)
    boards = [per_board[board_id] for board_id in sorted(per_board)]  # one order: no two writers deadlock
    statements = [statement for board, events in boards for statement in _numbering(board.id, events)]
    stored = _run_then_commit(session, statements) if session.connection().dialect.name == "postgresql" else [
        session.execute(statement) for statement in statements]
    for (board, events), rows in zip(boards, stored[1::2]):
        numbered = sorted(rows, key=lambda row: row[1])
        for event, (event_id, seq) in zip(events, numbered):
            event.id, event.seq = event_id, seq
            event.card_id = event.card.id if event.card is not None else None
        set_committed_value(board, "last_seq", numbered[-1][1])


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_noted_events(session, previous_transaction):
    session.info.pop(NOTED_EVENTS, None)


def _numbering(board_id, events):
    """The board's number moved on by len(events), then the events stored with the numbers it passed."""
    count, now = len(events), utcnow()
    last = select(Board.last_seq).where(Board.id == board_id).scalar_subquery()
    return [
        update(Board).where(Board.id == board_id).values(last_seq=Board.last_seq + count),
        insert(BoardEvent).values([
            {"board_id": board_id, "seq": last - (count - 1 - n), "type": event.type,
             "card_id": event.card.id if event.card is not None else None, "created_at": now}
            for n, event in enumerate(events)
        ]).returning(BoardEvent.id, BoardEvent.seq),
    ]


def _run_then_commit(session, statements):
    """Run `statements` and COMMIT on the session's PostgreSQL connection as one message (the simple
    query protocol runs every statement of a string in turn); each statement's rows. Under gevent
    every wait on the connection is a trip through the event loop, psycopg's pipeline included, so
    one message is what keeps the board's lock out of the loop. SQLAlchemy's own commit then finds
    nothing left to commit (psycopg skips a COMMIT outside a transaction)."""
    dialect = session.connection().dialect
    with psycopg.ClientCursor(session.connection().connection.dbapi_connection) as cursor:
        compiled = [statement.compile(dialect=dialect) for statement in statements]
        cursor.execute("; ".join([*(cursor.mogrify(str(each), each.params) for each in compiled), "COMMIT"]))
        results = [cursor.fetchall() if cursor.description else []]
        while cursor.nextset():
            results.append(cursor.fetchall() if cursor.description else [])
    return results


# Changes -------------------------------------------------------------------------------------

def add_card(actor, board, lane, text, link_id=None, client_id=None):
    """Post a card. Sent again with the same `client_id`, it returns the card already stored."""
    require_member(actor, board)
    if actor.is_facilitator:
        raise Refused("facilitators_do_not_post", _l("Cards are posted by participants; facilitators moderate."))
    if client_id is not None and (not isinstance(client_id, str) or not 0 < len(client_id) <= CLIENT_ID_MAX):
        raise Refused("bad_client_id", _l("The card's client id must be a short text."), field="client_id")
    if client_id is not None and (existing := _card_by_client_id(actor, board, client_id)) is not None:
        return existing, []
    require_posting_open(board)
    if lane not in LANES:
        raise Refused("bad_lane", _l("A card goes in the problems, ideas or action plans lane."), field="lane")
    card = Card(
        # author_id, not author: `actor` may be Flask-Login's `current_user` proxy, which the card
        # would keep in place of the person and resolve later to whoever is signed in then.
        board=board, lane=lane, text=clean_text(text), author_id=actor.id, client_id=client_id,
        link=clean_link(actor, board, lane, link_id), private=board.private_writing,
        merged=[],  # known empty: its broadcast would otherwise ask the database for the cards merged into it
    )
    db.session.add(card)
    events = [record(board, "card_added", card)]
    try:
        return card, commit(events)
    except IntegrityError:
        # The same client id arrived twice at once: the other one won; answer with its card.
        db.session.rollback()
        existing = _card_by_client_id(actor, board, client_id) if client_id else None
        if existing is None:
            raise
        return existing, []


def _card_by_client_id(actor, board, client_id):
    """The card `actor` already posted on `board` with `client_id`, if any. Someone else's client
    id is refused: answering with their card would hand over its text, hidden or private."""
    card = db.session.scalar(select(Card).where(Card.board_id == board.id, Card.client_id == client_id))
    if card is not None and card.author_id != actor.id:
        raise Refused("bad_client_id", _l("This client id belongs to another card."), field="client_id")
    return card


_UNCHANGED = object()


def edit_card(actor, card, text=_UNCHANGED, link_id=_UNCHANGED):
    """Change a card's text or link (None removes the link)."""
    may_change(actor, card)
    if text is not _UNCHANGED:
        card.text = clean_text(text)
    if link_id is not _UNCHANGED:
        link = clean_link(actor, card.board, card.lane, link_id)
        if link is not None and link.id == card.id:
            raise Refused("link_to_itself", _l("A card cannot point to itself."), field="link_id")
        card.link = link
    card.edited_at = utcnow()
    return commit([record(card.board, "card_edited", card)])


def delete_card(actor, card):
    """Take a card off the board; dots on it go back to those who spent them."""
    may_change(actor, card)
    card.deleted_at = utcnow()
    events = [record(card.board, "card_deleted", card)]
    if db.session.execute(delete(Vote).where(Vote.card_id == card.id)).rowcount:
        events.append(record(card.board, "board_updated"))  # budgets changed: every screen reloads its snapshot
    return commit(events)


def hide_card(actor, card, reason):
    """Take a card off the room's screens; its author still sees it, with the reason."""
    require_runs(actor, card.board)
    require_board_open(card.board)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise Refused("reason_missing", _l("Say why the card is hidden; its author will see it."), field="reason")
    if len(reason) > HIDE_REASON_MAX:
        raise Refused("reason_too_long", _l("The reason must be %(max)d characters or fewer.", max=HIDE_REASON_MAX), field="reason")
    card.hidden_reason, card.hidden_at = reason, utcnow()
    return commit([record(card.board, "card_hidden", card)])


def restore_card(actor, card):
    require_runs(actor, card.board)
    require_board_open(card.board)
    if not card.is_hidden:
        raise Refused("not_hidden", _l("That card is not hidden."))
    card.hidden_reason = card.hidden_at = None
    return commit([record(card.board, "card_restored", card)])


def merge_cards(actor, card, into):
    """Merge a duplicate into another card of the same lane: its text and author live on inside
    `into`, and cards that pointed to it now point to `into`."""
    board = card.board
    require_runs(actor, board)
    require_board_open(board)
    if into.board_id != board.id or not into.is_live:
        raise NotFound("no_such_card", _l("That card is not on this board."))
    if into.id == card.id:
        raise Refused("merge_into_itself", _l("A card cannot be merged into itself."))
    if into.lane != card.lane:
        raise Refused("merge_across_lanes", _l("Only cards of the same lane can be merged."))
    card.merged_into = into
    for earlier in list(card.merged):
        earlier.merged_into = into
    events = [record(board, "card_merged", card)]
    pointing = db.session.scalars(select(Card).where(Card.link_id == card.id, Card.deleted_at.is_(None))).all()
    for follower in pointing:
        follower.link = into
        events.append(record(board, "card_edited", follower))
    into.edited_at = utcnow()
    events.append(record(board, "card_edited", into))
    # Dots follow the card they were on (the cap may be exceeded: the facilitator chose to merge).
    if db.session.execute(update(Vote).where(Vote.card_id == card.id).values(card_id=into.id)).rowcount:
        events.append(record(board, "board_updated"))
    return commit(events)


def set_private_writing(actor, board, enabled, scope="own"):
    """Turn private writing on (new cards stay with their author, or city team) or off, which reveals them all."""
    require_runs(actor, board)
    require_board_open(board)
    if scope not in PRIVATE_SCOPES:
        raise Refused("bad_scope", _l("Private writing is per person or per city team."), field="scope")
    board.private_writing = bool(enabled)
    board.private_scope = scope
    if not enabled:
        db.session.execute(update(Card).where(Card.board_id == board.id, Card.private.is_(True)).values(private=False))
    return commit([record(board, "board_updated")])
