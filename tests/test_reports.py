"""Reports read back: the city commitment PDF (content, Unicode, tagging, fonts), the workshop
summary, CSV and JSON exports, safe rendering, off-process rendering with a cache, and access."""
import csv
import io
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from workshop.boards import plans as plan_service
from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import Commitment
from workshop.reports import render

from .conftest import download, pdf_text
from .test_commitments import SIGNATORY, lab, save  # noqa: F401  (the lab fixture)

UNICODE_CITIES = ["Łódź", "Ljubljana čšž", "Göteborg", "Αθήνα", "Zürich", "Cluj-Napoca ș ț"]


@pytest.fixture
def final_commitment(client, auth, lab):
    """Ljubljana commits to two action plans, signed by people whose names need every EU alphabet."""
    auth.as_user(lab.mateja)
    plan_service.edit_action_plan(lab.ewan, lab.other_plan, {"title": "School navigators", "lead": "Education office"})
    signatories = {}
    for n, city in enumerate(UNICODE_CITIES):
        signatories.update({f"signatory-{n}-name": f"Signatory of {city}", f"signatory-{n}-role": "Mayor",
                            f"signatory-{n}-organisation": f"City of {city}"})
    client.post(lab.url, data={"plans": [str(lab.plan.id), str(lab.other_plan.id)],
                               "statement": "Ljubljana commits to reach every family, in Αθήνα as in Łódź.", **signatories})
    assert client.post(f"{lab.url}/final").status_code == 302
    return db.session.scalar(select(Commitment))


def test_the_city_report_holds_everything_the_city_committed_to(client, lab, final_commitment):
    response = download(client, f"{lab.url}/v1.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "commitment-ljubljana-v1.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    flat = " ".join(text.split())
    for expected in [
        lab.workshop.title, "Ljubljana", "City commitment",
        "Ljubljana commits to reach every family, in Αθήνα as in Łódź.",
        "Family desks", "Open family desks in all 17 districts", "Department for Social Affairs", "Employment service; NGOs",
        "2026-01-15", "2027-06-30", "City budget line 4.2, ESF+", "Families reached", "2,000 families", "350 families",
        "Agreed", "Principle 3: Equal opportunities", "Principle 11: Childcare and support to children",
        "Implements the European Child Guarantee",
        "Builds on the idea: One family desk per district (2 dots, rank 1 in the room)",
        "Answers the problem: Families miss the support they are entitled to",
        "School navigators", "Education office", "Child poverty and the EU Child Guarantee",
        "Version 1", final_commitment.latest_version.content_hash, "Page 1 of",
    ]:
        assert expected in flat, expected
    for city in UNICODE_CITIES:
        assert f"Signatory of {city}" in flat and f"City of {city}" in flat, city


def test_the_report_is_tagged_titled_in_a_language_with_fonts_embedded(client, lab, final_commitment):
    reader = PdfReader(io.BytesIO(download(client, f"{lab.url}/v1.pdf").data))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]).startswith("en")
    assert reader.metadata.title == f"Commitment of Ljubljana: {lab.workshop.title}"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor") or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts.add("/FontFile2" in descriptor.get_object() or "/FontFile3" in descriptor.get_object())
    assert fonts == {True}


def test_version_one_still_downloads_after_version_two(client, lab, final_commitment):
    first = pdf_text(download(client, f"{lab.url}/v1.pdf").data)
    client.post(f"{lab.url}/reopen")
    client.post(lab.url, data={"plans": [str(lab.plan.id)], "statement": "Version two statement.", **SIGNATORY})
    client.post(f"{lab.url}/final")
    second = pdf_text(download(client, f"{lab.url}/v2.pdf").data)
    assert "Version two statement." in second and "Version 2" in second
    again = pdf_text(download(client, f"{lab.url}/v1.pdf").data)
    assert again == first and "Version two statement." not in again
    assert client.get(f"{lab.url}/v3.pdf").status_code == 404


def test_markup_in_cards_is_printed_as_text_and_nothing_is_fetched(app, client, auth, lab):
    evil = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.org/x.css">'
    card, _ = boards.add_card(lab.mateja, lab.board, "action", evil)
    auth.as_user(lab.mateja)
    save(client, lab, [card], statement='<script>alert(1)</script> <img src="http://example.org/pixel.png">')
    client.post(f"{lab.url}/final")
    # Compared without white space: the PDF wraps long lines wherever it likes.
    text = "".join(pdf_text(download(client, f"{lab.url}/v1.pdf").data).split())
    for markup in [evil, "<script>alert(1)</script>"]:
        assert "".join(markup.split()) in text
    # The same HTML rendered here, with a fetcher that records what it is asked for.
    from flask import render_template

    from workshop.boards.plans import PILLAR_PRINCIPLE_NAMES

    version = db.session.scalar(select(Commitment)).latest_version
    with app.test_request_context():
        html = render_template("reports/commitment.html", content=version.content, content_hash=version.content_hash,
                               principles=PILLAR_PRINCIPLE_NAMES)
    asked = []
    fetcher = render._fetcher_class()()
    original = fetcher.fetch

    def recording(url, headers=None):
        asked.append(url)
        return original(url, headers)

    fetcher.fetch = recording
    render.render_pdf(html, fetcher)
    assert asked == ["report-asset:report.css"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.org/x.css", "https://example.org/x.css",
                                 "data:text/css,body{}", "report-asset:../../workshop/config.py", "report-asset:missing.css"])
def test_the_report_fetcher_refuses_everything_but_its_own_assets(url):
    with pytest.raises(ValueError):
        render._fetcher_class()().fetch(url)


def test_rendering_happens_in_a_worker_process_and_the_result_is_cached(client, lab, final_commitment, monkeypatch):
    # Rendering in this process would now fail: the PDF still comes, so a worker made it.
    monkeypatch.setattr(render, "render_pdf", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError("rendered in-process")))
    first = client.get(f"{lab.url}/v1.pdf")
    assert first.status_code == 202 and "Preparing your report" in first.text
    assert download(client, f"{lab.url}/v1.pdf").status_code == 200
    started = time.perf_counter()
    cached = download(client, f"{lab.url}/v1.pdf")
    took = time.perf_counter() - started
    assert cached.status_code == 200 and took < 0.5


def test_workshop_summary_ranks_every_board_and_lists_commitment_status(client, auth, lab, final_commitment):
    auth.as_user(lab.workshop.facilitators[0])
    text = " ".join(pdf_text(download(client, f"/workshops/{lab.workshop.id}/summary.pdf").data).split())
    assert "Workshop summary" in text
    for area in lab.workshop.policy_areas:
        assert area.title in text
    assert "#1 2 dots · One family desk per district" in text
    assert "Ljubljana final" in text and "Glasgow none" in text


def test_board_exports_in_csv_and_json(client, auth, lab):
    auth.as_user(lab.workshop.facilitators[0])
    rows = list(csv.DictReader(io.StringIO(client.get(f"/boards/{lab.board.id}/export.csv").data.decode("utf-8-sig"))))
    idea = next(row for row in rows if row["lane"] == "idea")
    assert (idea["text"], idea["city"], idea["dots"], idea["rank"], idea["links_to"]) == (
        "One family desk per district", "Ljubljana", "2", "1", str(lab.problem.id))
    data = client.get(f"/boards/{lab.board.id}/export.json").get_json()
    assert {card["text"] for card in data["cards"]} == {row["text"] for row in rows}
    assert next(card for card in data["cards"] if card["lane"] == "action" and card["plan"]["title"])["plan"]["title"] == "Family desks"


@pytest.mark.parametrize("path", ["/workshops/{w}/summary.pdf", "/boards/{b}/export.csv", "/boards/{b}/export.json"])
def test_summary_and_exports_are_for_the_workshops_facilitators(app, client, auth, lab, make_facilitator, path):
    url = path.format(w=lab.workshop.id, b=lab.board.id)
    assert app.test_client().get(url).status_code == 302
    auth.as_user(lab.mateja)
    assert client.get(url).status_code == 403
    auth.as_user(make_facilitator())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who, status", [("team", 200), ("facilitator", 200), ("other team", 403), ("nobody", 302), ("link", 200)])
def test_access_to_the_report_pdf(app, client, auth, lab, final_commitment, who, status):
    visitor = app.test_client()
    user = {"team": lab.mateja, "facilitator": lab.workshop.facilitators[0], "other team": lab.ewan}.get(who)
    if user is not None:
        with visitor.session_transaction() as session:
            session["_user_id"] = user.get_id()
    if who == "link":
        client.post(f"{lab.url}/share")
        db.session.expire_all()
        url = f"/shared/{final_commitment.share_token}/v1.pdf"
    else:
        url = f"{lab.url}/v1.pdf"
    response = download(visitor, url)
    assert response.status_code == status
    if status == 200:
        assert response.data.startswith(b"%PDF")


def test_a_render_that_takes_too_long_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "render_pdf", lambda html: time.sleep(5))
    started = time.perf_counter()
    with pytest.raises(render.RenderTimeout):
        render.render_to_file("<p>slow</p>", str(tmp_path / "slow.pdf"), time_limit=1)
    assert time.perf_counter() - started < 3
    assert not (tmp_path / "slow.pdf").exists()


def test_the_preparing_page_links_back_to_where_the_person_came_from(client, auth, lab, final_commitment, monkeypatch):
    from workshop.reports import jobs

    monkeypatch.setattr(jobs, "request", lambda *args, **kwargs: ("a" * 64, "rendering"))
    client.post(f"{lab.url}/share")
    db.session.expire_all()
    token = db.session.scalar(select(Commitment)).share_token
    cases = [
        (f"{lab.url}/v1.pdf", lab.url, "Back to the commitment"),
        (f"/shared/{token}/v1.pdf", f"/shared/{token}", "Back to the city's reports"),
    ]
    for url, back, label in cases:
        page = client.get(url)
        assert page.status_code == 202
        assert f'<a href="{back}" id="report-back">{label}</a>' in page.text, url
        assert f'<a href="{url}" id="report-again" download="commitment-ljubljana-v1.pdf" hidden>Download it again</a>' in page.text
    auth.as_user(lab.workshop.facilitators[0])
    page = client.get(f"/workshops/{lab.workshop.id}/summary.pdf")
    assert page.status_code == 202
    assert f'<a href="/workshops/{lab.workshop.id}/console" id="report-back">Back to the console</a>' in page.text
