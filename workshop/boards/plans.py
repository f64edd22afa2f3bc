"""Action plans: the fields that make an action plan card something a city can commit to."""
import re
from datetime import date

from babel import Locale, numbers
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from ..errors import Forbidden, Refused
from ..models import PILLAR_PRINCIPLES, PLAN_STATUSES, TITLE_MAX, ActionPlan
from . import bp
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

# The investment pledged: a whole amount (no cents: a pledge, not a ledger) up to ten trillion, in a
# currency of the cities that come to the labs: the EU's, the EEA's and the candidate countries', and
# CHF, GBP and USD. Bulgaria pays in euro since 2026 (Babel's data knows it), so BGN is not among them.
INVESTMENT_AMOUNT_MAX = 10**13
INVESTMENT_PERIOD_MAX = 60
_LAB_CURRENCIES = {
    "EUR", "CZK", "DKK", "HUF", "PLN", "RON", "SEK",  # the EU
    "ISK", "NOK", "CHF",  # the EEA (Liechtenstein pays in francs)
    "ALL", "BAM", "GEL", "MDL", "MKD", "RSD", "TRY", "UAH",  # candidate countries (Montenegro and Kosovo: euro)
    "GBP", "USD",
}
# EUR first, then by code; only codes Babel knows, so every one has a name in every language.
INVESTMENT_CURRENCIES = ("EUR", *sorted(_LAB_CURRENCIES & set(numbers.list_currencies()) - {"EUR"}))
# An amount as people type it: digits, or digits grouped by threes with one separator throughout
# (4000000, "4 000 000", "4,000,000", "4.000.000", "4'000'000"). Groups of three tell a thousands
# separator from a decimal mark: "4,5" and "4.50" are decimals, refused.
_AMOUNT = re.compile(r"\d+|\d{1,3}(?P<sep>[ ,.'\u00a0\u202f\u2019])\d{3}(?:(?P=sep)\d{3})*")


def plan_json(plan):
    plan = plan or ActionPlan()
    return {
        **{name: getattr(plan, name) or "" for name in TEXT_FIELDS},
        "starts_on": plan.starts_on.isoformat() if plan.starts_on else None,
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
        "status": plan.status or "draft",
        "principles": plan.principle_numbers if plan.principles else [],
        "child_guarantee": bool(plan.child_guarantee),
        "investment_amount": plan.investment_amount,
        "investment_currency": plan.investment_currency or "",
        "investment_period": plan.investment_period or "",
    }


def currency_names():
    """{code: name} of the investment currencies, named in the page's language."""
    locale = get_locale()
    return {code: numbers.get_currency_name(code, locale=locale) for code in INVESTMENT_CURRENCIES}


@bp.app_template_filter()
def written_investment(plan):
    """A plan's investment (an ActionPlan, None, or a dict as `plan_json` makes it, frozen or live)
    in the page's or report's language: "€4,000,000 (2025-2030)", "4.000.000 € (2025-2030)"; ""
    when it pledges none."""
    if not isinstance(plan, dict):
        plan = plan_json(plan)
    amount = plan.get("investment_amount")
    if amount is None:
        return ""
    locale, currency = get_locale(), plan.get("investment_currency") or ""
    if currency:
        # The locale's currency pattern without its decimals: pledges are whole amounts.
        pattern = Locale.parse(locale).currency_formats["standard"]
        whole = numbers.parse_pattern(pattern.pattern)
        whole.frac_prec = (0, 0)
        written = numbers.format_currency(amount, currency, format=whole, locale=locale, currency_digits=False)
    else:
        written = format_decimal(amount)
    period = plan.get("investment_period")
    return f"{written} ({period})" if period else written


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
    _set_investment(plan, fields)
    return commit([record(card.board, "card_edited", card)])


def _set_investment(plan, fields):
    """The investment's fields given in `fields`, checked together before any is set: an amount
    needs a currency (given now or stored); a currency or a period without an amount is kept."""
    amount, currency, period = plan.investment_amount, plan.investment_currency or "", plan.investment_period or ""
    if "investment_amount" in fields:
        amount = _amount(fields["investment_amount"])
    if "investment_currency" in fields:
        currency = fields["investment_currency"]
        if not isinstance(currency, str):
            raise Refused("bad_field", _l("%(field)s has the wrong type.", field="investment_currency"), field="investment_currency")
        currency = currency.strip().upper()
        if currency and currency not in INVESTMENT_CURRENCIES:
            raise Refused("bad_currency", _l("Choose the investment's currency from the list."), field="investment_currency")
    if "investment_period" in fields:
        period = fields["investment_period"]
        if not isinstance(period, str):
            raise Refused("bad_field", _l("%(field)s has the wrong type.", field="investment_period"), field="investment_period")
        period = period.strip()
        if len(period) > INVESTMENT_PERIOD_MAX:
            raise Refused("too_long", _l("%(field)s must be %(max)d characters or fewer.", field="investment_period",
                                         max=INVESTMENT_PERIOD_MAX), field="investment_period")
    if amount is not None and not currency:
        raise Refused("currency_required", _l("Choose the currency of the investment."), field="investment_currency")
    plan.investment_amount, plan.investment_currency, plan.investment_period = amount, currency, period


def _amount(value):
    """A whole amount from a number or a text as typed (see `_AMOUNT`); None for empty."""
    if value is None or isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str) and _AMOUNT.fullmatch(value.strip()):
        digits = re.sub(r"\D", "", value).lstrip("0") or "0"
        # Past the maximum's length it is too large: int() would refuse past 4,300 digits anyway.
        value = int(digits) if len(digits) <= len(str(INVESTMENT_AMOUNT_MAX)) else INVESTMENT_AMOUNT_MAX + 1
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Refused("bad_amount", _l("The investment is a whole amount in digits, like 4000000 or 4,000,000: "
                                       "no decimals, no minus sign."), field="investment_amount")
    if value > INVESTMENT_AMOUNT_MAX:
        raise Refused("amount_too_large", _l("The investment can be at most %(max)s.", max=format_decimal(INVESTMENT_AMOUNT_MAX)),
                      field="investment_amount")
    return value
