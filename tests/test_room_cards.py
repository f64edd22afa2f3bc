"""What a join sends of a board's cards is kept per board and brought up to date from the events
since (`boards.snapshots.visible_cards`): after any change it equals the board read afresh, and a
join after a few changes reads those cards, not the board."""
from flask import current_app

from workshop.boards import snapshots
from workshop.extensions import db

from .helpers import post


def join(socket, board):
    ack = socket.emit("join_board", {"board_id": board.id}, callback=True)
    assert ack["ok"], ack
    return ack["snapshot"]["cards"]


def read_afresh(room, socket):
    """The cards a join gets with nothing kept."""
    current_app.extensions["workshop.room_cards"].pop(room.board.id, None)
    cards = join(socket, room.board)
    return cards


def test_after_every_kind_of_change_a_join_gets_what_a_fresh_read_gives(room):
    ana, ben, staff = room.ana_socket, room.ben_socket, room.staff_socket
    problem = post(ana, room.board, "Childcare costs too much")["card"]
    duplicate = post(ben, room.board, "Childcare is too expensive")["card"]
    idea = post(ana, room.board, "Sliding-scale fees", lane="idea", link_id=problem["id"])["card"]
    other = post(ben, room.board, "Breakfast clubs", lane="idea", link_id=duplicate["id"])["card"]
    changes = [
        lambda: ana.emit("edit_card", {"card_id": problem["id"], "text": "Childcare costs far too much"}, callback=True),
        lambda: staff.emit("hide_card", {"card_id": idea["id"], "reason": "Off topic"}, callback=True),
        lambda: staff.emit("restore_card", {"card_id": idea["id"]}, callback=True),
        lambda: staff.emit("merge_cards", {"card_id": duplicate["id"], "into_id": problem["id"]}, callback=True),
        lambda: ana.emit("delete_card", {"card_id": problem["id"]}, callback=True),  # the ideas linking to it lose the link
        lambda: staff.emit("set_private_writing", {"board_id": room.board.id, "enabled": True}, callback=True),
        lambda: post(ben, room.board, "Written in private"),
        lambda: staff.emit("set_private_writing", {"board_id": room.board.id, "enabled": False}, callback=True),
    ]
    for socket in (ben, staff):
        join(socket, room.board)  # something kept before the first change
    for change in changes:
        ack = change()
        assert ack["ok"], ack
        for socket in (ben, ana, staff):
            db.session.expire_all()
            kept = join(socket, room.board)
            assert kept == read_afresh(room, socket)
            join(socket, room.board)  # kept again, for the next change
    by_id = {card["id"]: card for card in join(ben, room.board)}
    assert problem["id"] not in by_id and by_id[other["id"]]["link_id"] is None


def test_a_join_after_a_few_changes_reads_only_the_cards_they_touched(room, monkeypatch):
    for n in range(30):  # by two people, each within the per-person limit
        post(room.ana_socket if n % 2 else room.ben_socket, room.board, f"Card {n}")
    join(room.ben_socket, room.board)
    first = post(room.ana_socket, room.board, "One more")["card"]
    second = post(room.ben_socket, room.board, "And another", lane="idea", link_id=first["id"])["card"]
    read = []
    original = snapshots.live_cards
    monkeypatch.setattr(snapshots, "live_cards", lambda board, among=None: read.append(among) or original(board, among))
    cards = join(room.ben_socket, room.board)
    assert read == [{first["id"], second["id"]}]
    assert [card["text"] for card in cards][-2:] == ["One more", "And another"] and len(cards) == 32
