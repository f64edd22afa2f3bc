"""Every page and every state a person meets (tests/page_states.py, and a few more), in the
pseudo-language (tests/pseudo.py), as the browser shows it after the page's JavaScript has run: any
word a person meets that is not between the brackets bypassed the catalogues, unless people typed it
(names, titles, card texts), it names a language in itself (the language switch), or the browser's
or Babel's date and time formats wrote it in the pseudo-language."""
import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import FrameLocator, Locator, Page, expect

from workshop.languages import COOKIE, LANGUAGES
from workshop.models import Facilitator

from . import pseudo
from .live import LiveServer, wait_until
from .page_states import PAGES, Room, on_board, open_as
from .pseudo import pseudo_translations  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

# What a person meets in the page: its rendered text, its title, and the names and hints that are
# read out or shown on hover, in empty fields and in closed drop-downs.
VISIBLE_TEXT = """() => {
  const found = [["text", document.body.innerText], ["<title>", document.title]];
  const named = ["placeholder", "aria-label", "title", "alt", "aria-description", "aria-roledescription", "aria-valuetext"];
  for (const element of document.querySelectorAll("*")) {
    for (const name of named) {
      const value = element.getAttribute(name);
      if (value && value.trim()) found.push([`<${element.localName} ${name}>`, value]);
    }
    if (element.localName === "input" && ["submit", "button", "reset"].includes(element.type) && element.value)
      found.push(["<input value>", element.value]);
    if (element.localName === "option") found.push(["<option>", element.textContent]);
  }
  for (const data of document.querySelectorAll('script[type="application/json"]'))
    found.push([`#${data.id}`, data.textContent]);
  return found;
}"""

# The words the browser's Intl writes dates, times, relative times and lists with in `lang`.
INTL_WORDS = """(lang) => {
  const out = [];
  for (let month = 0; month < 12; month++)
    for (const width of ["long", "short"]) out.push(new Intl.DateTimeFormat(lang, {month: width}).format(new Date(2025, month, 15)));
  for (let day = 0; day < 7; day++) {
    const date = new Date(2025, 0, 5 + day, 13, 30);
    for (const width of ["long", "short"]) out.push(new Intl.DateTimeFormat(lang, {weekday: width}).format(date));
    for (const dateStyle of ["full", "long", "medium", "short"])
      out.push(new Intl.DateTimeFormat(lang, {dateStyle, timeStyle: "short"}).format(date));
    out.push(new Intl.DateTimeFormat(lang, {hour: "numeric", minute: "numeric", hour12: true}).format(date));
  }
  for (const numeric of ["always", "auto"]) for (const style of ["long", "short", "narrow"])
    for (const unit of ["second", "minute", "hour", "day", "week", "month", "quarter", "year"])
      for (const n of [-2, -1, 0, 1, 2]) out.push(new Intl.RelativeTimeFormat(lang, {numeric, style}).format(n, unit));
  for (const type of ["conjunction", "disjunction"]) out.push(new Intl.ListFormat(lang, {type}).format(["1", "2", "3"]));
  return out.join(" ");
}"""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, pseudo_translations):  # noqa: F811 (this module's server speaks the pseudo-language)
    added = pseudo.settings(pseudo_translations)
    server = LiveServer(f"sqlite:///{tmp_path_factory.mktemp('pseudo-live') / 'live.sqlite'}", extra_env={
        "LANGUAGES": " ".join(added["LANGUAGES"]), "BABEL_TRANSLATION_DIRECTORIES": added["BABEL_TRANSLATION_DIRECTORIES"]})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def database(live_server):
    engine = sa.create_engine(live_server.env["DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def room(live_server, database):
    """page_states' workshop, its facilitators' accounts set to the pseudo-language."""
    room = Room(live_server)
    with database.begin() as connection:
        connection.execute(sa.update(Facilitator).values(language=pseudo.CODE))
    return room


def either(text, exact):
    """A pattern for an element's name given in English: the English (what people typed, which a
    catalogue string may equal) or its pseudo-translation (whole when `exact`, else accented inside)."""
    if exact:
        return re.compile(f"^(?:{re.escape(text)}|{re.escape(pseudo.pseudo(text))})$")
    return re.compile(f"{re.escape(text)}|{re.escape(pseudo.pseudo(text)[1:-1])}", re.IGNORECASE)


@pytest.fixture
def english_names(monkeypatch):
    """Let page_states' steps find elements by their English names (get_by_role("button",
    name="Edit") finds "⟦Ëdít⟧"), so one list of steps serves every language test."""
    for kind in (Page, Locator, FrameLocator):
        for method in ("get_by_label", "get_by_text", "get_by_placeholder", "get_by_title", "get_by_alt_text"):
            def by_text(self, text, exact=None, _original=getattr(kind, method)):
                return _original(self, either(text, exact) if isinstance(text, str) else text, exact=None if isinstance(text, str) else exact)
            monkeypatch.setattr(kind, method, by_text)

        def by_role(self, role, _original=kind.get_by_role, name=None, exact=None, **options):
            return _original(self, role, name=either(name, exact) if isinstance(name, str) else name,
                             exact=None if isinstance(name, str) else exact, **options)
        monkeypatch.setattr(kind, "get_by_role", by_role)


@pytest.fixture
def speaking(new_page, live_server):
    """`new_page`, for someone whose language cookie picks the pseudo-language (a participant's or
    a visitor's choice; facilitators have theirs in their account)."""
    def open_page():
        page = new_page()
        page.context.add_cookies([{"name": COOKIE, "value": pseudo.CODE, "url": live_server.url}])
        return page
    return open_page


def with_timer_and_spotlight(page, room):
    """The projector of the voting board with a timer running and a card in the spotlight."""
    fran = room.fran.socket()
    try:
        assert fran.call("start_timer", {"board_id": room.boards[1], "seconds": 600})["ok"]
        snapshot = room.fran.http.get(f"{room.fran.base}/api/boards/{room.boards[1]}").json()
        card = next(card for card in snapshot["cards"] if card["lane"] == "idea")
        assert fran.call("spotlight", {"board_id": room.boards[1], "card_id": card["id"]})["ok"]
    finally:
        fran.close()
    page.reload()


def nothing(page, room):
    pass


# States the shared list does not hold (yet): error pages, the preparing page, a running timer and
# the spotlight. They come last: the timer and the spotlight stay on their board.
MORE = [
    ("page not found", None, lambda room: "/no/such/page", nothing),
    ("no access (participant on the console)", "ana", lambda room: f"/workshops/{room.workshop_id}/console", nothing),
    ("report being prepared", "fran", lambda room: f"/workshops/{room.workshop_id}/summary.pdf", nothing),
    ("projector with a timer and the spotlight", "fran", lambda room: f"/boards/{room.boards[1]}/projector",
     with_timer_and_spotlight),
    ("board with a timer and the spotlight", "ana", lambda room: f"/boards/{room.boards[1]}",
     lambda page, room: on_board(page)),
]


def what_people_meet(page):
    """(where, text) for each text of `page`, once two reads a moment apart agree (the page's
    JavaScript renders after the socket connects)."""
    texts = None
    for _ in range(40):
        page.wait_for_timeout(150)
        again = page.evaluate(VISIBLE_TEXT)
        if again == texts:
            break
        texts = again
    found = []
    for where, text in texts:
        if where.startswith("#"):
            found += pseudo.json_messages(json.loads(text))
        elif where == "text":
            found += [(where, line) for line in pseudo.lines(text)]
        else:
            found.append((where, text))
    return found


@pytest.fixture(scope="module")
def allowed(room, database):
    """What may appear outside the brackets: what people typed, and each language's own name."""
    with database.connect() as connection:
        return pseudo.typed_by_people(connection) | set(LANGUAGES.values())


@pytest.mark.parametrize("who, path, prepare", [pytest.param(*state[1:], id=state[0]) for state in PAGES + MORE])
def test_every_page_and_state_speaks_only_the_catalogues(speaking, english_names, room, allowed, who, path, prepare):
    page = open_as(speaking, getattr(room, who) if who else None, path(room))
    prepare(page, room)
    wait_until(page, "() => document.readyState === 'complete'")
    assert page.evaluate("document.documentElement.lang") == pseudo.CODE
    dates = pseudo.date_words() | set(pseudo.words(page.evaluate(INTL_WORDS, pseudo.CODE).lower()))
    offenders = [f"{where}: {text!r} -> {words}" for where, text in what_people_meet(page)
                 if (words := pseudo.unexplained(text, allowed, dates))]
    assert not offenders, f"text on {path(room)} that bypassed the catalogues:\n" + "\n".join(offenders)
    assert page.errors == []


def test_the_check_catches_a_string_that_bypasses_the_catalogues(speaking, room, allowed):
    page = open_as(speaking, room.ana, f"/workshops/{room.workshop_id}")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<button aria-label=\"Close now\">x</button><p>Hard-coded words</p>')")
    found = {word for _, text in what_people_meet(page) for word in pseudo.unexplained(text, allowed, pseudo.date_words())}
    assert {"close", "now", "hard", "coded", "words"} <= found


@pytest.mark.parametrize("who, path", [
    pytest.param("ana", lambda room: f"/boards/{room.boards[0]}", id="board"),
    pytest.param("fran", lambda room: f"/workshops/{room.workshop_id}/console", id="console"),
    pytest.param("fran", lambda room: f"/boards/{room.boards[0]}/projector", id="projector"),
])
def test_the_strings_javascript_shows_come_translated_in_the_pages_data(speaking, room, who, path):
    """What the board, the console and the projector write with JavaScript comes from the message
    table in the page's data, which the server fills through gettext: every entry is in the pseudo-language."""
    page = open_as(speaking, getattr(room, who), path(room))
    messages = [(where, text) for where, text in what_people_meet(page) if where.startswith("messages.")]
    assert len(messages) > 10, messages
    assert [(where, text) for where, text in messages if not (text.startswith(pseudo.OPEN) and text.endswith(pseudo.CLOSE))] == []
