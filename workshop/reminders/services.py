"""Rules and changes for check-ins and reminders. The workshop's facilitators set its check-in dates; before
each check-in, every city with a final commitment and a contact email is reminded once.

Sending once: a reminder's ProgressReminder row is inserted and committed *before* its email goes out, and
taken back if the SMTP server refuses it or the connection fails. We chose that side (rather than sending
first and recording after) because the promise is "a reminder is sent once": the row, unique per check-in
and city, is also the lock that keeps two runs started together (a timer and someone by hand) from both
sending, and no database transaction stays open across an SMTP conversation (on SQLite that would hold up
every live board's writes). The price: if the process dies in the middle of that SMTP conversation itself
(killed, power lost; not an error, which takes the row back), that one city is recorded as reminded when
the email may not have left. The row's time shows when; the mail server's log tells."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..access import require_runs
from ..errors import Refused
from ..extensions import db
from ..followup.services import (
    check_ins_of, default_check_in_dates, final_commitments, final_plans, issue_update_link, progress_of,
)
from ..languages import DEFAULT_LANGUAGE
from ..models import CheckIn, Commitment, CityTeam, ProgressReminder, UpdateLink, Workshop
from .mail import open_connection, reminder_message, require_settings

# The label of the update link the reminder emails carry; stored in English (it is how the link is found
# again), and a page listing a city's links can show it translated.
REMINDER_LINK_LABEL = _l("Reminder emails")
# How many days before a check-in its reminders go out (the command's --lead-days).
LEAD_DAYS = 14


# Check-in dates --------------------------------------------------------------------------------

def workshop_end(workshop):
    """The workshop's last day (its first when it has no end date): check-ins come after it."""
    return workshop.ends_on or workshop.starts_on


def _check_date(workshop, due_on, taken):
    """Refuse a date that is not one, comes before the workshop has ended, or is already a check-in."""
    if not isinstance(due_on, date):
        raise Refused("bad_date", _l("Write the check-in date like 2026-05-07."), field="due_on")
    if due_on <= workshop_end(workshop):
        raise Refused("before_end", _l("A check-in comes after the workshop: pick a date after %(date)s.",
                                       date=workshop_end(workshop).isoformat()), field="due_on")
    if due_on in taken:
        raise Refused("date_taken", _l("There is already a check-in on %(date)s.", date=due_on.isoformat()), field="due_on")


def add_check_in(actor, workshop, due_on):
    """A new check-in date (the defaults are stored first, if they were not yet: the page showed them)."""
    require_runs(actor, workshop)
    stored = [check_in.due_on for check_in in _stored(workshop)]
    _check_date(workshop, due_on, stored or default_check_in_dates(workshop))
    check_ins_of(workshop)
    check_in = CheckIn(workshop_id=workshop.id, due_on=due_on)
    db.session.add(check_in)
    db.session.commit()
    return check_in


def move_check_in(actor, check_in, due_on):
    """Give a check-in another date. Reminders already sent for it stay with it: those cities are not
    reminded again for the new date (they know of a check-in; the page says when they were told)."""
    require_runs(actor, check_in.workshop)
    if due_on == check_in.due_on:
        return check_in  # the form saved as shown: nothing to change
    others = [other.due_on for other in _stored(check_in.workshop) if other.id != check_in.id]
    _check_date(check_in.workshop, due_on, others)
    check_in.due_on = due_on
    db.session.commit()
    return check_in


def remove_check_in(actor, check_in):
    """Remove a check-in; not one whose reminders went out (the cities were told of it: move it instead),
    nor the last one (with none stored, the defaults would come back)."""
    require_runs(actor, check_in.workshop)
    if reminders_of(check_in):
        raise Refused("already_reminded", _l("Cities were already reminded of this check-in, so it stays. You can move it to another date."))
    if len(_stored(check_in.workshop)) == 1:
        raise Refused("last_check_in", _l("A workshop keeps at least one check-in: add another date before removing this one."))
    db.session.delete(check_in)
    db.session.commit()


def check_in_of(workshop, check_in_id):
    """The workshop's check-in `check_in_id` (a form's value); a refusal when it is not one of them."""
    check_in = db.session.get(CheckIn, check_in_id) if isinstance(check_in_id, int) else None
    if check_in is None or check_in.workshop_id != workshop.id:
        raise Refused("no_such_check_in", _l("That check-in is not there any more. Reload the page."))
    return check_in


def _stored(workshop):
    return list(db.session.scalars(select(CheckIn).where(CheckIn.workshop_id == workshop.id).order_by(CheckIn.due_on)))


def reminders_of(check_in):
    """The reminders sent before `check_in`, by city name: [(city name, ProgressReminder)]."""
    rows = db.session.execute(
        select(CityTeam.name, ProgressReminder).join(ProgressReminder.commitment).join(Commitment.city_team)
        .where(ProgressReminder.check_in_id == check_in.id).order_by(CityTeam.name))
    return [tuple(row) for row in rows]


# Sending reminders --------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What a run did for one city and one check-in. `state`: "sent", "would_send" (a dry run),
    "already_sent", "no_contact" (no contact email: reported, not failed) or "failed" (with `error`)."""

    check_in: CheckIn
    commitment: Commitment
    state: str
    recipient: str = ""
    error: str = ""

    @property
    def city(self):
        return self.commitment.city_team.name


def due_check_ins(today, lead_days=LEAD_DAYS):
    """The check-ins due from `today` to `lead_days` after it, earliest first, of every workshop with a final
    commitment (their default dates are stored on the way, as `check_ins_of` does when first asked)."""
    last = today + timedelta(days=lead_days)
    workshops = db.session.scalars(
        select(Workshop).join(CityTeam, CityTeam.workshop_id == Workshop.id).join(Commitment, Commitment.city_team_id == CityTeam.id)
        .where(Commitment.status == "final").distinct().order_by(Workshop.id))
    due = [check_in for workshop in list(workshops) for check_in in check_ins_of(workshop) if today <= check_in.due_on <= last]
    return sorted(due, key=lambda check_in: (check_in.due_on, check_in.workshop_id))


def send_reminders(today, lead_days=LEAD_DAYS, dry_run=False):
    """Email every city with a final commitment once before each check-in due within `lead_days` of `today`
    (today <= due_on <= today + lead_days). Returns one `Outcome` per city and check-in. Raises
    `MailUnavailable`, having marked nothing, when mail is not configured or its server cannot be reached."""
    if not dry_run:
        require_settings()  # said at once, even with nothing due yet: a timer set up wrong fails on its first day
    outcomes = []
    for check_in in due_check_ins(today, lead_days):
        sent = {row.commitment_id for row in db.session.scalars(select(ProgressReminder).where(ProgressReminder.check_in_id == check_in.id))}
        for commitment in final_commitments(check_in.workshop):
            if commitment.id in sent:
                state = "already_sent"
            elif not commitment.contact_email:
                state = "no_contact"
            else:
                state = "would_send"
            outcomes.append(Outcome(check_in, commitment, state, commitment.contact_email or ""))
    to_send = [outcome for outcome in outcomes if outcome.state == "would_send"]
    if to_send and not dry_run:
        connection = open_connection()
        try:
            for outcome in to_send:
                _send_once(outcome, connection)
        finally:
            connection.close()
    return outcomes


def _send_once(outcome, connection):
    """Claim the reminder (its row, committed), send it, and take the claim back if sending fails."""
    check_in, commitment = outcome.check_in, outcome.commitment
    link = reminder_link(commitment)
    plans = progress_of(commitment)
    message = reminder_message(check_in, commitment, [(plan, plans.get(card_id)) for card_id, plan in final_plans(commitment)],
                               link, connection)
    db.session.add(ProgressReminder(check_in_id=check_in.id, commitment_id=commitment.id, recipient=commitment.contact_email))
    try:
        db.session.commit()
    except IntegrityError:  # another run claimed it a moment ago: it sends it
        db.session.rollback()
        outcome.state = "already_sent"
        return
    try:
        message.send()
    except Exception as error:  # noqa: BLE001  (any failure to send: the reminder is not sent, so not marked)
        db.session.rollback()
        db.session.execute(delete(ProgressReminder).where(ProgressReminder.check_in_id == check_in.id,
                                                          ProgressReminder.commitment_id == commitment.id))
        db.session.commit()
        outcome.state, outcome.error = "failed", str(error) or type(error).__name__
    else:
        outcome.state = "sent"


def reminder_link(commitment):
    """The commitment's active update link for reminder emails, issued the first time it is needed."""
    with force_locale(DEFAULT_LANGUAGE):
        label = str(REMINDER_LINK_LABEL)
    link = db.session.scalar(select(UpdateLink).where(
        UpdateLink.commitment_id == commitment.id, UpdateLink.label == label, UpdateLink.revoked_at.is_(None)
    ).order_by(UpdateLink.id))
    return link or issue_update_link(commitment, label)

