"""Rules and changes for workshops. Each change checks who may make it, then writes one transaction."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select

from ..access import require_runs
from ..errors import Refused
from ..extensions import db
from ..languages import DEFAULT_LANGUAGE
from ..models import Board, Card, CityTeam, Facilitator, Participant, PolicyArea, Workshop, new_join_code, utcnow
from .lab import LAB_POLICY_AREAS

WORKSHOP_FIELDS = ("title", "host_city", "starts_on", "ends_on", "description", "allow_new_city_teams", "default_language")


# Who may do what -----------------------------------------------------------------------------

def may_delete(actor, workshop):
    """Only the facilitator who created a workshop deletes it (co-facilitators were invited into
    someone else's event); if that account is gone, any of its facilitators."""
    return workshop.is_run_by(actor) and workshop.created_by_id in (None, actor.id)


# Workshops -----------------------------------------------------------------------------------

def check_dates(starts_on, ends_on):
    if ends_on and starts_on and ends_on < starts_on:
        raise Refused("dates_reversed", _l("The end date cannot be before the start date."), field="ends_on")


def free_join_code():
    """A code that no open workshop uses."""
    while True:
        code = new_join_code()
        taken = db.session.scalar(select(Workshop.id).where(Workshop.join_code == code, Workshop.closed_at.is_(None)))
        if taken is None:
            return code


def create_workshop(facilitator, use_lab_template=False, **fields):
    """A new workshop run by `facilitator`, optionally with the lab's three policy areas."""
    check_dates(fields.get("starts_on"), fields.get("ends_on"))
    workshop = Workshop(join_code=free_join_code(), created_by=facilitator, **_only_workshop_fields(fields))
    workshop.facilitators.append(facilitator)
    db.session.add(workshop)
    if use_lab_template:
        _add_lab_policy_areas(workshop)
    db.session.commit()
    return workshop


def update_workshop(actor, workshop, **fields):
    require_runs(actor, workshop)
    check_dates(fields.get("starts_on", workshop.starts_on), fields.get("ends_on", workshop.ends_on))
    for name, value in _only_workshop_fields(fields).items():
        setattr(workshop, name, value)
    db.session.commit()


def _only_workshop_fields(fields):
    return {name: value for name, value in fields.items() if name in WORKSHOP_FIELDS}


def close_workshop(actor, workshop):
    """A closed workshop takes no new participants; its code may later serve another workshop."""
    require_runs(actor, workshop)
    workshop.closed_at = workshop.closed_at or utcnow()
    db.session.commit()


def reopen_workshop(actor, workshop):
    """Open again; if another open workshop took the code meanwhile, this one gets a new code."""
    require_runs(actor, workshop)
    if workshop.is_open:
        return
    taken = db.session.scalar(
        select(Workshop.id).where(Workshop.join_code == workshop.join_code, Workshop.closed_at.is_(None))
    )
    if taken is not None:
        workshop.join_code = free_join_code()
    workshop.closed_at = None
    db.session.commit()


def change_join_code(actor, workshop):
    """A fresh code, for when the old one has travelled further than it should."""
    require_runs(actor, workshop)
    workshop.join_code = free_join_code()
    db.session.commit()


def open_commitments(actor, workshop):
    """Open the commitment step: every participant's home now leads with their city's commitment."""
    require_runs(actor, workshop)
    workshop.commitments_opened_at = workshop.commitments_opened_at or utcnow()
    db.session.commit()


def close_commitments(actor, workshop):
    """Back to the boards first; commitments already written stay as they are."""
    require_runs(actor, workshop)
    workshop.commitments_opened_at = None
    db.session.commit()


def invite_facilitator(actor, workshop, email):
    """Make the account with `email` a co-facilitator of `workshop`."""
    require_runs(actor, workshop)
    invitee = db.session.scalar(select(Facilitator).where(func.lower(Facilitator.email) == email.strip().lower()))
    if invitee is None:
        raise Refused(
            "no_such_account", _l("No facilitator account uses this email. Ask them to sign up first."), field="email"
        )
    if invitee in workshop.facilitators:
        raise Refused("already_facilitator", _l("%(name)s already runs this workshop.", name=invitee.name), field="email")
    workshop.facilitators.append(invitee)
    db.session.commit()
    return invitee


# Policy areas --------------------------------------------------------------------------------

def add_policy_area(actor, workshop, title, description=""):
    """A new policy area at the end of the list, with its board."""
    require_runs(actor, workshop)
    area = _new_policy_area(workshop, title, description)
    db.session.commit()
    return area


def _new_policy_area(workshop, title, description):
    area = PolicyArea(title=title, description=description or "", position=len(workshop.policy_areas), board=Board())
    workshop.policy_areas.append(area)
    return area


def _add_lab_policy_areas(workshop):
    """The template's areas, written in the workshop's default language: their titles are the
    room's, shown to everyone (a participant's own language cannot change what the room wrote)."""
    present = {area.title.casefold() for area in workshop.policy_areas}
    with force_locale(workshop.default_language or DEFAULT_LANGUAGE):
        template = [(str(title), str(description)) for title, description in LAB_POLICY_AREAS]
    for title, description in template:
        if title.casefold() not in present:
            _new_policy_area(workshop, title, description)


def apply_lab_template(actor, workshop):
    """Add the Social Innovation Lab's three policy areas, skipping any the workshop already has."""
    require_runs(actor, workshop)
    _add_lab_policy_areas(workshop)
    db.session.commit()


def rename_policy_area(actor, area, title, description=None):
    require_runs(actor, area.workshop)
    area.title = title
    if description is not None:
        area.description = description
    db.session.commit()


def move_policy_area(actor, area, offset):
    """Move a policy area up (-1) or down (+1) in the workshop's order."""
    require_runs(actor, area.workshop)
    areas = list(area.workshop.policy_areas)
    index = areas.index(area)
    target = min(max(index + offset, 0), len(areas) - 1)
    areas.insert(target, areas.pop(index))
    for position, each in enumerate(areas):
        each.position = position
    db.session.commit()


def remove_policy_area(actor, area):
    """Remove a policy area with its board."""
    from ..boards.snapshots import forget_board  # boards build on workshops

    workshop = area.workshop
    require_runs(actor, workshop)
    board_id = area.board.id
    workshop.policy_areas.remove(area)
    for position, each in enumerate(workshop.policy_areas):
        each.position = position
    db.session.commit()
    forget_board(board_id)


# City teams ----------------------------------------------------------------------------------

def check_city_name(workshop, name, team=None):
    """A city team's name: given, and no other team of the workshop has it (in any letter case)."""
    if not name:
        raise Refused("city_team_name_missing", _l("City is required."), field="name")
    if any(other is not team and other.name.casefold() == name.casefold() for other in workshop.city_teams):
        raise Refused("city_team_exists", _l("%(name)s is already a city team here.", name=name), field="name")


def add_city_team(actor, workshop, name, country=""):
    require_runs(actor, workshop)
    check_city_name(workshop, (name or "").strip())
    team = workshop.find_or_add_city_team(name, country)
    db.session.commit()
    return team


def rename_city_team(actor, team, name, country=""):
    """Change a city team's name (and country). Returns a `card_edited` event for every live card
    that shows the city, for the caller to broadcast, so that open boards show the new name."""
    require_runs(actor, team.workshop)
    name = (name or "").strip()
    check_city_name(team.workshop, name, team)
    renamed = name != team.name
    team.name, team.country = name, (country or "").strip()
    # Cards show the city's name, not its country; saved as it was, nothing is sent.
    events = renamed_on_cards([person.id for person in team.participants]) if renamed else []
    db.session.commit()
    return events


def renamed_on_cards(author_ids):
    """A `card_edited` event (not yet committed) for every live card that shows the name or city
    of one of these participants: their own cards, and the cards theirs were merged into."""
    from ..boards.services import record  # boards build on workshops

    shown_on = {}
    for card in db.session.scalars(select(Card).where(Card.author_id.in_(author_ids)).order_by(Card.id)):
        target = card.merged_into or card
        if target.is_live:
            shown_on.setdefault(target.id, target)
    return [record(card.board, "card_edited", card) for card in shown_on.values()]


def remove_city_team(actor, team):
    """Remove a city team nobody has joined yet (a team's participants own cards and votes)."""
    workshop = team.workshop
    require_runs(actor, workshop)
    # Lock the team's row (PostgreSQL; SQLite writes one at a time anyway), then delete it only if
    # still empty, in one statement: a participant joining meanwhile must not be deleted with it.
    db.session.execute(select(CityTeam.id).where(CityTeam.id == team.id).with_for_update())
    removed = db.session.execute(
        delete(CityTeam).where(CityTeam.id == team.id, ~exists().where(Participant.city_team_id == team.id))
    ).rowcount
    if not removed:
        db.session.rollback()
        raise Refused(
            "city_team_has_participants",
            _l("%(name)s has participants, so it stays: a city team can only be removed before anyone joins it.", name=team.name),
        )
    db.session.commit()
    db.session.expire(workshop, ["city_teams"])
