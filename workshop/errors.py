"""The one exception a service raises when a rule says no, and the pages people see on errors."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError


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
    400: "That request could not be handled",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That request could not be handled",
    500: "Something went wrong on our side",
}


def register_handlers(app):
    """Answer every error with a page that says why, never a stack trace; refuse a NUL anywhere in a
    request (path, query or form) before it reaches a view."""

    @app.before_request
    def no_unstorable_characters():
        if request.routing_exception is None:  # an address that matches no route stays a plain 404
            refuse_unstorable(request.path, list(request.args.lists()), list(request.form.lists()))

    def page(status, message):
        return render_template("errors/error.html", status=status, title=_(TITLES[status]), message=message), status

    @app.errorhandler(Refused)
    def refused(error):
        return page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return page(400, _("The form had expired or was missing its security token. Reload the page and try again."))

    for status in TITLES:
        app.register_error_handler(status, lambda error, status=status: page(status, None))
