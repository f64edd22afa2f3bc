"""Commands for a server admin: create-facilitator and seed-demo."""
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import Facilitator, Workshop
from workshop.workshops.cli import DEMO_EMAIL, DEMO_PASSWORD, DEMO_TITLE
from workshop.workshops.lab import LAB_POLICY_AREAS


def test_create_facilitator(runner):
    result = runner.invoke(args=["create-facilitator", "--email", "Ana@Example.org", "--name", "Ana"],
                           input="long enough\nlong enough\n")
    assert result.exit_code == 0, result.output
    assert "Created facilitator Ana <ana@example.org>" in result.output
    facilitator = db.session.scalar(select(Facilitator))
    assert facilitator.check_password("long enough")


def test_create_facilitator_refuses_a_taken_email_or_bad_input(runner, make_facilitator):
    make_facilitator(email="ana@example.org")
    taken = runner.invoke(args=["create-facilitator", "--email", "ana@example.org", "--name", "Ana", "--password", "long enough"])
    assert taken.exit_code != 0 and "already exists" in taken.output
    bad = runner.invoke(args=["create-facilitator", "--email", "nope", "--name", " ", "--password", "short"])
    assert bad.exit_code != 0
    assert "Your name is required." in bad.output and "Email must look like" in bad.output
    assert db.session.scalar(select(func.count(Facilitator.id))) == 1


def test_seed_demo_creates_the_lab_with_its_areas_and_cities(runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    workshop = db.session.scalar(select(Workshop))
    assert workshop.title == DEMO_TITLE
    assert f"join code {workshop.join_code}" in result.output
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in result.output
    assert [area.title for area in workshop.policy_areas] == [title for title, _ in LAB_POLICY_AREAS]
    cities = {team.name for team in workshop.city_teams}
    assert len(cities) >= 12
    assert {"Lille Metropole", "Ljubljana", "Glasgow", "Bologna", "Warsaw", "Toulouse"} <= cities
    response = client.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/workshops/"
    assert DEMO_TITLE in client.get("/workshops/").text
