"""Socket.IO for boards: thin adapters over `services`, broadcasting after each commit.

Every handler answers with an acknowledgement (see `workshop.live.handler`); `docs/protocol.md`
lists payloads, acks and errors."""
from flask import request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from ..auth import sockets
from ..extensions import socketio
from ..live import handler, keep_loaded_after_commit, read
from . import plans, services
from ..publish import board_room, person_room, staff_room, team_room
from .broadcast import broadcast
from .presence import presence_news, presence_store
from .snapshots import board_json, card_json, catch_up
from .visibility import viewer_for


@socketio.on("connect")
def connect(auth=None):
    """Only signed-in people on one of our pages get a socket; what they may join is checked per board."""
    sockets.admit(auth)


@socketio.on("disconnect")
def disconnect(*reason):
    """A socket went away: out of the socket registry and off every board's presence, each step on
    its own (see `sockets.each_on_its_own`)."""
    sid = request.sid

    def leave_boards():
        for board_id in presence_store().leave_all(sid):
            presence_news.touch(board_id)

    sockets.each_on_its_own(f"disconnect of {sid}", lambda: sockets.forget(sid), leave_boards)


def _rooms_of(board):
    """The rooms a person is in on `board`: the whole room plus the ones that carry what only they may see."""
    rooms = [board_room(board.id)]
    if board.is_run_by(current_user):
        rooms.append(staff_room(board.id))
    else:
        rooms += [person_room(board.id, current_user.id), team_room(board.id, current_user.city_team_id)]
    return rooms


def board_of(data):
    """The board the payload names, if the current user is on its workshop."""
    board = services.find_board(read(data, "board_id", int))
    services.require_member(current_user, board)
    return board


def card_of(data, name="card_id"):
    """The live card the payload names, if the current user is on its workshop."""
    card = services.find_card(read(data, name, int))
    services.require_member(current_user, card.board)
    return card


# Not for facilitators: the console opens every board at once, and with more boards than the limit
# the projector opened after it would wait a minute (their other room events are not limited either).
@handler("join_board", limit="BOARD_JOINS", limit_facilitators=False)
def join_board(data):
    """A page opens a board (or reconnects): it enters the room and gets what it missed since `since`
    (or a snapshot). The room sees the new presence, unless the page only `watch`es (the console).
    With `as_room` (the projector) the page is the room: it enters only the board's room, is not
    counted as a person, and gets what every participant sees, whoever opened it."""
    board = board_of(data)
    since = read(data, "since", int, required=False)
    as_room = read(data, "as_room", bool, required=False, default=False)
    rooms = _rooms_of(board)
    if as_room:
        for name in rooms[1:]:
            leave_room(name)  # a socket that was someone on this board before is now only the room
        rooms = rooms[:1]
    for name in rooms:
        join_room(name)
    if not as_room and not read(data, "watch", bool, required=False, default=False):
        city = None if board.is_run_by(current_user) else current_user.city_team.name
        presence_store().enter(board.id, request.sid, current_user.get_id(), city)
        presence_news.touch(board.id)
    return {**catch_up(board, viewer_for(current_user, as_room), since), "presence": presence_store().summary(board.id)}


@handler("leave_board")
def leave_board(data):
    board_id = read(data, "board_id", int)
    for name in [board_room(board_id), staff_room(board_id)]:
        leave_room(name)
    if not current_user.is_facilitator:
        leave_room(person_room(board_id, current_user.id))
        leave_room(team_room(board_id, current_user.city_team_id))
    if presence_store().leave(board_id, request.sid):
        presence_news.touch(board_id)
    return {}


@handler("get_events")
def get_events(data):
    """What the client missed after `since`: events, or a snapshot when too far behind (for the
    room with `as_room`, as in `join_board`)."""
    board = board_of(data)
    as_room = read(data, "as_room", bool, required=False, default=False)
    return catch_up(board, viewer_for(current_user, as_room), read(data, "since", int))


@handler("add_card", limit="CARD_WRITES")
def add_card(data):
    """A participant posts a card; the room sees `card_added`. Idempotent per `client_id`."""
    board = board_of(data)
    keep_loaded_after_commit()
    card, events = services.add_card(
        current_user, board, read(data, "lane", str), read(data, "text", str),
        link_id=read(data, "link_id", int, required=False), client_id=read(data, "client_id", str, required=False),
    )
    broadcast(events)
    return {"card": card_json(card), "seq": events[-1].seq if events else None}


@handler("edit_card", limit="CARD_WRITES")
def edit_card(data):
    """The author (while posting is open) or a facilitator changes the text or the link; the room sees `card_edited`."""
    card = card_of(data)
    keep_loaded_after_commit()
    changes = {}
    if "text" in data:
        changes["text"] = read(data, "text", str)
    if "link_id" in data:
        changes["link_id"] = read(data, "link_id", int, required=False)
    broadcast(services.edit_card(current_user, card, **changes))
    return {"card": card_json(card)}


@handler("edit_action_plan", limit="CARD_WRITES")
def edit_action_plan(data):
    """The plan's authors, their city team or a facilitator fill in an action plan's details (until
    the board closes, see `plans.may_complete`); the room sees `card_edited` with the card's `plan`."""
    card = card_of(data)
    keep_loaded_after_commit()
    broadcast(plans.edit_action_plan(current_user, card, read(data, "plan", dict)))
    return {"card": card_json(card)}


@handler("delete_card", limit="CARD_WRITES")
def delete_card(data):
    broadcast(services.delete_card(current_user, card_of(data)))
    return {}


@handler("hide_card")
def hide_card(data):
    """A facilitator hides a card with a reason; its author keeps seeing it, everyone else gets `card_removed`."""
    card = card_of(data)
    broadcast(services.hide_card(current_user, card, read(data, "reason", str)))
    return {"card": card_json(card)}


@handler("restore_card")
def restore_card(data):
    card = card_of(data)
    broadcast(services.restore_card(current_user, card))
    return {"card": card_json(card)}


@handler("merge_cards")
def merge_cards(data):
    """A facilitator merges card `card_id` into `into_id`; the room sees it removed and the target edited."""
    card, into = card_of(data), card_of(data, "into_id")
    broadcast(services.merge_cards(current_user, card, into))
    return {"card": card_json(into)}


@handler("set_private_writing")
def set_private_writing(data):
    """A facilitator turns private writing on or off (off reveals every card); the room sees
    `board_updated` and reloads its snapshot."""
    board = board_of(data)
    events = services.set_private_writing(
        current_user, board, read(data, "enabled", bool), read(data, "scope", str, required=False, default="own")
    )
    broadcast(events)
    return {"board": board_json(board)}
