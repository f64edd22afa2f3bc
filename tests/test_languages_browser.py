"""A participant whose browser prefers one of the shipped languages gets the board in it: `<html
lang>`, strings the server writes and strings the page's JavaScript writes (a relative time and a
plural among them), each equal to the catalogue's translation and not English; the language switch
changes it, and the change sticks. These pass once the catalogues are translated."""
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect

from tests.layout import layout_problems
from tests.live import Visitor, wait_until
from workshop import create_app
from workshop.boards.messages import board_messages

pytestmark = pytest.mark.browser

OTHERS = ["fr", "de", "es", "it", "pl", "sl"]


@pytest.fixture(scope="module")
def translator():
    """`words(language)`: the sample strings as the app's catalogues give them in `language`."""
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    def words(language):
        with app.test_request_context(), force_locale(language):
            messages = board_messages()
            return {
                "language": _("Language"), "change": _("Change"), "filters": _("Filter and sort"),
                "search": _("Search cards"), "phase": messages["phase.collect"],
                "presence": messages["presence.one"].replace("{n}", "1"),
            }

    return words


@pytest.fixture(scope="module")
def board(live_server):
    """A workshop from the lab template: (its join code, its first board's id)."""
    code, boards = Visitor(live_server.url).sign_up("Fran").create_workshop("Laboratorij")
    return code, boards[0]


def participant_in(browser, live_server, code, language, name):
    """A new participant of the workshop, their browser preferring `language`: (context, page)."""
    person = Visitor(live_server.url).join(code, name, "Lyon")
    context = browser.new_context(base_url=live_server.url, locale=language, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": live_server.url} for cookie in person.http.cookies])
    return context, context.new_page()


def html_lang(page):
    return page.evaluate("document.documentElement.lang")


def assert_board_in(page, words, english):
    """The board shows the sample `words` (server- and JavaScript-written), none of them English."""
    for key, text in words.items():
        assert text != english[key], f"{key!r} is not translated: {text!r}"
    expect(page.get_by_role("combobox", name=words["language"], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=words["change"], exact=True)).to_be_visible()
    expect(page.locator("#filters-toggle")).to_have_text(words["filters"])  # shown on phones only
    expect(page.get_by_label(words["search"], exact=True)).to_be_attached()
    expect(page.locator("#phase")).to_have_text(words["phase"])
    wait_until(page, "(text) => document.getElementById('presence').textContent.startsWith(text)", words["presence"])


@pytest.mark.parametrize("language", OTHERS)
def test_a_participant_gets_the_board_in_their_browsers_language_and_the_switch_changes_it(
        browser, live_server, board, translator, language):
    code, board_id = board
    poster = Visitor(live_server.url).join(code, f"Poster {language}", "Lyon").socket()
    try:
        poster.call("join_board", {"board_id": board_id})
        ack = poster.call("add_card", {"board_id": board_id, "lane": "problem", "text": f"Posted for {language}"})
        assert ack["ok"], ack
    finally:
        poster.close()
    context, page = participant_in(browser, live_server, code, language, f"Reader {language}")
    try:
        english, words = translator("en"), translator(language)
        page.goto(f"/boards/{board_id}")
        assert html_lang(page) == language and page.evaluate("document.documentElement.dir") == "ltr"
        assert_board_in(page, words, english)
        # A relative time: the browser's own words for "now" in the page's language, not English.
        now = page.evaluate("(lang) => new Intl.RelativeTimeFormat(lang, {numeric: 'auto'}).format(0, 'second')", language)
        assert now != "now"
        expect(page.locator("#lanes time").first).to_have_text(now)
        assert layout_problems(page) == []

        other = OTHERS[(OTHERS.index(language) + 1) % len(OTHERS)]
        page.get_by_role("combobox", name=words["language"], exact=True).select_option(other)
        with page.expect_navigation():
            page.get_by_role("button", name=words["change"], exact=True).click()
        wait_until(page, "(lang) => document.documentElement.lang === lang", other)
        assert page.url.endswith(f"/boards/{board_id}")
        assert_board_in(page, translator(other), english)
        page.reload()
        assert html_lang(page) == other
        expect(page.locator("#phase")).to_have_text(translator(other)["phase"])
    finally:
        context.close()
