"""Which language a page is in (workshop.languages.choose), the switch that changes it, `<html lang
dir>` on every kind of page, a workshop's default language, and socket acks in the person's language.

The tests translate with a small catalogue of their own (`catalogues`), so that they check the
machinery whatever the shipped catalogues hold; test_languages_browser.py checks those."""
import re
from contextlib import contextmanager

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import force_locale, gettext
from markupsafe import escape

from tests.conftest import Auth
from tests.forms_as_shown import form_with
from tests.helpers import csrf_app  # noqa: F401  (the app with CSRF protection on, as in production)
from workshop.extensions import babel, db, socketio
from workshop.languages import COOKIE, LANGUAGES
from workshop.models import Facilitator, Workshop

# A few messages in French, German, Polish and Slovenian (Polish and Slovenian for their plurals).
TRANSLATED = {
    "fr": {"Language": "Langue", "The message must be an object.": "Le message doit être un objet.",
           ("{n} dot", "{n} dots"): ["{n} gommette", "{n} de gommettes", "{n} gommettes"]},
    "de": {"Language": "Sprache", "The message must be an object.": "Die Nachricht muss ein Objekt sein."},
    "pl": {"Language": "Język", ("{n} dot", "{n} dots"): ["{n} kropka", "{n} kropki", "{n} kropek"]},
    "sl": {"Language": "Jezik", ("{n} dot", "{n} dots"): ["{n} pika", "{n} piki", "{n} pike", "{n} pik"]},
}


@pytest.fixture
def catalogues(app, tmp_path):
    """The app translates with TRANSLATED. Flask-Babel caches catalogues per language for every app
    in the process (on the shared `babel`): emptied before and after, so no other test sees these."""
    for language, messages in TRANSLATED.items():
        catalog = Catalog(locale=language)
        for source, translation in messages.items():
            catalog.add(source, translation)
        folder = tmp_path / "translations" / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with open(folder / "messages.mo", "wb") as mo:
            write_mo(mo, catalog)
    app.extensions["babel"].translation_directories = [str(tmp_path / "translations")]
    babel.domain_instance.cache.clear()
    yield
    babel.domain_instance.cache.clear()


@contextmanager
def own_context(app):
    """Each request and socket event has an app context of its own in production; the tests keep one
    open, and Flask-Babel keeps the language it chose on `g`: a fresh context per step, as in production."""
    with app.app_context():
        yield


def page(app, client, url, **headers):
    with own_context(app):
        return client.get(url, headers=headers)


def language_of(response):
    """The `lang` and `dir` of the page's `<html>`."""
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', response.text)
    assert found, response.text[:300]
    return found.groups()


def language_cookie(response):
    """The language cookie the response sets, if it sets one."""
    return next((cookie for cookie in response.headers.getlist("Set-Cookie") if cookie.startswith(f"{COOKIE}=")), None)


def switch(app, client, language, next="/"):
    with own_context(app):
        return client.post("/language", data={"language": language, "next": next})


# Choosing: each rung of the ladder ------------------------------------------------------------

def test_without_any_wish_a_page_is_in_english(app, client):
    assert language_of(page(app, client, "/")) == ("en", "ltr")


def test_the_browsers_accept_language_picks_the_best_shipped_language(app, client):
    assert language_of(page(app, client, "/", **{"Accept-Language": "ja, sl;q=0.9, de;q=0.8"}))[0] == "sl"
    assert language_of(page(app, client, "/", **{"Accept-Language": "pl-PL"}))[0] == "pl"


def test_a_participants_cookie_comes_before_the_browser(app, client, make_workshop, make_participant, auth):
    workshop = make_workshop()
    auth.as_user(make_participant(workshop))
    client.set_cookie(COOKIE, "it")
    assert language_of(page(app, client, f"/workshops/{workshop.id}", **{"Accept-Language": "fr"}))[0] == "it"


def test_a_cookie_naming_no_shipped_language_is_ignored(app, client):
    client.set_cookie(COOKIE, "xx")
    assert language_of(page(app, client, "/", **{"Accept-Language": "de"}))[0] == "de"


def test_a_facilitators_account_comes_before_cookie_and_browser(app, client, make_facilitator, auth):
    facilitator = make_facilitator()
    facilitator.language = "es"
    db.session.commit()
    auth.as_user(facilitator)
    client.set_cookie(COOKIE, "it")
    assert language_of(page(app, client, "/workshops/", **{"Accept-Language": "fr"}))[0] == "es"


def test_the_workshops_default_language_serves_a_browser_that_asks_for_none_of_ours(app, client, make_workshop, make_participant, auth):
    workshop = make_workshop(default_language="sl")
    assert language_of(page(app, client, f"/join/{workshop.join_code}", **{"Accept-Language": "ja"}))[0] == "sl"
    assert language_of(page(app, client, f"/join/{workshop.join_code}", **{"Accept-Language": "fr"}))[0] == "fr"
    auth.as_user(make_participant(workshop))
    assert language_of(page(app, client, f"/workshops/{workshop.id}", **{"Accept-Language": "ja"}))[0] == "sl"
    assert language_of(page(app, client, "/", **{"Accept-Language": "ja"}))[0] == "sl"  # their own workshop's


# The switch ------------------------------------------------------------------------------------

def test_the_switch_is_on_the_page_lists_each_language_in_itself_and_comes_back_here(app, client):
    html = page(app, client, "/login?next=/workshops/").text
    action, shown = form_with(html, "language")
    assert action == "/language" and shown["language"] == "en" and shown["next"] == "/login?next=/workshops/"
    assert '<label for="language-switch">Language</label>' in html and ">Change</button>" in html
    for code, name in LANGUAGES.items():
        assert f'<option value="{code}" lang="{code}"' in html and f">{name}</option>" in html


def test_a_participant_switches_with_a_cookie_that_sticks(app, client, make_workshop, make_participant, auth, catalogues):
    workshop = make_workshop()
    auth.as_user(make_participant(workshop))
    response = switch(app, client, "fr", next=f"/workshops/{workshop.id}?tab=2")
    assert response.status_code == 302 and response.headers["Location"] == f"/workshops/{workshop.id}?tab=2"
    cookie = language_cookie(response)
    assert cookie.startswith(f"{COOKIE}=fr;") and "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie
    home = page(app, client, f"/workshops/{workshop.id}", **{"Accept-Language": "de"})
    assert language_of(home)[0] == "fr" and '<label for="language-switch">Langue</label>' in home.text
    assert '<option value="fr" lang="fr" selected>' in home.text


def test_a_facilitator_switches_their_account_and_it_follows_them_to_another_browser(app, client, make_facilitator, auth):
    facilitator = make_facilitator()
    auth.login(facilitator)
    response = switch(app, client, "de", next="/workshops/")
    assert response.status_code == 302 and response.headers["Location"] == "/workshops/"
    assert language_cookie(response) is None
    db.session.expire_all()
    assert db.session.get(Facilitator, facilitator.id).language == "de"
    elsewhere = app.test_client()
    with own_context(app):
        elsewhere.post("/login", data={"email": facilitator.email, "password": "correct horse battery"})
    assert language_of(page(app, elsewhere, "/workshops/", **{"Accept-Language": "fr"}))[0] == "de"


def test_an_unknown_language_is_refused_and_nothing_changes(app, client, make_facilitator, auth):
    facilitator = make_facilitator()
    auth.as_user(facilitator)
    for language in ["xx", "", "EN", "en;", "x" * 300]:
        response = switch(app, client, language)
        assert response.status_code == 400
        assert "That language is not one this site speaks." in response.text
        assert language_cookie(response) is None
    db.session.expire_all()
    assert db.session.get(Facilitator, facilitator.id).language is None
    anonymous = app.test_client()
    response = switch(app, anonymous, "qq")
    assert response.status_code == 400 and language_cookie(response) is None


@pytest.mark.parametrize("next", ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example",
                                  "javascript:alert(1)", "evil.example", ""])
def test_a_next_on_another_site_goes_home(app, client, next):
    response = switch(app, client, "it", next=next)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert language_cookie(response).startswith(f"{COOKIE}=it;")


def test_the_switch_needs_the_pages_csrf_token(csrf_app, make_facilitator):
    client = csrf_app.test_client()
    Auth(client).as_user(facilitator := make_facilitator())
    response = switch(csrf_app, client, "fr")
    assert response.status_code == 400 and language_cookie(response) is None
    db.session.expire_all()
    assert db.session.get(Facilitator, facilitator.id).language is None


# <html lang dir> on every kind of page ---------------------------------------------------------

def test_every_kind_of_page_says_its_language_and_direction(app, client, make_workshop, make_participant, auth, monkeypatch):
    from workshop.reports import jobs

    workshop = make_workshop()
    board = workshop.policy_areas[0].board
    participant = make_participant(workshop)
    asked = {"Accept-Language": "pl"}
    anonymous = ["/", "/login", "/signup", f"/join/{workshop.join_code}", "/privacy", "/no-such-page"]
    for url in anonymous:
        assert language_of(page(app, client, url, **asked)) == ("pl", "ltr"), url
    auth.as_user(participant)
    for url in [f"/workshops/{workshop.id}", f"/boards/{board.id}", f"/workshops/{workshop.id}/settings"]:  # the last: 403
        assert language_of(page(app, client, url, **asked)) == ("pl", "ltr"), url
    auth.as_user(workshop.facilitators[0])
    monkeypatch.setattr(jobs, "ensure_rendered", lambda *args, **kwargs: ("a" * 64, "rendering"))
    for url in [f"/workshops/{workshop.id}/settings", f"/workshops/{workshop.id}/console", f"/boards/{board.id}/projector",
                f"/workshops/{workshop.id}/share", f"/workshops/{workshop.id}/summary.pdf"]:  # the last: the preparing page
        response = page(app, client, url, **asked)
        assert language_of(response) == ("pl", "ltr"), url
        assert 'name="language"' in response.text, url  # the switch, the projector's too


def test_the_page_for_a_database_away_says_its_language_too(app, client, monkeypatch):
    import sqlalchemy as sa
    from workshop.auth import views

    def away(*args, **kwargs):
        raise sa.exc.TimeoutError("pool exhausted")

    monkeypatch.setattr(views, "render_template", away)
    response = page(app, client, "/login", **{"Accept-Language": "de"})
    assert response.status_code == 503 and language_of(response) == ("de", "ltr")


# The workshop's default language ---------------------------------------------------------------

def test_the_default_language_is_on_the_details_form_as_stored_and_saving_as_shown_changes_nothing(app, client, make_workshop, auth):
    workshop = make_workshop(default_language="pl")
    auth.as_user(workshop.facilitators[0])
    html = page(app, client, f"/workshops/{workshop.id}/settings").text
    action, shown = form_with(html, "default_language")
    assert shown["default_language"] == "pl" and '<option lang="sl" value="sl">Slovenščina</option>' in html
    with own_context(app):
        assert client.post(action, data=shown).status_code == 302
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).default_language == "pl"
    with own_context(app):
        assert client.post(action, data={**shown, "default_language": "de"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).default_language == "de"


def test_an_unknown_default_language_is_refused_and_nothing_changes(app, client, make_workshop, auth):
    workshop = make_workshop(default_language="it")
    auth.as_user(workshop.facilitators[0])
    action, shown = form_with(page(app, client, f"/workshops/{workshop.id}/settings").text, "default_language")
    with own_context(app):
        response = client.post(action, data={**shown, "default_language": "xx", "title": "Changed too"})
    with app.test_request_context(), force_locale("it"):  # the workshop's language: the browser asks for none
        refusal = str(escape(gettext("Pick one of the languages in the list.")))
    assert response.status_code == 400 and refusal in response.text and 'lang="it"' in response.text
    db.session.expire_all()
    stored = db.session.get(Workshop, workshop.id)
    assert (stored.default_language, stored.title) == ("it", workshop.title)


def test_a_new_workshop_takes_its_default_language_from_the_form(app, client, make_facilitator, auth):
    auth.as_user(make_facilitator())
    with own_context(app):
        response = client.post("/workshops/new", data={"title": "Laboratorij", "host_city": "Ljubljana", "starts_on": "2026-05-04",
                                                       "default_language": "sl"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Workshop.default_language).where(Workshop.title == "Laboratorij")) == "sl"


# Sockets: acks in the person's language ---------------------------------------------------------

def socket_as(app, user, headers=None, cookie=None):
    """A Socket.IO test client signed in as `user`, its connect request with `headers` and `cookie`."""
    from tests.live import csrf_token_for

    http = app.test_client()
    if cookie:
        http.set_cookie(COOKIE, cookie)
    with http.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        token = csrf_token_for(app, session)
    with own_context(app):
        return socketio.test_client(app, flask_test_client=http, auth={"csrf_token": token}, headers=headers or {})


def refusal(app, socket):
    with own_context(app):
        ack = socket.emit("join_board", "not an object", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "bad_payload", ack
    return ack["error"]["message"]


def test_socket_acks_speak_the_language_of_the_connecting_request(app, make_workshop, make_participant, catalogues):
    workshop = make_workshop()
    ana, ben, cleo = (make_participant(workshop, name) for name in ["Ana", "Ben", "Cleo"])
    sockets = [socket_as(app, ana, {"Accept-Language": "fr"}), socket_as(app, ben, {"Accept-Language": "fr"}, cookie="de"),
               socket_as(app, cleo, {"Accept-Language": "ja"})]
    try:
        assert [refusal(app, socket) for socket in sockets] == [
            "Le message doit être un objet.", "Die Nachricht muss ein Objekt sein.", "The message must be an object."]
    finally:
        for socket in sockets:
            socket.disconnect()


def test_socket_acks_speak_a_facilitators_account_language(app, make_workshop, catalogues):
    facilitator = make_workshop().facilitators[0]
    facilitator.language = "de"
    db.session.commit()
    socket = socket_as(app, facilitator, {"Accept-Language": "fr"})
    try:
        assert refusal(app, socket) == "Die Nachricht muss ein Objekt sein."
    finally:
        socket.disconnect()


# Plurals for the browser -----------------------------------------------------------------------

@pytest.mark.parametrize("language, expected", [
    ("en", {"dots.count": "{n} dots", "dots.count.one": "{n} dot", "dots.count.other": "{n} dots"}),
    ("fr", {"dots.count": "{n} gommettes", "dots.count.one": "{n} gommette", "dots.count.other": "{n} gommettes",
            "dots.count.many": "{n} de gommettes"}),
    ("pl", {"dots.count": "{n} kropek", "dots.count.one": "{n} kropka", "dots.count.few": "{n} kropki", "dots.count.many": "{n} kropek"}),
    ("sl", {"dots.count": "{n} pik", "dots.count.one": "{n} pika", "dots.count.two": "{n} piki", "dots.count.few": "{n} pike",
            "dots.count.other": "{n} pik"}),
])
def test_a_counted_message_comes_in_each_plural_form_of_the_language(app, catalogues, language, expected):
    from workshop.boards.messages import board_messages

    with own_context(app), app.test_request_context(), force_locale(language):
        messages = board_messages()
    assert {key: text for key, text in messages.items() if key == "dots.count" or key.startswith("dots.count.")} == expected


def test_english_counts_read_as_before(app):
    from workshop.boards.messages import console_messages

    with own_context(app), app.test_request_context():
        messages = console_messages()
    assert [messages[key] for key in ["dots.count.one", "console.cities.one", "console.cards.one", "console.matches.one",
                                      "console.matches", "presence", "console.online"]] == [
        "{n} dot", "{n} city", "{n} card", "{n} card matches.", "{n} cards match.", "{n} here now", "{n} online"]
    assert "ago.now" not in messages  # the browser's Intl.RelativeTimeFormat says "now" in every language
