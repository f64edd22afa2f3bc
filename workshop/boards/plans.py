"""Action plans: the fields that make an action plan card something a city can commit to."""
from datetime import date

from flask_babel import lazy_gettext as _l

from ..errors import Forbidden, Refused
from ..models import PILLAR_PRINCIPLES, PLAN_STATUSES, TITLE_MAX, ActionPlan
from .services import commit, record, require_board_open, require_not_paused
from .visibility import can_see

# The 20 principles of the European Pillar of Social Rights (proclaimed 2017), by number; the names
# are the Pillar's own, translatable (the board's plan form and the reports show them).
PILLAR_PRINCIPLE_NAMES = {
    1: _l("Education, training and life-long learning"), 2: _l("Gender equality"), 3: _l("Equal opportunities"),
    4: _l("Active support to employment"), 5: _l("Secure and adaptable employment"), 6: _l("Wages"),
    7: _l("Information about employment conditions and protection in case of dismissals"),
    8: _l("Social dialogue and involvement of workers"), 9: _l("Work-life balance"),
    10: _l("Healthy, safe and well-adapted work environment and data protection"),
    11: _l("Childcare and support to children"), 12: _l("Social protection"), 13: _l("Unemployment benefits"),
    14: _l("Minimum income"), 15: _l("Old age income and pensions"), 16: _l("Health care"),
    17: _l("Inclusion of people with disabilities"), 18: _l("Long-term care"),
    19: _l("Housing and assistance for the homeless"), 20: _l("Access to essential services"),
}

# field -> longest text it takes
TEXT_FIELDS = {
    "title": TITLE_MAX, "lead": TITLE_MAX, "partners": 300, "resources": 300,
    "indicators": 300, "target": 200, "baseline": 200,
}


def plan_json(plan):
    plan = plan or ActionPlan()
    return {
        **{name: getattr(plan, name) or "" for name in TEXT_FIELDS},
        "starts_on": plan.starts_on.isoformat() if plan.starts_on else None,
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
        "status": plan.status or "draft",
        "principles": plan.principle_numbers if plan.principles else [],
        "child_guarantee": bool(plan.child_guarantee),
    }


def _date(value, name):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name):
    raise Refused("bad_date", _l("Dates look like 2026-03-31."), field=name)


def may_complete(actor, card):
    """Plan details are completed until the board closes, in results too (when cities write their
    commitments): by the facilitators, and by the plan's authors and their city team. The card's
    text keeps the stricter rule of `may_change`."""
    board = card.board
    if not board.is_run_by(actor):
        in_team = card.author.city_team.has_member(actor) and can_see(actor, card)
        if not (card.is_by(actor) or in_team):
            raise Forbidden("not_author", _l("Only the plan's city team and the facilitators can complete its details."))
        require_not_paused(board)
    require_board_open(board)


def edit_action_plan(actor, card, fields):
    """Change an action plan's fields; only the fields given change."""
    if card.lane != "action":
        raise Refused("not_action_plan", _l("Only action plans have these details."))
    may_complete(actor, card)
    if card.plan is None:
        card.plan = ActionPlan()
    plan = card.plan
    for name, longest in TEXT_FIELDS.items():
        if name in fields:
            value = fields[name]
            if not isinstance(value, str):
                raise Refused("bad_field", _l("%(field)s has the wrong type.", field=name), field=name)
            if len(value.strip()) > longest:
                raise Refused("too_long", _l("%(field)s must be %(max)d characters or fewer.", field=name, max=longest), field=name)
            setattr(plan, name, value.strip())
    for name in ("starts_on", "ends_on"):
        if name in fields:
            setattr(plan, name, _date(fields[name], name))
    if plan.starts_on and plan.ends_on and plan.ends_on < plan.starts_on:
        raise Refused("dates_reversed", _l("The end date cannot be before the start date."), field="ends_on")
    if "status" in fields:
        if fields["status"] not in PLAN_STATUSES:
            raise Refused("bad_status", _l("An action plan is a draft or agreed."), field="status")
        plan.status = fields["status"]
    if "principles" in fields:
        numbers = fields["principles"]
        if not isinstance(numbers, list) or any(
            not isinstance(n, int) or isinstance(n, bool) or n not in PILLAR_PRINCIPLES for n in numbers
        ):
            raise Refused("bad_principles", _l("Principles are numbers from 1 to 20."), field="principles")
        plan.principles = ",".join(str(n) for n in sorted(set(numbers)))
    if "child_guarantee" in fields:
        if not isinstance(fields["child_guarantee"], bool):
            raise Refused("bad_field", _l("%(field)s has the wrong type.", field="child_guarantee"), field="child_guarantee")
        plan.child_guarantee = fields["child_guarantee"]
    return commit([record(card.board, "card_edited", card)])
