"""Check-ins and the reminder emails before them: the facilitators' check-ins page, and the
`flask --app workshop send-reminders` command a timer runs, which emails each city with a final
commitment once before each check-in, with its plans and its private update link."""
from flask import Blueprint

from .mail import mail

bp = Blueprint("reminders", __name__)
# The blueprint brings its mail extension: registering it binds Flask-Mailman to the app's MAIL_* settings.
bp.record_once(lambda state: mail.init_app(state.app))

from . import cli, views  # noqa: E402,F401  (registers the routes on `bp`)
