"""The reminder email, and the SMTP connection it goes through (Flask-Mailman, settings MAIL_*).

Each email is written in its city team's report language: the plans with their status now, the date of
the check-in, and the city's private update link."""
import smtplib
from email.utils import formataddr, make_msgid, parseaddr

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives, Mail

from ..commitments.services import report_language
from ..followup.services import STATUS_WORDS
from ..reports.words import written_date

mail = Mail()



class MailUnavailable(Exception):
    """No reminder can go out: mail is not configured, or the SMTP server cannot be reached."""


def missing_settings(config):
    """The settings a real run needs and lacks: an SMTP server, a sender, and the site's address for the links."""
    return [name for name in ("MAIL_SERVER", "MAIL_DEFAULT_SENDER", "SERVER_NAME") if not config.get(name)]


def require_settings():
    """`MailUnavailable`, saying what to set, unless the settings needed to send are there."""
    config = current_app.config
    missing = missing_settings(config)
    if missing:
        raise MailUnavailable(f"Mail is not configured: set {', '.join(missing)} (see README, Configuration). Nothing was sent.")
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        raise MailUnavailable("MAIL_USE_TLS (STARTTLS) and MAIL_USE_SSL (TLS from the start) exclude each other: set one. "
                              "Nothing was sent.")


def open_connection():
    """An open SMTP connection for a whole run; `MailUnavailable` when the settings or the server are not there."""
    require_settings()
    connection = mail.get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        config = current_app.config
        raise MailUnavailable(f"Cannot reach the mail server {config['MAIL_SERVER']}:{config['MAIL_PORT']} ({error}). "
                              "Nothing was sent.") from error
    return connection


def update_url(token):
    """The absolute address of an update link: the progress page's (`followup.update_by_link`), built from
    SERVER_NAME and PREFERRED_URL_SCHEME outside a request."""
    return url_for("followup.update_by_link", token=token, _external=True)


def reminder_message(check_in, commitment, plans, link, connection=None):
    """The email reminding `commitment`'s city of `check_in`: `plans` as [(frozen plan, PlanProgress or None)],
    `link` the update link it carries. Plain text and HTML, in the team's report language."""
    team = commitment.city_team
    workshop = team.workshop
    with force_locale(report_language(team)):
        context = {
            "workshop": workshop, "city": team.name, "due_on": written_date(check_in.due_on),
            "url": update_url(link.token), "plans": [_plan_line(plan, progress) for plan, progress in plans],
        }
        subject = _("%(workshop)s: how are your action plans going? Check-in on %(date)s",
                    workshop=workshop.title, date=context["due_on"])
        text, html = (_render(name, context) for name in ("reminders/email_text.html", "reminders/email.html"))
    # From the workshop by name, at the configured sender's address.
    sender = formataddr((workshop.title, parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]))
    # The Message-ID names our site rather than this machine's host name (often "localhost" on a server).
    headers = {"Message-ID": make_msgid("reminder", domain=current_app.config["SERVER_NAME"])}
    message = EmailMultiAlternatives(subject, text, sender, [commitment.contact_email], connection=connection, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def _render(name, context):
    """A template rendered without the request's context processors: an email is read by a city team, not
    by whoever runs the command (and a command has no request, nor a signed-in person)."""
    return current_app.jinja_env.get_template(name).render(**context)


def _plan_line(plan, progress):
    """One plan as the email lists it: its title, its status in words and its percent done."""
    status = progress.status if progress is not None else "not_started"
    return {"title": plan.get("title") or plan.get("text", ""), "status": str(STATUS_WORDS.get(status, status)),
            "percent": progress.percent if progress is not None else 0}
