"""The languages the app speaks: which ones ship, and which one a city's country writes in.

Which language a page is in is decided here, in `choose`, and nowhere else; the switch every page
shows (views.py) is how a person says which one they want."""
from flask import Blueprint, current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("languages", __name__)

# The shipped languages, each named in itself (as a language switch lists them).
LANGUAGES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pl": "Polski",
    "sl": "Slovenščina",
}
DEFAULT_LANGUAGE = "en"

# A city team's report is written, unless it chooses otherwise, in its country's language: the
# country as people type it (in English or in its own language) -> a shipped language.
COUNTRY_LANGUAGES = {
    **dict.fromkeys(["france", "belgium", "belgique", "luxembourg", "monaco"], "fr"),
    **dict.fromkeys(["germany", "deutschland", "austria", "österreich", "liechtenstein"], "de"),
    **dict.fromkeys(["spain", "españa", "espana"], "es"),
    **dict.fromkeys(["italy", "italia", "san marino"], "it"),
    **dict.fromkeys(["poland", "polska"], "pl"),
    **dict.fromkeys(["slovenia", "slovenija"], "sl"),
    **dict.fromkeys(["ireland", "malta", "united kingdom", "uk"], "en"),
}


def language_of_country(country, otherwise=DEFAULT_LANGUAGE):
    """The shipped language a city in `country` writes in, else `otherwise`."""
    return COUNTRY_LANGUAGES.get((country or "").strip().lower(), otherwise)


# The cookie that remembers the language a person without an account chose with the switch.
COOKIE = "language"


def choose():
    """The language of this request's page (Flask-Babel's locale selector), the first of: the
    person's own choice (a facilitator's account setting, anyone else's cookie), the best of the
    browser's `Accept-Language`, the workshop's default language, English. Only languages in the
    `LANGUAGES` setting count (the shipped ones; tests add a pseudo-language)."""
    allowed = current_app.config["LANGUAGES"]
    if not has_request_context():
        return DEFAULT_LANGUAGE
    try:
        chosen = current_user.language if getattr(current_user, "is_facilitator", False) else request.cookies.get(COOKIE)
        default = None if chosen in allowed or request.accept_languages.best_match(allowed) else workshops_default_language()
    except SQLAlchemyError:
        # The database is away (the words of "try again in a few seconds" are being chosen): what
        # the request itself says, else English, rather than no answer at all.
        chosen, default = request.cookies.get(COOKIE), None
    if chosen in allowed:
        return chosen
    return request.accept_languages.best_match(allowed) or (default if default in allowed else DEFAULT_LANGUAGE)


def workshops_default_language():
    """The default language of the workshop this request is about: the one a loader of
    `workshop.access` loaded (it keeps the language in `g`, as the workshop may be deleted before the
    page renders), else a participant's own."""
    if "default_language" not in g and getattr(current_user, "is_authenticated", False) and not current_user.is_facilitator:
        g.default_language = current_user.workshop.default_language
    return g.get("default_language")


def text_direction():
    """The page's writing direction ("ltr" or "rtl"), for `<html dir>`: Babel knows it per locale."""
    locale = get_locale()
    return locale.text_direction if locale is not None else "ltr"


from . import views  # noqa: E402,F401  (registers the switch on `bp`)
