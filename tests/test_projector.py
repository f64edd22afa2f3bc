"""The projector is the room: whoever opens it (a facilitator), its HTML, its embedded JSON and
everything its socket receives (`as_room: true`) hold only what every participant sees: no hidden
card, no card still in private writing, no dot count before the counts are public, no one's dots."""
import json
import re

import pytest

from .helpers import HIDDEN, LATER_HIDDEN, LATER_PRIVATE, PRIVATE, PUBLIC, REASON, SECRETS, assert_refused, post

DOTS = 3  # on the public card, while counts are hidden


def emit(socket, event, **payload):
    ack = socket.emit(event, payload, callback=True)
    assert ack["ok"], (event, ack)
    return ack


@pytest.fixture
def secrets(room):
    """The room's board with a public idea, a hidden card, a card in private writing and DOTS hidden dots."""
    board = room.board
    room.public = post(room.ana_socket, board, PUBLIC, lane="idea")["card"]
    hidden = post(room.ben_socket, board, HIDDEN, lane="idea")["card"]
    emit(room.staff_socket, "hide_card", card_id=hidden["id"], reason=REASON)
    emit(room.staff_socket, "set_private_writing", board_id=board.id, enabled=True)
    post(room.ben_socket, board, PRIVATE, lane="idea")
    emit(room.staff_socket, "set_phase", board_id=board.id, phase="vote", keep_posting_open=True)
    for _ in range(DOTS):
        emit(room.ana_socket, "vote", card_id=room.public["id"])
    assert board.votes_hidden and not board.votes_public
    room.clear()
    return room


def projector_data(html):
    return json.loads(re.search(r'<script type="application/json" id="projector-data">(.*?)</script>', html, re.S).group(1))


def test_the_projector_page_is_rendered_for_the_room_whoever_opens_it(secrets, client, auth):
    auth.as_user(secrets.facilitator)
    html = client.get(f"/boards/{secrets.board.id}/projector").get_data(as_text=True)

    assert PUBLIC in html
    for secret in SECRETS:
        assert secret not in html
    snapshot = projector_data(html)["snapshot"]
    assert [card["text"] for card in snapshot["cards"]] == [PUBLIC]
    assert snapshot["votes"]["counts"] is None and snapshot["votes"]["mine"] is None
    assert snapshot["me"]["role"] == "room"


def test_the_facilitators_own_board_page_still_sees_everything(secrets, client, auth):
    auth.as_user(secrets.facilitator)
    html = client.get(f"/boards/{secrets.board.id}").get_data(as_text=True)
    for secret in (PUBLIC, PRIVATE, HIDDEN, REASON):
        assert secret in html
    counts = json.loads(re.search(r'id="board-data">(.*?)</script>', html, re.S).group(1))["snapshot"]["votes"]["counts"]
    assert counts[str(secrets.public["id"])] == DOTS


def test_the_projector_socket_receives_only_what_the_room_sees(secrets, connect):
    board = secrets.board
    projector = connect(secrets.facilitator)
    ack = emit(projector, "join_board", board_id=board.id, as_room=True)
    assert [card["text"] for card in ack["snapshot"]["cards"]] == [PUBLIC]
    assert ack["snapshot"]["votes"] == {**ack["snapshot"]["votes"], "counts": None, "mine": None}
    joined_presence = ack["presence"]["count"]

    # While people post, vote, edit and the facilitator moderates.
    later = post(secrets.ben_socket, board, LATER_PRIVATE, lane="problem")["card"]
    emit(secrets.ben_socket, "vote", card_id=secrets.public["id"])
    plain = post(secrets.ana_socket, board, "A card hidden after the projector saw it", lane="problem")["card"]
    emit(secrets.staff_socket, "set_private_writing", board_id=board.id, enabled=True)  # board_updated
    emit(secrets.staff_socket, "hide_card", card_id=plain["id"], reason=REASON)
    emit(secrets.staff_socket, "edit_card", card_id=plain["id"], text=LATER_HIDDEN)
    emit(secrets.staff_socket, "edit_card", card_id=later["id"], text=LATER_PRIVATE + " (edited)")
    emit(secrets.staff_socket, "start_timer", board_id=board.id, seconds=60)

    received = projector.get_received()
    names = [message["name"] for message in received]
    assert "card_removed" in names and "board_updated" in names and "timer_changed" in names
    assert "votes_changed" not in names and "my_votes_changed" not in names
    for secret in SECRETS:
        assert secret not in repr(received)
    # The test would see them: the facilitator's own socket gets the secrets and the counts.
    staff = repr(secrets.staff_socket.get_received())
    assert LATER_HIDDEN in staff and LATER_PRIVATE in staff and "votes_changed" in staff

    # Catch-ups, as events and as a snapshot, are the room's too.
    for since in (0, -1):
        answer = emit(projector, "get_events", board_id=board.id, since=since, as_room=True)
        for secret in SECRETS:
            assert secret not in repr(answer)
        votes = answer.get("votes") or answer["snapshot"]["votes"]
        assert votes["counts"] is None and votes["mine"] is None
    # The projector is nobody in the room: it is not counted as a person there.
    assert emit(projector, "join_board", board_id=board.id, as_room=True)["presence"]["count"] == joined_presence


def test_the_room_sees_counts_once_they_are_public_but_never_a_hidden_cards(secrets, connect):
    board = secrets.board
    hidden = next(card for card in board.cards if card.text == HIDDEN)
    emit(secrets.staff_socket, "restore_card", card_id=hidden.id)
    emit(secrets.ana_socket, "vote", card_id=hidden.id)  # a dot the room may never learn of
    emit(secrets.staff_socket, "hide_card", card_id=hidden.id, reason=REASON)
    projector = connect(secrets.facilitator)
    emit(projector, "join_board", board_id=board.id, as_room=True)

    emit(secrets.staff_socket, "reveal_votes", board_id=board.id)
    answer = emit(projector, "get_events", board_id=board.id, since=-1, as_room=True)
    assert answer["snapshot"]["votes"]["counts"] == {str(secrets.public["id"]): DOTS}
    tallies = [m["args"][0]["counts"] for m in projector.get_received() if m["name"] == "votes_changed"]
    assert tallies and all(str(hidden.id) not in counts for counts in tallies)


def test_a_socket_that_joined_as_a_person_and_then_as_the_room_hears_only_the_room(secrets, connect):
    board = secrets.board
    projector = connect(secrets.facilitator)
    emit(projector, "join_board", board_id=board.id)
    emit(projector, "join_board", board_id=board.id, as_room=True)
    post(secrets.ben_socket, board, LATER_PRIVATE)
    received = projector.get_received()
    assert [m["name"] for m in received if m["name"] != "presence_changed"] == ["card_removed"]
    assert LATER_PRIVATE not in repr(received)


@pytest.mark.parametrize("event", ["join_board", "get_events"])
def test_as_room_must_be_true_or_false(secrets, connect, event):
    projector = connect(secrets.facilitator)
    assert_refused(projector.emit(event, {"board_id": secrets.board.id, "since": 0, "as_room": "yes"}, callback=True),
                   "bad_field")


def test_as_room_does_not_open_another_workshops_board(secrets, connect, make_workshop):
    outsider = connect(make_workshop().facilitators[0])
    for event in ("join_board", "get_events"):
        ack = outsider.emit(event, {"board_id": secrets.board.id, "since": 0, "as_room": True}, callback=True)
        assert_refused(ack, "not_member")
    post(secrets.ana_socket, secrets.board, "After the refusal")
    assert PUBLIC not in repr(outsider.get_received()) and "After the refusal" not in repr(outsider.get_received())
