"""The one exception a service raises when a rule says no, and the pages people see on errors."""
from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_ngettext
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


TITLES = {
    400: "That request could not be handled",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That request could not be handled",
    429: "Too many tries",
    500: "Something went wrong on our side",
}


def register_handlers(app):
    """Answer every error with a page that says why, never a stack trace."""

    def page(status, message):
        return render_template("errors/error.html", status=status, title=_(TITLES[status]), message=message), status

    @app.errorhandler(Refused)
    def refused(error):
        return page(error.status, error.message)

    @app.errorhandler(SlowDown)
    def slow_down(error):
        body, status = page(error.status, error.message)
        return body, status, {"Retry-After": str(error.retry_after)}

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return page(400, _("The form had expired or was missing its security token. Reload the page and try again."))

    for status in TITLES:
        app.register_error_handler(status, lambda error, status=status: page(status, None))
