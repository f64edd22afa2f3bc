"""A city sees its peers in Debian's Chromium: Glasgow and Bologna wrote the same problem, a theme holds both
cards, and Glasgow's commitment page lists Bologna under "Cities working on the same problems"; the PDF of
its final version prints them too."""
import sqlite3
from datetime import datetime

import pytest
from playwright.sync_api import expect

from .a11y import describe, violations
from .conftest import pdf_text
from .live import BoardScene, open_as

pytestmark = pytest.mark.browser

HEADING = "Cities working on the same problems"


def store_theme(server, board_id, card_ids, name):
    """A theme as the themes' clustering (or a facilitator) leaves it, written straight to the server's database."""
    now = datetime.utcnow().isoformat(sep=" ")
    with sqlite3.connect(server.env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=10) as database:
        theme = database.execute("INSERT INTO themes (board_id, name, words, central_card_id, dismissed, created_at, updated_at)"
                                 " VALUES (?, ?, '', ?, 0, ?, ?)", (board_id, name, card_ids[0], now, now)).lastrowid
        database.executemany("INSERT INTO theme_cards (card_id, theme_id, pinned) VALUES (?, ?, 0)",
                             [(card_id, theme) for card_id in card_ids])


def test_a_city_sees_its_peers_on_its_commitment_page_and_in_its_report(live_server, facilitator, new_page, tmp_path):
    scene = BoardScene(live_server, facilitator, new_page, "Peers lab")
    try:
        cards = [scene.call(who, "add_card", board_id=scene.board, lane="problem", text=text)["card"]["id"]
                 for who, text in (("ana", "Children come to school hungry"),
                                   ("ben", "Troppi bambini arrivano a scuola senza colazione"))]
        plan = scene.call("ana", "add_card", board_id=scene.board, lane="action", text="Breakfast clubs in every school")
        assert plan["card"]["id"]
        store_theme(live_server, scene.board, cards, "Hungry at school")

        page = scene.page(scene.ana, f"/workshops/{facilitator.workshop_id}")
        page.get_by_role("link", name="Commitment of Glasgow").click()
        peers = page.get_by_role("region", name=HEADING)
        expect(peers).to_be_visible()
        cities = peers.get_by_role("list", name=HEADING)
        expect(cities.get_by_role("listitem").filter(has_text="Bologna")).to_contain_text("1 shared theme")
        expect(peers.get_by_role("list", name="Themes shared with Bologna")).to_contain_text("Hungry at school")

        page.get_by_role("checkbox", name="Breakfast clubs in every school").check()
        page.get_by_label("Commitment statement").fill("Glasgow commits to breakfast for every pupil.")
        page.get_by_label("Name").first.fill("Ana Example")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("status")).to_contain_text("Draft saved.")
        page.get_by_role("button", name="Mark final").click()
        expect(page.get_by_text("Final: version 1.")).to_be_visible()
        expect(page.get_by_role("region", name=HEADING)).to_contain_text("Bologna")

        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("link", name="Download the PDF of version 1").click()
        path = tmp_path / "report.pdf"
        download.value.save_as(path)
        text = " ".join(pdf_text(path.read_bytes()).split())
        assert HEADING in text and "Bologna (1 shared theme): Hungry at school" in text
        assert page.errors == []
    finally:
        scene.close()


def test_a_facilitator_opens_the_lab_series_from_the_console(live_server, facilitator, new_page):
    scene = BoardScene(live_server, facilitator, new_page, "Series lab")
    try:
        cards = [scene.call(who, "add_card", board_id=scene.board, lane="problem", text=text)["card"]["id"]
                 for who, text in (("ana", "Waiting lists for child psychologists"), ("ben", "Mesi di attesa per lo psicologo"))]
        store_theme(live_server, scene.board, cards, "Waiting for mental health care")
        page = open_as(lambda: new_page(bypass_csp=True), scene.fran, f"/workshops/{facilitator.workshop_id}/console")
        area = "Child poverty and the EU Child Guarantee"
        page.get_by_role("button", name=area, exact=True).click()
        page.get_by_role("region", name=area).get_by_role("link", name="Peer cities and earlier labs").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Peer cities and earlier labs: {area}")
        themes = page.get_by_role("list", name="Themes of Series lab")
        expect(themes.get_by_role("listitem")).to_contain_text("Waiting for mental health care")
        expect(themes.get_by_role("listitem")).to_contain_text("Bologna, Glasgow")
        expect(page.get_by_text("No earlier workshop of yours had this policy area.")).to_be_visible()
        found = violations(page)
        assert not found, describe(found)
        assert page.errors == []
    finally:
        scene.close()
