"""The one exception a service raises when a rule says no, and the pages people see on errors."""
import sqlite3

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc


class Refused(Exception):
    """A change was refused and nothing was written.

    `code` is stable for programs (acks, tests), `message` is for people, `field` names the form
    field at fault when there is one.
    """

    status = 400

    def __init__(self, code, message, field=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_ack(self):
        return {"ok": False, "error": {"code": self.code, "message": str(self.message)}}


class Forbidden(Refused):
    status = 403


class NotFound(Refused):
    status = 404


class Unavailable(Refused):
    """The database is away for a moment; the same request will likely work in a few seconds."""

    status = 503

    def __init__(self):
        super().__init__("unavailable", _l("The database is unavailable for a moment. Try again in a few seconds."))


def database_unavailable(error):
    """Whether `error` means the database is briefly out of reach (connection refused or lost,
    server restarting, pool exhausted, SQLite locked by another writer) rather than a bug."""
    if isinstance(error, (exc.DisconnectionError, exc.TimeoutError)):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, exc.OperationalError):
        if isinstance(error.orig, sqlite3.OperationalError):
            # "no such table" and the like are SQLite's OperationalErrors too, and those are bugs.
            return "locked" in str(error.orig) or "busy" in str(error.orig)
        return True  # PostgreSQL: unreachable, shutting down, deadlock or serialisation failure
    return False


class SlowDown(Refused):
    """Someone went over a rate limit; `retry_after` is the whole number of seconds until one more
    try is allowed."""

    status = 429

    def __init__(self, retry_after):
        message = lazy_ngettext(
            "Please slow down: you can try again in %(num)d second.",
            "Please slow down: you can try again in %(num)d seconds.",
            retry_after,
        )
        super().__init__("slow_down", message)
        self.retry_after = retry_after

    def as_ack(self):
        ack = super().as_ack()
        ack["error"]["retry_after"] = self.retry_after
        return ack


def refuse_unstorable(*values):
    """Refuse text with a character no database stores anywhere in `values` (strings, lists, dicts):
    a NUL, which PostgreSQL refuses, or a lone UTF-16 surrogate (JSON's "\\ud800"), which is not
    even UTF-8. No text of ours needs either; let through, they fail the write."""
    if any(_unstorable(value) for value in values):
        raise Refused("bad_character", _l("Text cannot contain the NUL character or a lone surrogate."))


def _unstorable(value):
    if isinstance(value, str):
        return "\0" in value or (not value.isascii() and any("\ud800" <= character <= "\udfff" for character in value))
    if isinstance(value, dict):
        return any(_unstorable(key) or _unstorable(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(_unstorable(item) for item in value)
    return False


TITLES = {
    400: _l("That request could not be handled"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("That request could not be handled"),
    413: _l("That request was too large"),
    429: _l("Too many tries"),
    500: _l("Something went wrong on our side"),
    503: _l("Please try again in a moment"),
}


def register_handlers(app):
    """Answer every error with a page that says why, never a stack trace; refuse a NUL anywhere in a
    request (path, query or form) before it reaches a view."""

    @app.before_request
    def no_unstorable_characters():
        if request.routing_exception is None:  # an address that matches no route stays a plain 404
            refuse_unstorable(request.path, list(request.args.lists()), list(request.form.lists()))

    def page(status, message):
        return render_template("errors/error.html", status=status, title=str(TITLES[status]), message=message), status

    @app.errorhandler(Refused)
    def refused(error):
        return page(error.status, error.message)

    @app.errorhandler(exc.SQLAlchemyError)
    def database_error(error):
        if not database_unavailable(error):
            raise error  # a bug: Flask logs it and answers with the 500 page
        from .extensions import db

        db.session.rollback()
        app.logger.warning("database unavailable: %s", error)
        unavailable = Unavailable()
        if request.path.startswith("/api/"):
            response = jsonify(unavailable.as_ack()), 503
        else:
            # Not `render_template`: its context processors load the signed-in user from the database.
            page = app.jinja_env.get_template("errors/unavailable.html")
            response = page.render(title=str(TITLES[503]), message=unavailable.message), 503
        return *response, {"Retry-After": "5"}
    @app.errorhandler(SlowDown)
    def slow_down(error):
        body, status = page(error.status, error.message)
        return body, status, {"Retry-After": str(error.retry_after)}

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return page(400, _("The form had expired or was missing its security token. Reload the page and try again."))

    for status in TITLES:
        app.register_error_handler(status, lambda error, status=status: page(status, None))
