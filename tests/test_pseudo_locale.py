"""Every page the server renders, every error page and every error message, in the pseudo-language
(tests/pseudo.py): a word that is not between its brackets bypassed the catalogues, unless people
typed it (names, titles, card texts) or it is a date's. The browser's side (what JavaScript writes)
is tests/test_pseudo_locale_browser.py."""
import ast
import json

import pytest
import sqlalchemy as sa
from flask import abort

from workshop.extensions import db
from workshop.models import Facilitator

from . import pseudo
from .conftest import running_app
from .helpers import lab  # noqa: F401 (a fixture)
from .pseudo import pseudo_translations  # noqa: F401 (a fixture)


@pytest.fixture
def app(tmp_path, pseudo_translations):
    """The test app, which also speaks the pseudo-language."""
    with running_app(tmp_path, **pseudo.settings(pseudo_translations)) as app:
        yield app


@pytest.fixture(scope="session")
def dates():
    return pseudo.date_words()


def offenders(response, dates):
    """Each text of `response` (an HTML page or JSON) with words that bypassed the catalogues."""
    typed = pseudo.typed_by_people(db.session) | {"localhost"}  # the share page names the site's host
    if response.is_json:
        texts = [("json", text) for text in json_strings(response.get_json(), keys=("message",))]
    else:
        texts = []
        for where, text in pseudo.html_texts(response.text):
            if where.startswith("#"):
                texts += pseudo.json_messages(json.loads(text))
            else:
                texts.append((where, text))
    return [f"{where}: {text!r} -> {words}" for where, text in texts
            if (words := pseudo.unexplained(text, typed, dates))]


def json_strings(data, keys):
    if isinstance(data, dict):
        return [found for key, value in data.items()
                for found in ([value] if key in keys and isinstance(value, str) else json_strings(value, keys))]
    if isinstance(data, list):
        return [found for value in data for found in json_strings(value, keys)]
    return []


@pytest.fixture
def people(app, lab, client):
    """The lab's facilitator (whose account speaks the pseudo-language), its participant Mateja, and a
    client for each (and one for nobody), all speaking it."""
    from .conftest import Auth

    facilitator = lab.workshop.facilitators[0]
    facilitator.language = pseudo.CODE
    db.session.commit()
    clients = {}
    for who, user in (("nobody", None), ("participant", lab.mateja), ("facilitator", facilitator)):
        clients[who] = app.test_client()
        clients[who].set_cookie("language", pseudo.CODE)
        if user is not None:
            Auth(clients[who]).as_user(user)
    from workshop.commitments import services as commitments

    lab.share_token = commitments.share(facilitator, lab.ljubljana)
    return clients


def pages(lab):
    workshop, board = lab.workshop.id, lab.board.id
    return [
        ("nobody", "/"), ("nobody", "/login"), ("nobody", "/signup"), ("nobody", f"/join/{lab.workshop.join_code}"),
        ("nobody", "/privacy"), ("nobody", f"/shared/{lab.share_token}"),
        ("participant", f"/workshops/{workshop}"), ("participant", f"/boards/{board}"), ("participant", lab.url),
        ("participant", f"/workshops/{workshop}/anonymise-me"), ("participant", f"/api/boards/{board}"),
        ("facilitator", "/workshops/"), ("facilitator", "/workshops/new"), ("facilitator", f"/workshops/{workshop}"),
        ("facilitator", f"/workshops/{workshop}/settings"), ("facilitator", f"/workshops/{workshop}/share"),
        ("facilitator", f"/workshops/{workshop}/console"), ("facilitator", f"/boards/{board}"),
        ("facilitator", f"/boards/{board}/projector"), ("facilitator", f"/workshops/{workshop}/delete"),
        ("facilitator", lab.url),
        ("facilitator", f"/workshops/{workshop}/themes"),  # synthesis: themes
    ]


def test_every_page_speaks_only_the_catalogues(app, lab, people, dates):
    found = []
    for who, path in pages(lab):
        response = people[who].get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        assert f'lang="{pseudo.CODE}"' in response.text or response.is_json, (who, path)
        found += [f"{path} ({who}) {offender}" for offender in offenders(response, dates)]
    assert not found, "text that bypassed the catalogues:\n" + "\n".join(found)


def test_every_error_page_and_json_error_speaks_only_the_catalogues(app, lab, people, dates):
    app.config["RATELIMIT_LOGINS"] = "1 per minute"
    app.config["MAX_CONTENT_LENGTH"] = 1_000
    app.view_functions["privacy.about"] = lambda: 1 / 0  # a bug, for the 500 page
    app.testing = False  # so that Flask answers the bug with the 500 page instead of raising it
    nobody, participant = people["nobody"], people["participant"]
    errors = [
        ("404", nobody.get("/no/such/page"), 404),
        ("413", nobody.post("/", data={"code": "x" * 2_000}), 413),
        ("403", participant.get(f"/workshops/{lab.workshop.id}/console"), 403),
        ("405", nobody.delete("/login"), 405),
        ("400 form", nobody.post("/login", data={"email": "x@example.org", "password": "wrong"}), 400),
        ("400 empty form", nobody.post(f"/join/{lab.workshop.join_code}", data={"display_name": ""}), 400),
        ("400 new workshop", people["facilitator"].post("/workshops/new", data={"title": "", "starts_on": "tomorrow",
                                                                               "ends_on": "x"}), 400),
        ("429", nobody.post("/login", data={"email": "x@example.org", "password": "wrong"}), 429),
        ("400 NUL", nobody.get("/privacy?q=%00"), 400),
        ("500", nobody.get("/privacy"), 500),
        ("404 JSON", participant.get("/api/boards/999999"), 404),
        ("400 JSON", participant.get(f"/api/boards/{lab.board.id}/events?since=x"), 400),
        ("JSON signed out", nobody.get(f"/api/boards/{lab.board.id}"), None),
        ("signed out, sent to log in", nobody.get("/workshops/", follow_redirects=True), 200),
    ]
    app.view_functions["commitments.shared"] = app.view_functions["boards.api_snapshot"] = database_away
    errors += [
        ("503", nobody.get("/shared/x"), 503),
        ("503 JSON", participant.get(f"/api/boards/{lab.board.id}"), 503),
    ]
    found = []
    for name, response, status in errors:
        assert status is None or response.status_code == status, (name, response.status_code)
        found += [f"{name}: {offender}" for offender in offenders(response, dates)]
    assert not found, "text that bypassed the catalogues:\n" + "\n".join(found)


def database_away(**_):
    raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("the database is restarting"))


def test_refusals_over_sockets_speak_only_the_catalogues(app, lab, people, connect, dates):
    facilitator = db.session.get(Facilitator, lab.workshop.facilitators[0].id)
    socket = connect(facilitator)
    acks = [
        socket.emit("join_board", {"board_id": 999999}, callback=True),
        socket.emit("add_card", {"board_id": lab.board.id, "lane": "problem", "text": ""}, callback=True),
        socket.emit("vote", {"card_id": "x"}, callback=True),
        socket.emit("remove_participant", {"participant_id": 999999}, callback=True),
    ]
    found = []
    for ack in acks:
        assert ack["ok"] is False, ack
        found += [f"{ack['error']['code']}: {ack['error']['message']!r} -> {words}"
                  for words in [pseudo.unexplained(ack["error"]["message"], (), dates)] if words]
    assert not found, "socket errors that bypassed the catalogues:\n" + "\n".join(found)


# The calls whose text reaches people: a refusal's message (its second argument) and a flash.
TELLS_PEOPLE = {"Refused": 1, "Forbidden": 1, "NotFound": 1, "_refusal": 1, "flash": 0}


def bare_strings(source):
    """(line, text) for each refusal or flash in `source` (Python) whose message is a plain string
    (or an f-string) rather than a translated one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        position = TELLS_PEOPLE.get(getattr(node.func, "id", getattr(node.func, "attr", None)))
        if position is None:
            continue
        said = node.args[position:position + 1] + [keyword.value for keyword in node.keywords if keyword.arg == "message"]
        found += [(node.lineno, ast.unparse(text)) for text in said
                  if isinstance(text, ast.JoinedStr) or (isinstance(text, ast.Constant) and isinstance(text.value, str))]
    return found


def test_no_refusal_or_flash_says_a_bare_string():
    """Also the ones no test above reaches: each message a refusal or a flash gives people is a catalogue's."""
    found = [f"{path.relative_to(pseudo.ROOT)}:{line}: {text}" for path in sorted((pseudo.ROOT / "workshop").rglob("*.py"))
             for line, text in bare_strings(path.read_text())]
    assert not found, "messages for people that bypass the catalogues:\n" + "\n".join(found)
    assert bare_strings('raise NotFound("gone", "There is no such participant.")\nflash(f"Saved {x}")\nflash(_("Saved"))') == [
        (1, "'There is no such participant.'"), (2, "f'Saved {x}'")]


def test_the_pseudo_language_keeps_placeholders_tags_and_entities():
    assert pseudo.pseudo("Save") == "⟦Šávë⟧"
    assert pseudo.pseudo('Hello %(name)s, <a href="/privacy">read</a> {n} &amp; %(num)d %%') == \
        '⟦Hëllö %(name)s, <a href="/privacy">rëád</a> {n} &amp; %(num)d %%⟧'
    assert pseudo.unexplained("⟦Šávë ⟦Ëdít⟧⟧ Ana 12:30 · Desemba", ["Ana"], pseudo.date_words()) == []
    assert pseudo.unexplained("⟦Šávë⟧ Save", [], ()) == ["save"]


def test_the_pseudo_catalogue_passes_babels_checks(tmp_path):
    """Every placeholder of every message survives (Babel's python-format checker), every plural form is filled."""
    catalogue = pseudo.build(tmp_path)
    assert len(catalogue) > 600
    assert sum("python-format" in message.flags for message in catalogue) > 50
    assert [(message.id, errors) for message, errors in catalogue.check()] == []
    assert [message.id for message in catalogue if message.pluralizable and not all(message.string)] == []
