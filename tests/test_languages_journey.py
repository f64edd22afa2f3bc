"""A lab in five languages, run the way a room runs it, in Debian's Chromium: the facilitator
switches her account to German on her laptop (the console and the projector follow it), Mateja
from Ljubljana joins on a phone whose browser prefers Slovenian, Chloé from Lyon on a laptop that
prefers French, and Aiko from Osaka on a laptop set to Japanese, which the app does not speak, so
she gets the workshop's default language, Italian.

Each screen is checked against the catalogues (every expected text is the catalogue's translation,
never English), for its `lang`, for what a screen-reader user hears of the room, and for its layout.
Ljubljana's city report comes out in Slovenian with the EU's official names and /Lang, the summary in
the facilitator's German. Screenshots go to tests/screenshots/languages (SCREENSHOTS_DIR moves them)."""
import io
import os
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import pdf_text
from .forms_as_shown import form_with
from .layout import LAPTOP, PHONE, layout_problems
from .live import ROOT, Visitor, server_of_its_own, wait_until
from .live import card as live_card
from workshop import create_app
from workshop.boards.messages import board_messages

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "tests" / "screenshots")) / "languages"
PROJECTOR = {"width": 1920, "height": 1080}
PROBLEM = "Družine ne vedo, do katerih pomoči so upravičene"
IDEA = "Un guichet unique pour les familles dans chaque quartier"
PLAN = "Enotna vstopna točka za družine v vsaki četrti"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from server_of_its_own(tmp_path_factory, "languages")


@pytest.fixture(scope="module")
def say():
    """`say(language, msgid, **values)`: the catalogue's text, as the server writes it in `language`;
    `say.board(language, key)`: a board message (filled by the page's JavaScript)."""
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    def text(language, msgid, **values):
        with app.test_request_context(), force_locale(language):
            return gettext(msgid, **values)

    def board(language, key, **values):
        with app.test_request_context(), force_locale(language):
            message = board_messages()[key]
        return re.sub(r"\{(\w+)\}", lambda match: str(values.get(match.group(1), "")), message)

    text.board = board
    return text


def not_english(say, language, msgid, **values):
    """The catalogue's `language` text for `msgid`, failing when it is still the English one."""
    translated = say(language, msgid, **values)
    assert translated != say("en", msgid, **values), f"{msgid!r} is not translated into {language}"
    return translated


def person(browser, server, who, locale, viewport=LAPTOP, phone=False):
    context = browser.new_context(base_url=server.url, viewport=viewport, locale=locale, is_mobile=phone,
                                  has_touch=phone, device_scale_factor=1)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.who = who
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(error))
    return page


def shoot(step, *pages):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for page in pages:
        page.screenshot(path=str(SHOTS / f"{step}-{page.who}.png"), full_page=page.who != "projector")
        sizes = (PROJECTOR,) if page.who == "projector" else (PHONE,)
        assert layout_problems(page, sizes) == [], (step, page.who)


def document_language(pdf):
    """The PDF's /Lang (its catalogue sits in a compressed object stream)."""
    return str(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"])


def lang(page):
    return page.evaluate("document.documentElement.lang")


def test_a_lab_in_five_languages(browser, server, say):
    fran_account = Visitor(server.url).sign_up("Fran")
    code, boards = fran_account.create_workshop("Social Innovation Lab 2025")
    workshop, board = fran_account.workshop_id, boards[0]
    settings = f"/workshops/{workshop}/settings"
    action, shown = form_with(fran_account.http.get(server.url + settings).text, "default_language")
    fran_account.http.post(server.url + action, data={**shown, "default_language": "it"}).raise_for_status()
    board_title = re.search(rf'href="/boards/{board}"[^>]*>([^<]+)<', fran_account.http.get(
        f"{server.url}/workshops/{workshop}").text).group(1).strip()

    # The facilitator picks German with the switch: her account keeps it --------------------------
    fran = person(browser, server, "fran", "en-GB")
    fran.context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in fran_account.http.cookies])
    fran.goto(f"/workshops/{workshop}/console")
    assert lang(fran) == "en"
    fran.get_by_role("combobox", name="Language", exact=True).select_option(label="Deutsch")
    fran.get_by_role("button", name="Change", exact=True).click()
    expect(fran.locator("html")).to_have_attribute("lang", "de")
    expect(fran.get_by_role("combobox", name=not_english(say, "de", "Language"), exact=True)).to_have_value("de")
    projector = fran.context.new_page()
    projector.who, projector.errors = "projector", []
    projector.set_viewport_size(PROJECTOR)
    projector.goto(f"/boards/{board}/projector")
    expect(projector.locator("html")).to_have_attribute("lang", "de")
    # The account, not the browser, holds it: a fresh browser signed in as her is German too.
    elsewhere = person(browser, server, "fran-elsewhere", "fr-FR")
    elsewhere.context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in fran_account.http.cookies])
    elsewhere.goto("/workshops/")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "de")
    expect(elsewhere.get_by_role("heading", name=not_english(say, "de", "My workshops"), level=1)).to_be_visible()
    elsewhere.context.close()

    # Three participants, each in their own browser's language --------------------------------------
    mateja = person(browser, server, "mateja", "sl-SI", PHONE, phone=True)
    chloe = person(browser, server, "chloe", "fr-FR")
    aiko = person(browser, server, "aiko", "ja-JP")
    for page, language, name, city in ((mateja, "sl", "Mateja", "Ljubljana"), (chloe, "fr", "Chloé", "Lyon"),
                                       (aiko, "it", "Aiko", "Osaka")):
        page.goto(f"/join/{code}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.get_by_label(not_english(say, language, "Your name as others will see it")).fill(name)
        page.get_by_label(not_english(say, language, "Your city, if it is not in the list")).fill(city)
        page.get_by_role("button", name=not_english(say, language, "Join the workshop")).click()
        expect(page.get_by_role("heading", name=not_english(say, language, "Boards"))).to_be_visible()
        page.goto(f"/boards/{board}")
        expect(page.locator("#phase")).to_have_text(say.board(language, "phase.collect"))
    shoot("01-joined", mateja, chloe, aiko)

    # Mateja posts a problem; the others hear of it, each in their own language ---------------------
    mateja.get_by_label(say.board("sl", "new.problem")).fill(PROBLEM)
    mateja.get_by_role("button", name=say.board("sl", "add.problem")).click()
    expect(live_card(mateja, PROBLEM)).to_be_visible()
    for page, language in ((chloe, "fr"), (aiko, "it"), (projector, "de")):
        expect(live_card(page, PROBLEM) if page is not projector else page.get_by_text(PROBLEM, exact=True)).to_be_visible()
        told = say.board(language, "announce.added.problem", name="Mateja", city="Ljubljana", text="")  # then the card's start
        wait_until(page, "(told) => document.getElementById('room-news').textContent.includes(told)", told)
    chloe.get_by_label(say.board("fr", "new.idea")).fill(IDEA)
    chloe.get_by_role("button", name=say.board("fr", "add.idea")).click()
    expect(live_card(aiko, IDEA)).to_be_visible()
    shoot("02-collect", mateja, chloe, projector)

    # Voting from the German console; dots counted in each language ---------------------------------
    fran.goto(f"/workshops/{workshop}/console")
    fran.get_by_role("button", name=board_title, exact=True).click()
    console = fran.get_by_role("region", name=board_title)
    console.get_by_role("button", name=not_english(say, "de", "Start voting")).click()
    expect(mateja.locator("#phase")).to_have_text(say.board("sl", "phase.vote"))
    expect(chloe.locator("#phase")).to_have_text(say.board("fr", "phase.vote"))
    live_card(chloe, IDEA).get_by_role("button", name=say.board("fr", "dot.add")).click()
    expect(chloe.get_by_text(say.board("fr", "dots.left", left=4, budget=5))).to_be_visible()
    shoot("03-voting", chloe, projector, fran)

    # Ljubljana's commitment, its report in Slovenian ------------------------------------------------
    mateja_account = Visitor(server.url)
    for cookie in mateja.context.cookies():
        mateja_account.http.cookies.set(cookie["name"], cookie["value"])
    socket = mateja_account.socket()
    try:
        socket.call("join_board", {"board_id": board})
        console.get_by_role("button", name=not_english(say, "de", "Back to collecting")).click()
        expect(mateja.locator("#phase")).to_have_text(say.board("sl", "phase.collect"))
        ack = socket.call("add_card", {"board_id": board, "lane": "action", "text": PLAN})
        assert ack["ok"], ack
        assert socket.call("edit_action_plan", {"card_id": ack["card"]["id"], "plan": {
            "title": PLAN, "lead": "Oddelek za zdravje in socialno varstvo", "principles": [11],
            "child_guarantee": True}})["ok"]
    finally:
        socket.close()
    mateja.goto(f"/workshops/{workshop}")
    mateja.get_by_role("link", name=not_english(say, "sl", "Open the commitment of %(city)s", city="Ljubljana")).first.click()
    expect(mateja.locator("html")).to_have_attribute("lang", "sl")
    mateja.get_by_role("checkbox", name=PLAN).check()
    mateja.get_by_label(not_english(say, "sl", "Commitment statement")).fill(
        "Ljubljana se zavezuje, da bo do leta 2027 odprla enotno vstopno točko za družine v vsaki četrti.")
    mateja.get_by_label(not_english(say, "sl", "Name")).first.fill("Zoran Janković")
    mateja.get_by_label(not_english(say, "sl", "Role")).first.fill("Župan")
    mateja.get_by_label(not_english(say, "sl", "The report is written in")).select_option(label="Slovenščina")
    mateja.get_by_role("button", name=not_english(say, "sl", "Save draft")).click()
    expect(mateja.get_by_text(not_english(say, "sl", "Draft saved."))).to_be_visible()
    expect(mateja.get_by_label(say("sl", "The report is written in"))).to_have_value("sl")  # what is stored shows
    mateja.get_by_role("button", name=not_english(say, "sl", "Mark final")).click()
    expect(mateja.get_by_text(not_english(say, "sl", "Final: version %(number)d.", number=1))).to_be_visible()
    shoot("04-commitment", mateja)
    with mateja.expect_download(timeout=90_000) as download:
        mateja.get_by_role("link", name=not_english(say, "sl", "Download the PDF of version %(number)d", number=1)).click()
    pdf = Path(download.value.path()).read_bytes()
    assert document_language(pdf) == "sl"
    report = " ".join(pdf_text(pdf).split()).lower()
    for expected in ("evropski steber socialnih pravic", "evropsko jamstvo za otroke", PLAN.lower(), "zoran janković",
                     not_english(say, "sl", "Signatories").lower()):
        assert expected in report, expected
    written_by_the_app = report.replace(board_title.lower(), "")  # the board's title is the room's, in English
    assert "european pillar" not in written_by_the_app and "child guarantee" not in written_by_the_app

    # The summary in the facilitator's German --------------------------------------------------------
    fran.goto(f"/workshops/{workshop}/console")
    with fran.expect_download(timeout=90_000) as download:
        fran.get_by_role("link", name=not_english(say, "de", "Download the workshop summary (PDF)")).click()
    summary = Path(download.value.path()).read_bytes()
    assert document_language(summary) == "de"
    assert PROBLEM in " ".join(pdf_text(summary).split())

    # Chloé switches to Italian on the board; it sticks ----------------------------------------------
    chloe.goto(f"/boards/{board}")
    chloe.get_by_role("combobox", name=not_english(say, "fr", "Language"), exact=True).select_option(label="Italiano")
    chloe.get_by_role("button", name=not_english(say, "fr", "Change"), exact=True).click()
    expect(chloe.locator("html")).to_have_attribute("lang", "it")
    chloe.reload()
    expect(chloe.locator("#phase")).to_have_text(say.board("it", "phase.collect"))
    shoot("05-switched", chloe)

    for page in (fran, projector, mateja, chloe, aiko):
        assert page.errors == [], (page.who, page.errors)
    for page in (fran, mateja, chloe, aiko):
        page.context.close()
