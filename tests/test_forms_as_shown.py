"""A saved form shows what was saved, and saving it again as shown changes nothing (DESIGN.md, 10).
Each test posts a page's form back exactly as the page shows it, parsed as a browser reads it."""
from datetime import date

import pytest

from tests.forms_as_shown import form_with, forms_of
from workshop.extensions import db
from workshop.models import PolicyArea, Workshop


def stored_workshop(workshop_id):
    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop_id)
    return {
        "title": workshop.title, "host_city": workshop.host_city, "starts_on": workshop.starts_on,
        "ends_on": workshop.ends_on, "description": workshop.description,
        "allow_new_city_teams": workshop.allow_new_city_teams,
        "areas": [(area.id, area.title, area.description, area.position) for area in workshop.policy_areas],
        "cities": [(team.id, team.name, team.country) for team in workshop.city_teams],
    }


@pytest.fixture
def prepared(make_workshop, client, auth):
    """A workshop with details typed in every field (a multi-line description, an ampersand, quotes),
    its facilitator signed in."""
    workshop = make_workshop(title='Lab "2026" & friends', host_city="Łódź", starts_on=date(2026, 3, 2),
                             ends_on=date(2026, 3, 4), description="First line.\nSecond line <b>not bold</b>.",
                             allow_new_city_teams=False)
    workshop.policy_areas[0].description = "Two lines:\nchildren & families"
    db.session.commit()
    auth.login(workshop.facilitators[0])
    return workshop


@pytest.mark.parametrize("allow_new_city_teams", [False, True])
def test_saving_the_workshop_details_as_shown_changes_nothing(client, prepared, allow_new_city_teams):
    prepared.allow_new_city_teams = allow_new_city_teams
    db.session.commit()
    before = stored_workshop(prepared.id)
    page = client.get(f"/workshops/{prepared.id}/settings").text
    action, shown = form_with(page, "title")
    assert shown["title"] == 'Lab "2026" & friends' and shown["description"] == "First line.\nSecond line <b>not bold</b>."
    assert shown["starts_on"] == "2026-03-02" and shown["ends_on"] == "2026-03-04"
    response = client.post(action, data=shown)
    assert response.status_code == 302, response.text
    assert stored_workshop(prepared.id) == before


def test_saving_each_policy_area_as_shown_changes_nothing(client, prepared):
    before = stored_workshop(prepared.id)
    page = client.get(f"/workshops/{prepared.id}/settings").text
    for area in prepared.policy_areas:
        action, shown = form_with(page, f"area-{area.id}-title")
        assert shown[f"area-{area.id}-title"] == area.title
        assert client.post(action, data=shown).status_code == 302
    assert stored_workshop(prepared.id) == before
    assert db.session.get(PolicyArea, prepared.policy_areas[0].id).description == "Two lines:\nchildren & families"


def test_a_refused_join_shows_what_was_typed_and_posting_it_again_as_shown_joins(client, make_workshop):
    from workshop.models import Participant

    workshop = make_workshop()
    glasgow = next(team for team in workshop.city_teams if team.name == "Glasgow")
    refused = client.post(f"/join/{workshop.join_code}", data={"display_name": "", "city_team": str(glasgow.id)})
    assert refused.status_code == 400
    action, shown = form_with(refused.text, "display_name")
    assert shown["city_team"] == str(glasgow.id)
    shown["display_name"] = "Ewan"
    assert client.post(action or f"/join/{workshop.join_code}", data=shown).status_code == 302
    db.session.expire_all()
    [ewan] = db.session.scalars(db.select(Participant)).all()
    assert (ewan.name, ewan.city_team_id) == ("Ewan", glasgow.id)


def test_a_refused_signup_keeps_the_name_and_email_but_never_the_password(client):
    refused = client.post("/signup", data={"name": "Ana Facilitator", "email": "ana@example.org", "password": "short", "confirm": "short"})
    assert refused.status_code == 400
    _, shown = form_with(refused.text, "email")
    assert (shown["name"], shown["email"]) == ("Ana Facilitator", "ana@example.org")
    assert shown.get("password", "") == "" and shown.get("confirm", "") == ""


SETTINGS_REFUSALS = [
    # (address under the workshop, what is typed, the field to find the form by, what it must show)
    ("/policy-areas", {"title": "", "description": "Housing first, for families"}, "description", "Housing first, for families"),
    ("/city-teams", {"name": "", "country": "Slovenia"}, "country", "Slovenia"),
    ("/facilitators", {"email": "nobody-here@example.org"}, "email", "nobody-here@example.org"),
    ("/settings", {"title": "", "host_city": "Porto", "starts_on": "2026-03-02", "ends_on": "2026-03-04",
                   "description": "Typed, not saved"}, "host_city", "Porto"),
]


@pytest.mark.parametrize("path, typed, field, shown_value", SETTINGS_REFUSALS, ids=[case[0] for case in SETTINGS_REFUSALS])
def test_a_refused_settings_form_shows_what_was_typed_and_stores_nothing(client, prepared, path, typed, field, shown_value):
    before = stored_workshop(prepared.id)
    refused = client.post(f"/workshops/{prepared.id}{path}", data=typed)
    assert refused.status_code == 400
    _, shown = form_with(refused.text, field, action=f"/workshops/{prepared.id}{path}")
    assert shown[field] == shown_value
    assert stored_workshop(prepared.id) == before
    # The other forms of the page still show what is stored.
    if path != "/settings":
        _, details = form_with(refused.text, "host_city")
        assert details["host_city"] == "Łódź" and details["title"] == 'Lab "2026" & friends'


def test_a_refused_deletion_shows_the_title_as_typed_and_deletes_nothing(client, prepared):
    refused = client.post(f"/workshops/{prepared.id}/delete", data={"title": "Lab 2026"})
    assert refused.status_code == 400
    _, shown = form_with(refused.text, "title")
    assert shown["title"] == "Lab 2026"
    assert db.session.get(Workshop, prepared.id) is not None
