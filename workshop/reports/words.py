"""Words for the reports' readers, in the report's language: dates written out, ranks as ordinals
("2nd"), phases in plain words, page numbers. Registered as template filters (and a global) for the
report templates."""
import re
from datetime import date, datetime

from babel import dates, numbers
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..followup.services import STATUS_NAMES
from . import bp


def as_date(value):
    """A date from a date, a datetime or an ISO 8601 text (frozen content stores text)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value[:10])


def _english(locale):
    return locale.language == "en"


@bp.app_template_filter()
def written_date(value):
    """'30 November 2026' (British English, day first), else as the locale writes a long date
    ('30. November 2026', '30 de noviembre de 2026', '30 listopada 2026')."""
    locale = get_locale()
    return dates.format_date(as_date(value), "d MMMM y" if _english(locale) else "long", locale=locale)


@bp.app_template_filter()
def written_dates(starts_on, ends_on=None):
    """A span of days written out: '5–7 November 2025', '28 November – 2 December 2025'; in other
    languages as the locale writes an interval, months spelt out ('5.–7. November 2025',
    '5–7 listopada 2025', '28. november – 2. december 2025')."""
    start, end = as_date(starts_on), as_date(ends_on)
    if end is None or end == start:
        return written_date(start)
    locale = get_locale()
    if not _english(locale):
        first, last = _interval_patterns(locale, "y" if start.year != end.year else "M" if start.month != end.month else "d")
        return dates.format_date(start, first, locale=locale) + dates.format_date(end, last, locale=locale)
    if (start.year, start.month) == (end.year, end.month):
        return f"{dates.format_date(start, 'd', locale=locale)}–{written_date(end)}"
    first = dates.format_date(start, "d MMMM" if start.year == end.year else "d MMMM y", locale=locale)
    return f"{first} – {written_date(end)}"


def _interval_patterns(locale, greatest_difference):
    """The locale's two patterns for a span of days that differ in `greatest_difference` (y, M or
    d), with the month spelt out. Most locales' data has the span only with abbreviated months
    ('5.–7. Nov. 2025'); ICU widens the fields to the skeleton asked for, and Babel does not, so
    this does it: MMM becomes MMMM and a padded day (dd) a plain one."""
    spelt_out = locale.interval_formats.get("yMMMMd")
    patterns = (spelt_out or locale.interval_formats["yMMMd"])[greatest_difference]
    if not spelt_out:
        patterns = [re.sub(r"(?<!M)MMM(?!M)", "MMMM", re.sub(r"(?<!d)dd(?!d)", "d", pattern)) for pattern in patterns]
    return patterns


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


@bp.app_template_global()
def page_numbers_css():
    """The CSS `content` of a report page's footer, 'Page 2 of 5' in the report's language (the
    translated words as CSS strings around the two counters), safe inside a <style> element."""
    marker = "\x00"
    words = _("Page %(page)s of %(pages)s", page=f"{marker}page{marker}", pages=f"{marker}pages{marker}")
    parts = []
    for n, part in enumerate(words.split(marker)):
        if n % 2:
            parts.append(f"counter({'pages' if part == 'pages' else 'page'})")
        elif part:
            parts.append(_css_string(part))
    return Markup(" ".join(parts))


def _css_string(text):
    """`text` as a CSS string: quotes, backslashes and line ends escaped, and '<' too, so that no
    translation can close the <style> element it is written in."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r' else c for c in text)
    return f'"{escaped}"'


@bp.app_template_filter()
def progress_in_words(status):
    """A plan's status after the lab, as a report says it."""
    return str(STATUS_NAMES.get(status, status))


@bp.app_template_filter()
def percent_done(percent):
    """A whole percentage as the locale writes it: '40%', '40 %' (French), '40 %' (German)."""
    return numbers.format_percent(percent / 100, locale=get_locale())
