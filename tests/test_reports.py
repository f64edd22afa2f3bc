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
from workshop.reports import jobs, render
from workshop.reports.services import cache_dir, version_report_html

from .conftest import _read, download, pdf_text
from .helpers import SIGNATORY, lab, save  # noqa: F401  (the lab fixture)

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
        "15 January 2026 – 30 June 2027", "City budget line 4.2, ESF+", "Families reached", "2,000 families", "350 families",
        "Agreed", "Principle 3: Equal opportunities", "Principle 11: Childcare and support to children",
        "Implements the European Child Guarantee",
        "Builds on the idea: One family desk per district (chosen by the room: ranked 1st, 2 dots)",
        "Answers the problem: Families miss the support they are entitled to",
        "School navigators", "Education office", "Child poverty and the EU Child Guarantee",
        "Version 1", final_commitment.latest_version.content_hash, "Page 2 of",  # the cover has no page number
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
    assert "1st 2 dots · One family desk per district" in text
    assert "Ljubljana final" in text and "Glasgow not started" in text


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

    monkeypatch.setattr(jobs, "ensure_rendered", lambda *args, **kwargs: ("a" * 64, "rendering"))
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
        assert f'<a class="button primary" href="{back}" id="report-back">{label}</a>' in page.text, url
        assert f'<a class="button" href="{url}" id="report-again" download="commitment-ljubljana-v1.pdf" hidden>Download it again</a>' in page.text
    auth.as_user(lab.workshop.facilitators[0])
    page = client.get(f"/workshops/{lab.workshop.id}/summary.pdf")
    assert page.status_code == 202
    assert f'<a class="button primary" href="/workshops/{lab.workshop.id}/console" id="report-back">Back to the console</a>' in page.text


# Words a reader outside the room would not understand, or that are plainly wrong.
INTERNALS = ["1 dots", "0 dots", "Phase:", "collect", "in the room)", "rank ", "#1", "None", "T00:", "Z.", "draft)"]


def pages_of(data):
    """The text of each page of a PDF (poppler's reading order), white space folded; as many pages as
    pypdf counts."""
    pages = [" ".join(page.split()) for page in pdf_text(data).split("\f")]
    count = len(PdfReader(io.BytesIO(data)).pages)
    assert all(not page for page in pages[count:])
    return pages[:count]


def keep(data, tmp_path, name):
    """Save a rendered report and its pages as PNG under `tmp_path`, to look at (pdftoppm)."""
    import subprocess

    path = tmp_path / name
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(path.with_suffix(""))], check=True)
    return path


def test_the_city_report_is_written_for_the_mayors_office(client, lab, final_commitment, tmp_path):
    data = download(client, f"{lab.url}/v1.pdf").data
    keep(data, tmp_path, "commitment.pdf")
    pages = pages_of(data)
    cover, whole = pages[0], " ".join(pages)
    title = lab.workshop.title
    for expected in [f"City commitment · {title}", "Commitment of Ljubljana", "Workshop " + title, "Held in Ljubljana",
                     "Dates 5–7 November 2025", "Policy area Child poverty and the EU Child Guarantee",
                     "Action plans 2 action plans", "Signatory of Łódź, Mayor",
                     f"Version 1, final on {final_commitment.latest_version.finalised_at.day} "]:
        assert expected in cover, expected
    assert "Our commitment" not in cover  # the cover is a page of its own
    for bad in INTERNALS:
        assert bad not in whole, bad
    # The problem got no dot: the report says nothing about how the room ranked it.
    assert "Answers the problem: Families miss the support they are entitled to" in whole
    assert "entitled to (" not in whole
    signatories = next(page for page in pages if page.startswith("Signatories") or " Signatories Signed for" in page)
    assert "Signed for Ljubljana by:" in signatories and "Date and signature" in signatories
    assert final_commitment.latest_version.content_hash in "".join(whole.split())


def test_one_dot_is_one_dot_and_a_ranked_idea_says_of_how_many(client, auth, lab, tmp_path):
    from workshop.models import Vote

    db.session.delete(db.session.scalars(select(Vote)).first())
    db.session.commit()
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    client.post(f"{lab.url}/final")
    whole = " ".join(pages_of(download(client, f"{lab.url}/v1.pdf").data))
    assert "(chosen by the room: ranked 1st, 1 dot)" in whole and "1 dots" not in whole  # the only idea

    # Two more ideas, one with more dots: the lab's idea is now 2nd of 3.
    favourite, _ = boards.add_card(lab.ewan, lab.board, "idea", "Free school meals for all")
    boards.add_card(lab.ewan, lab.board, "idea", "A helpline for parents")
    for voter in (lab.mateja, lab.ewan):
        db.session.add(Vote(board_id=lab.board.id, card_id=favourite.id, participant_id=voter.id, city_team_id=voter.city_team_id))
    db.session.commit()
    client.post(f"{lab.url}/reopen")
    save(client, lab, [lab.plan])
    client.post(f"{lab.url}/final")
    whole = " ".join(pages_of(download(client, f"{lab.url}/v2.pdf").data))
    assert "(chosen by the room: 2nd of 3 ideas, 1 dot)" in whole
    assert "Action plans 1 action plan " in whole and "Policy area Child poverty" in whole


def test_the_city_report_shows_each_voting_round_when_there_were_several(app, client, lab, final_commitment):
    from flask import render_template

    from workshop.boards.plans import PILLAR_PRINCIPLE_NAMES

    content = final_commitment.latest_version.content
    idea = content["policy_areas"][0]["plans"][0]["idea"]
    idea.update(out_of=9, dots=14, rank=2, rounds=[{"round": 1, "dots": 3, "rank": 4}, {"round": 2, "dots": 14, "rank": 2}])
    with app.test_request_context():
        html = render_template("reports/commitment.html", content=content, content_hash="x", principles=PILLAR_PRINCIPLE_NAMES)
    text = " ".join(html.split())
    assert "(chosen by the room: 2nd of 9 ideas, 14 dots; round 1: 3 dots (4th); round 2: 14 dots (2nd))" in text


def test_the_summary_gives_the_organisers_an_overview_first_and_plain_words(client, auth, lab, final_commitment, tmp_path):
    lab.board.phase = "results"
    db.session.commit()
    auth.as_user(lab.workshop.facilitators[0])
    data = download(client, f"/workshops/{lab.workshop.id}/summary.pdf").data
    keep(data, tmp_path, "summary.pdf")
    pages = pages_of(data)
    first, whole = pages[0], " ".join(pages)
    for expected in ["Workshop summary", lab.workshop.title, "Ljubljana, 5–7 November 2025", "Overview",
                     "3 boards", "4 cards the room saw", "2 dots given", "2 participants", "3 city teams", "1 commitment final",
                     "1 final, 0 in draft, 2 not started."]:
        assert expected in first, expected
    assert first.index("Overview") < first.index("City commitments")
    area = lab.workshop.policy_areas[0].title
    board_page = next(page for page in pages if area in page and "Ideas (1)" in page)
    for expected in ["Results shown to the room · 4 cards · 2 dots", "Ideas (1)", "1st 2 dots · One family desk per district (Mateja, Ljubljana)",
                     "Action plans (2)", "no dots · Family desks: Open family desks in all 17 districts",
                     "Problems (1)"]:
        assert expected in board_page, expected
    assert "Collecting cards · 0 cards · no dots" in whole and "No cards on this board." in whole
    for bad in ["Phase:", "collect ", "#1", "0 dots", "1 dots", "none"]:
        assert bad not in whole, bad


def test_the_summary_shows_each_voting_round_when_there_were_several(app, lab):
    from flask import render_template

    from workshop.models import Card

    idea = db.session.get(Card, lab.idea.id)
    entry = {"card": idea, "dots": 14, "rank": 1, "rounds": [{"round": 1, "dots": 3, "rank": 2}, {"round": 2, "dots": 14, "rank": 1}]}
    boards = [{"title": "Housing", "phase": "vote", "rounds": 2, "lanes": {"problem": [], "idea": [entry], "action": []}}]
    with app.test_request_context():
        html = render_template("reports/summary.html", workshop=lab.workshop, boards=boards, cities=[])
    text = " ".join(html.split())
    assert "Voting under way · 1 card · 14 dots · 2 voting rounds" in text
    assert "(Mateja, Ljubljana; round 1: 3 dots (2nd); round 2: 14 dots (1st))" in text


def test_a_version_made_final_is_rendered_before_anyone_asks_for_it(app, client, auth, lab):
    """At the end of the day the cities download their reports moments after making them final: the
    render starts at the commit, so the first download finds the PDF made (or nearly)."""
    app.config["REPORT_PREPARE_ON_FINALISE"] = True
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    assert client.post(f"{lab.url}/final").status_code == 302
    version = db.session.scalar(select(Commitment)).latest_version
    with app.test_request_context():
        key = jobs.key_of(*version_report_html(version.content, version.content_hash))
    deadline = time.monotonic() + 90
    while jobs.state(cache_dir(), key) != "done" and time.monotonic() < deadline:  # nobody asks meanwhile
        time.sleep(0.2)
    assert jobs.state(cache_dir(), key) == "done"
    first = _read(client.get(f"{lab.url}/v1.pdf"))  # the first ask: the PDF itself, no preparing page
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert "Family desks" in pdf_text(first.data)


def test_a_draft_or_a_refused_finalising_renders_nothing(app, client, auth, lab):
    app.config["REPORT_PREPARE_ON_FINALISE"] = True
    auth.as_user(lab.mateja)
    asked_before = len(jobs._asked)
    save(client, lab, [lab.plan], statement="")
    client.post(f"{lab.url}/final")  # refused: no statement
    assert db.session.scalar(select(Commitment)).latest_version is None
    assert len(jobs._asked) == asked_before


def test_a_version_made_final_by_a_script_renders_nothing_and_fails_nothing(app, lab):
    """A seed or a benchmark finalises with no request: its commit goes through, and no report is
    started (there is no page to render it in; a script asks for its reports itself)."""
    from workshop.commitments import services as commitments

    app.config["REPORT_PREPARE_ON_FINALISE"] = True
    asked_before = len(jobs._asked)
    commitments.save_draft(lab.mateja, lab.ljubljana, [lab.plan.id], "We commit.", [
        {"name": "Mateja Žnidaršič", "role": "Deputy Mayor", "organisation": "City of Ljubljana"}])
    assert commitments.finalise(lab.mateja, lab.ljubljana).number == 1
    assert len(jobs._asked) == asked_before
