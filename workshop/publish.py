"""The one way changes reach screens: every message to sockets goes out through this module.

Callers name who hears it (`to_board`, `to_staff`, `to_team`, `to_person`, `to_participant`,
or `publish` with room names) and never call `socketio.emit` themselves, so that where a message
goes, and how it crosses processes (the Socket.IO message queue, see `workshop.extensions`), is
decided here. `tell_and_close` tells sockets why, then closes them. Board events, rendered for each
viewer, go through `workshop.boards.broadcast` on top of this.

Rooms: per board, everyone on it, its facilitators, each city team, each person; and per person,
every socket they hold whatever page it is on (joined on connect, see `workshop.auth.sockets`)."""
from flask import current_app

from .extensions import socketio


# Who is who: a person's key for their sockets, and the rooms ---------------------------------

def user_key(user):
    """A person's key for their sockets: "p:42" or "f:3" (not `get_id()`, which also names a
    participant's join time and so cannot be made from an id alone)."""
    return f"f:{user.id}" if user.is_facilitator else participant_key(user.id)


def participant_key(participant_id):
    return f"p:{participant_id}"


def user_room(key):
    """Every socket of one person (`user_key`), whatever page it is on."""
    return f"user:{key}"


def participant_room(participant_id):
    """Every socket of one participant, whatever board it is on."""
    return user_room(participant_key(participant_id))


def board_room(board_id):
    """Everyone on the board: participants, facilitators, the projector."""
    return f"board:{board_id}"


def staff_room(board_id):
    return f"board:{board_id}:staff"


def team_room(board_id, team_id):
    return f"board:{board_id}:team:{team_id}"


def person_room(board_id, participant_id):
    """One participant's sockets on one board."""
    return f"board:{board_id}:person:{participant_id}"


# Sending -----------------------------------------------------------------------------------------

def publish(event, payload, to, skip_sid=None):
    """Send `event` to the room or rooms `to`, on every process (but not to socket `skip_sid`)."""
    socketio.emit(event, payload, to=to, skip_sid=skip_sid)


def to_board(board_id, event, payload):
    publish(event, payload, board_room(board_id))


def to_staff(board_id, event, payload):
    """Only the board's facilitators: what the room may not see yet."""
    publish(event, payload, staff_room(board_id))


def to_team(board_id, team_id, event, payload, skip_sid=None):
    publish(event, payload, team_room(board_id, team_id), skip_sid)


def to_person(board_id, participant_id, event, payload, skip_sid=None):
    publish(event, payload, person_room(board_id, participant_id), skip_sid)


def to_participant(participant_id, event, payload):
    """Every open page of one participant, on a board or not."""
    publish(event, payload, participant_room(participant_id))


def tell_and_close(where, event, payload):
    """Tell every socket in room `where` why with `event`, then close them (a client closed by the
    server does not reconnect by itself). A person's room (`user_room`) is closed on every process,
    through the socket registry; any other room on this process only: with several processes, the
    others' sockets learn at their next event that their board is gone."""
    publish(event, payload, where)
    here = [sid for sid, _ in socketio.server.manager.get_participants("/", where)]
    for sid in dict.fromkeys([*here, *socket_registry().sockets_in(where)]):
        # Another process's socket: python-socketio forwards the disconnect through the queue.
        socketio.server.disconnect(sid, namespace="/")


# Which sockets each person holds, on every process ----------------------------------------------

class LocalSockets:
    """One process: the rooms already list each person's sockets."""

    def add(self, room, sid):
        pass

    def remove(self, sid):
        pass

    def sockets_in(self, room):
        return []


class RedisSockets:
    """Several processes: the socket ids in each person's room, on every process, in a Redis set,
    since a process only knows its own sockets."""

    # A set outlives its sockets only when a process died without saying goodbye; closing a socket
    # that no longer exists does nothing, and the set expires a day after its last newcomer.
    EXPIRES_SECONDS = 24 * 3600

    def __init__(self, redis):
        self._redis = redis
        self._rooms = {}  # sid -> room, for this process's sockets

    def _key(self, room):
        return f"workshop:sockets:{room}"

    def add(self, room, sid):
        self._rooms[sid] = room
        self._redis.pipeline().sadd(self._key(room), sid).expire(self._key(room), self.EXPIRES_SECONDS).execute()

    def remove(self, sid):
        room = self._rooms.pop(sid, None)
        if room is not None:
            self._redis.srem(self._key(room), sid)

    def sockets_in(self, room):
        return [sid.decode() for sid in self._redis.smembers(self._key(room))]


def make_socket_registry(redis):
    """Redis when processes share rooms through it (`redis`, see `workshop.extensions.shared_redis`),
    else this process's own rooms."""
    return RedisSockets(redis) if redis is not None else LocalSockets()


def socket_registry():
    return current_app.extensions["workshop.sockets"]
