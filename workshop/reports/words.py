"""Words for the reports' readers: dates written out, ranks as ordinals ("2nd"), phases in plain
words. Registered as template filters for the report templates."""
from datetime import date, datetime

from babel import dates
from flask_babel import get_locale
from flask_babel import gettext as _

from . import bp


def as_date(value):
    """A date from a date, a datetime or an ISO 8601 text (frozen content stores text)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value[:10])


@bp.app_template_filter()
def written_date(value):
    """'30 November 2026'."""
    return dates.format_date(as_date(value), "d MMMM y", locale=get_locale())


@bp.app_template_filter()
def written_dates(starts_on, ends_on=None):
    """A span of days written out: '5–7 November 2025', '28 November – 2 December 2025'."""
    start, end = as_date(starts_on), as_date(ends_on)
    if end is None or end == start:
        return written_date(start)
    locale = get_locale()
    if (start.year, start.month) == (end.year, end.month):
        return f"{dates.format_date(start, 'd', locale=locale)}–{written_date(end)}"
    first = dates.format_date(start, "d MMMM" if start.year == end.year else "d MMMM y", locale=locale)
    return f"{first} – {written_date(end)}"


@bp.app_template_filter()
def ordinal(number):
    """'1st', '2nd', '3rd', '11th', '22nd', by the locale's ordinal rules."""
    form = get_locale().ordinal_form(number)
    patterns = {"one": _("%(n)dst", n=number), "two": _("%(n)dnd", n=number), "few": _("%(n)drd", n=number)}
    return patterns.get(form, _("%(n)dth", n=number))


@bp.app_template_filter()
def phase_in_words(phase):
    """Where a board stands, as an organiser says it."""
    return {
        "collect": _("Collecting cards"), "vote": _("Voting under way"),
        "results": _("Results shown to the room"), "closed": _("Closed"),
    }.get(phase, phase)
