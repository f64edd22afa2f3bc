"""Check-ins and reminder emails: the facilitators' check-ins page, and `flask --app workshop send-reminders`
against a real SMTP server in-process (aiosmtpd), which receives what the command sends."""
import re
import socket
from datetime import date, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from workshop.boards import plans as board_plans
from workshop.boards import services as boards
from workshop.commitments import services as commitments
from workshop.extensions import db
from workshop.models import CheckIn, PlanProgress, ProgressReminder, UpdateLink
from workshop.reminders import services

from .conftest import running_app
from .forms_as_shown import form_with, forms_of

SENDER = "Lab reminders <lab@example.org>"
SITE = "lab.example.org"
FIRST_CHECK_IN = date(2026, 2, 7)  # 3 months after the workshop ends (make_workshop: 5-7 November 2025)


class Inbox:
    """What the SMTP server received: each message's envelope recipients and the message, parsed. It refuses
    any recipient at refused.example.org, as a real server refuses an unknown mailbox."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example.org"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for recipients, message in self.messages if address in recipients]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on a free port of this machine, for one test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def app(tmp_path, smtp):
    """The app (every factory of conftest uses it) sending its mail to `smtp`, its links at SITE."""
    with running_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_DEFAULT_SENDER=SENDER, MAIL_TIMEOUT=10,
                     SERVER_NAME=SITE) as app:
        yield app


def final_commitment(workshop, participant, plan_texts, contact=None, language=None, titles=None):
    """The participant's city team commits, final, to new action plans (`titles`: {text: plan title});
    `contact` its contact email."""
    team = participant.city_team
    board = workshop.policy_areas[0].board
    cards = [boards.add_card(participant, board, "action", text)[0] for text in plan_texts]
    for card in cards:
        if card.text in (titles or {}):
            board_plans.edit_action_plan(participant, card, {"title": titles[card.text]})
    commitments.save_draft(participant, team, [card.id for card in cards], f"{team.name} commits.", [("Mayor", "Mayor", "City")], language)
    commitments.finalise(participant, team)
    commitment = commitments.commitment_of(team)
    commitment.contact_email = contact
    db.session.commit()
    return commitment, cards


@pytest.fixture
def lab(make_workshop, make_participant):
    """A workshop (ended 7 November 2025) whose cities stand differently: Glasgow final, with a contact and one
    plan in progress; Berlin final, reporting in German; Bologna final without a contact; Ljubljana a draft."""

    class Lab:
        workshop = make_workshop(title="Lab & friends", cities=("Ljubljana", "Glasgow", "Bologna", "Berlin"))
        facilitator = workshop.facilitators[0]
        ana = make_participant(workshop, "Ana", "Glasgow")
        ben = make_participant(workshop, "Ben", "Bologna")
        lea = make_participant(workshop, "Lea", "Ljubljana")
        max = make_participant(workshop, "Max", "Berlin")

    lab = Lab()
    lab.glasgow, (_, teams) = final_commitment(lab.workshop, lab.ana, ["Open family desks", "Mobile family teams"],
                                               contact="glasgow@example.org",
                                               titles={"Open family desks": "Family desks in every district"})
    db.session.add(PlanProgress(commitment_id=lab.glasgow.id, card_id=teams.id, status="in_progress", percent=40))
    lab.berlin, _ = final_commitment(lab.workshop, lab.max, ["Kinderbüros"], contact="berlin@example.org", language="de")
    lab.bologna, _ = final_commitment(lab.workshop, lab.ben, ["Free school meals"])
    card, _ = boards.add_card(lab.lea, lab.workshop.policy_areas[0].board, "action", "Ljubljana draft plan")
    commitments.save_draft(lab.lea, lab.lea.city_team, [card.id], "Draft.", [])
    lab.ljubljana = commitments.commitment_of(lab.lea.city_team)
    lab.ljubljana.contact_email = "ljubljana@example.org"  # a contact, but the commitment is not final
    db.session.commit()
    return lab


def send(runner, *args):
    return runner.invoke(args=["send-reminders", *args])


def reminder_rows():
    return [(row.check_in_id, row.commitment_id, row.recipient, row.sent_at)
            for row in db.session.scalars(select(ProgressReminder).order_by(ProgressReminder.id))]


def text_part(message):
    return message.get_body(("plain",)).get_content()


def html_part(message):
    return message.get_body(("html",)).get_content()


# Sending -------------------------------------------------------------------------------------------

def test_each_final_city_with_a_contact_is_reminded_before_the_check_in(lab, runner, smtp):
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code == 0, result.output
    assert sorted(recipient for recipients, _ in smtp.messages for recipient in recipients) == ["berlin@example.org", "glasgow@example.org"]
    [message] = smtp.to("glasgow@example.org")
    assert message["To"] == "glasgow@example.org"
    assert message["From"].addresses[0].display_name == "Lab & friends"  # from the workshop, at the sender's address
    assert message["From"].addresses[0].addr_spec == "lab@example.org"
    assert "Lab & friends" in message["Subject"] and "7 February 2026" in message["Subject"]
    text = text_part(message)
    assert "Glasgow" in text and "7 February 2026" in text and "Lab & friends" in text  # text: no HTML escaping
    assert "- Family desks in every district: not started" in text
    assert "- Mobile family teams: in progress (40% done)" in text
    html = html_part(message)
    assert "Lab &amp; friends" in html and "Family desks in every district" in html
    link = db.session.scalar(select(UpdateLink).where(UpdateLink.commitment_id == lab.glasgow.id))
    assert link.label == "Reminder emails" and link.is_active
    assert f"http://{SITE}/progress/{link.token}" in text and f'href="http://{SITE}/progress/{link.token}"' in html
    rows = reminder_rows()
    assert {(commitment, recipient) for _, commitment, recipient, _ in rows} == {
        (lab.glasgow.id, "glasgow@example.org"), (lab.berlin.id, "berlin@example.org")}
    assert {check_in for check_in, *_ in rows} == {db.session.scalar(select(CheckIn.id).where(CheckIn.due_on == FIRST_CHECK_IN))}
    assert "Glasgow <glasgow@example.org>: reminded" in result.output
    assert "2 reminded, 0 already reminded, 1 without a contact email, 0 failed" in result.output


def test_a_city_without_a_contact_email_is_reported_not_failed(lab, runner, smtp):
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code == 0
    assert "Bologna: skipped: no contact email" in result.output
    assert lab.bologna.id not in {commitment for _, commitment, *_ in reminder_rows()}


def test_a_commitment_that_is_not_final_is_not_reminded(lab, runner, smtp):
    send(runner, "--today", "2026-01-30")
    assert smtp.to("ljubljana@example.org") == []
    assert lab.ljubljana.id not in {commitment for _, commitment, *_ in reminder_rows()}


def test_a_second_run_sends_nothing_and_says_so(lab, runner, smtp):
    send(runner, "--today", "2026-01-30")
    rows, emails = reminder_rows(), len(smtp.messages)
    again = send(runner, "--today", "2026-02-01")
    assert again.exit_code == 0, again.output
    assert len(smtp.messages) == emails
    assert reminder_rows() == rows
    assert "Glasgow <glasgow@example.org>: already reminded" in again.output
    assert "0 reminded, 2 already reminded" in again.output and "Nothing to send." in again.output


@pytest.mark.parametrize("today, lead_days, reminded", [
    ("2026-01-23", 14, False),  # the check-in is 15 days away
    ("2026-01-24", 14, True),  # 14 days away: the last day of the window
    ("2026-02-07", 14, True),  # due today
    ("2026-02-08", 14, False),  # past
    ("2026-02-01", 5, False),  # 6 days away, 5 days' lead
    ("2026-02-01", 6, True),
])
def test_only_check_ins_within_the_lead_days_are_reminded(lab, runner, smtp, today, lead_days, reminded):
    result = send(runner, "--today", today, "--lead-days", str(lead_days))
    assert result.exit_code == 0, result.output
    assert bool(smtp.to("glasgow@example.org")) == reminded
    assert bool(reminder_rows()) == reminded


def test_a_german_team_is_written_to_in_german(lab, runner, smtp):
    send(runner, "--today", "2026-01-30")
    [message] = smtp.to("berlin@example.org")
    # The date is written by the locale's own rules (CLDR, not our catalogues): proof force_locale applied.
    assert "7. Februar 2026" in message["Subject"] and "7. Februar 2026" in text_part(message)
    assert 'lang="de"' in html_part(message)
    assert "- Kinderbüros: nicht begonnen" in text_part(message)  # "not started", from the German catalogue
    assert message["Message-ID"].endswith(f"@{SITE}>")
    [message] = smtp.to("glasgow@example.org")
    assert "7 February 2026" in text_part(message)


def test_the_next_check_in_reuses_the_citys_reminder_link(lab, runner, smtp):
    send(runner, "--today", "2026-01-30")
    send(runner, "--today", "2026-04-30")  # the second check-in, 7 May 2026
    first, second = smtp.to("glasgow@example.org")
    links = db.session.scalars(select(UpdateLink).where(UpdateLink.commitment_id == lab.glasgow.id)).all()
    assert len(links) == 1
    assert links[0].token in text_part(first) and links[0].token in text_part(second)
    assert "7 May 2026" in text_part(second)


def test_the_link_in_the_email_opens_the_citys_progress_page(lab, runner, smtp, client, app):
    send(runner, "--today", "2026-01-30")
    url = re.search(r"http://\S+/progress/\S+", text_part(smtp.to("glasgow@example.org")[0])).group(0)
    response = client.get(url)
    assert response.status_code == 200
    assert "Mobile family teams" in response.text


def test_a_dry_run_sends_and_records_nothing(lab, runner, smtp):
    result = send(runner, "--today", "2026-01-30", "--dry-run")
    assert result.exit_code == 0, result.output
    assert smtp.messages == [] and reminder_rows() == []
    assert "Glasgow <glasgow@example.org>: would remind (dry run)" in result.output
    assert "2 would remind" in result.output


def test_without_a_mail_server_the_command_says_so_and_marks_nothing(lab, runner, smtp, app):
    app.config["MAIL_SERVER"] = None
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code != 0
    assert "Mail is not configured: set MAIL_SERVER" in result.output and "Nothing was sent." in result.output
    assert smtp.messages == [] and reminder_rows() == []


def test_without_a_mail_server_the_command_fails_even_with_nothing_due(lab, runner, smtp, app):
    app.config["MAIL_SERVER"] = None
    result = send(runner, "--today", "2026-01-01")
    assert result.exit_code != 0 and "Mail is not configured: set MAIL_SERVER" in result.output


def test_without_a_sender_or_a_site_address_the_command_names_them(lab, runner, smtp, app):
    app.config["MAIL_DEFAULT_SENDER"] = app.config["SERVER_NAME"] = ""
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code != 0 and "set MAIL_DEFAULT_SENDER, SERVER_NAME" in result.output
    assert smtp.messages == [] and reminder_rows() == []


def test_tls_and_ssl_together_are_refused_before_anything_is_marked(lab, runner, smtp, app):
    app.config["MAIL_USE_TLS"] = app.config["MAIL_USE_SSL"] = True
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code != 0 and "exclude each other" in result.output
    assert reminder_rows() == []


def test_a_dry_run_needs_no_mail_server(lab, runner, smtp, app):
    app.config["MAIL_SERVER"] = None
    result = send(runner, "--today", "2026-01-30", "--dry-run")
    assert result.exit_code == 0 and "2 would remind" in result.output


def test_an_unreachable_mail_server_fails_the_run_and_marks_nothing(lab, runner, smtp, app):
    app.extensions["mailman"].port = free_port()  # nobody listens there
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code != 0
    assert "Cannot reach the mail server 127.0.0.1" in result.output
    assert reminder_rows() == []


def test_a_refused_reminder_is_not_marked_and_is_tried_again(lab, runner, smtp):
    lab.glasgow.contact_email = "desk@refused.example.org"
    db.session.commit()
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code != 0
    assert "Glasgow <desk@refused.example.org>: FAILED" in result.output
    assert "1 reminder(s) could not be sent" in result.output
    assert [commitment for _, commitment, *_ in reminder_rows()] == [lab.berlin.id]  # Berlin's went out
    lab.glasgow.contact_email = "glasgow@example.org"
    db.session.commit()
    assert send(runner, "--today", "2026-01-31").exit_code == 0
    assert len(smtp.to("glasgow@example.org")) == 1 and len(smtp.to("berlin@example.org")) == 1


def test_send_reminders_returns_what_it_did(lab, smtp):
    outcomes = services.send_reminders(date(2026, 1, 30))
    assert {(outcome.city, outcome.state) for outcome in outcomes} == {
        ("Glasgow", "sent"), ("Berlin", "sent"), ("Bologna", "no_contact")}
    assert {(outcome.city, outcome.state) for outcome in services.send_reminders(date(2026, 1, 30))} == {
        ("Glasgow", "already_sent"), ("Berlin", "already_sent"), ("Bologna", "no_contact")}


# The check-ins page ----------------------------------------------------------------------------------

def page(lab):
    return f"/workshops/{lab.workshop.id}/check-ins"


def stored_dates(lab):
    db.session.expire_all()
    return [row.due_on.isoformat() for row in db.session.scalars(select(CheckIn).where(CheckIn.workshop_id == lab.workshop.id).order_by(CheckIn.due_on))]


def check_in_on(lab, day):
    return db.session.scalar(select(CheckIn).where(CheckIn.workshop_id == lab.workshop.id, CheckIn.due_on == date.fromisoformat(day)))


@pytest.fixture
def facilitator(lab, auth):
    auth.as_user(lab.facilitator)
    return auth


def test_the_page_shows_the_default_check_ins_and_stores_them(lab, client, facilitator):
    response = client.get(page(lab))
    assert response.status_code == 200
    for day in ("2026-02-07", "2026-05-07", "2026-11-07"):
        assert f'value="{day}"' in response.text
    assert stored_dates(lab) == ["2026-02-07", "2026-05-07", "2026-11-07"]


def test_the_console_links_to_the_check_ins(lab, client, facilitator):
    assert f'href="{page(lab)}"' in client.get(f"/workshops/{lab.workshop.id}/console").text


def test_a_facilitator_adds_a_check_in(lab, client, facilitator):
    client.get(page(lab))
    response = client.post(page(lab), data={"new-due_on": "2026-08-01"})
    assert response.status_code == 302
    assert stored_dates(lab) == ["2026-02-07", "2026-05-07", "2026-08-01", "2026-11-07"]
    assert "Check-in added." in client.get(page(lab)).text


def test_adding_before_any_page_view_keeps_the_defaults(lab, client, facilitator):
    assert client.post(page(lab), data={"new-due_on": "2026-08-01"}).status_code == 302
    assert stored_dates(lab) == ["2026-02-07", "2026-05-07", "2026-08-01", "2026-11-07"]


@pytest.mark.parametrize("typed, message", [
    ("next spring", "Check-in date must be a date like 2025-11-05."),
    ("2026-02-30", "Check-in date must be a date like 2025-11-05."),
    ("", "Check-in date is required."),
    ("2026-05-07", "There is already a check-in on 2026-05-07."),
    ("2025-11-07", "A check-in comes after the workshop: pick a date after 2025-11-07."),
    ("2025-06-01", "A check-in comes after the workshop: pick a date after 2025-11-07."),
])
def test_a_bad_new_date_is_refused_with_a_message(lab, client, facilitator, typed, message):
    client.get(page(lab))
    response = client.post(page(lab), data={"new-due_on": typed})
    assert response.status_code == 400
    assert message in response.text
    assert stored_dates(lab) == ["2026-02-07", "2026-05-07", "2026-11-07"]


def move(client, lab, day, to):
    """Post the date form of the check-in on `day` with the date `to`."""
    check_in = check_in_on(lab, day)
    return client.post(page(lab), data={"check_in": check_in.id, f"check-in-{check_in.id}-due_on": to})


def test_a_facilitator_moves_a_check_in(lab, client, facilitator):
    client.get(page(lab))
    assert move(client, lab, "2026-05-07", "2026-06-15").status_code == 302
    assert stored_dates(lab) == ["2026-02-07", "2026-06-15", "2026-11-07"]


def test_moving_onto_another_check_in_is_refused(lab, client, facilitator):
    client.get(page(lab))
    response = move(client, lab, "2026-05-07", "2026-11-07")
    assert response.status_code == 400
    assert "There is already a check-in on 2026-11-07." in response.text
    assert 'value="2026-11-07"' in response.text  # the form shows what was typed
    assert stored_dates(lab) == ["2026-02-07", "2026-05-07", "2026-11-07"]


def test_another_workshops_check_in_is_refused(lab, client, facilitator, make_workshop):
    client.get(page(lab))
    elsewhere = make_workshop()
    theirs = services.check_ins_of(elsewhere)[0]
    before = [(row.id, row.due_on) for row in db.session.scalars(select(CheckIn))]
    for data in ({"check_in": theirs.id, f"check-in-{theirs.id}-due_on": "2026-06-15"}, {"remove": theirs.id},
                 {"check_in": "first", "check-in-first-due_on": "2026-06-15"}):
        response = client.post(page(lab), data=data)
        assert response.status_code == 400
        assert "That check-in is not there any more. Reload the page." in response.text
    db.session.expire_all()
    assert [(row.id, row.due_on) for row in db.session.scalars(select(CheckIn))] == before


def test_a_facilitator_removes_a_check_in(lab, client, facilitator):
    client.get(page(lab))
    response = client.post(page(lab), data={"remove": check_in_on(lab, "2026-11-07").id})
    assert response.status_code == 302
    assert stored_dates(lab) == ["2026-02-07", "2026-05-07"]


def test_the_last_check_in_cannot_be_removed(lab, client, facilitator):
    client.get(page(lab))
    for day in ("2026-05-07", "2026-11-07"):
        client.post(page(lab), data={"remove": check_in_on(lab, day).id})
    response = client.post(page(lab), data={"remove": check_in_on(lab, "2026-02-07").id})
    assert response.status_code == 400
    assert "A workshop keeps at least one check-in" in response.text
    assert stored_dates(lab) == ["2026-02-07"]


def test_a_check_in_with_reminders_sent_shows_them_and_cannot_be_removed(lab, client, facilitator, runner, smtp):
    send(runner, "--today", "2026-01-30")
    response = client.get(page(lab))
    assert "2 cities reminded:" in response.text and "Berlin on" in response.text and "Glasgow on" in response.text
    reminded = check_in_on(lab, "2026-02-07")
    response = client.post(page(lab), data={"remove": reminded.id})
    assert response.status_code == 400
    assert "Cities were already reminded of this check-in, so it stays." in response.text
    assert stored_dates(lab) == ["2026-02-07", "2026-05-07", "2026-11-07"]


def test_moving_a_reminded_check_in_keeps_its_reminders(lab, client, facilitator, runner, smtp):
    send(runner, "--today", "2026-01-30")
    rows = reminder_rows()
    assert move(client, lab, "2026-02-07", "2026-02-20").status_code == 302
    assert reminder_rows() == rows
    assert send(runner, "--today", "2026-02-10").exit_code == 0
    assert len(smtp.messages) == 2  # not reminded again for the moved date


def test_the_page_posted_as_shown_changes_nothing(lab, client, facilitator):
    html = client.get(page(lab)).text
    before = stored_dates(lab)
    for check_in in db.session.scalars(select(CheckIn).where(CheckIn.workshop_id == lab.workshop.id)).all():
        action, data = form_with(html, f"check-in-{check_in.id}-due_on")
        assert client.post(action, data=data).status_code == 302
    assert stored_dates(lab) == before
    action, data = form_with(html, "new-due_on")
    response = client.post(action, data=data)  # the empty add form: refused, says why
    assert response.status_code == 400 and "Check-in date is required." in response.text
    assert stored_dates(lab) == before
    assert len([form for form in forms_of(html) if form["action"] == page(lab)]) == 3 + 3 + 1  # 3 dates, 3 removes, add


def test_participants_may_not_see_or_change_check_ins(lab, client, auth):
    auth.as_user(lab.ana)
    assert client.get(page(lab)).status_code == 403
    assert stored_dates(lab) == []
    assert client.post(page(lab), data={"new-due_on": "2026-08-01"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


# Sending once: the row is committed before the email leaves, taken back when it does not -------------

def rows_seen_by_another_connection():
    with db.engine.connect() as other:
        return other.execute(select(func.count()).select_from(ProgressReminder)).scalar()


def test_the_reminder_is_recorded_before_its_email_leaves(lab, smtp, monkeypatch):
    from flask_mailman import EmailMultiAlternatives

    seen = []
    real_send = EmailMultiAlternatives.send

    def send_and_look(message, *args, **kwargs):
        seen.append(rows_seen_by_another_connection())
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send_and_look)
    services.send_reminders(date(2026, 1, 30))
    assert seen == [1, 2]  # committed, visible to any other run, before each email went out
    assert len(smtp.messages) == 2


def test_a_dropped_connection_marks_nothing_it_did_not_send(lab, runner, smtp, monkeypatch):
    import smtplib

    from flask_mailman import EmailMultiAlternatives

    def drop(message, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", drop)
    result = send(runner, "--today", "2026-01-30")
    assert result.exit_code != 0 and "FAILED: Connection unexpectedly closed" in result.output
    assert reminder_rows() == [] and rows_seen_by_another_connection() == 0


def test_a_reminder_another_run_just_claimed_is_not_sent_again(lab, smtp, monkeypatch):
    [check_in] = services.due_check_ins(date(2026, 1, 30))
    real_commit = db.session.commit

    def another_run_first():
        """Another run claims Glasgow's reminder between this run's look and its own claim (at this run's
        first commit: Berlin's update link, issued before Berlin's email)."""
        with db.engine.begin() as other:
            other.execute(ProgressReminder.__table__.insert().values(check_in_id=check_in.id, commitment_id=lab.glasgow.id,
                                                                     recipient="glasgow@example.org", sent_at=datetime(2026, 1, 30, 9)))
        monkeypatch.setattr(db.session, "commit", real_commit)
        real_commit()

    outcomes = services.send_reminders(date(2026, 1, 30), dry_run=True)
    assert ("Glasgow", "would_send") in {(outcome.city, outcome.state) for outcome in outcomes}
    monkeypatch.setattr(db.session, "commit", another_run_first)
    outcomes = services.send_reminders(date(2026, 1, 30))
    assert ("Glasgow", "already_sent") in {(outcome.city, outcome.state) for outcome in outcomes}
    assert smtp.to("glasgow@example.org") == [] and len(smtp.to("berlin@example.org")) == 1
