"""Who may hold a socket, and ending someone's sockets.

A socket is admitted with the CSRF token of one of our pages in its connect `auth` (cookies alone
would let any site open a socket as the visitor), for a signed-in user only. Each socket joins its
person's own room, so that signing out, or being removed, closes every tab of that person at once.
With several processes (a Redis message queue) a process only knows its own sockets, so the
socket ids of each person are also kept in Redis: python-socketio forwards the disconnect of
another process's socket through the queue."""
from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from flask_wtf.csrf import ValidationError, validate_csrf

from ..extensions import socketio


def user_key(user):
    """A person's key for their sockets: "p:42" or "f:3" (not `get_id()`, which also names a
    participant's join time and so cannot be made from an id alone)."""
    return f"f:{user.id}" if user.is_facilitator else participant_key(user.id)


def participant_key(participant_id):
    return f"p:{participant_id}"


def user_room(key):
    """Every socket of one person (`user_key`), whatever page it is on."""
    return f"user:{key}"


def admit(auth):
    """Accept the connecting socket (called on `connect`), or refuse it with a reason."""
    token = auth.get("csrf_token") if isinstance(auth, dict) else None
    try:
        validate_csrf(token if isinstance(token, str) else None)
    except ValidationError:
        raise _refusal("bad_csrf_token", _("This page is out of date. Reload it to reconnect.")) from None
    if not current_user.is_authenticated:
        raise _refusal("not_signed_in", _("Sign in again to continue."))
    join_room(user_room(user_key(current_user)))
    socket_registry().add(user_key(current_user), request.sid)


class SocketSessionInterface(SecureCookieSessionInterface):
    """The cookie session, decoded once per socket. Flask-SocketIO keeps a copy of the session for
    each socket (in its environ, as "saved_session") and puts it in every event's request context,
    but Flask first opens the session from the cookie anyway (HMAC, base64, JSON) only for it to be
    replaced: 5 % of the server's CPU in the vote storm. An event's context now opens that copy."""

    def open_session(self, app, request):
        saved = request.environ.get("saved_session")
        return saved if saved is not None else super().open_session(app, request)


def _refusal(code, message):
    """`connect_error` with `message` = the code (as clients have always read it) and `data` =
    the usual error object."""
    return ConnectionRefusedError(code, {"code": code, "message": message})


def forget(sid):
    """A socket went away (called on `disconnect`)."""
    socket_registry().remove(sid)


def end_sockets(user_key, event, payload):
    """Tell every socket of the user `user_key` (see `user_key`) why, then close them, on every process."""
    socketio.emit(event, payload, to=user_room(user_key))
    for sid in socket_registry().sockets_of(user_key):
        socketio.server.disconnect(sid, namespace="/")


class LocalSockets:
    """One process: the personal rooms already list each person's sockets."""

    def add(self, user_key, sid):
        pass

    def remove(self, sid):
        pass

    def sockets_of(self, user_key):
        return [sid for sid, _ in socketio.server.manager.get_participants("/", user_room(user_key))]


class RedisSockets:
    """Several processes: each person's socket ids, on every process, in a Redis set."""

    # A set outlives its sockets only when a process died without saying goodbye; closing a socket
    # that no longer exists does nothing, and the set expires a day after its last newcomer.
    EXPIRES_SECONDS = 24 * 3600

    def __init__(self, url):
        import redis

        self._redis = redis.Redis.from_url(url)
        self._owners = {}  # sid -> user key, for this process's sockets

    def _key(self, user_key):
        return f"workshop:sockets:{user_key}"

    def add(self, user_key, sid):
        self._owners[sid] = user_key
        self._redis.pipeline().sadd(self._key(user_key), sid).expire(self._key(user_key), self.EXPIRES_SECONDS).execute()

    def remove(self, sid):
        user_key = self._owners.pop(sid, None)
        if user_key is not None:
            self._redis.srem(self._key(user_key), sid)

    def sockets_of(self, user_key):
        return [sid.decode() for sid in self._redis.smembers(self._key(user_key))]


def make_socket_registry(config):
    """Redis when processes share rooms through Redis, else this process's own rooms."""
    queue = config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    return RedisSockets(queue) if queue.startswith(("redis://", "rediss://")) else LocalSockets()


def socket_registry():
    return current_app.extensions["workshop.sockets"]
