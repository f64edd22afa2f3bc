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
