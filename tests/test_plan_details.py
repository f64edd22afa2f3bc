"""Who completes an action plan's details, and until when (defect 6): its authors, their city team
and the facilitators, in every phase until the board is closed; card text keeps its own rule."""
import pytest

from workshop.extensions import db
from workshop.models import Card

from .helpers import assert_refused, post

ALLOWED, OTHER_CITY, CLOSED, PAUSED = "allowed", "not_author", "board_closed", "board_paused"

# phase -> who -> outcome. Ana wrote the plan; Cleo is in her city team (Glasgow); Ben is of Bologna.
EXPECTED = {
    "collect": {"ana": ALLOWED, "cleo": ALLOWED, "facilitator": ALLOWED, "ben": OTHER_CITY},
    "vote": {"ana": ALLOWED, "cleo": ALLOWED, "facilitator": ALLOWED, "ben": OTHER_CITY},
    "results": {"ana": ALLOWED, "cleo": ALLOWED, "facilitator": ALLOWED, "ben": OTHER_CITY},
    "closed": {"ana": CLOSED, "cleo": CLOSED, "facilitator": CLOSED, "ben": OTHER_CITY},
}


@pytest.fixture
def plan(room):
    """Ana's action plan on the room's board, with a title."""
    card = post(room.ana_socket, room.board, "Open family desks in all districts", lane="action")["card"]
    assert room.ana_socket.emit("edit_action_plan", {"card_id": card["id"], "plan": {"title": "Family desks"}}, callback=True)["ok"]
    room.clear()
    return db.session.get(Card, card["id"])


def socket_of(room, who):
    return {"ana": room.ana_socket, "cleo": room.side_socket, "ben": room.ben_socket, "facilitator": room.staff_socket}[who]


def stored_plan(card_id):
    db.session.expire_all()
    plan = db.session.get(Card, card_id).plan
    return (plan.title, plan.lead, plan.target)


def complete(room, who, card_id):
    fields = {"lead": f"Lead set by {who}", "target": "2,000 families"}
    return socket_of(room, who).emit("edit_action_plan", {"card_id": card_id, "plan": fields}, callback=True)


@pytest.mark.parametrize("phase", list(EXPECTED))
@pytest.mark.parametrize("who", ["ana", "cleo", "facilitator", "ben"])
def test_who_completes_plan_details_in_each_phase(room, plan, phase, who):
    room.board.phase = phase
    db.session.commit()
    before = stored_plan(plan.id)
    ack = complete(room, who, plan.id)
    if EXPECTED[phase][who] == ALLOWED:
        assert ack["ok"], ack
        assert ack["card"]["plan"]["lead"] == f"Lead set by {who}"
        assert stored_plan(plan.id) == ("Family desks", f"Lead set by {who}", "2,000 families")
        assert any(m["name"] == "card_edited" for m in room.ben_socket.get_received())
    else:
        assert_refused(ack, EXPECTED[phase][who])
        assert stored_plan(plan.id) == before
        assert not any(m["name"] == "card_edited" for m in room.ben_socket.get_received())


def test_the_refusal_for_another_city_says_who_may(room, plan):
    ack = complete(room, "ben", plan.id)
    assert_refused(ack, OTHER_CITY)
    assert "city team" in ack["error"]["message"]


@pytest.mark.parametrize("who, outcome", [("ana", PAUSED), ("cleo", PAUSED), ("facilitator", ALLOWED)])
def test_a_paused_board_takes_plan_details_only_from_facilitators(room, plan, who, outcome):
    room.board.phase, room.board.paused = "results", True
    db.session.commit()
    before = stored_plan(plan.id)
    ack = complete(room, who, plan.id)
    if outcome == ALLOWED:
        assert ack["ok"], ack
    else:
        assert_refused(ack, outcome)
        assert stored_plan(plan.id) == before


def test_a_team_mate_cannot_complete_a_plan_written_in_private(room):
    room.board.private_writing, room.board.private_scope = True, "own"
    db.session.commit()
    card = post(room.ana_socket, room.board, "A plan still private", lane="action")["card"]
    assert_refused(complete(room, "cleo", card["id"]), OTHER_CITY)
    db.session.expire_all()
    assert db.session.get(Card, card["id"]).plan is None


def test_card_text_keeps_its_rule_in_results(room, plan):
    room.board.phase = "results"
    db.session.commit()
    ack = room.ana_socket.emit("edit_card", {"card_id": plan.id, "text": "Changed in results"}, callback=True)
    assert_refused(ack, "posting_closed")
    assert_refused(room.side_socket.emit("edit_card", {"card_id": plan.id, "text": "Changed by a team mate"}, callback=True), "not_author")
    db.session.expire_all()
    assert db.session.get(Card, plan.id).text == "Open family desks in all districts"
