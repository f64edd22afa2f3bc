"""Voting rounds: a second round starts with every budget full and counts hidden again, while the
earlier rounds' results stay on the board, in snapshots, catch-ups and exports."""
import csv
import io

import pytest
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import CommitmentVersion, Vote

from .conftest import download, pdf_text
from .helpers import assert_refused, lab, save, vote, voting  # noqa: F401  (the lab and voting fixtures)


def phase(room, name):
    ack = room.staff_socket.emit("set_phase", {"board_id": room.board.id, "phase": name}, callback=True)
    assert ack["ok"], ack


def snapshot(socket, room):
    return socket.emit("join_board", {"board_id": room.board.id}, callback=True)["snapshot"]


def votes_in_round(number):
    return db.session.scalar(select(func.count(Vote.id)).where(Vote.round == number))


def first_round(voting):
    """Round 1: Ana spends all five dots (three on the first idea, two on the second), Ben one on
    the second; the facilitator reveals, then shows the results."""
    first, second = voting.ideas
    for card in (first, first, first, second, second):
        assert vote(voting.ana_socket, card)["ok"]
    assert vote(voting.ben_socket, second)["ok"]
    assert voting.staff_socket.emit("reveal_votes", {"board_id": voting.board.id}, callback=True)["ok"]
    phase(voting, "results")
    return {str(first["id"]): 3, str(second["id"]): 3}


def test_voting_again_after_the_results_starts_a_round_with_full_budgets_and_hidden_counts(voting):
    first, second = voting.ideas
    round_one = first_round(voting)
    assert snapshot(voting.ana_socket, voting)["votes"]["counts"] == round_one
    phase(voting, "collect")
    phase(voting, "vote")

    ana = snapshot(voting.ana_socket, voting)
    assert ana["board"]["voting"]["round"] == 2 and ana["board"]["voting"]["revealed"] is False
    assert ana["votes"]["counts"] is None  # hidden until reveal, as the board is set
    assert ana["votes"]["mine"] == {"board_id": voting.board.id, "spent": 0, "left": 5, "dots": []}
    assert ana["votes"]["rounds"] == [{"round": 1, "counts": round_one}]

    # The budget and the cap count this round only: three dots on the first idea again.
    for _ in range(3):
        assert vote(voting.ana_socket, first)["ok"]
    assert_refused(vote(voting.ana_socket, first), "card_cap_reached")
    assert vote(voting.ben_socket, second)["ok"]
    voting.clear()
    assert vote(voting.ana_socket, first, "unvote")["votes"]["left"] == 3  # takes back this round's dot
    assert not any(m["name"] == "votes_changed" for m in voting.ben_socket.get_received())  # counts stay hidden
    assert (votes_in_round(1), votes_in_round(2)) == (6, 3)

    phase(voting, "results")
    ben = snapshot(voting.ben_socket, voting)
    assert ben["votes"]["counts"] == {str(first["id"]): 2, str(second["id"]): 1}
    assert ben["votes"]["rounds"] == [{"round": 1, "counts": round_one}]
    events = voting.ben_socket.emit("get_events", {"board_id": voting.board.id, "since": 0}, callback=True)
    assert events["votes"]["rounds"] == [{"round": 1, "counts": round_one}]


def test_results_straight_to_vote_starts_a_round_but_collect_and_back_before_results_does_not(voting):
    vote(voting.ana_socket, voting.ideas[0])
    phase(voting, "collect")
    phase(voting, "vote")
    assert snapshot(voting.ana_socket, voting)["votes"]["mine"]["spent"] == 1  # the same round goes on
    phase(voting, "results")
    phase(voting, "vote")
    again = snapshot(voting.ana_socket, voting)
    assert again["board"]["voting"]["round"] == 2 and again["votes"]["mine"]["spent"] == 0
    phase(voting, "vote")  # already voting: still round 2
    assert snapshot(voting.ana_socket, voting)["board"]["voting"]["round"] == 2


def test_a_facilitator_starts_a_round_and_the_room_hears_it(voting):
    first_round(voting)
    phase(voting, "vote")  # round 2, automatically
    assert vote(voting.ana_socket, voting.ideas[0])["ok"]
    voting.board.votes_revealed = True
    db.session.commit()
    voting.clear()
    ack = voting.staff_socket.emit("start_round", {"board_id": voting.board.id}, callback=True)
    assert ack == {"ok": True}
    [update] = [m["args"][0] for m in voting.ben_socket.get_received() if m["name"] == "board_updated"]
    assert update["board"]["voting"]["round"] == 3 and update["board"]["voting"]["revealed"] is False
    rounds = snapshot(voting.ana_socket, voting)["votes"]["rounds"]
    assert [entry["round"] for entry in rounds] == [1, 2]
    assert rounds[1]["counts"] == {str(voting.ideas[0]["id"]): 1}
    assert snapshot(voting.ana_socket, voting)["votes"]["mine"]["left"] == 5


def test_counts_stay_live_in_a_new_round_when_the_board_does_not_hide_them(voting):
    voting.board.votes_hidden = False
    db.session.commit()
    first_round(voting)
    phase(voting, "vote")
    voting.clear()
    assert vote(voting.ana_socket, voting.ideas[0])["ok"]
    [message] = [m["args"][0] for m in voting.ben_socket.get_received() if m["name"] == "votes_changed"]
    assert message["counts"] == {str(voting.ideas[0]["id"]): 1}  # this round's count, not 4


def test_a_city_team_budget_is_full_again_in_a_new_round(voting, connect):
    voting.board.vote_mode = "city"
    voting.board.dots_per_person = 2
    db.session.commit()
    cleo = connect(voting.cleo)  # Glasgow, like Ana
    assert vote(voting.ana_socket, voting.ideas[0])["ok"] and vote(cleo, voting.ideas[1])["ok"]
    assert_refused(vote(voting.ana_socket, voting.ideas[1]), "no_dots_left")
    phase(voting, "results")
    phase(voting, "vote")
    team = vote(cleo, voting.ideas[0])["votes"]
    assert team["spent"] == 1 and team["left"] == 1
    assert team["dots"] == [{"card_id": voting.ideas[0]["id"], "participant_id": voting.cleo.id, "name": "Cleo", "count": 1}]
    assert vote(voting.ana_socket, voting.ideas[1])["ok"]
    assert_refused(vote(voting.ana_socket, voting.ideas[1]), "no_dots_left")
    # Cleo's round-1 dot on the second idea is not hers to take back in round 2.
    assert_refused(vote(cleo, voting.ideas[1], "unvote"), "no_dot_here")
    assert (votes_in_round(1), votes_in_round(2)) == (2, 2)


def test_earlier_rounds_carry_only_cards_the_viewer_may_see(voting):
    first_round(voting)
    assert voting.staff_socket.emit("hide_card", {"card_id": voting.ideas[1]["id"], "reason": "Duplicate"}, callback=True)["ok"]
    phase(voting, "vote")
    first, second = (str(card["id"]) for card in voting.ideas)
    assert snapshot(voting.ana_socket, voting)["votes"]["rounds"] == [{"round": 1, "counts": {first: 3}}]
    # Ben wrote the hidden idea, so he still sees it, and the facilitators see everything.
    assert snapshot(voting.ben_socket, voting)["votes"]["rounds"] == [{"round": 1, "counts": {first: 3, second: 3}}]
    assert snapshot(voting.staff_socket, voting)["votes"]["rounds"] == [{"round": 1, "counts": {first: 3, second: 3}}]


def test_starting_a_round_on_a_closed_board_is_refused_and_changes_nothing(voting):
    vote(voting.ana_socket, voting.ideas[0])
    voting.board.phase = "closed"
    db.session.commit()
    voting.clear()
    assert_refused(voting.staff_socket.emit("start_round", {"board_id": voting.board.id}, callback=True), "board_closed")
    db.session.expire_all()
    assert voting.board.vote_round == 1 and votes_in_round(1) == 1
    assert not any(m["name"] == "board_updated" for m in voting.ana_socket.get_received())


@pytest.mark.parametrize("payload, code", [({}, "missing_field"), ({"board_id": "1"}, "bad_field"), ({"board_id": 99999}, "no_such_board")])
def test_starting_a_round_with_a_bad_payload_is_refused(voting, payload, code):
    assert_refused(voting.staff_socket.emit("start_round", payload, callback=True), code)
    db.session.expire_all()
    assert voting.board.vote_round == 1


def test_participants_cannot_start_a_round(voting):
    vote(voting.ana_socket, voting.ideas[0])
    assert_refused(voting.ana_socket.emit("start_round", {"board_id": voting.board.id}, callback=True), "not_facilitator")
    db.session.expire_all()
    assert voting.board.vote_round == 1
    assert snapshot(voting.ana_socket, voting)["votes"]["mine"]["spent"] == 1


def test_exports_carry_dots_and_rank_of_every_round(voting, client, auth):
    first, second = voting.ideas
    first_round(voting)
    phase(voting, "vote")
    for card in (first, first, second):
        vote(voting.ana_socket, card)
    phase(voting, "results")
    auth.as_user(voting.facilitator)
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(
        client.get(f"/boards/{voting.board.id}/export.csv").data.decode("utf-8-sig")))}
    one, two = rows[first["id"]], rows[second["id"]]
    assert (one["round_1_dots"], one["round_1_rank"], one["round_2_dots"], one["round_2_rank"]) == ("3", "1", "2", "1")
    assert (two["round_1_dots"], two["round_1_rank"], two["round_2_dots"], two["round_2_rank"]) == ("3", "1", "1", "2")
    assert (one["dots"], one["rank"]) == ("2", "1")  # the current round
    data = client.get(f"/boards/{voting.board.id}/export.json").get_json()
    assert data["board"]["rounds"] == 2
    card = next(card for card in data["cards"] if card["id"] == second["id"])
    assert card["rounds"] == [{"round": 1, "dots": 3, "rank": 1}, {"round": 2, "dots": 1, "rank": 2}]


def test_the_commitment_and_the_summary_keep_the_dots_of_each_round(client, auth, lab):
    """The lab's idea had two dots in round 1; in round 2 it gets one."""
    lab.board.vote_round = 2
    db.session.add(Vote(board_id=lab.board.id, card_id=lab.idea.id, participant_id=lab.mateja.id,
                        city_team_id=lab.mateja.city_team_id, round=2))
    db.session.commit()
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    assert client.post(f"{lab.url}/final").status_code == 302
    [area] = db.session.scalar(select(CommitmentVersion)).content["policy_areas"]
    assert area["plans"][0]["idea"] == {"text": "One family desk per district", "dots": 1, "rank": 1, "out_of": 1,
                                        "rounds": [{"round": 1, "dots": 2, "rank": 1}, {"round": 2, "dots": 1, "rank": 1}]}
    auth.as_user(lab.workshop.facilitators[0])
    text = " ".join(pdf_text(download(client, f"/workshops/{lab.workshop.id}/summary.pdf").data).split())
    assert "One family desk per district" in text and "round 1: 2 dots (1st); round 2: 1 dot (1st)" in text
