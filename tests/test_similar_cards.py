"""Similar cards while writing (issue 16): `similar_cards` over a socket answers with up to three cards of
the board the person may see, in any language, never a hidden card nor another city's private one; every
refusal is a clear ack and changes nothing."""
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest
from sqlalchemy import func, select

from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import CARD_TEXT_MAX, CardVector
from workshop.synthesis import events, services

from .helpers import assert_refused, post

MEALS = ["Many children arrive at school hungry because families cannot afford breakfast",
         "Des enfants viennent en classe le ventre vide, faute de petit-déjeuner à la maison"]
HOUSING = "Families with children are evicted and end up in emergency shelters for months"
QUERY = "Pupils come to class on an empty stomach: no breakfast at home"


def ask(socket, board, text=QUERY, embedded=True, **extra):
    """Ask as the board page does; by default once the board's cards are embedded, as they are in a room
    (on write: see test_synthesis_services for a question asked before)."""
    if embedded:
        services.vectors_of([card.text for card in services.comparable_cards(board)])
    return socket.emit("similar_cards", {"board_id": board.id, "text": text, **extra}, callback=True)


def ids(ack):
    assert ack["ok"], ack
    return [card["id"] for card in ack["cards"]]


def vector_count():
    return db.session.scalar(select(func.count()).select_from(CardVector))


@pytest.fixture
def meals(room):
    """Ana (Glasgow) wrote two problems about breakfast, in English and French, and one about housing."""
    room.meal_ids = [post(room.ana_socket, room.board, text)["card"]["id"] for text in MEALS]
    room.housing_id = post(room.ana_socket, room.board, HOUSING)["card"]["id"]
    room.clear()
    return room


def test_similar_cards_in_any_language_are_answered_with_their_city_and_similarity(meals):
    ack = ask(meals.ben_socket, meals.board)
    assert sorted(ids(ack)) == sorted(meals.meal_ids)
    assert meals.housing_id not in ids(ack)
    similarities = [card["similarity"] for card in ack["cards"]]
    assert similarities == sorted(similarities, reverse=True)
    for card in ack["cards"]:
        assert set(card) == {"id", "lane", "text", "city", "similarity"}
        assert card["lane"] == "problem" and card["city"] == "Glasgow" and card["text"] in MEALS
        assert card["similarity"] == round(card["similarity"], 2) and services.SIMILAR_MIN <= card["similarity"] + 0.005 <= 1
    assert [socket.get_received() for socket in meals.sockets] == [[]] * len(meals.sockets)  # nobody hears of it


def test_at_most_three_cards_are_answered(room):
    texts = [MEALS[0], MEALS[1], "Viele Kinder kommen ohne Frühstück in die Schule, weil das Geld zu Hause nicht reicht",
             "Molti bambini arrivano a scuola senza colazione perché le famiglie non possono permettersela"]
    for text in texts:
        assert post(room.ana_socket, room.board, text)["ok"]
    assert len(ids(ask(room.ben_socket, room.board))) == 3


def test_a_lane_limits_the_answer_and_the_card_being_edited_is_left_out(meals):
    idea = post(meals.ben_socket, meals.board, "Free breakfast at school for every child who arrives hungry", lane="idea")["card"]["id"]
    assert idea in ids(ask(meals.ana_socket, meals.board))
    assert idea not in ids(ask(meals.ana_socket, meals.board, lane="problem"))
    assert ids(ask(meals.ana_socket, meals.board, lane="idea")) == [idea]
    assert ids(ask(meals.ana_socket, meals.board, lane="action")) == []  # action plans are a city's own
    editing = ids(ask(meals.ana_socket, meals.board, MEALS[0], card_id=meals.meal_ids[0]))
    assert meals.meal_ids[0] not in editing and meals.meal_ids[1] in editing


def test_another_citys_private_card_is_never_suggested(room):
    boards.set_private_writing(room.facilitator, room.board, True, "team")
    private = post(room.ana_socket, room.board, MEALS[0])["card"]["id"]
    assert ids(ask(room.ben_socket, room.board)) == []  # Ben is from Bologna
    cleo = room.side_socket  # Cleo, Glasgow like Ana, sees her team's private card
    assert cleo.emit("join_board", {"board_id": room.board.id}, callback=True)["ok"]
    assert ids(ask(cleo, room.board)) == [private]
    assert ids(ask(room.staff_socket, room.board)) == [private]


def test_a_hidden_card_is_never_suggested_not_even_to_its_author_or_the_facilitators(meals):
    boards.hide_card(meals.facilitator, boards.find_card(meals.meal_ids[0]), "Off topic")
    for socket in (meals.ben_socket, meals.ana_socket, meals.staff_socket):
        found = ids(ask(socket, meals.board))
        assert meals.meal_ids[0] not in found and meals.meal_ids[1] in found


def test_a_short_text_gets_no_cards_without_asking_a_worker(meals, monkeypatch):
    asked = []
    monkeypatch.setattr(services, "_submit", lambda *args: asked.append(args))
    short = "x" * (events.SIMILAR_TEXT_MIN - 1)
    assert ask(meals.ben_socket, meals.board, short) == {"ok": True, "cards": []}
    assert ask(meals.ben_socket, meals.board, f"   {short}   ") == {"ok": True, "cards": []}  # spaces do not count
    assert asked == []


@pytest.mark.parametrize("payload, code", [
    ({"text": QUERY}, "missing_field"),
    ({"board_id": "1", "text": QUERY}, "bad_field"),
    ({"board_id": None, "text": QUERY}, "missing_field"),
    ("board", "missing_field"),
    ({"board_id": 0, "text": 42}, "bad_field"),
    ({"board_id": 0, "text": QUERY, "lane": "wish"}, "bad_lane"),
    ({"board_id": 0, "text": QUERY, "lane": 3}, "bad_field"),
    ({"board_id": 0, "text": QUERY, "card_id": "7"}, "bad_field"),
    ({"board_id": 0, "text": "x" * (CARD_TEXT_MAX + 1)}, "text_too_long"),
    ({"board_id": 99999, "text": QUERY}, "no_such_board"),
])
def test_bad_payloads_are_refused_and_change_nothing(meals, monkeypatch, payload, code):
    asked = []
    monkeypatch.setattr(services, "_submit", lambda *args: asked.append(args))
    if isinstance(payload, dict) and payload.get("board_id") == 0:
        payload = {**payload, "board_id": meals.board.id}
    if payload == "board":
        payload = {"board_id": meals.board.id}
    before = vector_count()
    assert_refused(meals.ben_socket.emit("similar_cards", payload, callback=True), code)
    assert asked == [] and vector_count() == before
    assert [socket.get_received() for socket in meals.sockets] == [[]] * len(meals.sockets)


def test_a_text_as_long_as_a_card_may_be_is_looked_up(meals, monkeypatch):
    real_submit = services._submit
    longest = ((QUERY + " ") * 10)[:CARD_TEXT_MAX - 1] + "."
    assert len(longest) == CARD_TEXT_MAX
    asked = []
    monkeypatch.setattr(services, "_submit", lambda function, *args: asked.append(function) or real_submit(function, *args))
    ack = ask(meals.ben_socket, meals.board, f"  {longest}  ")  # spaces around it do not count, as on a card
    assert ack["ok"] and isinstance(ack["cards"], list) and asked


def test_someone_of_another_workshop_is_refused(meals, monkeypatch):
    asked = []
    monkeypatch.setattr(services, "_submit", lambda *args: asked.append(args))
    ack = ask(meals.stranger_socket, meals.board)
    assert_refused(ack, "not_member")
    assert MEALS[0] not in str(ack) and asked == []


def test_no_answer_from_the_workers_is_a_clear_unavailable_ack(meals, monkeypatch):
    late = Future()
    late.set_exception(TimeoutError())  # what waiting WAIT_SECONDS for a busy worker raises

    def broken(*args):
        raise BrokenProcessPool("a worker died")

    for submit in (lambda *args: late, broken):
        monkeypatch.setattr(services, "_submit", submit)
        ack = ask(meals.ben_socket, meals.board)
        assert_refused(ack, "unavailable")
        assert "posted" in ack["error"]["message"]
    assert meals.ben_socket.is_connected()
    assert [socket.get_received() for socket in meals.sockets] == [[]] * len(meals.sockets)


def test_lookups_over_the_limit_are_refused(app, meals, monkeypatch):
    app.config["RATELIMIT_SIMILAR_LOOKUPS"] = "2 per minute"
    asked = []
    monkeypatch.setattr(services, "_submit", lambda *args: asked.append(args))
    short = "too short"
    assert ask(meals.ben_socket, meals.board, short)["ok"] and ask(meals.ben_socket, meals.board, short)["ok"]
    ack = ask(meals.ben_socket, meals.board)
    assert_refused(ack, "slow_down")
    assert ack["error"]["retry_after"] >= 1 and asked == []
    assert ask(meals.ana_socket, meals.board, short)["ok"]  # per person
