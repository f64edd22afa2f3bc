"""Hostile HTTP requests: hypothesis fills every route the app answers (read from its URL map, so a
new route is fuzzed without touching this file) with what a client could type in its path, query
and form, as nobody, a participant, the facilitator and another workshop's participant. Nothing
answers 500 or logs a failure, and a refused request (4xx) changes nothing in the database. The
world and the hostile values are shared with the socket fuzz in `test_fuzz.py`."""
import logging
import re
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import WORDS, app, database, examples, fingerprint, fuzz_settings, numbers, world  # noqa: F401 (fixtures)
from workshop.extensions import db

pytestmark = pytest.mark.fuzz

# Form and query fields of every page, so the junk reaches past "field missing".
FORM_FIELDS = ["since", "code", "display_name", "city_team", "new_city_team", "new_city_country", "name", "email",
               "password", "confirm", "remember", "next", "title", "host_city", "starts_on", "ends_on", "description",
               "allow_new_city_teams", "use_lab_template", "country", "direction", "plans", "statement", "back",
               "signatory-0-name", "signatory-0-role", "signatory-0-organisation", "order-1", "csrf_token"]


def http_routes():
    """Every URL rule the app answers, with its methods (the app is built once to read them)."""
    from workshop import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SOCKETIO_ASYNC_MODE": "threading"})
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                  for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))


PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\((.*?)\))?:)?(\w+)>")


def paths(rule, ids, words):
    """URLs of `rule` with each placeholder filled by something a client could type there."""
    def filler(converter, options):
        if converter == "int":
            return numbers(ids).map(str) | st.text(max_size=12)
        if converter == "any":
            return st.sampled_from([option.strip(" '") for option in options.split(",")]) | st.text(max_size=12)
        return st.sampled_from(words) | st.text(max_size=70) | st.from_regex(r"[0-9a-f]{64}", fullmatch=True)

    parts = PLACEHOLDER.split(rule)  # literal, converter, options, name, literal, ...
    pieces = []
    for index in range(0, len(parts), 4):
        pieces.append(st.just(parts[index]))
        if index + 1 < len(parts):
            pieces.append(filler(parts[index + 1], parts[index + 2]).map(lambda value: quote(value, safe="")))
    return st.tuples(*pieces).map("".join)


@pytest.fixture
def visitors(app, world):
    """A test client per person: nobody, a participant, the facilitator, another workshop's participant."""
    people = {"nobody": None, "participant": world.ana, "facilitator": world.facilitator, "stranger": world.stranger}
    ids = {name: person.get_id() if person else None for name, person in people.items()}
    clients = {name: app.test_client() for name in people}

    def client_of(name):
        """That person's client, signed in again (the fuzz may have posted to /logout)."""
        client = clients[name]
        with client.session_transaction() as session:
            session.clear()
            if ids[name]:
                session["_user_id"], session["_fresh"] = ids[name], True
        return client

    return client_of


# On SQLite only: a NUL is refused before any view runs, and ids past PostgreSQL's INTEGER are
# pinned below on both databases; a fresh PostgreSQL database per route would double the cost.
@pytest.mark.parametrize("database", ["sqlite"])
@pytest.mark.parametrize("rule, method", http_routes())
def test_every_http_route_answers_hostile_requests_below_500_and_changes_nothing_when_refused(
        rule, method, world, visitors, monkeypatch, caplog):
    from workshop.reports import views as report_views

    # A valid report request would start a PDF render in a worker process; the answer is what matters.
    monkeypatch.setattr(report_views.jobs, "ensure_rendered", lambda *args: ("0" * 64, "rendering"))
    words = [world.workshop.join_code, world.elsewhere.join_code, "new-code", "close", "..", "\x00", "v1.pdf"]
    # URLs and forms are UTF-8, which has no lone surrogates: those only come through a socket.
    utf8_words = [word for word in WORDS + words if not re.search("[\ud800-\udfff]", word)]
    field = numbers(world.ids).map(str) | st.sampled_from(utf8_words) | st.text(max_size=30) | st.sampled_from(
        ["x" * 5001, "\x00", "é" * 121, "²", "٣", "-0", "9" * 30])
    fields = st.dictionaries(st.sampled_from(FORM_FIELDS) | st.text(max_size=8), field | st.lists(field, max_size=3), max_size=6)

    # The JSON API (what other programs call) gets as many cases as a socket event; pages 100.
    @settings(fuzz_settings, max_examples=examples(250 if rule.startswith("/api/") else 100))
    @given(who=st.sampled_from(["nobody", "participant", "facilitator", "stranger"]), path=paths(rule, world.ids, words),
           query=fields, form=fields, as_json=st.booleans())
    def fuzz(who, path, query, form, as_json):
        client = visitors(who)
        before = fingerprint()
        caplog.clear()
        body = {"json": form} if as_json else {"data": form}
        response = client.open(path, method=method, query_string=query, **({} if method == "GET" else body))
        response.close()
        db.session.remove()
        assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text
        if response.status_code >= 400:
            assert fingerprint() == before
        if path.startswith("/api/") and response.status_code >= 400 and response.status_code != 404:
            assert response.is_json and response.get_json()["ok"] is False

    with caplog.at_level(logging.ERROR):
        fuzz()


@pytest.mark.parametrize("path", ["/api/boards/9223372036854775808", "/api/boards/2147483648", "/boards/18446744073709551616/export.json",
                                  "/workshops/99999999999999999999999999/commitments/1/v1.json"])
def test_ids_in_paths_larger_than_a_browser_sends_are_not_found(world, visitors, path):
    """Such an id used to reach SQLite, which cannot compare it, and answer 500."""
    assert visitors("facilitator").get(path).status_code == 404


@pytest.mark.parametrize("since", ["²", "٣", "１", "-1", "1.0", " 1"])
def test_since_must_be_written_with_ascii_digits(world, visitors, since):
    """"²" passes str.isdigit but not int(): it used to answer 500."""
    response = visitors("participant").get(f"/api/boards/{world.collect.id}/events", query_string={"since": since})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_since"


@pytest.mark.parametrize("method, path, data", [
    ("POST", "/join/{code}", {"display_name": "Ana\x00", "new_city_team": "Glasgow"}),
    ("POST", "/join/{code}", {"display_name": "Ana", "new_city_team": "Q\x00"}),
    ("GET", "/shared/%00", None),
    ("GET", "/join/%00", None),
    ("GET", "/api/boards/{board}/events?since=1%00", None),
])
def test_a_request_with_a_nul_character_is_refused_and_changes_nothing(world, visitors, method, path, data):
    """PostgreSQL cannot store or compare a NUL: such a request used to answer 500 there."""
    path = path.format(code=world.workshop.join_code, board=world.collect.id)
    before = fingerprint()
    response = visitors("nobody" if path.startswith(("/join", "/shared")) else "participant").open(path, method=method, data=data)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert fingerprint() == before
