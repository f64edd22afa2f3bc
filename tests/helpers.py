"""Helpers that several test files share: sending socket events and reading what came back,
and fixtures for a lab with plans and commitments, a room voting, CSRF on, a migrated database."""
from datetime import date

import pytest
from flask_migrate import upgrade

from workshop import create_app
from workshop.boards import plans as plan_service
from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import Facilitator, Participant, Vote
from workshop.workshops import services as workshops


# Socket events through the Flask-SocketIO test client ---------------------------------------------

def post(socket, board, text="Families do not know which support they can claim", lane="problem", **extra):
    return socket.emit("add_card", {"board_id": board.id, "lane": lane, "text": text, **extra}, callback=True)


def board_events(socket):
    return [message for message in socket.get_received() if message["name"] != "presence_changed"]


def assert_refused(ack, code):
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code
    assert ack["error"]["message"]


def emit(socket, event, **payload):
    return socket.emit(event, payload, callback=True)


def named(socket, name):
    return [m["args"][0] for m in socket.get_received() if m["name"] == name]


# Dot voting -----------------------------------------------------------------------------------------

@pytest.fixture
def voting(room):
    """The room's board with a problem and two ideas, in the vote phase."""
    problem = post(room.ana_socket, room.board, "Childcare is too expensive")["card"]
    room.ideas = [post(room.ben_socket, room.board, text, lane="idea")["card"] for text in ("Sliding-scale fees", "Free breakfast")]
    room.problem = problem
    room.board.phase = "vote"
    db.session.commit()
    room.clear()
    return room


def vote(socket, card, event="vote"):
    return socket.emit(event, {"card_id": card["id"]}, callback=True)


# A lab with action plans, and its city commitments --------------------------------------------------

SIGNATORY = {"signatory-0-name": "Mateja Žnidaršič", "signatory-0-role": "Deputy Mayor", "signatory-0-organisation": "City of Ljubljana"}


@pytest.fixture
def lab(make_workshop, make_participant):
    """A workshop whose first board holds a problem, an idea that answers it (with dots), and two
    action plans, one by Ljubljana's team, one by Glasgow's."""

    class Lab:
        workshop = make_workshop(cities=("Ljubljana", "Glasgow", "Łódź"))
        board = workshop.policy_areas[0].board
        ljubljana, glasgow = workshop.city_teams[1], workshop.city_teams[0]  # sorted by name: Glasgow, Ljubljana, Łódź
        mateja = make_participant(workshop, "Mateja", "Ljubljana")
        ewan = make_participant(workshop, "Ewan", "Glasgow")

    lab = Lab()
    assert lab.ljubljana.name == "Ljubljana"
    problem, _ = boards.add_card(lab.ewan, lab.board, "problem", "Families miss the support they are entitled to")
    idea, _ = boards.add_card(lab.mateja, lab.board, "idea", "One family desk per district", link_id=problem.id)
    lab.plan, _ = boards.add_card(lab.mateja, lab.board, "action", "Open family desks in all 17 districts", link_id=idea.id)
    lab.other_plan, _ = boards.add_card(lab.ewan, lab.board, "action", "Train school staff as benefit navigators")
    plan_service.edit_action_plan(lab.mateja, lab.plan, {
        "title": "Family desks", "lead": "Department for Social Affairs", "partners": "Employment service; NGOs",
        "starts_on": "2026-01-15", "ends_on": "2027-06-30", "resources": "City budget line 4.2, ESF+",
        "indicators": "Families reached", "target": "2,000 families", "baseline": "350 families",
        "status": "agreed", "principles": [11, 3], "child_guarantee": True})
    for voter in (lab.mateja, lab.ewan):
        db.session.add(Vote(board_id=lab.board.id, card_id=idea.id, participant_id=voter.id, city_team_id=voter.city_team_id))
    db.session.commit()
    lab.idea, lab.problem = idea, problem
    lab.url = f"/workshops/{lab.workshop.id}/commitments/{lab.ljubljana.id}"
    return lab


def save(client, lab, plans, statement="Ljubljana commits to reach every family.", **extra):
    data = {"plans": [str(card.id) for card in plans], "statement": statement, **SIGNATORY, **extra}
    return client.post(lab.url, data=data)


# What the projector must never show (the room's secrets) ------------------------------------------

PUBLIC = "Free school meals for every child"
PRIVATE = "SECRET-PRIVATE draft about the family desk"
HIDDEN = "SECRET-HIDDEN insult about a city"
REASON = "SECRET-REASON off topic"
LATER_PRIVATE = "SECRET-LATER-PRIVATE second draft"
LATER_HIDDEN = "SECRET-LATER-HIDDEN edited while hidden"
SECRETS = [PRIVATE, HIDDEN, REASON, LATER_PRIVATE, LATER_HIDDEN]


# Apps --------------------------------------------------------------------------------------------------

@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def make_workshop_on():
    """A workshop in a migrated database at `url`, its first board voting: (board id, idea ids, voter id)."""
    apps = []

    def make(url):
        app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
        apps.append(app)
        with app.app_context():
            upgrade()
            facilitator = Facilitator(email="f@example.org", name="F")
            facilitator.set_password("long enough")
            workshop = workshops.create_workshop(facilitator, use_lab_template=True, title="PG lab", host_city="Ghent",
                                                 starts_on=date(2025, 11, 5))
            team = workshop.find_or_add_city_team("Ghent")
            voter = Participant(workshop=workshop, city_team=team, display_name="Voter")
            db.session.add(voter)
            db.session.commit()
            board = workshop.policy_areas[0].board
            ideas = [boards.add_card(voter, board, "idea", f"Idea {n}")[0].id for n in range(2)]
            board.phase = "vote"
            db.session.commit()
            result = (board.id, ideas, voter.id)
            db.session.remove()
            db.engine.dispose()
            return result

    yield make
