"""After the lab (issue 17) as people live it, in Debian's Chromium, on a server of its own: Glasgow and
Bologna leave a lab with final commitments; Fran (facilitator, laptop) sets the check-in dates; Ana of Glasgow
sets her city's contact, makes an update link for the mayor's office and copies it; the office updates two plans from a
390x844 phone without an account; Fran sees them on the follow-up view and runs the reminders (a real SMTP
server in-process receives them, once); Glasgow agrees to publish, Bologna does not, Fran publishes, and a
stranger reads the public page, its open data and its feed, where nothing private shows; the progress PDF and
the follow-up summary print the updates; Fran revokes the link and the phone's next visit is refused clearly.

Throughout: no page logs an error, no page scrolls sideways, the new pages pass axe. Screenshots go to
tests/screenshots/followup (SCREENSHOTS_DIR moves them)."""
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from . import journey
from .a11y import assert_accessible
from .conftest import pdf_text
from .journey import shots
from .layout import LAPTOP, PHONE
from .live import ROOT, Visitor, server_of_its_own
from .test_reminders import smtp, text_part  # noqa: F401 (smtp: a real SMTP server in-process, a fixture)

pytestmark = pytest.mark.browser  # which counts as live too (pyproject.toml)

SHOTS = shots("followup")
FOLLOW_UP = "Follow-up: how the cities' plans are going"
PRINCIPLES = "Action plans by principle of the European Pillar of Social Rights"

DESKS = "Family desks in every district"
NAVIGATORS = "Benefit navigators in every school"
BREAKFAST = "Breakfast clubs in every primary school"
MEALS = "Free school meals for every child"
CENTRES = "Family centres in the suburbs"
DRAFT_ONLY = "A plan Glasgow wrote on the board but did not commit to"
GLASGOW_STATEMENT = "Glasgow commits to reach every family with a child at risk of poverty."
BOLOGNA_STATEMENT = "Bologna si impegna a garantire un pasto a ogni bambino."
EVIDENCE = "https://www.glasgow.gov.uk/navigators-report"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from server_of_its_own(tmp_path_factory, "followup")


class Room(journey.Room):
    """The journey's room, where every page also counts what it logs as an error in its console, and a page
    may open signed in as a `Visitor` (their cookies)."""

    def page(self, who, viewport=LAPTOP, phone=False, context=None, audited=False, signed_in=None):
        page = super().page(who, viewport, phone, context, timeout=20_000, **({"bypass_csp": True} if audited else {}))
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        if signed_in is not None:
            page.context.add_cookies([{"name": c.name, "value": c.value, "url": self.server.url} for c in signed_in.http.cookies])
        return page


@pytest.fixture
def room(browser, server):
    room = Room(browser, server, SHOTS, narrow=("mayors-office", "stranger-phone"))
    yield room
    room.close()


def final_commitment(server, person, workshop_id, board, plans, statement, signatory, extra=()):
    """`person`'s city team writes `plans` ({text: plan details}) and `extra` cards on the board, commits to
    `plans`, final: the card ids by text and the team's id."""
    socket = person.socket()
    ids = {}
    try:
        for text, details in {**plans, **{text: None for text in extra}}.items():
            ack = socket.call("add_card", {"board_id": board, "lane": "action", "text": text})
            assert ack["ok"], ack
            ids[text] = ack["card"]["id"]
            if details:
                ack = socket.call("edit_action_plan", {"card_id": ids[text], "plan": details})
                assert ack["ok"], ack
    finally:
        socket.close()
    home = person.http.get(f"{server.url}/workshops/{workshop_id}").text
    commitment = re.search(rf'/workshops/{workshop_id}/commitments/(\d+)', home).group(0)
    name, role, organisation = signatory
    person.form(commitment, {"plans": [ids[text] for text in plans], "statement": statement, "signatory-0-name": name,
                             "signatory-0-role": role, "signatory-0-organisation": organisation})
    person.form(f"{commitment}/final", {}, page=commitment)
    return ids, int(commitment.rsplit("/", 1)[1])


def after_the_lab(server):
    """The lab is over: Fran's workshop, Glasgow's three plans and Bologna's two, both final; Bologna's
    contact email set. (Fran's account, the workshop id, Ana, Glasgow's team id, Ben, Bologna's team id.)"""
    fran = Visitor(server.url).sign_up("Fran")
    code, boards = fran.create_workshop("Social Innovation Lab 2025")
    workshop = fran.workshop_id
    ana = Visitor(server.url).join(code, "Ana Ramsay", "Glasgow")
    ben = Visitor(server.url).join(code, "Benedetta Rossi", "Bologna")
    _, glasgow = final_commitment(server, ana, workshop, boards[0], {
        "Open family desks in all districts": {"title": DESKS, "principles": [11, 14], "child_guarantee": True,
                                               "indicators": "Families reached a year", "baseline": "300 families",
                                               "target": "2,000 families", "investment_amount": 1200000,
                                               "investment_currency": "EUR", "investment_period": "2026-2028"},
        "Train school staff as benefit navigators": {"title": NAVIGATORS, "principles": [11], "indicators": "Staff trained",
                                                     "baseline": "0", "target": "120 staff"},
        "Breakfast clubs": {"title": BREAKFAST, "principles": [11, 20], "child_guarantee": True},
    }, GLASGOW_STATEMENT, ("Susan Aitken", "Leader of the Council", "Glasgow City Council"), extra=(DRAFT_ONLY,))
    _, bologna = final_commitment(server, ben, workshop, boards[1], {
        "Pasti gratuiti": {"title": MEALS, "principles": [11], "baseline": "60 %", "target": "100 %",
                           "indicators": "Children eating at school"},
        "Centri per le famiglie": {"title": CENTRES, "principles": [17]},
    }, BOLOGNA_STATEMENT, ("Matteo Lepore", "Sindaco", "Comune di Bologna"))
    progress = f"/workshops/{workshop}/teams/{bologna}/progress"
    ben.form(progress, {"action": "contact", "email": "bologna@example.org"})
    return fran, workshop, ana, glasgow, ben, bologna


def update_plan(page, plan, status, percent, text, name, indicator="", evidence=""):
    form = page.get_by_role("form", name=f"Add an update to {plan}")
    form.get_by_role("combobox", name="Status").select_option(label=status)
    form.get_by_role("spinbutton", name="Percent done").fill(percent)
    form.get_by_role("textbox", name="What happened").fill(text)
    if indicator:
        form.get_by_role("textbox", name="Indicator value now").fill(indicator)
    if evidence:
        form.get_by_role("textbox", name="Evidence link (optional)").fill(evidence)
    form.get_by_role("textbox", name="Your name").fill(name)
    form.get_by_role("button", name=re.compile("^Save the update")).click()
    expect(page.get_by_role("status")).to_contain_text("Update saved.")


def send_reminders(server, smtp):
    """`flask --app workshop send-reminders` on the server's database, mailing to `smtp`: its output."""
    env = {**server.env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_TIMEOUT": "10",
           "MAIL_DEFAULT_SENDER": "Lab reminders <lab@example.org>", "SERVER_NAME": f"127.0.0.1:{server.port}"}
    run = subprocess.run([sys.executable, "-m", "flask", "--app", "workshop", "send-reminders"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def download(page, link_name, keep_as):
    """The text of the PDF behind the link `link_name`, its whitespace folded; the PDF is kept beside the
    screenshots as `keep_as`, to be looked at."""
    with page.expect_download(timeout=90_000) as pdf:
        page.get_by_role("link", name=link_name).click()
    pdf.value.save_as(SHOTS / keep_as)
    return " ".join(pdf_text(Path(pdf.value.path()).read_bytes()).split())


def test_a_year_after_the_lab(room, server, smtp):
    fran_account, workshop, ana_account, glasgow, ben_account, bologna = after_the_lab(server)
    today = date.today()

    # 1. Fran sets the check-in dates -----------------------------------------------------------------------
    fran = room.page("fran", audited=True, signed_in=fran_account)
    fran.goto(f"/workshops/{workshop}/console")
    fran.get_by_role("link", name="Check-ins").click()
    expect(fran.get_by_role("heading", level=1)).to_have_text("Check-ins")
    for number, days in ((3, 190), (2, 100), (1, 10)):  # the list is in date order: the last first keeps each number
        fran.get_by_label(f"Check-in {number}", exact=True).fill((today + timedelta(days=days)).isoformat())
        fran.get_by_role("button", name=f"Save check-in {number}").click()
        expect(fran.get_by_role("status")).to_contain_text("Check-in date saved.")
    expect(fran.get_by_label("Check-in 1", exact=True)).to_have_value((today + timedelta(days=10)).isoformat())
    room.shoot("check-ins", fran)
    assert_accessible(fran)

    # 2. Ana sets Glasgow's contact and makes an update link for the mayor's office ---------------------------
    ana = room.page("ana", audited=True, signed_in=ana_account)
    ana.goto(f"/workshops/{workshop}/commitments/{glasgow}")
    ana.get_by_role("link", name="Progress of the action plans after the lab").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Progress of Glasgow")
    ana.get_by_role("textbox", name="Email for check-in reminders").fill("glasgow@example.org")
    ana.get_by_role("button", name="Save the contact").click()
    expect(ana.get_by_role("textbox", name="Email for check-in reminders")).to_have_value("glasgow@example.org")
    ana.get_by_role("textbox", name="Who is the link for?").fill("Mayor's office")
    ana.get_by_role("button", name="Make an update link").click()
    expect(ana.get_by_role("status")).to_contain_text("Here is the update link.")
    ana.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    ana.get_by_role("button", name="Copy the link for Mayor's office").click()
    expect(ana.get_by_role("status")).to_contain_text("Link copied: paste it in your message to Mayor's office.")
    address = ana.evaluate("navigator.clipboard.readText()")
    shown = ana.get_by_role("region", name="Update links").get_by_role("link", name=re.compile(r"\bprogress\b")).text_content()
    assert address == shown and "/progress/" in address, (address, shown)
    token = address.rsplit("/", 1)[1]
    room.shoot("update-link", ana)
    assert_accessible(ana)

    # 3. The mayor's office, on a phone, without an account -------------------------------------------------
    office = room.page("mayors-office", PHONE, phone=True, audited=True)
    office.goto(address)
    expect(office.get_by_role("heading", name="Progress of Glasgow")).to_be_visible()
    expect(office.get_by_text("Ana Ramsay")).to_have_count(0)
    room.shoot("link-page", office)
    update_plan(office, DESKS, "In progress", "40", "Four district desks opened in March.", "Morag Clark",
                indicator="900 families")
    update_plan(office, NAVIGATORS, "Done", "100", "All 120 school staff trained.", "Morag Clark", evidence=EVIDENCE)
    desks = office.get_by_role("article", name=DESKS)
    expect(desks).to_contain_text("In progress, 40% done")
    expect(desks).to_contain_text("Indicator: 900 families")
    expect(office.get_by_role("article", name=NAVIGATORS).get_by_role("link", name="Evidence")).to_have_attribute("href", EVIDENCE)
    room.shoot("link-updated", office)
    assert_accessible(office)

    # 4. Fran's follow-up view, and the reminders -----------------------------------------------------------
    fran.goto(f"/workshops/{workshop}/console")
    fran.get_by_role("link", name=FOLLOW_UP).click()
    city = fran.get_by_role("region", name="Glasgow")
    expect(city.get_by_role("row", name=re.compile(DESKS))).to_contain_text("In progress, 40% done")
    expect(city.get_by_role("row", name=re.compile(NAVIGATORS))).to_contain_text("Done, 100% done")
    expect(city.get_by_role("row", name=re.compile(BREAKFAST))).to_contain_text("none yet")
    expect(city).to_contain_text("Morag Clark, through the link for Mayor's office")
    expect(city).to_contain_text("up to date")
    expect(fran.get_by_role("region", name="Bologna")).to_contain_text("due")
    room.shoot("follow-up", fran)
    assert_accessible(fran)

    said = send_reminders(server, smtp)
    letters = smtp.to("bologna@example.org")
    assert len(letters) == 1, said
    link = re.search(r"http://\S+/progress/\S+", text_part(letters[0])).group(0).rstrip(".")
    reminded = room.page("bologna-reminded")
    reminded.goto(link)
    expect(reminded.get_by_role("heading", level=1)).to_have_text("Progress of Bologna")
    room.shoot("reminder-link", reminded)
    received = len(smtp.messages)
    said_again = send_reminders(server, smtp)
    assert len(smtp.messages) == received and "Nothing to send." in said_again, said_again

    # 5. Glasgow agrees to publish, Bologna does not; Fran publishes; a stranger reads -------------------------
    ana.goto(f"/workshops/{workshop}/commitments/{glasgow}")
    ana.get_by_role("button", name="Agree to publish our commitment").click()
    expect(ana.get_by_text(re.compile("Your city agreed on"))).to_be_visible()
    room.shoot("agreed", ana)
    fran.goto(f"/workshops/{workshop}/console")
    fran.get_by_role("button", name="Publish the pledges").click()
    expect(fran.get_by_role("button", name="Unpublish the pledges")).to_be_visible()
    room.shoot("published", fran)

    stranger = room.page("stranger", audited=True)
    stranger.goto(f"/pledges/{workshop}")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Pledges of Social Innovation Lab 2025")
    expect(stranger.get_by_role("heading", name="Glasgow")).to_be_visible()
    expect(stranger.get_by_role("heading", name="Bologna")).to_have_count(0)
    expect(stranger.get_by_text(GLASGOW_STATEMENT)).to_be_visible()
    expect(stranger.get_by_text("Susan Aitken, Leader of the Council, Glasgow City Council")).to_be_visible()
    for plan in (DESKS, NAVIGATORS, BREAKFAST):
        expect(stranger.get_by_role("heading", name=re.compile(re.escape(plan)))).to_be_visible()
    expect(stranger.get_by_text("Four district desks opened in March.")).to_be_visible()
    stranger.get_by_text("Latest updates of 1.2").click()  # only the first plan's updates are open at first
    expect(stranger.get_by_text("All 120 school staff trained.")).to_be_visible()
    principles = stranger.get_by_role("table", name=PRINCIPLES)
    expect(principles.get_by_role("row", name="11. Childcare and support to children").get_by_role("cell").first).to_have_text("3")
    by_status = stranger.get_by_role("table", name="Action plans by progress")
    for status, count in (("Not started", "1"), ("In progress", "1"), ("Done", "1")):
        expect(by_status.get_by_role("row", name=status).get_by_role("cell").first).to_have_text(count)
    room.shoot("public-page", stranger)
    assert_accessible(stranger)

    stranger.get_by_label("Principle").select_option("14")
    stranger.get_by_role("button", name="Show").click()
    expect(stranger.get_by_role("heading", name="Totals of the plans shown")).to_be_visible()
    expect(stranger.get_by_role("heading", name=re.compile(re.escape(DESKS)))).to_be_visible()
    expect(stranger.get_by_role("heading", name=re.compile(re.escape(NAVIGATORS)))).to_have_count(0)
    room.shoot("public-page-filtered", stranger)
    assert_accessible(stranger)

    stranger_phone = room.page("stranger-phone", PHONE, phone=True, audited=True)
    stranger_phone.goto(f"/pledges/{workshop}")
    expect(stranger_phone.get_by_role("table", name=PRINCIPLES)).to_be_visible()
    room.shoot("public-page", stranger_phone)
    assert_accessible(stranger_phone)

    anyone = requests.Session()
    published = {kind: anyone.get(f"{server.url}{path}") for kind, path in (
        ("page", f"/pledges/{workshop}"), ("json", f"/pledges/{workshop}.json"), ("csv", f"/pledges/{workshop}.csv"),
        ("atom", f"/pledges/{workshop}/updates.atom"))}
    for kind, response in published.items():
        assert response.status_code == 200, kind
        text = response.text
        assert "Glasgow" in text and NAVIGATORS in text, kind
        assert kind == "csv" or "All 120 school staff trained." in text, kind  # the CSV has one row per plan, no updates
        for secret in ("Ana Ramsay", "Benedetta Rossi", "Bologna", MEALS, BOLOGNA_STATEMENT, DRAFT_ONLY, token,
                       "glasgow@example.org", "bologna@example.org", "Mayor's office", "Mayor&#39;s office"):
            assert secret not in text, (kind, secret)
    assert json.loads(published["json"].text)

    # 6. The progress report and the follow-up summary ------------------------------------------------------
    ana.goto(f"/workshops/{workshop}/teams/{glasgow}/progress")
    report = download(ana, "Download the progress report (PDF)", "progress-glasgow.pdf")
    for printed in (DESKS, NAVIGATORS, "Four district desks opened in March.", "900 families", "All 120 school staff trained."):
        assert printed in report, (printed, report)
    fran.goto(f"/workshops/{workshop}/follow-up")
    summary = download(fran, "Download the follow-up summary (PDF)", "follow-up-summary.pdf")
    assert "Glasgow" in summary and "Bologna" in summary, summary

    # 7. Fran revokes the link; the phone's next visit is refused clearly -------------------------------------
    fran.goto(f"/workshops/{workshop}/follow-up")  # the download left the page on the report's own page
    fran.get_by_role("region", name="Glasgow").get_by_role("link", name="Glasgow").click()
    fran.get_by_role("button", name="Revoke the link for Mayor's office").click()
    expect(fran.get_by_role("region", name="Update links")).to_contain_text("Revoked: Mayor's office")
    room.shoot("revoked", fran)
    assert office.errors == []
    response = office.goto(address)
    assert response.status == 404
    assert office.errors == ["Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]
    office.errors.clear()  # the refusal itself, the page's own answer: the only error allowed
    expect(office.get_by_text("This link does not work (any more).")).to_be_visible()
    expect(office.get_by_role("form")).to_have_count(0)
    room.shoot("link-revoked", office)

    for page in room.pages:
        assert page.errors == [], (page.who, page.errors)
