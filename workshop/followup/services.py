"""Rules and changes for following commitments up after the lab. The plans that can be followed up are
those of a commitment's final version; progress is written by the city team, its facilitators or the
holder of an active update link, and each update records which of them wrote it."""
import calendar
import re
import secrets
from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..commitments.services import require_editor
from ..errors import Forbidden, NotFound, Refused
from ..extensions import db
from ..models import (
    DEFAULT_CHECK_IN_MONTHS, EMAIL_MAX, EVIDENCE_URL_MAX, INDICATOR_VALUE_MAX, NAME_MAX, PROGRESS_STATUSES, TITLE_MAX,
    UPDATE_TEXT_MAX, CheckIn, CityTeam, Commitment, PlanProgress, ProgressUpdate, UpdateLink, utcnow,
)


# A plan's status after the lab in people's words (the statuses: `models.PROGRESS_STATUSES`): as a label or a
# heading, and within a sentence ("2 plans in progress"). Every page, email, report and feed says them from here.
STATUS_NAMES = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "done": _l("Done"),
                "changed": _l("Changed"), "dropped": _l("Dropped")}
STATUS_WORDS = {"not_started": _l("not started"), "in_progress": _l("in progress"), "done": _l("done"),
                "changed": _l("changed"), "dropped": _l("dropped")}


def final_plans(commitment):
    """The action plans that can be followed up: those of the commitment's latest final version, in its order,
    as [(card_id, frozen plan content)]. Empty while the commitment is not final. Versions frozen before plans
    carried their card's id name the commitment's plans in order (a final commitment cannot change them)."""
    if commitment is None or not commitment.is_final or commitment.latest_version is None:
        return []
    frozen = [plan for area in commitment.latest_version.content["policy_areas"] for plan in area["plans"]]
    if all("card_id" in plan for plan in frozen):
        return [(plan["card_id"], plan) for plan in frozen]
    return [(item.card_id, plan) for item, plan in zip(commitment.plans, frozen)]


def progress_of(commitment):
    """{card_id: PlanProgress} of the commitment's plans that have had an update."""
    rows = db.session.scalars(select(PlanProgress).where(PlanProgress.commitment_id == commitment.id))
    return {row.card_id: row for row in rows}


def by_update_token(token):
    """The active update link with `token`; a refusal (404) for an unknown or revoked one."""
    link = db.session.scalar(select(UpdateLink).where(UpdateLink.token == token)) if token else None
    if link is None or not link.is_active:
        raise NotFound("no_such_link", _l("This link does not work (any more)."))
    return link


def issue_update_link(commitment, label="", facilitator=None, participant=None):
    """A new active update link for `commitment`, labelled with whom it is for, recording who made it (nobody:
    the app itself, for a reminder email). Callers check that the maker may; the token is long and random."""
    link = UpdateLink(commitment=commitment, token=secrets.token_urlsafe(32), label=label,
                      created_by_facilitator_id=facilitator.id if facilitator is not None else None,
                      created_by_participant_id=participant.id if participant is not None else None)
    db.session.add(link)
    db.session.commit()
    return link


def default_check_in_dates(workshop):
    """3, 6 and 12 months after the workshop ends (its start when it has no end date)."""
    ended = workshop.ends_on or workshop.starts_on
    return [_months_after(ended, months) for months in DEFAULT_CHECK_IN_MONTHS]


def check_ins_of(workshop, store=True):
    """The workshop's check-ins, earliest first; the defaults are stored the first time they are asked for,
    so that a reminder always refers to a stored check-in. With `store=False` (answering a refused request,
    which changes nothing) the defaults are shown without being stored."""
    check_ins = list(db.session.scalars(select(CheckIn).where(CheckIn.workshop_id == workshop.id).order_by(CheckIn.due_on)))
    if not check_ins:
        check_ins = [CheckIn(workshop_id=workshop.id, due_on=due_on) for due_on in default_check_in_dates(workshop)]
        if store:
            db.session.add_all(check_ins)
            db.session.commit()
    return check_ins


def _months_after(day, months):
    """The same day `months` later, or that month's last day (31 August + 6 months = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def final_commitments(workshop):
    """The workshop's final commitments, by city name."""
    return list(db.session.scalars(
        select(Commitment).join(Commitment.city_team)
        .where(CityTeam.workshop_id == workshop.id, Commitment.status == "final")
        .order_by(CityTeam.name)))


# Writing progress ------------------------------------------------------------------------------

# A light check: the reminder is the only mail sent there, and a typo shows as a bounce in the SMTP log.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DUE_WITHIN_DAYS = 30


def require_team(actor, commitment):
    """The commitments' own rule: the city team's participants and the workshop's facilitators."""
    if actor is None:
        raise Forbidden("not_team", _l("Only this city team and the workshop's facilitators can do that."))
    require_editor(actor, commitment.city_team)


def _require_final(commitment):
    if not commitment.is_final:
        raise Refused("not_final", _l("This commitment is not final: progress is followed once it is."))


def record_update(commitment, card_id, *, status, percent, text, indicator_value="", evidence_url="", author_name="",
                  facilitator=None, participant=None, link=None):
    """Record a dated update of one plan of the final version and set the plan's progress to it (one commit).

    Written by `facilitator` or `participant` (the team's rule), or through `link` (an active update link of
    this commitment; `author_name`, the name its holder gives, is then required). `percent` None keeps the
    plan's current percent; "done" means 100 % (None becomes 100, less is refused)."""
    if link is not None:
        if not link.is_active or link.commitment_id != commitment.id:
            raise NotFound("no_such_link", _l("This link does not work (any more)."))
        author_name = (author_name or "").strip()
        if not author_name:
            raise Refused("name_missing", _l("Your name is required."), field="author_name")
        if len(author_name) > NAME_MAX:
            raise Refused("name_too_long", _l("Your name must be %(max)d characters or fewer.", max=NAME_MAX), field="author_name")
    else:
        actor = facilitator or participant
        require_team(actor, commitment)
        author_name = actor.name if facilitator is not None else participant.display_name
    _require_final(commitment)
    if card_id not in dict(final_plans(commitment)):
        raise Refused("not_in_final_version", _l("This plan is not in the commitment's final version."))
    if status not in PROGRESS_STATUSES:
        raise Refused("bad_status", _l("Pick a status from the list."), field="status")
    current = progress_of(commitment).get(card_id)
    percent = _checked_percent(percent, status, current)
    text = (text or "").strip()
    if not text:
        raise Refused("text_missing", _l("Say what happened before saving the update."), field="text")
    if len(text) > UPDATE_TEXT_MAX:
        raise Refused("text_too_long", _l("What happened must be %(max)d characters or fewer.", max=UPDATE_TEXT_MAX), field="text")
    indicator_value = (indicator_value or "").strip()
    if len(indicator_value) > INDICATOR_VALUE_MAX:
        raise Refused("indicator_too_long", _l("The indicator value must be %(max)d characters or fewer.", max=INDICATOR_VALUE_MAX),
                      field="indicator_value")
    evidence_url = _checked_url(evidence_url)
    update = ProgressUpdate(commitment_id=commitment.id, card_id=card_id, status=status, percent=percent, text=text,
                            indicator_value=indicator_value, evidence_url=evidence_url, author_name=author_name,
                            via_link_id=link.id if link is not None else None,
                            by_facilitator_id=facilitator.id if facilitator is not None and link is None else None,
                            by_participant_id=participant.id if participant is not None and link is None else None)
    if current is None:
        current = PlanProgress(commitment_id=commitment.id, card_id=card_id)
        db.session.add(current)
    current.status, current.percent, current.updated_at = status, percent, utcnow()
    db.session.add(update)
    db.session.commit()
    return update


def _checked_percent(percent, status, current):
    if percent is None or percent == "":
        return 100 if status == "done" else (current.percent if current is not None else 0)
    if isinstance(percent, str):
        percent = int(percent) if whole_number(percent.strip()) else -1
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise Refused("bad_percent", _l("Percent done must be a whole number from 0 to 100."), field="percent")
    if status == "done" and percent != 100:
        raise Refused("done_is_100", _l("A plan that is done is 100% done: set 100, or pick another status."), field="percent")
    return percent


def _checked_url(url):
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(character.isspace() for character in url):
        raise Refused("bad_url", _l("The evidence link must be a web address starting with http:// or https://."), field="evidence_url")
    if len(url) > EVIDENCE_URL_MAX:
        raise Refused("url_too_long", _l("The evidence link must be %(max)d characters or fewer.", max=EVIDENCE_URL_MAX),
                      field="evidence_url")
    return url


def whole_number(text):
    """Whether `text` is written with ASCII digits only ("²" and "٣" are digits to `str.isdigit`, not to `int`)."""
    return text.isascii() and text.isdigit()


def updates_of(commitment, card_id=None):
    """The commitment's updates (of one plan with `card_id`), newest first."""
    query = select(ProgressUpdate).where(ProgressUpdate.commitment_id == commitment.id)
    if card_id is not None:
        query = query.where(ProgressUpdate.card_id == card_id)
    return list(db.session.scalars(query.order_by(ProgressUpdate.written_at.desc(), ProgressUpdate.id.desc())))


# Update links and the reminder contact ---------------------------------------------------------

def create_update_link(actor, commitment, label):
    """A new update link for whom `label` names (e.g. "Mayor's office"), made by the team or its facilitators."""
    require_team(actor, commitment)
    _require_final(commitment)
    label = (label or "").strip()
    if not label:
        raise Refused("label_missing", _l("Say whom the link is for, e.g. “Mayor's office”."), field="label")
    if len(label) > TITLE_MAX:
        raise Refused("label_too_long", _l("Whom it is for must be %(max)d characters or fewer.", max=TITLE_MAX), field="label")
    return issue_update_link(commitment, label, facilitator=actor if actor.is_facilitator else None,
                             participant=None if actor.is_facilitator else actor)


def update_links_of(commitment):
    """All the commitment's update links, active and revoked, newest first."""
    return list(db.session.scalars(select(UpdateLink).where(UpdateLink.commitment_id == commitment.id)
                                   .order_by(UpdateLink.created_at.desc(), UpdateLink.id.desc())))


def revoke_update_link(actor, commitment, link_id):
    """Revoke one of the commitment's links: from then on it answers 404. Revoking it again changes nothing."""
    require_team(actor, commitment)
    # A number past SQLite's 64-bit integers would fail the lookup itself: no link has it anyway.
    link = db.session.get(UpdateLink, link_id) if isinstance(link_id, int) and 0 < link_id < 2**63 else None
    if link is None or link.commitment_id != commitment.id:
        raise NotFound("no_such_link", _l("This link does not work (any more)."))
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        db.session.commit()
    return link


def set_contact(actor, commitment, email):
    """The address reminders go to before each check-in; empty means none."""
    require_team(actor, commitment)
    email = (email or "").strip()
    if email and (len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email)):
        raise Refused("bad_email", _l("Email must look like name@example.org."), field="email")
    commitment.contact_email = email or None
    db.session.commit()


# Reading: standing and the follow-up view ------------------------------------------------------

def standing(commitment, check_ins, today):
    """Where a city stands against the check-ins (dates, or CheckIns), counting only those after its final
    version was made:
    - "overdue": the latest check-in that has passed got no update since the check-in before it (or since
      the version was finalised), not even a late one;
    - "due": the next check-in (today or later) is within DUE_WITHIN_DAYS days and there was no update since
      the check-in before it (or the finalisation);
    - "no_check_in": no check-in is left to count;
    - "up_to_date": otherwise."""
    finalised = commitment.latest_version.finalised_at.date() if commitment.latest_version else date.min
    dates = sorted(d for d in (getattr(c, "due_on", c) for c in check_ins) if d > finalised)
    if not dates:
        return "no_check_in"
    last = last_update_of(commitment)
    last_day = last.written_at.date() if last is not None else None

    def updated_since(index):
        start = dates[index - 1] if index > 0 else finalised
        return last_day is not None and last_day >= start

    passed = [i for i, d in enumerate(dates) if d < today]
    if passed and not updated_since(passed[-1]):
        return "overdue"
    upcoming = [i for i, d in enumerate(dates) if d >= today]
    if upcoming and (dates[upcoming[0]] - today).days <= DUE_WITHIN_DAYS and not updated_since(upcoming[0]):
        return "due"
    return "up_to_date"


def last_update_of(commitment):
    return db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.commitment_id == commitment.id)
                             .order_by(ProgressUpdate.written_at.desc(), ProgressUpdate.id.desc()).limit(1))


def plan_title(plan):
    return plan.get("title") or plan.get("text", "")


def plans_with_progress(commitment):
    """Each plan of the final version with its progress and updates (newest first), in the version's order."""
    progress = progress_of(commitment)
    updates = updates_of(commitment)
    return [{"card_id": card_id, "plan": plan, "title": plan_title(plan), "progress": progress.get(card_id),
             "status": progress[card_id].status if card_id in progress else "not_started",
             "percent": progress[card_id].percent if card_id in progress else 0,
             "updates": [update for update in updates if update.card_id == card_id]}
            for card_id, plan in final_plans(commitment)]


def follow_up(workshop, today):
    """Per city with a final commitment (by name): its plans with status, percent and last update, the
    city's standing, its next check-in and whether reminders have an address to go to."""
    check_ins = check_ins_of(workshop)
    cities = []
    for commitment in final_commitments(workshop):
        plans = plans_with_progress(commitment)
        for plan in plans:
            plan["last_update"] = plan.pop("updates")[:1][0] if plan["updates"] else None
        upcoming = [check_in.due_on for check_in in check_ins if check_in.due_on >= today]
        cities.append({"commitment": commitment, "team": commitment.city_team, "plans": plans,
                       "standing": standing(commitment, check_ins, today), "next_check_in": upcoming[0] if upcoming else None,
                       "contact_email": commitment.contact_email})
    return cities
