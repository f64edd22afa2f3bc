"""Following commitments up after the lab: dated updates of the final version's plans, update links, the
reminder contact, a city's standing against the check-ins, the team's progress page, the update link's page
and the facilitators' follow-up view."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.forms_as_shown import form_with
from workshop.commitments import services as commitments
from workshop.errors import Refused
from workshop.extensions import db
from workshop.followup import services
from workshop.models import PlanProgress, ProgressUpdate, UpdateLink

from .helpers import lab  # noqa: F401  (the lab fixture)


@pytest.fixture
def final(lab):
    """Ljubljana's commitment, final with one plan (Family desks); Glasgow's plan is not in it."""
    commitments.save_draft(lab.mateja, lab.ljubljana, [lab.plan.id], "Ljubljana commits.", [("Mateja", "Deputy Mayor", "City")])
    commitments.finalise(lab.mateja, lab.ljubljana)
    lab.commitment = commitments.commitment_of(lab.ljubljana)
    lab.progress_url = f"/workshops/{lab.workshop.id}/teams/{lab.ljubljana.id}/progress"
    return lab


def update(lab, card=None, **fields):
    values = {"status": "in_progress", "percent": 40, "text": "Three desks open.", "indicator_value": "900 families",
              "evidence_url": "https://example.org/desks", "author_name": "", "participant": lab.mateja, **fields}
    return services.record_update(lab.commitment, (card or lab.plan).id, **values)


def updates_count():
    return db.session.scalar(select(func.count()).select_from(ProgressUpdate))


def progress_rows():
    return db.session.execute(select(PlanProgress.card_id, PlanProgress.status, PlanProgress.percent)).all()


def assert_refused(code, call):
    before = (updates_count(), progress_rows())
    with pytest.raises(Refused) as refused:
        call()
    assert refused.value.code == code and str(refused.value.message)
    db.session.rollback()
    assert (updates_count(), progress_rows()) == before, "nothing changed"
    return refused.value


# Recording updates ----------------------------------------------------------------------------------

def test_a_team_member_records_an_update_and_the_plan_progress_follows(final):
    written = update(final)
    assert (written.status, written.percent, written.text, written.author_name) == ("in_progress", 40, "Three desks open.", "Mateja")
    assert written.by_participant_id == final.mateja.id and written.via_link_id is None
    assert written.evidence_url == "https://example.org/desks" and written.indicator_value == "900 families"
    assert progress_rows() == [(final.plan.id, "in_progress", 40)]
    update(final, status="done", percent=None, text="All 17 desks open.")
    assert progress_rows() == [(final.plan.id, "done", 100)]
    assert [u.text for u in services.updates_of(final.commitment)] == ["All 17 desks open.", "Three desks open."]


def test_a_facilitator_records_an_update_under_their_name(final):
    facilitator = final.workshop.facilitators[0]
    written = update(final, participant=None, facilitator=facilitator)
    assert written.by_facilitator_id == facilitator.id and written.author_name == facilitator.name


def test_an_empty_percent_keeps_the_plans_percent(final):
    update(final, percent=60)
    update(final, percent=None, status="changed", text="Scope changed.")
    assert progress_rows() == [(final.plan.id, "changed", 60)]


def test_an_update_through_a_link_records_the_link_and_the_name_given(final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    written = update(final, participant=None, link=link, author_name="Tina from the mayor's office")
    assert written.via_link_id == link.id and written.by_participant_id is None and written.by_facilitator_id is None
    assert written.author_name == "Tina from the mayor's office"


@pytest.mark.parametrize("fields, code", [
    ({"status": "finished"}, "bad_status"),
    ({"percent": 101}, "bad_percent"),
    ({"percent": -1}, "bad_percent"),
    ({"percent": "lots"}, "bad_percent"),
    ({"percent": 2.5}, "bad_percent"),
    ({"percent": "²"}, "bad_percent"),
    ({"status": "done", "percent": 80}, "done_is_100"),
    ({"text": "   "}, "text_missing"),
    ({"text": "x" * 2001}, "text_too_long"),
    ({"indicator_value": "x" * 201}, "indicator_too_long"),
    ({"evidence_url": "javascript:alert(1)"}, "bad_url"),
    ({"evidence_url": "ftp://example.org/file"}, "bad_url"),
    ({"evidence_url": "https://"}, "bad_url"),
    ({"evidence_url": "https://example.org/" + "x" * 500}, "url_too_long"),
])
def test_bad_input_is_refused_and_nothing_changes(final, fields, code):
    update(final)
    assert_refused(code, lambda: update(final, **fields))


def test_a_plan_not_in_the_final_version_is_refused(final):
    assert_refused("not_in_final_version", lambda: update(final, card=final.other_plan))


def test_a_commitment_that_is_not_final_is_refused(final):
    commitments.reopen(final.mateja, final.ljubljana)
    assert_refused("not_final", lambda: update(final))


def test_another_citys_participant_is_refused(final):
    refusal = assert_refused("not_team", lambda: update(final, participant=final.ewan))
    assert refusal.status == 403


def test_a_revoked_link_is_refused(final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    services.revoke_update_link(final.mateja, final.commitment, link.id)
    refusal = assert_refused("no_such_link", lambda: update(final, participant=None, link=link, author_name="Tina"))
    assert refusal.status == 404
    with pytest.raises(Refused):
        services.by_update_token(link.token)


def test_a_link_needs_the_writers_name(final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    assert_refused("name_missing", lambda: update(final, participant=None, link=link, author_name=" "))


# Update links and the contact -----------------------------------------------------------------------

def test_links_are_made_with_a_label_listed_and_revoked(final):
    link = services.create_update_link(final.mateja, final.commitment, " Mayor's office ")
    assert link.label == "Mayor's office" and link.created_by_participant_id == final.mateja.id
    assert link.token != final.commitment.share_token and len(link.token) >= 40
    assert services.update_links_of(final.commitment) == [link]
    services.revoke_update_link(final.workshop.facilitators[0], final.commitment, link.id)
    assert not link.is_active


def test_a_link_without_a_label_or_by_another_city_is_refused(final):
    def links():
        return db.session.scalar(select(func.count()).select_from(UpdateLink))

    for actor, label, code in [(final.mateja, "", "label_missing"), (final.ewan, "Mayor", "not_team")]:
        with pytest.raises(Refused) as refused:
            services.create_update_link(actor, final.commitment, label)
        assert refused.value.code == code
    assert links() == 0
    link = services.issue_update_link(final.commitment, "Mayor's office")
    with pytest.raises(Refused):
        services.revoke_update_link(final.ewan, final.commitment, link.id)
    db.session.expire_all()
    assert link.is_active


def test_the_contact_email_is_validated_and_may_be_emptied(final):
    services.set_contact(final.mateja, final.commitment, " office@ljubljana.si ")
    assert final.commitment.contact_email == "office@ljubljana.si"
    with pytest.raises(Refused) as refused:
        services.set_contact(final.mateja, final.commitment, "not an address")
    assert refused.value.code == "bad_email"
    db.session.expire_all()
    assert final.commitment.contact_email == "office@ljubljana.si"
    services.set_contact(final.mateja, final.commitment, "")
    assert final.commitment.contact_email is None


# Standing --------------------------------------------------------------------------------------------

CHECK_INS = [date(2026, 2, 7), date(2026, 5, 7), date(2026, 11, 7)]


@pytest.mark.parametrize("updated_on, today, expected", [
    (None, date(2026, 1, 1), "up_to_date"),  # next check-in more than 30 days away
    (None, date(2026, 1, 20), "due"),  # within 30 days, no update since the version was finalised
    (None, date(2026, 2, 7), "due"),  # the check-in's own day
    (None, date(2026, 2, 8), "overdue"),
    (date(2026, 2, 1), date(2026, 2, 8), "up_to_date"),
    (date(2026, 2, 1), date(2026, 4, 20), "due"),  # nothing since the February check-in
    (date(2026, 2, 1), date(2026, 5, 8), "overdue"),
    (date(2026, 2, 10), date(2026, 2, 11), "up_to_date"),  # late, but an update
    (date(2026, 2, 10), date(2026, 12, 1), "overdue"),  # the last check-in missed
])
def test_standing_against_the_check_ins(final, updated_on, today, expected):
    final.commitment.latest_version.finalised_at = datetime(2025, 11, 7, 12)
    if updated_on is not None:
        update(final).written_at = datetime.combine(updated_on, datetime.min.time())
    db.session.commit()
    assert services.standing(final.commitment, CHECK_INS, today) == expected


def test_no_check_in_when_none_comes_after_the_final_version(final):
    final.commitment.latest_version.finalised_at = datetime(2026, 12, 1, 12)
    assert services.standing(final.commitment, CHECK_INS, date(2026, 12, 2)) == "no_check_in"
    assert services.standing(final.commitment, [], date(2026, 12, 2)) == "no_check_in"


# The follow-up view's content -------------------------------------------------------------------------

def test_follow_up_lists_final_cities_their_plans_and_standing(final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    update(final, participant=None, link=link, author_name="Tina").written_at = datetime(2025, 11, 20, 9)
    final.commitment.latest_version.finalised_at = datetime(2025, 11, 7, 12)  # the lab's last day
    db.session.commit()
    [city] = services.follow_up(final.workshop, date(2025, 12, 1))
    assert city["team"] == final.ljubljana and city["contact_email"] is None
    [plan] = city["plans"]
    assert (plan["title"], plan["status"], plan["percent"]) == ("Family desks", "in_progress", 40)
    assert plan["last_update"].author_name == "Tina"
    assert city["standing"] == "up_to_date" and city["next_check_in"] == date(2026, 2, 7)


def test_the_follow_up_page_is_the_facilitators(client, auth, final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    update(final, participant=None, link=link, author_name="Tina")
    auth.as_user(final.workshop.facilitators[0])
    page = client.get(f"/workshops/{final.workshop.id}/follow-up")
    assert page.status_code == 200
    assert "Ljubljana" in page.text and "Family desks" in page.text and "In progress, 40% done" in page.text
    assert "Tina, through the link for Mayor&#39;s office" in page.text
    assert "no contact email for reminders" in page.text
    assert final.progress_url in page.text
    auth.as_user(final.mateja)
    assert client.get(f"/workshops/{final.workshop.id}/follow-up").status_code == 403


# The team's progress page --------------------------------------------------------------------------------

def test_the_progress_page_shows_the_frozen_plans_and_updates_newest_first(client, auth, final):
    update(final, text="First step.")
    update(final, text="Second step.", percent=50)
    auth.as_user(final.mateja)
    page = client.get(final.progress_url).text
    assert "Family desks" in page and "350 families" in page and "2,000 families" in page
    assert page.index("Second step.") < page.index("First step.")
    assert "Train school staff" not in page  # not in the final version


def test_saving_an_update_form_as_shown_adds_nothing(client, auth, final):
    auth.as_user(final.mateja)
    page = client.get(final.progress_url).text
    action, data = form_with(page, f"plan{final.plan.id}-text")
    data[f"plan{final.plan.id}-text"] = "Desks open in 5 districts."
    data[f"plan{final.plan.id}-percent"] = "30"
    data[f"plan{final.plan.id}-status"] = "in_progress"
    assert client.post(action or final.progress_url, data=data).status_code == 302
    assert updates_count() == 1

    page = client.get(final.progress_url).text
    action, data = form_with(page, f"plan{final.plan.id}-text")
    assert data[f"plan{final.plan.id}-status"] == "in_progress" and data[f"plan{final.plan.id}-percent"] == "30"
    assert data[f"plan{final.plan.id}-text"] == ""
    again = client.post(action or final.progress_url, data=data)
    assert again.status_code == 400 and "Say what happened" in again.text
    assert updates_count() == 1


def test_a_refused_update_shows_what_was_typed(client, auth, final):
    auth.as_user(final.mateja)
    answer = client.post(final.progress_url, data={"action": "update", "card_id": final.plan.id, f"plan{final.plan.id}-status": "in_progress",
                                                   f"plan{final.plan.id}-percent": "150", f"plan{final.plan.id}-text": "Kept text"})
    assert answer.status_code == 400 and "whole number from 0 to 100" in answer.text and "Kept text" in answer.text
    assert updates_count() == 0


def test_a_post_for_a_plan_not_in_the_final_version_is_refused(client, auth, final):
    auth.as_user(final.mateja)
    card = final.other_plan.id
    answer = client.post(final.progress_url, data={"action": "update", "card_id": card, f"plan{card}-status": "done",
                                                   f"plan{card}-text": "Done"})
    assert answer.status_code == 400 and "This plan is not in the commitment" in answer.text
    for not_a_number in ("x", "²"):
        assert client.post(final.progress_url, data={"action": "update", "card_id": not_a_number}).status_code == 400
    assert client.post(final.progress_url, data={"action": "dance"}).status_code == 400
    assert updates_count() == 0


def test_the_page_makes_shows_and_revokes_update_links(client, auth, final):
    auth.as_user(final.mateja)
    assert client.post(final.progress_url, data={"action": "link", "label": ""}).status_code == 400
    assert client.post(final.progress_url, data={"action": "link", "label": "Mayor's office"}).status_code == 302
    link = db.session.scalar(select(UpdateLink))
    page = client.get(final.progress_url).text
    assert f"/progress/{link.token}" in page
    assert client.post(final.progress_url, data={"action": "revoke", "link_id": str(link.id)}).status_code == 302
    db.session.expire_all()
    assert not link.is_active
    for unknown in ("99999999999999999999999", "x", "²"):
        assert client.post(final.progress_url, data={"action": "revoke", "link_id": unknown}).status_code == 404
    assert f"/progress/{link.token}" not in client.get(final.progress_url).text
    assert client.get(f"/progress/{link.token}").status_code == 404


def test_the_contact_form_shows_what_is_saved(client, auth, final):
    auth.as_user(final.mateja)
    assert client.post(final.progress_url, data={"action": "contact", "email": "office@ljubljana.si"}).status_code == 302
    page = client.get(final.progress_url).text
    action, data = form_with(page, "email")
    assert data["email"] == "office@ljubljana.si"
    assert client.post(action or final.progress_url, data=data).status_code == 302
    refused = client.post(final.progress_url, data={"action": "contact", "email": "nope"})
    assert refused.status_code == 400 and "name@example.org" in refused.text
    db.session.expire_all()
    assert final.commitment.contact_email == "office@ljubljana.si"


def test_a_commitment_that_is_not_final_has_a_message_and_no_forms(client, auth, final):
    commitments.reopen(final.mateja, final.ljubljana)
    auth.as_user(final.mateja)
    page = client.get(final.progress_url).text
    assert "not final yet" in page and "Save the update" not in page and "Make an update link" not in page


def test_another_city_cannot_open_the_page(client, auth, final):
    auth.as_user(final.ewan)
    assert client.get(final.progress_url).status_code == 403


# The update link's page -----------------------------------------------------------------------------------

def test_the_link_page_records_an_update_through_the_link_without_an_account(client, final):
    update(final, text="Written by the team.")
    link = services.issue_update_link(final.commitment, "Mayor's office")
    url = f"/progress/{link.token}"
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Mateja" not in page.text and "the city team" in page.text  # no team member's name
    assert "Make an update link" not in page.text and "Check-in reminders" not in page.text
    action, data = form_with(page.text, f"plan{final.plan.id}-text")
    data.update({f"plan{final.plan.id}-text": "Council approved the budget.", f"plan{final.plan.id}-author_name": "Tina"})
    assert client.post(action or url, data=data).status_code == 302
    written = services.updates_of(final.commitment)[0]
    assert written.via_link_id == link.id and written.author_name == "Tina"
    assert "Tina, through this link" in client.get(url).text


def test_the_link_page_needs_a_name(client, final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    answer = client.post(f"/progress/{link.token}", data={"action": "update", "card_id": final.plan.id,
                                                           f"plan{final.plan.id}-status": "in_progress",
                                                           f"plan{final.plan.id}-text": "Something"})
    assert answer.status_code == 400 and "Your name is required." in answer.text
    assert updates_count() == 0


def test_an_unknown_or_revoked_link_is_a_404_with_the_message(client, final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    services.revoke_update_link(final.mateja, final.commitment, link.id)
    for token in (link.token, "no-such-token"):
        answer = client.get(f"/progress/{token}")
        assert answer.status_code == 404 and "This link does not work (any more)." in answer.text
    answer = client.post(f"/progress/{link.token}", data={"action": "update", "card_id": final.plan.id,
                                                          f"plan{final.plan.id}-text": "x", f"plan{final.plan.id}-author_name": "T"})
    assert answer.status_code == 404 and updates_count() == 0


def test_the_update_token_opens_no_other_page(client, final):
    link = services.issue_update_link(final.commitment, "Mayor's office")
    assert client.get(f"/shared/{link.token}").status_code == 404
    assert client.get(f"/shared/{link.token}/v1.json").status_code == 404


def test_the_commitment_page_and_the_console_link_to_the_follow_up(client, auth, final):
    auth.as_user(final.mateja)
    assert f'href="{final.progress_url}"' in client.get(final.url).text
    commitments.reopen(final.mateja, final.ljubljana)
    assert final.progress_url not in client.get(final.url).text  # a draft has no progress to follow
    auth.as_user(final.workshop.facilitators[0])
    assert f'href="/workshops/{final.workshop.id}/follow-up"' in client.get(f"/workshops/{final.workshop.id}/console").text
