"""Every form refuses a post without a valid CSRF token, and changes nothing."""
import re

import pytest
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import CityTeam, Facilitator, Participant, PolicyArea, Workshop


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def counts():
    return [db.session.scalar(select(func.count(model.id))) for model in (Facilitator, Workshop, PolicyArea, CityTeam, Participant)]


FORMS = [
    ("/signup", {"name": "Ana", "email": "ana@example.org", "password": "long enough", "confirm": "long enough"}),
    ("/login", {"email": "{email}", "password": "correct horse battery"}),
    ("/", {"code": "{code}"}),
    ("/join/{code}", {"display_name": "Ana", "city_team": "{city}"}),
    ("/workshops/new", {"title": "Lab", "host_city": "Ljubljana", "starts_on": "2025-11-05"}),
    ("/workshops/{id}/settings", {"title": "Renamed", "host_city": "Ljubljana", "starts_on": "2025-11-05"}),
    ("/workshops/{id}/policy-areas", {"title": "Housing"}),
    ("/workshops/{id}/policy-areas/lab-template", {}),
    ("/workshops/{id}/policy-areas/{area}", {"area-{area}-title": "Renamed"}),
    ("/workshops/{id}/policy-areas/{area}/move", {"direction": "down"}),
    ("/workshops/{id}/policy-areas/{area}/remove", {}),
    ("/workshops/{id}/city-teams", {"name": "Porto"}),
    ("/workshops/{id}/facilitators", {"email": "{email}"}),
    ("/workshops/{id}/close", {}),
    ("/workshops/{id}/new-code", {}),
    ("/logout", {}),
]


@pytest.mark.parametrize("path, data", FORMS, ids=[path for path, _ in FORMS])
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_form_without_valid_csrf_token_is_refused(csrf_app, auth, make_workshop, path, data, token):
    workshop = make_workshop()
    facilitator = workshop.facilitators[0]
    auth.as_user(facilitator)
    values = {"id": workshop.id, "code": workshop.join_code, "area": workshop.policy_areas[0].id,
              "city": workshop.city_teams[0].id, "email": facilitator.email}
    form = {key.format(**values): str(value).format(**values) for key, value in data.items()}
    if token == "forged":
        form["csrf_token"] = "forged-token"
    before, title, code, order = counts(), workshop.title, workshop.join_code, [a.id for a in workshop.policy_areas]

    response = auth.client.post(path.format(**values), data=form)

    assert response.status_code == 400
    assert "security token" in response.text
    db.session.expire_all()
    assert counts() == before
    assert (workshop.title, workshop.join_code, workshop.is_open) == (title, code, True)
    assert [a.id for a in workshop.policy_areas] == order
    assert auth.client.get("/workshops/").status_code == 200  # still logged in


def test_form_with_the_page_token_is_accepted(csrf_app, client):
    page = client.get("/signup").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/signup",
        data={"csrf_token": token, "name": "Ana", "email": "ana@example.org", "password": "long enough", "confirm": "long enough"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Facilitator.id))) == 1
