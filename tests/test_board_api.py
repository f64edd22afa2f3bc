"""The board page and the JSON API: snapshots and missed events, filtered by what each person may see."""
import json
import re

import pytest

from workshop.boards import services
from workshop.extensions import db


@pytest.fixture
def board_with_cards(make_workshop, make_participant):
    workshop = make_workshop()
    board = workshop.policy_areas[0].board
    ana, ben = make_participant(workshop, "Ana", "Glasgow"), make_participant(workshop, "Ben", "Bologna")
    problem, _ = services.add_card(ana, board, "problem", "Childcare costs too much")
    services.add_card(ben, board, "idea", "Sliding-scale fees", link_id=problem.id)
    return board, ana, ben


def test_snapshot_lists_cards_links_phase_and_last_sequence_number(client, auth, board_with_cards):
    board, ana, _ = board_with_cards
    auth.as_user(ana)
    body = client.get(f"/api/boards/{board.id}").get_json()
    assert body["ok"] and body["last_seq"] == 2 and body["board"]["phase"] == "collect"
    problem, idea = body["cards"]
    assert (problem["lane"], problem["text"], problem["author"]["city"]) == ("problem", "Childcare costs too much", "Glasgow")
    assert idea["link_id"] == problem["id"]


def test_events_since_returns_what_came_after(client, auth, board_with_cards):
    board, ana, _ = board_with_cards
    auth.as_user(ana)
    body = client.get(f"/api/boards/{board.id}/events?since=1").get_json()
    assert [(event["type"], event["seq"], event["card"]["text"]) for event in body["events"]] == [("card_added", 2, "Sliding-scale fees")]
    assert body["last_seq"] == 2
    assert client.get(f"/api/boards/{board.id}/events?since=2").get_json()["events"] == []


@pytest.mark.parametrize("since", ["", "abc", "-1", "1.5"])
def test_events_since_must_be_a_whole_number(client, auth, board_with_cards, since):
    board, ana, _ = board_with_cards
    auth.as_user(ana)
    response = client.get(f"/api/boards/{board.id}/events?since={since}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_since"


@pytest.mark.parametrize("path", ["/api/boards/{id}", "/api/boards/{id}/events?since=0"])
def test_api_refuses_strangers_in_json(client, auth, board_with_cards, make_workshop, make_participant, path):
    board, _, _ = board_with_cards
    url = path.format(id=board.id)
    anonymous = client.get(url)
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "not_signed_in"
    auth.as_user(make_participant(make_workshop()))
    other = client.get(url)
    assert other.status_code == 403 and "Childcare" not in other.text
    assert client.get(path.format(id=99999)).status_code == 404


def test_private_cards_are_absent_from_the_api_for_other_participants(client, auth, board_with_cards):
    board, ana, ben = board_with_cards
    services.set_private_writing(board.workshop.facilitators[0], board, True)
    services.add_card(ana, board, "problem", "Our secret draft")
    auth.as_user(ben)
    assert "Our secret draft" not in client.get(f"/api/boards/{board.id}").text
    assert "Our secret draft" not in client.get(f"/api/boards/{board.id}/events?since=0").text
    auth.as_user(ana)
    assert "Our secret draft" in client.get(f"/api/boards/{board.id}").text
    auth.as_user(board.workshop.facilitators[0])
    assert "Our secret draft" in client.get(f"/api/boards/{board.id}").text


def test_board_page_embeds_the_snapshot_as_json_text_never_html(client, auth, board_with_cards):
    board, ana, _ = board_with_cards
    services.add_card(ana, board, "problem", '</script><script>alert(1)</script><img src=x onerror="alert(2)">')
    auth.as_user(ana)
    page = client.get(f"/boards/{board.id}").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    data = json.loads(re.search(r'<script type="application/json" id="board-data">(.*?)</script>', page, re.S).group(1))
    assert any(card["text"].startswith("</script><script>alert(1)") for card in data["snapshot"]["cards"])
    assert data["messages"]["lane.problem"] == "Problems"


def test_board_page_links_to_the_other_boards(client, auth, board_with_cards):
    board, ana, _ = board_with_cards
    auth.as_user(ana)
    page = client.get(f"/boards/{board.id}").text
    for area in board.workshop.policy_areas:
        assert f'/boards/{area.board.id}"' in page
    assert 'aria-current="page"' in page
