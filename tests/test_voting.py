"""Dot voting over sockets: budgets, caps, lanes, phases, per-city budgets, and counts that no
participant receives before the reveal."""
import pytest
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import Vote

from .helpers import assert_refused, post, vote, voting  # noqa: F401  (the voting fixture)


def votes():
    return db.session.scalar(select(func.count(Vote.id)))


def test_a_dot_spends_budget_and_the_ack_says_what_is_left(voting):
    ack = vote(voting.ana_socket, voting.ideas[0])
    assert ack["ok"] and ack["votes"]["spent"] == 1 and ack["votes"]["left"] == 4
    assert ack["votes"]["dots"] == [{"card_id": voting.ideas[0]["id"], "participant_id": voting.ana.id, "name": "Ana", "count": 1}]
    taken_back = vote(voting.ana_socket, voting.ideas[0], "unvote")
    assert taken_back["votes"]["left"] == 5 and votes() == 0


def test_budget_and_cap_hold(voting):
    first, second = voting.ideas
    for _ in range(3):
        assert vote(voting.ana_socket, first)["ok"]
    assert_refused(vote(voting.ana_socket, first), "card_cap_reached")
    for _ in range(2):
        assert vote(voting.ana_socket, second)["ok"]
    assert_refused(vote(voting.ana_socket, second), "no_dots_left")
    assert votes() == 5


@pytest.mark.parametrize("phase", ["collect", "results", "closed"])
def test_voting_outside_the_vote_phase_is_refused(voting, phase):
    voting.board.phase = phase
    db.session.commit()
    assert_refused(vote(voting.ana_socket, voting.ideas[0]), "voting_closed")
    assert_refused(vote(voting.ana_socket, voting.ideas[0], "unvote"), "voting_closed")
    assert votes() == 0


def test_voting_on_a_paused_board_is_refused(voting):
    voting.board.paused = True
    db.session.commit()
    assert_refused(vote(voting.ana_socket, voting.ideas[0]), "board_paused")
    assert votes() == 0


def test_voting_on_a_lane_that_is_not_votable_is_refused(voting):
    assert_refused(vote(voting.ana_socket, voting.problem), "lane_not_votable")
    assert votes() == 0


def test_voting_on_a_card_of_another_board_or_no_card_is_refused(voting):
    voting.board.phase = "collect"
    db.session.commit()
    foreign = post(voting.side_socket, voting.other_board, "Elsewhere", lane="idea")["card"]
    voting.board.phase = voting.other_board.phase = "vote"
    db.session.commit()
    assert_refused(vote(voting.stranger_socket, foreign), "not_member")
    assert_refused(voting.ana_socket.emit("vote", {"card_id": 99999}, callback=True), "no_such_card")
    assert_refused(voting.ana_socket.emit("vote", {"card_id": "1"}, callback=True), "bad_field")
    assert votes() == 0


def test_removing_a_dot_one_does_not_have_is_refused(voting):
    vote(voting.ben_socket, voting.ideas[0])
    assert_refused(vote(voting.ana_socket, voting.ideas[0], "unvote"), "no_dot_here")
    assert votes() == 1


def test_facilitators_do_not_vote(voting):
    assert_refused(vote(voting.staff_socket, voting.ideas[0]), "not_voter")


def test_counts_are_absent_from_every_participant_payload_before_reveal(voting):
    vote(voting.ana_socket, voting.ideas[0])
    vote(voting.ben_socket, voting.ideas[0])
    vote(voting.ben_socket, voting.ideas[1])
    for socket in (voting.ana_socket, voting.ben_socket):
        received = socket.get_received()
        assert not any(message["name"] == "votes_changed" for message in received)
        mine = [m["args"][0] for m in received if m["name"] == "my_votes_changed"]
        assert all(dot["participant_id"] == (voting.ana.id if socket is voting.ana_socket else voting.ben.id)
                   for payload in mine for dot in payload["dots"])
        snapshot = socket.emit("join_board", {"board_id": voting.board.id}, callback=True)["snapshot"]
        assert snapshot["votes"]["counts"] is None
        assert socket.emit("get_events", {"board_id": voting.board.id, "since": 0}, callback=True)["votes"]["counts"] is None
    staff = [m["args"][0] for m in voting.staff_socket.get_received() if m["name"] == "votes_changed"]
    assert staff[-1]["counts"] == {str(voting.ideas[1]["id"]): 1}
    assert staff[-2]["counts"] == {str(voting.ideas[0]["id"]): 2}

    assert voting.staff_socket.emit("reveal_votes", {"board_id": voting.board.id}, callback=True)["ok"]
    revealed = [m["args"][0] for m in voting.ana_socket.get_received() if m["name"] == "votes_changed"]
    assert revealed[-1]["counts"] == {str(voting.ideas[0]["id"]): 2, str(voting.ideas[1]["id"]): 1}
    counts = voting.ben_socket.emit("join_board", {"board_id": voting.board.id}, callback=True)["snapshot"]["votes"]["counts"]
    assert counts == {str(voting.ideas[0]["id"]): 2, str(voting.ideas[1]["id"]): 1}


def test_live_counts_reach_the_room_when_the_board_does_not_hide_them(voting):
    voting.board.votes_hidden = False
    db.session.commit()
    vote(voting.ana_socket, voting.ideas[0])
    [message] = [m for m in voting.ben_socket.get_received() if m["name"] == "votes_changed"]
    assert message["args"][0] == {"board_id": voting.board.id, "counts": {str(voting.ideas[0]["id"]): 1}}
    assert not any(m["name"] == "votes_changed" for m in voting.side_socket.get_received())
    # Facilitators are in the room too: they hear the count once, not again in their own room.
    [staff] = [m for m in voting.staff_socket.get_received() if m["name"] == "votes_changed"]
    assert staff["args"][0] == message["args"][0]


def test_the_voting_tab_learns_its_budget_from_the_ack_and_the_other_tabs_from_my_votes_changed(voting, connect):
    second_tab = connect(voting.ana)
    second_tab.emit("join_board", {"board_id": voting.board.id}, callback=True)
    second_tab.get_received()
    cast = vote(voting.ana_socket, voting.ideas[0])["votes"]
    assert vote(voting.ana_socket, voting.ideas[0])["votes"]["dots"] == [
        {"card_id": voting.ideas[0]["id"], "participant_id": voting.ana.id, "name": "Ana", "count": 2}]
    taken_back = vote(voting.ana_socket, voting.ideas[0], "unvote")["votes"]
    assert taken_back == cast and taken_back["spent"] == 1 and taken_back["left"] == 4
    news = [m["args"][0] for m in second_tab.get_received() if m["name"] == "my_votes_changed"]
    assert [payload["spent"] for payload in news] == [1, 2, 1] and news[-1] == taken_back
    assert not any(m["name"] == "my_votes_changed" for m in voting.ana_socket.get_received())  # one frame less per vote
    assert vote(voting.ana_socket, voting.ideas[0], "unvote")["votes"] == {"board_id": voting.board.id, "spent": 0, "left": 5, "dots": []}
    assert votes() == 0


def test_per_city_budget_is_shared_by_the_team_who_see_who_spent_what(voting, connect):
    voting.board.vote_mode = "city"
    voting.board.dots_per_person = 3
    db.session.commit()
    cleo = connect(voting.cleo)  # Glasgow, like Ana
    cleo.emit("join_board", {"board_id": voting.board.id}, callback=True)
    cleo.get_received()
    assert vote(voting.ana_socket, voting.ideas[0])["ok"]
    assert vote(cleo, voting.ideas[1])["ok"]
    shared = vote(cleo, voting.ideas[1])["votes"]
    assert shared["spent"] == 3 and shared["left"] == 0
    assert {(d["name"], d["count"]) for d in shared["dots"]} == {("Ana", 1), ("Cleo", 2)}
    assert_refused(vote(voting.ana_socket, voting.ideas[0]), "no_dots_left")
    # Bologna (Ben) has a budget of its own; a city of one counts as much as a city of two.
    for _ in range(3):
        assert vote(voting.ben_socket, voting.ideas[0])["ok"]
    team_news = [m["args"][0] for m in voting.ana_socket.get_received() if m["name"] == "my_votes_changed"]
    assert team_news[-1]["spent"] == 3
    # Ana may not take back a dot that Cleo spent.
    assert_refused(vote(voting.ana_socket, voting.ideas[1], "unvote"), "no_dot_here")


def test_the_cap_per_card_counts_the_whole_team_in_per_city_mode(voting, connect):
    voting.board.vote_mode = "city"
    voting.board.dots_per_card = 2
    db.session.commit()
    cleo = connect(voting.cleo)
    assert vote(voting.ana_socket, voting.ideas[0])["ok"] and vote(cleo, voting.ideas[0])["ok"]
    assert_refused(vote(cleo, voting.ideas[0]), "card_cap_reached")


def test_configure_voting(voting):
    ack = voting.staff_socket.emit("configure_voting", {"board_id": voting.board.id, "budget": 8, "cap": 2,
                                                        "lanes": ["problem", "idea"], "mode": "city", "hidden": False}, callback=True)
    assert ack["ok"]
    [update] = [m["args"][0] for m in voting.ana_socket.get_received() if m["name"] == "board_updated"]
    assert update["board"]["voting"] == {"budget": 8, "cap": 2, "lanes": ["problem", "idea"], "mode": "city",
                                         "hidden": False, "revealed": False, "round": 1}
    assert vote(voting.ana_socket, voting.problem)["ok"]


@pytest.mark.parametrize(
    "change, code",
    [({"budget": 0}, "bad_budget"), ({"budget": 21}, "bad_budget"), ({"cap": 0}, "bad_cap"), ({"lanes": []}, "bad_lanes"),
     ({"lanes": ["wishes"]}, "bad_lanes"), ({"lanes": [3]}, "bad_lanes"), ({"mode": "country"}, "bad_mode"),
     ({"hidden": "no"}, "bad_field"), ({"budget": "5"}, "bad_field")],
)
def test_bad_voting_settings_are_refused(voting, change, code):
    settings = {"board_id": voting.board.id, "budget": 5, "cap": 3, "lanes": ["idea"], "mode": "person", "hidden": True, **change}
    assert_refused(voting.staff_socket.emit("configure_voting", settings, callback=True), code)
    db.session.expire_all()
    assert (voting.board.dots_per_person, voting.board.votable_lanes) == (5, "idea")


@pytest.mark.parametrize("event", ["configure_voting", "reveal_votes"])
def test_participants_cannot_change_voting_or_reveal(voting, event):
    payload = {"board_id": voting.board.id, "budget": 20, "cap": 20, "lanes": ["idea"], "mode": "person", "hidden": False}
    assert_refused(voting.ana_socket.emit(event, payload, callback=True), "not_facilitator")
    db.session.expire_all()
    assert voting.board.dots_per_person == 5 and not voting.board.votes_revealed


def test_deleting_a_voted_card_gives_the_dots_back(voting):
    vote(voting.ana_socket, voting.ideas[0])
    assert voting.staff_socket.emit("delete_card", {"card_id": voting.ideas[0]["id"]}, callback=True)["ok"]
    assert votes() == 0
    assert voting.ana_socket.emit("join_board", {"board_id": voting.board.id}, callback=True)["snapshot"]["votes"]["mine"]["left"] == 5
