"""Socket.IO plumbing every feature's `events.py` shares: a handler decorator that always answers
with an acknowledgement and never raises, and readers that check what a client sent."""
from functools import wraps

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .errors import Refused
from .extensions import db, socketio


def handler(event_name):
    """Register a client event. The function gets the payload (a dict) and returns the ack's data.

    Every outcome is an acknowledgement: `{"ok": true, ...}`, or `{"ok": false, "error": {"code",
    "message"}}` for a refusal, bad input, or a bug (logged, never raised to the socket).
    """

    def decorate(function):
        @socketio.on(event_name)
        @wraps(function)
        def wrapped(data=None, *ignored):
            try:
                if not current_user.is_authenticated:
                    raise Refused("not_signed_in", _l("Sign in again to continue."))
                if not isinstance(data, dict):
                    raise Refused("bad_payload", _l("The message must be an object."))
                return {"ok": True, **(function(data) or {})}
            except Refused as refusal:
                db.session.rollback()
                return refusal.as_ack()
            except Exception:
                db.session.rollback()
                current_app.logger.exception("socket event %s failed", event_name)
                return {"ok": False, "error": {"code": "server_error", "message": _("Something went wrong on our side.")}}

        return wrapped

    return decorate


def read(data, name, kind, required=True, default=None):
    """`data[name]` if it is of `kind` (int, str or bool; an int is never a bool), else a refusal."""
    if name not in data or data[name] is None:
        if required:
            raise Refused("missing_field", _l("%(field)s is missing.", field=name), field=name)
        return default
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Refused("bad_field", _l("%(field)s has the wrong type.", field=name), field=name)
    return value
