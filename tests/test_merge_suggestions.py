"""Suggested merges over Socket.IO (issue 16): only a board's facilitators ask for its near-duplicates and
dismiss a pair; a dismissal is remembered for every facilitator and told to the others; a pair merged through
the existing `merge_cards` leaves the list by itself. Real synthesis workers, as in production."""
import pytest
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import Card, MergeDismissal
from workshop.synthesis import services
from workshop.workshops import services as workshop_services

from .helpers import assert_refused, emit, named, post

MEALS = "Many children arrive at school hungry because families cannot afford breakfast"
MEALS_AGAIN = "Lots of children arrive at school hungry because their families cannot afford breakfast"
HOUSING = "Families with children are evicted and end up in emergency shelters for months"
HOUSING_AGAIN = "Families with children get evicted and stay in emergency shelters for months"
YOUTH = "Young people wait months for an appointment with a psychologist"


@pytest.fixture
def duplicates(room, make_facilitator):
    """The room's board with two near-duplicate pairs (Glasgow and Bologna each said it) and a card
    unlike the others, and a co-facilitator on the board."""
    room.meals = [post(room.ana_socket, room.board, MEALS)["card"]["id"], post(room.ben_socket, room.board, MEALS_AGAIN)["card"]["id"]]
    room.housing = [post(room.ana_socket, room.board, HOUSING)["card"]["id"], post(room.ben_socket, room.board, HOUSING_AGAIN)["card"]["id"]]
    room.youth = post(room.ben_socket, room.board, YOUTH)["card"]["id"]
    room.co_facilitator = make_facilitator()
    workshop_services.invite_facilitator(room.facilitator, room.workshop, room.co_facilitator.email)
    return room


@pytest.fixture
def co_socket(duplicates, connect):
    """The co-facilitator's socket on the board, having heard nothing yet."""
    socket = connect(duplicates.co_facilitator)
    assert emit(socket, "join_board", board_id=duplicates.board.id)["ok"]
    socket.get_received()
    duplicates.clear()
    return socket


def ask(socket, board):
    return emit(socket, "merge_suggestions", board_id=board.id)


def pairs_of(ack):
    assert ack["ok"], ack
    return [(pair["card"]["id"], pair["other"]["id"]) for pair in ack["pairs"]]


def dismissals():
    db.session.rollback()
    return db.session.scalars(select(MergeDismissal).order_by(MergeDismissal.card_id)).all()


def test_facilitators_get_the_boards_near_duplicates_with_their_cities(duplicates):
    ack = ask(duplicates.staff_socket, duplicates.board)
    assert sorted(pairs_of(ack)) == sorted([tuple(duplicates.meals), tuple(duplicates.housing)])
    meals = next(pair for pair in ack["pairs"] if pair["card"]["id"] == duplicates.meals[0])
    assert meals["card"] == {"id": duplicates.meals[0], "lane": "problem", "text": MEALS, "city": "Glasgow"}
    assert meals["other"] == {"id": duplicates.meals[1], "lane": "problem", "text": MEALS_AGAIN, "city": "Bologna"}
    assert services.MERGE_MIN <= meals["similarity"] <= 1
    assert [pair["similarity"] for pair in ack["pairs"]] == sorted((pair["similarity"] for pair in ack["pairs"]), reverse=True)


@pytest.mark.parametrize("who, code", [("ana_socket", "not_facilitator"), ("stranger_socket", "not_member")])
def test_only_the_boards_facilitators_may_ask_for_suggestions(duplicates, who, code):
    assert_refused(ask(getattr(duplicates, who), duplicates.board), code)


def test_suggestions_of_a_board_that_does_not_exist_are_refused(duplicates):
    assert_refused(emit(duplicates.staff_socket, "merge_suggestions", board_id=10**6), "no_such_board")
    assert_refused(emit(duplicates.staff_socket, "merge_suggestions", board_id="1"), "bad_field")


def test_a_dismissed_pair_is_remembered_for_every_facilitator_and_told_to_the_others(duplicates, co_socket):
    room = duplicates
    later, earlier = room.meals[1], room.meals[0]  # sent in either order, stored in id order
    ack = emit(room.staff_socket, "dismiss_merge", board_id=room.board.id, card_id=later, other_card_id=earlier)
    assert ack == {"ok": True}
    assert [(row.card_id, row.other_card_id, row.board_id, row.dismissed_by_id) for row in dismissals()] == [
        (earlier, later, room.board.id, room.facilitator.id)]
    assert named(co_socket, "merge_dismissed") == [{"board_id": room.board.id, "card_id": earlier, "other_card_id": later}]
    assert named(room.staff_socket, "merge_dismissed") == []  # the one who dismissed it already knows
    assert named(room.ana_socket, "merge_dismissed") == [] and named(room.ben_socket, "merge_dismissed") == []
    assert pairs_of(ask(co_socket, room.board)) == [tuple(room.housing)]
    assert pairs_of(ask(room.staff_socket, room.board)) == [tuple(room.housing)]


def test_dismissing_a_pair_twice_changes_nothing_and_tells_nobody_again(duplicates, co_socket):
    room = duplicates
    for _ in range(2):
        assert emit(room.staff_socket, "dismiss_merge", board_id=room.board.id, card_id=room.meals[0], other_card_id=room.meals[1])["ok"]
    assert emit(co_socket, "dismiss_merge", board_id=room.board.id, card_id=room.meals[1], other_card_id=room.meals[0])["ok"]
    assert len(dismissals()) == 1
    assert len(named(co_socket, "merge_dismissed")) == 1


@pytest.mark.parametrize("case, payload, who, code", [
    ("a participant", lambda r: {"card_id": r.meals[0], "other_card_id": r.meals[1]}, "ana_socket", "not_facilitator"),
    ("another workshop's participant", lambda r: {"card_id": r.meals[0], "other_card_id": r.meals[1]}, "stranger_socket", "not_member"),
    ("the same card twice", lambda r: {"card_id": r.meals[0], "other_card_id": r.meals[0]}, "staff_socket", "same_card"),
    ("a card of another board", lambda r: {"card_id": r.meals[0], "other_card_id": r.elsewhere_card}, "staff_socket", "no_such_card"),
    ("a card that does not exist", lambda r: {"card_id": r.meals[0], "other_card_id": 10**6}, "staff_socket", "no_such_card"),
    ("a card id that is not a number", lambda r: {"card_id": r.meals[0], "other_card_id": "2"}, "staff_socket", "bad_field"),
    ("a missing card id", lambda r: {"card_id": r.meals[0]}, "staff_socket", "missing_field"),
    ("a merged card", lambda r: {"card_id": r.meals[0], "other_card_id": r.merged}, "staff_socket", "no_such_card"),
])
def test_refused_dismissals_change_nothing_and_tell_nobody(duplicates, co_socket, case, payload, who, code):
    room = duplicates
    assert post(room.side_socket, room.other_board, MEALS)["ok"]
    room.elsewhere_card = db.session.scalar(select(func.max(Card.id)))
    extra = post(room.ana_socket, room.board, "Breakfast clubs closed when the funding ended")["card"]["id"]
    assert emit(room.staff_socket, "merge_cards", card_id=extra, into_id=room.youth)["ok"]
    room.merged = extra
    room.clear()
    co_socket.get_received()
    ack = emit(getattr(room, who), "dismiss_merge", board_id=room.board.id, **payload(room))
    assert_refused(ack, code)
    assert dismissals() == []
    assert named(co_socket, "merge_dismissed") == []
    assert sorted(pairs_of(ask(room.staff_socket, room.board))) == sorted([tuple(room.meals), tuple(room.housing)])


def test_dismissing_on_a_board_of_another_workshop_is_refused(duplicates):
    room = duplicates
    theirs = room.elsewhere.policy_areas[0].board
    ack = emit(room.staff_socket, "dismiss_merge", board_id=theirs.id, card_id=room.meals[0], other_card_id=room.meals[1])
    assert_refused(ack, "not_member")
    assert dismissals() == []


def test_a_pair_merged_through_merge_cards_leaves_the_list(duplicates):
    room = duplicates
    newer, older = room.housing[1], room.housing[0]
    assert emit(room.staff_socket, "merge_cards", card_id=newer, into_id=older)["ok"]
    assert pairs_of(ask(room.staff_socket, room.board)) == [tuple(room.meals)]
    assert dismissals() == []
