"""Participants join with a code or link, a name and a city team; no password."""
import pytest
from sqlalchemy import func, insert, select

from workshop.auth import services
from workshop.extensions import db
from workshop.models import CityTeam, Participant


def participant_count():
    return db.session.scalar(select(func.count(Participant.id)))


def join(client, workshop, **data):
    return client.post(f"/join/{workshop.join_code}", data=data)


def test_typing_the_code_on_the_home_page_leads_to_the_join_form(client, make_workshop):
    workshop = make_workshop()
    typed = f" {workshop.join_code[:3].lower()}-{workshop.join_code[3:].lower()} "
    response = client.post("/", data={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/join/{workshop.join_code}"


@pytest.mark.parametrize("closed", [False, True], ids=["wrong code", "closed workshop"])
def test_wrong_or_closed_code_gets_a_clear_message_and_no_account(client, make_workshop, closed):
    workshop = make_workshop()
    code = workshop.join_code if closed else "ZZZZZZ"
    if closed:
        workshop.closed_at = workshop.created_at
        db.session.commit()
    response = client.post("/", data={"code": code})
    assert response.status_code == 400
    assert "No open workshop has this code" in response.text
    link = client.get(f"/join/{code}")
    assert link.status_code == 404
    assert "No open workshop has this code" in link.text
    posted = client.post(f"/join/{code}", data={"display_name": "Ana", "city_team": workshop.city_teams[0].id})
    assert posted.status_code == 404
    assert participant_count() == 0


def test_joining_with_a_listed_city_logs_in_and_lists_the_boards(client, make_workshop):
    workshop = make_workshop()
    glasgow = next(team for team in workshop.city_teams if team.name == "Glasgow")
    response = join(client, workshop, display_name="  Ana Novak ", city_team=glasgow.id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/workshops/{workshop.id}"
    assert "remember_token" in response.headers.get("Set-Cookie", "") or any(
        "remember_token" in header for header in response.headers.getlist("Set-Cookie")
    )
    participant = db.session.scalar(select(Participant))
    assert (participant.display_name, participant.city_team, participant.workshop) == ("Ana Novak", glasgow, workshop)
    home = client.get(response.headers["Location"]).text
    for area in workshop.policy_areas:
        assert area.title in home
        assert f"/boards/{area.board.id}" in home
    assert "Ana Novak · Glasgow" in home


def test_coming_back_from_the_same_browser_keeps_the_same_identity(app, make_workshop):
    workshop = make_workshop()
    browser = app.test_client()
    join(browser, workshop, display_name="Ana", city_team=workshop.city_teams[0].id)
    remember = browser.get_cookie("remember_token")
    assert remember is not None

    # The browser closes: the session cookie is gone, the remember cookie stays.
    later = app.test_client()
    later.set_cookie("remember_token", remember.value)
    page = later.get(f"/workshops/{workshop.id}")
    assert page.status_code == 200
    assert "Ana · " in page.text
    # Opening the join link again goes straight home, with no second participant.
    again = later.get(f"/join/{workshop.join_code}")
    assert again.headers["Location"] == f"/workshops/{workshop.id}"
    assert participant_count() == 1


def test_a_new_city_can_be_added_when_the_facilitator_allows_it(client, make_workshop):
    workshop = make_workshop()
    response = join(client, workshop, display_name="Ana", new_city_team="Łódź", new_city_country="Poland")
    assert response.status_code == 302
    participant = db.session.scalar(select(Participant))
    assert (participant.city_team.name, participant.city_team.country) == ("Łódź", "Poland")


def test_adding_a_city_that_exists_joins_that_city(client, make_workshop):
    workshop = make_workshop()
    join(client, workshop, display_name="Ana", new_city_team="glasgow")
    assert db.session.scalar(select(Participant)).city_team.name == "Glasgow"
    assert db.session.scalar(select(func.count(CityTeam.id)).where(CityTeam.workshop_id == workshop.id)) == 3


def test_two_people_adding_the_same_new_city_at_once_both_join_that_one_city(app, make_workshop):
    """The second join finds the city added by the first between its form and its save: it joins
    that city instead of failing on the unique name (a 500 before)."""
    workshop = make_workshop()
    assert len(workshop.city_teams) == 3  # the join form has read the cities
    with db.engine.begin() as other_join:  # the other person's join commits first
        other_join.execute(insert(CityTeam).values(workshop_id=workshop.id, name="Łódź", country="Poland"))
    participant = services.join_workshop(workshop, "Ana", new_city_team="Łódź", new_city_country="Poland")
    named = db.session.scalars(select(CityTeam).where(CityTeam.workshop_id == workshop.id, CityTeam.name == "Łódź")).all()
    assert [team.id for team in named] == [participant.city_team.id]
    assert participant_count() == 1


def test_a_new_city_is_refused_when_the_facilitator_did_not_allow_it(client, make_workshop):
    workshop = make_workshop(allow_new_city_teams=False)
    page = client.get(f"/join/{workshop.join_code}").text
    assert "new_city_team" not in page
    response = join(client, workshop, display_name="Ana", new_city_team="Porto")
    assert response.status_code == 400
    assert "City team is required." in response.text
    assert participant_count() == 0
    assert all(team.name != "Porto" for team in workshop.city_teams)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"display_name": "", "city_team": "{city}"}, "Your name as others will see it is required."),
        ({"display_name": "   ", "city_team": "{city}"}, "Your name as others will see it is required."),
        ({"display_name": "x" * 81, "city_team": "{city}"}, "Your name as others will see it must be 80 characters or fewer."),
        ({"display_name": "Ana"}, "City team is required."),
        ({"display_name": "Ana", "city_team": "{city}", "new_city_team": "Porto"}, "Pick your city team or add a new one, not both."),
        ({"display_name": "Ana", "new_city_team": "x" * 81}, "Your city, if it is not in the list must be 80 characters or fewer."),
        ({"display_name": "Ana", "city_team": "{other_city}"}, "Pick a city team from the list."),
        ({"display_name": "Ana", "city_team": "not-a-number"}, "City team is required."),
    ],
)
def test_bad_join_input_names_the_field_and_saves_nothing(client, make_workshop, data, message):
    workshop, other = make_workshop(), make_workshop(cities=["Porto"])
    values = {"city": workshop.city_teams[0].id, "other_city": other.city_teams[0].id}
    response = join(client, workshop, **{key: value.format(**values) for key, value in data.items()})
    assert response.status_code == 400
    assert message in response.text
    assert participant_count() == 0
    assert [team.name for team in workshop.city_teams] == ["Bologna", "Glasgow", "Ljubljana"]


def test_a_participant_sees_only_their_own_workshop(client, auth, make_workshop, make_participant):
    mine, other = make_workshop(), make_workshop()
    auth.as_user(make_participant(mine))
    assert client.get(f"/workshops/{mine.id}").status_code == 200
    assert client.get(f"/boards/{mine.policy_areas[0].board.id}").status_code == 200
    assert client.get(f"/workshops/{other.id}").status_code == 403
    assert client.get(f"/boards/{other.policy_areas[0].board.id}").status_code == 403


def test_joining_another_workshop_makes_a_new_participant_there(client, make_workshop):
    first, second = make_workshop(), make_workshop()
    join(client, first, display_name="Ana", city_team=first.city_teams[0].id)
    join(client, second, display_name="Ana", city_team=second.city_teams[0].id)
    people = db.session.scalars(select(Participant).order_by(Participant.id)).all()
    assert [person.workshop for person in people] == [first, second]
    assert client.get(f"/workshops/{first.id}").status_code == 403


def test_markup_in_a_name_is_shown_as_text(client, make_workshop):
    workshop = make_workshop()
    join(client, workshop, display_name='<script>alert(1)</script>', new_city_team='<img src=x onerror="alert(2)">')
    page = client.get(f"/workshops/{workshop.id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page
    assert "<script>alert" not in page and "<img src=x" not in page
