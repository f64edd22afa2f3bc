"""Progress reports read back from the real PDFs: a city's progress report ("one year on": each plan's status,
its indicator against baseline and target, its dated updates), through the team's address and an update
link; the workshop's follow-up summary; who may have them; a commitment that is not final; the cache."""
import re
from datetime import date, datetime
from types import SimpleNamespace

import flask_login
import pytest
from flask import render_template
from sqlalchemy import select

from workshop.commitments import services as commitments
from workshop.extensions import db
from workshop.followup import services as followup
from workshop.models import Commitment, PlanProgress, ProgressUpdate, utcnow
from workshop.reports import jobs, progress

from .conftest import download, pdf_text
from .helpers import lab  # noqa: F401  (the lab fixture)

SIGNED = [("Mateja Žnidaršič", "Deputy Mayor", "City of Ljubljana")]
EVIDENCE = "https://example.org/ljubljana/family-desks-report-2026.pdf"
MARCH = date(2026, 3, 2)  # four months after the lab (5-7 November 2025)


def finalise(participant, plans, statement="We commit."):
    """`participant`'s city team commits to `plans`, final: its commitment."""
    team = participant.city_team
    commitments.save_draft(participant, team, [card.id for card in plans], statement, SIGNED)
    commitments.finalise(participant, team)
    return commitments.commitment_of(team)


def record(commitment, card, status, percent, text="", value="", evidence=None, author="", link=None,
           written_at=None, facilitator=None):
    """An update of one plan, and where the plan now stands, written straight into the tables (the
    followup feature's record_update does this through its rules)."""
    written_at = written_at or utcnow()
    db.session.add(ProgressUpdate(commitment_id=commitment.id, card_id=card.id, status=status, percent=percent, text=text,
                                  indicator_value=value, evidence_url=evidence, author_name=author, written_at=written_at,
                                  via_link_id=link.id if link else None,
                                  by_facilitator_id=facilitator.id if facilitator else None))
    standing = db.session.get(PlanProgress, (commitment.id, card.id)) or PlanProgress(commitment_id=commitment.id, card_id=card.id)
    standing.status, standing.percent, standing.updated_at = status, percent, written_at
    db.session.add(standing)
    db.session.commit()


def flat(data):
    """A PDF's text with white space folded (the PDF wraps lines wherever it likes)."""
    return " ".join(pdf_text(data).split())


@pytest.fixture
def on_day(monkeypatch):
    """The day the reports are made: `on_day(date(...))`; 2 March 2026 unless a test says otherwise."""

    def set_day(day):
        monkeypatch.setattr(progress, "today", lambda: day)

    set_day(MARCH)
    return set_day


@pytest.fixture
def ljubljana(lab, on_day):
    """Ljubljana's final commitment to the lab's two plans; Family desks has two updates (one through the
    mayor's office's update link, one by a named person), the other plan none."""
    commitment = finalise(lab.mateja, [lab.plan, lab.other_plan])
    lab.link = followup.issue_update_link(commitment, "Mayor's office")
    record(commitment, lab.plan, "in_progress", 20, "Three desks opened in the city centre.", "600 families",
           link=lab.link, written_at=datetime(2026, 1, 20, 9, 30))
    record(commitment, lab.plan, "in_progress", 40, "Seven desks open; the rest are staffed from April.", "1,200 families",
           evidence=EVIDENCE, author="Mateja Žnidaršič", written_at=datetime(2026, 2, 24, 15, 0))
    lab.commitment = commitment
    lab.progress_url = f"/workshops/{lab.workshop.id}/teams/{lab.ljubljana.id}/progress.pdf"
    return lab


@pytest.fixture
def renders(monkeypatch):
    """The HTML of every PDF render started (none is made): for tests about who gets one."""
    started = []
    monkeypatch.setattr(jobs, "ensure_rendered", lambda html, language, *args: started.append(html) or (jobs.key_of(html, language), "rendering"))
    return started


# The city's progress report ----------------------------------------------------------------------

def test_the_progress_report_prints_each_plan_with_its_status_indicator_and_updates(client, auth, ljubljana):
    auth.as_user(ljubljana.mateja)
    response = download(client, ljubljana.progress_url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "progress-ljubljana.pdf" in response.headers["Content-Disposition"]
    text = flat(response.data)
    for expected in [
        "Progress report: Ljubljana", "Made on 2 March 2026", ljubljana.workshop.title, "Child poverty and the EU Child Guarantee",
        "Family desks", "Open family desks in all 17 districts", "Status In progress, 40% done",
        "Success indicators Families reached", "Baseline 350 families", "Target 2,000 families",
        "Latest value 1,200 families (reported on 24 February 2026)",
        # the updates, oldest first, each with its date, status, text, value then, evidence and writer
        "20 January 2026 · In progress, 20% done Three desks opened in the city centre. Indicator value then: 600 families "
        "Written by Mayor's office",
        "24 February 2026 · In progress, 40% done Seven desks open; the rest are staffed from April. "
        "Indicator value then: 1,200 families",
        "Written by Mateja Žnidaršič",
        # the plan nobody has updated yet
        "Train school staff as benefit navigators", "Status Not started, 0% done", "Latest value Not reported yet", "No update yet",
        "Page 2 of",  # the first page has no number, as the other reports
    ]:
        assert expected in text, expected
    assert text.index("Three desks opened") < text.index("Seven desks open")
    assert f"Evidence: {EVIDENCE}" in "".join(text.split()).replace("Evidence:", "Evidence: ")
    assert text.count("No update yet") == 1


def test_the_report_says_who_wrote_an_update_when_no_name_was_given(client, auth, ljubljana):
    facilitator = ljubljana.workshop.facilitators[0]
    record(ljubljana.commitment, ljubljana.other_plan, "changed", 10, "Merged with the school meals plan.", facilitator=facilitator)
    auth.as_user(facilitator)
    text = flat(download(client, ljubljana.progress_url).data)
    assert "Status Changed, 10% done" in text
    assert f"Merged with the school meals plan. Written by {facilitator.name}" in text
    assert "No update yet" not in text


def test_markup_in_an_update_is_printed_as_text_and_nothing_is_fetched(app, client, auth, ljubljana):
    from workshop.reports import render

    evil = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.org/x.css">'
    record(ljubljana.commitment, ljubljana.other_plan, "in_progress", 5, evil, value="<b>12</b>",
           evidence="http://example.org/x.png", author="<script>alert(1)</script>")
    auth.as_user(ljubljana.mateja)
    text = "".join(pdf_text(download(client, ljubljana.progress_url).data).split())
    for printed in [evil, "<b>12</b>", "http://example.org/x.png", "<script>alert(1)</script>"]:
        assert "".join(printed.split()) in text, printed
    with app.test_request_context():
        html = render_template("reports/progress.html", report=progress.city_progress(ljubljana.commitment))
    asked = []
    fetcher = render._fetcher_class()()
    original = fetcher.fetch
    fetcher.fetch = lambda url, headers=None: asked.append(url) or original(url, headers)
    render.render_pdf(html, fetcher)
    assert asked == ["report-asset:report.css"]


def test_plans_are_printed_under_their_policy_areas_in_the_versions_order(app, lab, on_day):
    from workshop.boards import services as boards

    second_area = lab.workshop.policy_areas[1]
    playgrounds, _ = boards.add_card(lab.mateja, second_area.board, "action", "Safe playgrounds in every district")
    commitment = finalise(lab.mateja, [lab.plan, playgrounds, lab.other_plan])
    record(commitment, playgrounds, "dropped", 0, "No budget this year.")
    report = progress.city_progress(commitment)
    assert [(area["title"], [entry["plan"]["card_id"] for entry in area["plans"]]) for area in report["areas"]] == [
        (lab.workshop.policy_areas[0].title, [lab.plan.id, lab.other_plan.id]), (second_area.title, [playgrounds.id])]
    assert dict(report["counts"]) == {"not_started": 2, "in_progress": 0, "done": 0, "changed": 0, "dropped": 1}
    with app.test_request_context():
        text = " ".join(re.sub(r"<[^>]+>", " ", render_template("reports/progress.html", report=report)).split())
    assert f"{second_area.title} Safe playgrounds in every district Status Dropped, 0% done" in text


def test_a_year_after_the_lab_the_report_is_one_year_on(app, ljubljana, on_day):
    assert not progress.is_one_year_on(ljubljana.workshop, date(2026, 11, 6))  # the lab ended on 7 November 2025
    assert progress.is_one_year_on(ljubljana.workshop, date(2026, 11, 7))
    assert progress.one_year_after(date(2024, 2, 29)) == date(2025, 2, 28)
    no_end = SimpleNamespace(starts_on=date(2025, 11, 5), ends_on=None)  # a one-day workshop: a year after its start
    assert progress.is_one_year_on(no_end, date(2026, 11, 5)) and not progress.is_one_year_on(no_end, date(2026, 11, 4))
    on_day(date(2026, 11, 7))
    with app.test_request_context():
        html = render_template("reports/progress.html", report=progress.city_progress(ljubljana.commitment))
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "One year on: Ljubljana" in text and "Made on 7 November 2026" in text and "Progress report" not in text


def test_the_report_is_written_in_the_teams_report_language(client, auth, ljubljana):
    ljubljana.ljubljana.report_language = "fr"
    db.session.commit()
    auth.as_user(ljubljana.mateja)
    text = flat(download(client, ljubljana.progress_url).data)
    assert "2 mars 2026" in text and "24 février 2026" in text and "40 %" in text


def test_the_update_links_holder_downloads_the_report_and_a_revoked_link_is_refused(app, ljubljana):
    holder = app.test_client()  # no account
    url = f"/progress/{ljubljana.link.token}/report.pdf"
    response = download(holder, url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "Seven desks open" in flat(response.data)
    ljubljana.link.revoked_at = utcnow()
    db.session.commit()
    refused = holder.get(url)
    assert refused.status_code == 404 and "This link does not work (any more)." in refused.text
    assert holder.get("/progress/no-such-token/report.pdf").status_code == 404
    # the read-only share link is not an update link
    token = commitments.share(ljubljana.mateja, ljubljana.ljubljana)
    assert holder.get(f"/progress/{token}/report.pdf").status_code == 404


@pytest.mark.parametrize("who, status", [("another city's participant", 403), ("another workshop's facilitator", 403),
                                         ("nobody", 302)])
def test_others_do_not_get_the_citys_progress_report(app, ljubljana, make_facilitator, renders, who, status):
    visitor = app.test_client()
    user = {"another city's participant": ljubljana.ewan, "another workshop's facilitator": make_facilitator()}.get(who)
    if user is not None:
        with visitor.session_transaction() as session:
            session["_user_id"] = user.get_id()
    assert visitor.get(ljubljana.progress_url).status_code == status
    assert renders == []


def test_a_commitment_that_is_not_final_has_no_progress_report(app, client, auth, ljubljana, renders):
    auth.as_user(ljubljana.mateja)
    commitments.reopen(ljubljana.mateja, ljubljana.ljubljana)
    for url in [ljubljana.progress_url, f"/progress/{ljubljana.link.token}/report.pdf"]:
        response = app.test_client().get(url) if url.startswith("/progress/") else client.get(url)
        assert response.status_code == 404, url
        assert "This city's commitment is not final, so there is no progress to report yet." in response.text
    # a team that never started one
    auth.as_user(ljubljana.ewan)
    response = client.get(f"/workshops/{ljubljana.workshop.id}/teams/{ljubljana.glasgow.id}/progress.pdf")
    assert response.status_code == 404 and "is not final" in response.text
    assert renders == []
    assert db.session.scalar(select(Commitment).filter_by(city_team_id=ljubljana.glasgow.id)) is None


def test_a_new_update_renders_the_report_again_and_nothing_else_does(client, auth, ljubljana, tmp_path):
    auth.as_user(ljubljana.mateja)
    first = download(client, ljubljana.progress_url)
    assert first.status_code == 200
    cached = client.get(ljubljana.progress_url)  # unchanged: straight from the cache, no render
    assert cached.status_code == 200 and cached.get_data() == first.data
    cached.close()
    pdfs = set((tmp_path / "reports").glob("*.pdf"))
    assert len(pdfs) == 1
    record(ljubljana.commitment, ljubljana.other_plan, "in_progress", 5, "Training plan agreed with schools.")
    again = client.get(ljubljana.progress_url)
    assert again.status_code == 202 and "Preparing your report" in again.text  # new content: a new render
    text = flat(download(client, ljubljana.progress_url).data)
    assert "Training plan agreed with schools." in text and "No update yet" not in text
    assert len(set((tmp_path / "reports").glob("*.pdf"))) == 2



def test_a_participant_who_removes_their_name_takes_the_cached_progress_reports_with_it(client, auth, ljubljana, tmp_path):
    """The progress report names who wrote each update: its cached PDFs go as the workshop's other reports do."""
    auth.as_user(ljubljana.mateja)
    assert download(client, ljubljana.progress_url).status_code == 200
    assert len(list((tmp_path / "reports").glob("*.pdf"))) == 1
    assert client.post(f"/workshops/{ljubljana.workshop.id}/anonymise-me").status_code == 302
    assert list((tmp_path / "reports").glob("*.pdf")) == []

# The workshop's follow-up summary ---------------------------------------------------------------

@pytest.fixture
def two_cities(ljubljana):
    """Ljubljana (above) and Glasgow, committed to the navigators' plan and done with it; Łódź has no commitment."""
    glasgow = finalise(ljubljana.ewan, [ljubljana.other_plan], "Glasgow commits.")
    record(glasgow, ljubljana.other_plan, "done", 100, "All schools trained.", written_at=datetime(2026, 2, 10, 12, 0))
    return ljubljana


def test_the_follow_up_summary_lists_each_citys_plans_and_the_workshops_totals(client, auth, two_cities):
    auth.as_user(two_cities.workshop.facilitators[0])
    response = download(client, f"/workshops/{two_cities.workshop.id}/follow-up.pdf")
    assert response.status_code == 200
    assert "follow-up-" in response.headers["Content-Disposition"]
    text = flat(response.data)
    for expected in [
        "Follow-up summary", two_cities.workshop.title, "Made on 2 March 2026",
        "Cities with a final commitment 2 Action plans 3 Plans updated since the lab 2",
        "Action plans by status Not started 1 In progress 1 Done 1 Changed 0 Dropped 0 All plans 3",
        "No final commitment: Łódź.",
        # per city, by name: its counts, then a row per plan
        "Glasgow Done: 1", "Train school staff as benefit navigators Done 100% 10 February 2026",
        "Ljubljana Not started: 1 · In progress: 1", "Family desks In progress 40% 24 February 2026",
        "Train school staff as benefit navigators Not started 0% No update yet",
    ]:
        assert expected in text, expected
    assert text.index("Glasgow Done: 1") < text.index("Ljubljana Not started")


def test_the_follow_up_summary_with_no_final_commitment_says_so(app, lab, on_day):
    with app.test_request_context():
        html = render_template("reports/follow_up.html", report=progress.follow_up(lab.workshop))
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "No city has a final commitment yet." in text and "All plans 0" in text
    assert "No final commitment: Glasgow, Ljubljana, Łódź." in text


@pytest.mark.parametrize("who", ["participant", "another workshop's facilitator"])
def test_the_follow_up_summary_is_for_the_workshops_facilitators(app, two_cities, make_facilitator, renders, who):
    visitor = app.test_client()
    user = two_cities.mateja if who == "participant" else make_facilitator()
    with visitor.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert visitor.get(f"/workshops/{two_cities.workshop.id}/follow-up.pdf").status_code == 403
    assert renders == []


# Links to the reports, on the followup feature's pages --------------------------------------------

def rendered(app, template, user=None, **context):
    """`template` rendered as a request signed in as `user` (or nobody) would see it."""
    with app.test_request_context():
        if user is not None:
            flask_login.login_user(user)
        return render_template(template, **context)


def test_the_progress_page_links_its_team_to_the_teams_report_and_a_link_holder_through_the_link(app, ljubljana):
    lab = ljubljana
    context = {"workshop": lab.workshop, "team": lab.ljubljana, "commitment": lab.commitment}
    team_url = f'href="{lab.progress_url}"'
    link_url = f'href="/progress/{lab.link.token}/report.pdf"'
    on_team_page = rendered(app, "reports/_progress_report_links.html", lab.mateja, link=None, **context)
    assert team_url in on_team_page and "Download the progress report (PDF)" in on_team_page
    on_link_page = rendered(app, "reports/_progress_report_links.html", link=lab.link, **context)
    assert link_url in on_link_page and team_url not in on_link_page
    # another city's participant with the link uses the link; the team signed in uses its own address
    assert link_url in rendered(app, "reports/_progress_report_links.html", lab.ewan, link=lab.link, **context)
    assert team_url in rendered(app, "reports/_progress_report_links.html", lab.mateja, link=lab.link, **context)
    commitments.reopen(lab.mateja, lab.ljubljana)
    assert "progress report" not in rendered(app, "reports/_progress_report_links.html", lab.mateja, link=lab.link, **context)


def test_the_follow_up_view_links_to_the_summary(app, lab):
    html = rendered(app, "reports/_follow_up_report_link.html", lab.workshop.facilitators[0], workshop=lab.workshop)
    assert f'href="/workshops/{lab.workshop.id}/follow-up.pdf">Download the follow-up summary (PDF)</a>' in html


def test_the_preparing_page_links_back_to_the_followup_page(app, client, auth, ljubljana, renders):
    lab = ljubljana
    pages = {"followup.team_progress": f"/workshops/{lab.workshop.id}/teams/{lab.ljubljana.id}/progress",
             "followup.update_by_link": f"/progress/{lab.link.token}",
             "followup.follow_up": f"/workshops/{lab.workshop.id}/follow-up"}

    def back(endpoint, label):
        """Where the page leads back: the followup page once the app has it, else the workshop's home."""
        if endpoint in app.view_functions:
            return f'href="{pages[endpoint]}" id="report-back">{label}</a>'
        return f'href="/workshops/{lab.workshop.id}" id="report-back">Back to the workshop</a>'

    auth.as_user(lab.mateja)
    assert back("followup.team_progress", "Back to the progress page") in client.get(lab.progress_url).text
    assert back("followup.update_by_link", "Back to the progress page") in app.test_client().get(
        f"/progress/{lab.link.token}/report.pdf").text
    auth.as_user(lab.workshop.facilitators[0])
    assert back("followup.follow_up", "Back to the follow-up view") in client.get(
        f"/workshops/{lab.workshop.id}/follow-up.pdf").text


def test_the_follow_up_summary_is_in_the_language_of_the_facilitators_pages(client, auth, two_cities, renders):
    facilitator = two_cities.workshop.facilitators[0]
    facilitator.language = "de"
    db.session.commit()
    auth.as_user(facilitator)
    assert client.get(f"/workshops/{two_cities.workshop.id}/follow-up.pdf").status_code == 202
    [html] = renders
    assert '<html lang="de">' in html and "2. März 2026" in html and "24. Februar 2026" in html
