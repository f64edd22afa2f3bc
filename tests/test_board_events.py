"""Socket events on boards, through the Flask-SocketIO test client: each event's success, each
refusal (a clear error ack and nothing changed), and that other rooms receive nothing."""
import pytest
from sqlalchemy import exc as sa_exc
import sqlalchemy as sa
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import BoardEvent, Card, Participant

from .helpers import assert_refused, board_events, post


def card_count():
    return db.session.scalar(select(func.count(Card.id)))


def event_count():
    return db.session.scalar(select(func.count(BoardEvent.id)))


def test_a_socket_that_is_not_signed_in_is_refused(connect):
    assert not connect(None).is_connected()


def test_a_socket_connecting_while_the_database_pool_is_exhausted_is_refused_as_unavailable(connect, make_workshop, make_participant, monkeypatch, caplog):
    """A room reconnecting at once can exhaust the pool: the connect is refused with `unavailable`
    (the tab tries again) and logged as a warning, not raised from the handler as a traceback."""
    from workshop.extensions import login_manager

    ana = make_participant(make_workshop())

    def pool_exhausted(user_id):
        raise sa_exc.TimeoutError("QueuePool limit of size 25 overflow 0 reached")

    monkeypatch.setattr(login_manager, "_user_callback", pool_exhausted)
    assert not connect(ana).is_connected()
    assert [record.levelname for record in caplog.records if "database unavailable" in record.getMessage()] == ["WARNING"]
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]


def test_join_board_answers_with_a_snapshot_and_presence(room):
    ack = room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True)
    assert ack["ok"] and ack["snapshot"]["board"]["id"] == room.board.id
    assert ack["snapshot"]["me"] == {"role": "participant", "id": room.ana.id, "name": "Ana", "city": "Glasgow",
                                     "city_id": room.ana.city_team_id}
    presence = [m["args"][0] for m in room.ben_socket.get_received() if m["name"] == "presence_changed"]
    assert presence[-1]["count"] == 3  # Ana, Ben and the facilitator; Ana's second join counts once
    assert {"name": "Glasgow", "count": 1} in presence[-1]["cities"]


@pytest.mark.parametrize(
    "payload, code",
    [(None, "bad_payload"), ("board", "bad_payload"), ({}, "missing_field"), ({"board_id": "1"}, "bad_field"),
     ({"board_id": True}, "bad_field"), ({"board_id": 99999}, "no_such_board"), ({"board_id": "{board}", "since": "x"}, "bad_field")],
)
def test_join_board_refuses_bad_payloads(room, payload, code):
    if isinstance(payload, dict):
        payload = {key: room.board.id if value == "{board}" else value for key, value in payload.items()}
    assert_refused(room.ana_socket.emit("join_board", payload, callback=True), code)


def test_a_participant_of_another_workshop_cannot_join_or_post(room):
    assert_refused(room.stranger_socket.emit("join_board", {"board_id": room.board.id}, callback=True), "not_member")
    assert_refused(post(room.stranger_socket, room.board), "not_member")
    assert card_count() == 0
    post(room.ana_socket, room.board)
    assert board_events(room.stranger_socket) == []


def test_posting_reaches_the_room_with_consecutive_sequence_numbers(room):
    first = post(room.ana_socket, room.board, "Waiting lists for childcare are long")
    second = post(room.ben_socket, room.board, "Free school meals", lane="idea", link_id=first["card"]["id"])
    assert first["ok"] and second["ok"]
    assert second["seq"] == first["seq"] + 1
    received = board_events(room.staff_socket)
    assert [(m["name"], m["args"][0]["seq"]) for m in received] == [("card_added", first["seq"]), ("card_added", second["seq"])]
    idea = received[1]["args"][0]["card"]
    assert idea["text"] == "Free school meals" and idea["link_id"] == first["card"]["id"]
    assert idea["author"] == {"id": room.ben.id, "name": "Ben", "city": "Bologna"}
    assert board_events(room.side_socket) == [] and board_events(room.stranger_socket) == []


def test_the_same_client_id_stores_one_card(room):
    first = post(room.ana_socket, room.board, client_id="abc123")
    again = post(room.ana_socket, room.board, client_id="abc123")
    assert again["ok"] and again["card"]["id"] == first["card"]["id"] and again["seq"] is None
    assert card_count() == 1 and event_count() == 1
    assert len(board_events(room.ben_socket)) == 1


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"text": ""}, "text_missing"),
        ({"text": "   \n "}, "text_missing"),
        ({"text": "x" * 501}, "text_too_long"),
        ({"text": 42}, "bad_field"),
        ({"lane": "wishes"}, "bad_lane"),
        ({"lane": None}, "missing_field"),
        ({"lane": "problem", "link_id": "{problem}"}, "link_not_allowed"),
        ({"lane": "action", "link_id": "{problem}"}, "link_wrong_lane"),
        ({"lane": "idea", "link_id": "{foreign}"}, "no_such_card"),
        ({"lane": "idea", "link_id": 99999}, "no_such_card"),
        ({"lane": "idea", "link_id": "7"}, "bad_field"),
        ({"client_id": "x" * 65}, "bad_client_id"),
        ({"client_id": 5}, "bad_field"),
    ],
)
def test_bad_cards_are_refused_and_change_nothing(room, payload, code):
    problem = post(room.ana_socket, room.board)["card"]["id"]
    foreign = post(room.side_socket, room.other_board)["card"]["id"]
    room.clear()
    cards, events = card_count(), event_count()
    values = {"{problem}": problem, "{foreign}": foreign}
    payload = {key: values.get(value, value) if isinstance(value, str) else value for key, value in payload.items()}
    ack = room.ana_socket.emit("add_card", {"board_id": room.board.id, "lane": "problem", "text": "A card", **payload}, callback=True)
    assert_refused(ack, code)
    assert (card_count(), event_count()) == (cards, events)
    assert board_events(room.ben_socket) == []


def test_facilitators_moderate_rather_than_post(room):
    assert_refused(post(room.staff_socket, room.board), "facilitators_do_not_post")
    assert card_count() == 0


@pytest.mark.parametrize("phase", ["vote", "results", "closed"])
def test_posting_outside_the_collect_phase_is_refused(room, phase):
    room.board.phase = phase
    db.session.commit()
    assert_refused(post(room.ana_socket, room.board), "posting_closed")
    assert card_count() == 0


def test_authors_edit_their_cards_and_the_room_sees_it(room):
    card = post(room.ana_socket, room.board)["card"]
    room.clear()
    ack = room.ana_socket.emit("edit_card", {"card_id": card["id"], "text": "Edited text"}, callback=True)
    assert ack["ok"] and ack["card"]["text"] == "Edited text" and ack["card"]["edited_at"]
    [message] = board_events(room.ben_socket)
    assert message["name"] == "card_edited" and message["args"][0]["card"]["text"] == "Edited text"
    assert board_events(room.side_socket) == []


def test_editing_someone_elses_card_is_refused(room):
    card = post(room.ana_socket, room.board)["card"]
    room.clear()
    assert_refused(room.ben_socket.emit("edit_card", {"card_id": card["id"], "text": "Mine now"}, callback=True), "not_author")
    assert_refused(room.ben_socket.emit("delete_card", {"card_id": card["id"]}, callback=True), "not_author")
    assert_refused(room.stranger_socket.emit("edit_card", {"card_id": card["id"], "text": "x"}, callback=True), "not_member")
    db.session.expire_all()
    assert db.session.get(Card, card["id"]).text == card["text"] and db.session.get(Card, card["id"]).is_live
    assert board_events(room.ana_socket) == []


def test_a_new_card_and_its_broadcast_send_what_was_written_without_reading_it_back(room, app):
    """The card's author is the person, never the `current_user` proxy (kept past the commit, it
    would name whoever is signed in later), and the card, its event and author are not reloaded."""
    statements = []
    listen = lambda *args: statements.append(args[2].split()[0])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        ack = post(room.ana_socket, room.board, text="Written once")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    card = db.session.get(Card, ack["card"]["id"])
    assert type(card.author) is Participant and card.author.id == room.ana.id
    heard = [m for m in room.ben_socket.get_received() if m["name"] == "card_added"]
    assert heard[0]["args"][0]["card"]["author"]["name"] == "Ana"
    assert statements.count("SELECT") <= 1, statements  # the test session holds the user and board; 6 when it reloaded


def test_authors_cannot_edit_after_collect_but_facilitators_can(room):
    card = post(room.ana_socket, room.board)["card"]
    room.board.phase = "vote"
    db.session.commit()
    assert_refused(room.ana_socket.emit("edit_card", {"card_id": card["id"], "text": "Late"}, callback=True), "posting_closed")
    assert room.staff_socket.emit("edit_card", {"card_id": card["id"], "text": "Tidied"}, callback=True)["ok"]
    room.board.phase = "closed"
    db.session.commit()
    assert_refused(room.staff_socket.emit("edit_card", {"card_id": card["id"], "text": "x"}, callback=True), "board_closed")


@pytest.mark.parametrize(
    "payload, code",
    [({"text": ""}, "text_missing"), ({"text": "x" * 501}, "text_too_long"), ({"link_id": "{other}"}, "link_not_allowed"),
     ({"card_id": 99999}, "no_such_card"), ({"card_id": "1"}, "bad_field"), ({"card_id": None}, "missing_field")],
)
def test_bad_edits_are_refused(room, payload, code):
    card = post(room.ana_socket, room.board)["card"]
    other = post(room.ana_socket, room.board, "Another")["card"]
    payload = {key: other["id"] if value == "{other}" else value for key, value in payload.items()}
    ack = room.ana_socket.emit("edit_card", {"card_id": card["id"], **payload}, callback=True)
    assert_refused(ack, code)
    db.session.expire_all()
    assert db.session.get(Card, card["id"]).text == card["text"]


def test_an_idea_can_change_which_problem_it_answers(room):
    one = post(room.ana_socket, room.board, "One")["card"]
    two = post(room.ana_socket, room.board, "Two")["card"]
    idea = post(room.ben_socket, room.board, "Idea", lane="idea", link_id=one["id"])["card"]
    ack = room.ben_socket.emit("edit_card", {"card_id": idea["id"], "link_id": two["id"]}, callback=True)
    assert ack["card"]["link_id"] == two["id"]
    ack = room.ben_socket.emit("edit_card", {"card_id": idea["id"], "link_id": None}, callback=True)
    assert ack["card"]["link_id"] is None


def test_deleting_removes_the_card_everywhere(room):
    card = post(room.ana_socket, room.board)["card"]
    room.clear()
    assert room.ana_socket.emit("delete_card", {"card_id": card["id"]}, callback=True)["ok"]
    [message] = board_events(room.ben_socket)
    assert message["name"] == "card_removed" and message["args"][0]["card_id"] == card["id"]
    assert "text" not in message["args"][0] and "card" not in message["args"][0]
    ack = room.ben_socket.emit("join_board", {"board_id": room.board.id}, callback=True)
    assert ack["snapshot"]["cards"] == []
    assert_refused(room.ana_socket.emit("delete_card", {"card_id": card["id"]}, callback=True), "no_such_card")


def test_hiding_shows_the_reason_to_the_author_and_removes_the_card_for_others(room):
    card = post(room.ana_socket, room.board, "Off-topic rant")["card"]
    room.clear()
    ack = room.staff_socket.emit("hide_card", {"card_id": card["id"], "reason": "Please keep to child poverty"}, callback=True)
    assert ack["ok"] and ack["card"]["hidden"] == {"reason": "Please keep to child poverty"}
    # The author gets the card with the reason first; the room's removal that follows carries the
    # same sequence number, which a client that already has it ignores.
    to_author, to_room = board_events(room.ana_socket)
    assert to_author["name"] == "card_hidden" and to_author["args"][0]["card"]["hidden"]["reason"] == "Please keep to child poverty"
    assert to_room["name"] == "card_removed" and to_room["args"][0]["seq"] == to_author["args"][0]["seq"]
    others = board_events(room.ben_socket)
    assert [m["name"] for m in others] == ["card_removed"]
    assert "Off-topic rant" not in repr(others)
    assert room.ben_socket.emit("join_board", {"board_id": room.board.id}, callback=True)["snapshot"]["cards"] == []
    assert [c["id"] for c in room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True)["snapshot"]["cards"]] == [card["id"]]

    room.clear()
    assert room.staff_socket.emit("restore_card", {"card_id": card["id"]}, callback=True)["ok"]
    restored = [m for m in board_events(room.ben_socket) if m["name"] == "card_restored"]
    assert restored[0]["args"][0]["card"]["text"] == "Off-topic rant" and restored[0]["args"][0]["card"]["hidden"] is None


@pytest.mark.parametrize("event, payload", [("hide_card", {"reason": "No"}), ("restore_card", {}),
                                            ("merge_cards", {"into_id": "{other}"})])
def test_participants_cannot_moderate(room, event, payload):
    card = post(room.ana_socket, room.board)["card"]
    other = post(room.ben_socket, room.board, "Other")["card"]
    payload = {key: other["id"] if value == "{other}" else value for key, value in payload.items()}
    events = event_count()
    assert_refused(room.ana_socket.emit(event, {"card_id": card["id"], **payload}, callback=True), "not_facilitator")
    assert event_count() == events


@pytest.mark.parametrize("reason, code", [("", "reason_missing"), ("  ", "reason_missing"), ("x" * 201, "reason_too_long"), (None, "missing_field")])
def test_hiding_needs_a_reason(room, reason, code):
    card = post(room.ana_socket, room.board)["card"]
    assert_refused(room.staff_socket.emit("hide_card", {"card_id": card["id"], "reason": reason}, callback=True), code)
    db.session.expire_all()
    assert not db.session.get(Card, card["id"]).is_hidden


def test_restoring_a_card_that_is_not_hidden_is_refused(room):
    card = post(room.ana_socket, room.board)["card"]
    assert_refused(room.staff_socket.emit("restore_card", {"card_id": card["id"]}, callback=True), "not_hidden")


def test_merging_keeps_both_authors_and_links_follow(room):
    problem = post(room.ana_socket, room.board, "Childcare costs too much")["card"]
    duplicate = post(room.ben_socket, room.board, "Childcare is too expensive")["card"]
    idea = post(room.ana_socket, room.board, "Sliding-scale fees", lane="idea", link_id=duplicate["id"])["card"]
    room.clear()
    ack = room.staff_socket.emit("merge_cards", {"card_id": duplicate["id"], "into_id": problem["id"]}, callback=True)
    assert ack["ok"]
    merged = ack["card"]
    assert merged["text"] == "Childcare costs too much"
    assert merged["merged"] == [{"id": duplicate["id"], "text": "Childcare is too expensive",
                                 "author": {"id": room.ben.id, "name": "Ben", "city": "Bologna"}}]
    names = [(m["name"], m["args"][0].get("card_id") or m["args"][0]["card"]["id"]) for m in board_events(room.ben_socket)]
    assert names == [("card_removed", duplicate["id"]), ("card_edited", idea["id"]), ("card_edited", problem["id"])]
    snapshot = room.ben_socket.emit("join_board", {"board_id": room.board.id}, callback=True)["snapshot"]
    by_id = {card["id"]: card for card in snapshot["cards"]}
    assert duplicate["id"] not in by_id and by_id[idea["id"]]["link_id"] == problem["id"]


@pytest.mark.parametrize("case, code", [("itself", "merge_into_itself"), ("other lane", "merge_across_lanes"),
                                        ("other board", "no_such_card")])
def test_bad_merges_are_refused(room, case, code):
    card = post(room.ana_socket, room.board)["card"]
    into = {
        "itself": card,
        "other lane": post(room.ana_socket, room.board, "An idea", lane="idea")["card"],
        "other board": post(room.side_socket, room.other_board)["card"],
    }[case]
    events = event_count()
    ack = room.staff_socket.emit("merge_cards", {"card_id": card["id"], "into_id": into["id"]}, callback=True)
    assert_refused(ack, code)
    assert event_count() == events


def test_private_writing_sends_other_peoples_cards_to_nobody_but_facilitators(room):
    assert room.staff_socket.emit("set_private_writing", {"board_id": room.board.id, "enabled": True}, callback=True)["ok"]
    room.clear()
    secret = "Our district has 40 families on the waiting list"
    post(room.ana_socket, room.board, secret)
    for socket in (room.ben_socket, room.side_socket, room.stranger_socket):
        assert secret not in repr(socket.get_received())
    assert secret in repr(room.staff_socket.get_received())
    assert secret in repr(room.ana_socket.get_received())
    assert secret not in repr(room.ben_socket.emit("join_board", {"board_id": room.board.id}, callback=True))
    assert secret not in repr(room.ben_socket.emit("get_events", {"board_id": room.board.id, "since": 0}, callback=True))

    room.clear()
    assert room.staff_socket.emit("set_private_writing", {"board_id": room.board.id, "enabled": False}, callback=True)["ok"]
    [revealed] = board_events(room.ben_socket)
    assert revealed["name"] == "board_updated" and revealed["args"][0]["board"]["private_writing"] is False
    assert secret in repr(room.ben_socket.emit("join_board", {"board_id": room.board.id}, callback=True))


def test_private_writing_per_city_team_shows_cards_to_the_team(room, connect):
    room.staff_socket.emit("set_private_writing", {"board_id": room.board.id, "enabled": True, "scope": "team"}, callback=True)
    cleo = connect(room.cleo)  # Glasgow, like Ana
    cleo.emit("join_board", {"board_id": room.board.id}, callback=True)
    room.clear()
    cleo.get_received()
    post(room.ana_socket, room.board, "Glasgow only for now")
    assert "Glasgow only for now" in repr(cleo.get_received())
    assert "Glasgow only for now" not in repr(room.ben_socket.get_received())


@pytest.mark.parametrize("payload, code", [({"enabled": "yes"}, "bad_field"), ({"enabled": True, "scope": "city"}, "bad_scope")])
def test_bad_private_writing_settings_are_refused(room, payload, code):
    assert_refused(room.staff_socket.emit("set_private_writing", {"board_id": room.board.id, **payload}, callback=True), code)
    db.session.expire_all()
    assert room.board.private_writing is False


def test_participants_cannot_change_private_writing(room):
    assert_refused(room.ana_socket.emit("set_private_writing", {"board_id": room.board.id, "enabled": True}, callback=True),
                   "not_facilitator")


def test_get_events_returns_what_was_missed_or_a_snapshot(room, monkeypatch):
    cards = [post(room.ana_socket, room.board, f"Card {n}")["card"] for n in range(5)]
    room.ana_socket.emit("edit_card", {"card_id": cards[0]["id"], "text": "Card 0, edited"}, callback=True)
    ack = room.ben_socket.emit("get_events", {"board_id": room.board.id, "since": 2}, callback=True)
    assert ack["ok"] and ack["last_seq"] == 6
    assert [(e["type"], e["card"]["text"]) for e in ack["events"]] == [
        ("card_added", "Card 2"), ("card_added", "Card 3"), ("card_added", "Card 4"), ("card_edited", "Card 0, edited")]
    monkeypatch.setattr("workshop.boards.snapshots.MAX_EVENTS_SENT", 3)
    far_behind = room.ben_socket.emit("get_events", {"board_id": room.board.id, "since": 0}, callback=True)
    assert len(far_behind["snapshot"]["cards"]) == 5
    assert "snapshot" in room.ben_socket.emit("get_events", {"board_id": room.board.id, "since": -1}, callback=True)
    assert_refused(room.ben_socket.emit("get_events", {"board_id": room.board.id}, callback=True), "missing_field")


def test_a_bug_in_a_handler_is_an_error_ack_not_a_crash(room, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("workshop.boards.services.add_card", broken)
    ack = post(room.ana_socket, room.board)
    assert_refused(ack, "server_error")
    assert room.ana_socket.is_connected()


def test_leaving_a_board_stops_its_events_and_updates_presence(room):
    assert room.ben_socket.emit("leave_board", {"board_id": room.board.id}, callback=True)["ok"]
    presence = [m["args"][0] for m in room.ana_socket.get_received() if m["name"] == "presence_changed"]
    assert presence[-1]["count"] == 2 and {"name": "Bologna", "count": 1} not in presence[-1]["cities"]
    post(room.ana_socket, room.board)
    assert board_events(room.ben_socket) == []
    assert_refused(room.ben_socket.emit("leave_board", {"board_id": "x"}, callback=True), "bad_field")
