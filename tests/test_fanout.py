"""What the room waits for before a new card reaches it: everything the server does for the card
before its broadcast delays every one of the room's sockets alike (bench/live.py's fan-out, against
a bare broadcast server). The figures are in docs/performance.md; these tests hold what they rest on."""
import sqlalchemy as sa

from workshop.extensions import db

from .helpers import board_events, post, vote, voting  # noqa: F401 (a fixture)


def statements_of(action):
    """The SQL statements `action` runs, as their first words."""
    statements = []
    listen = lambda *args: statements.append(args[2].split()[0])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        result = action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return result, statements


def test_a_new_card_is_broadcast_after_five_statements(room):
    """The person with their city team, the board with its policy area, the card, the board's next
    sequence number, the event; nothing read back for the broadcast (8 before: the policy area, the
    city team and the cards merged into a card just made were each one more query)."""
    db.session.expunge_all()  # as in production, the event's session starts with nothing loaded
    ack, statements = statements_of(lambda: post(room.ana_socket, room.board, text="Childcare waiting lists"))
    assert ack["ok"], ack
    assert statements == ["SELECT", "SELECT", "INSERT", "UPDATE", "INSERT"]
    heard = [m["args"][0] for m in board_events(room.ben_socket) if m["name"] == "card_added"]
    assert [(card["card"]["text"], card["card"]["author"]["city"], card["card"]["merged"]) for card in heard] == [
        ("Childcare waiting lists", "Glasgow", [])]


def test_joining_a_board_reads_the_person_and_board_once_each(room):
    """The person comes with their city team and the board with its area (presence and the
    membership check name them), then the snapshot's cards: 3 statements (5 before)."""
    db.session.expunge_all()
    ack, statements = statements_of(lambda: room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True))
    assert ack["ok"] and ack["snapshot"]["me"]["city"] == "Glasgow"
    assert statements == ["SELECT", "SELECT", "SELECT"]


def test_a_change_takes_the_boards_number_by_its_last_statements(voting):
    """The board's row (its event number, whose lock queues the board's writers) is updated after
    every other write of the change, so the lock is held only for storing the events and the commit
    (deleting a voted card used to take it before giving the dots back)."""
    card = voting.ideas[0]
    assert vote(voting.ana_socket, card)["ok"]
    recorded = []
    listen = lambda *args: recorded.append(args[2].split("\n")[0])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert voting.staff_socket.emit("delete_card", {"card_id": card["id"]}, callback=True)["ok"]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    numbering = next(n for n, statement in enumerate(recorded) if statement.startswith("UPDATE boards"))
    assert any(statement.startswith("DELETE FROM votes") for statement in recorded[:numbering])
    assert [statement.split("(")[0].strip() for statement in recorded[numbering + 1:]] == ["INSERT INTO board_events"]
