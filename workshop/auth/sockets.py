"""Who may hold a socket, and what a socket leaves behind when it goes.

A socket is admitted with the CSRF token of one of our pages in its connect `auth` (cookies alone
would let any site open a socket as the visitor), for a signed-in user only. Each socket joins its
person's own room, so that signing out, or being removed, closes every tab of that person at once
(`workshop.publish.tell_and_close`, which finds them on every process in the socket registry)."""
from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from flask_wtf.csrf import ValidationError, validate_csrf

from ..errors import Unavailable, database_unavailable
from ..extensions import db
from ..publish import socket_registry, user_key, user_room


def admit(auth):
    """Accept the connecting socket (called on `connect`), or refuse it with a reason."""
    token = auth.get("csrf_token") if isinstance(auth, dict) else None
    try:
        validate_csrf(token if isinstance(token, str) else None)
    except ValidationError:
        raise _refusal("bad_csrf_token", _("This page is out of date. Reload it to reconnect.")) from None
    try:
        signed_in = current_user.is_authenticated  # loads the person from the database
    except Exception as error:
        db.session.rollback()
        if not database_unavailable(error):
            raise
        # A room reconnecting at once can briefly exhaust the database's pool: the tab tries again.
        current_app.logger.warning("socket connect: database unavailable: %s", error)
        raise _refusal("unavailable", str(Unavailable().message)) from None
    if not signed_in:
        raise _refusal("not_signed_in", _("Sign in again to continue."))
    mine = user_room(user_key(current_user))
    join_room(mine)
    socket_registry().add(mine, request.sid)


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
    """A socket went away (called on `disconnect`): out of the socket registry."""
    socket_registry().remove(sid)


def each_on_its_own(what, *steps):
    """Run every step, even when one fails: a failure is logged (with `what`) and the next step
    still runs. For cleaning up after a socket: one step failing (Redis short of connections) must
    not leave the rest undone, or a person gone would keep counting as present."""
    for step in steps:
        try:
            step()
        except Exception:
            current_app.logger.exception("%s: %s failed", what, getattr(step, "__name__", step))
