"""Sending board events to the room after they are committed: the one way changes reach screens.

Rooms per board: everyone on it, its facilitators, each city team, each person. A card everyone
may see goes to the whole room; otherwise its full form goes only to those who may see it and the
rest of the room gets `card_removed` with the same sequence number (clients ignore a number they
already have, so the audience keeps the full form)."""
from flask_socketio import disconnect

from ..auth.sockets import participant_key, user_room
from ..extensions import socketio
from .snapshots import removal_of, render_event
from .visibility import audience


def room(board_id):
    return f"board:{board_id}"


def staff_room(board_id):
    return f"board:{board_id}:staff"


def team_room(board_id, team_id):
    return f"board:{board_id}:team:{team_id}"


def person_room(board_id, participant_id):
    return f"board:{board_id}:person:{participant_id}"


def participant_room(participant_id):
    """Every socket of one participant, whatever board it is on (joined on connect)."""
    return user_room(participant_key(participant_id))


def broadcast(events):
    """Send each committed event to the board's room, as each viewer may see it."""
    for event in events:
        name, payload = render_event(event)
        card = event.card
        if card is None or not card.is_live or audience(card).everyone:
            socketio.emit(name, payload, to=room(event.board_id))
            continue
        who = audience(card)
        rooms = [staff_room(event.board_id), *(person_room(event.board_id, pid) for pid in sorted(who.person_ids))]
        if who.team_id is not None:
            rooms.append(team_room(event.board_id, who.team_id))
        socketio.emit(name, payload, to=rooms)
        socketio.emit(*removal_of(event), to=room(event.board_id))


def close_sockets(where, event, payload):
    """Tell every socket in room `where` why with `event`, then close them (a client closed by the
    server does not reconnect by itself). Sockets of this process only: with several processes,
    the others' sockets learn at their next event that their user or board is gone."""
    socketio.emit(event, payload, to=where)
    for sid, _ in list(socketio.server.manager.get_participants("/", where)):
        disconnect(sid, namespace="/")
