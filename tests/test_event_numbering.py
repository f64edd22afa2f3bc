"""A board's events are numbered 1, 2, 3... with no gap and in commit order, from the board's row,
whose lock queues the board's writers. On PostgreSQL the numbering, the events and the COMMIT go to
the server in one message, so a writer never holds the board while it waits for its own process
(`boards.services`, docs/performance.md). These tests run on PostgreSQL, as several processes do."""
import threading
import time

import psycopg
import pytest
from sqlalchemy import select

from workshop.boards import services
from workshop.extensions import db
from workshop.models import BoardEvent, Card

from .conftest import running_app


@pytest.fixture
def app(tmp_path, postgres_url):
    with running_app(tmp_path, postgres_url) as app:
        yield app


@pytest.fixture
def board(make_workshop, make_participant):
    workshop = make_workshop()
    people = [make_participant(workshop, f"P{n}", city) for n, city in enumerate(["Glasgow", "Bologna"] * 6)]
    return workshop.policy_areas[0].board, [person.id for person in people]


def post_as(app, participant_id, board_id, text):
    """One person's post from a thread of its own: its own session and database connection, as a
    request in another greenlet or process has."""
    with app.app_context():
        from workshop.models import Board, Participant

        services.add_card(db.session.get(Participant, participant_id), db.session.get(Board, board_id), "problem", text)
        db.session.remove()


def test_writers_at_once_number_their_events_without_gap_or_repeat(app, board):
    board, people = board
    threads = [threading.Thread(target=post_as, args=(app, person, board.id, f"Card {n}"))
               for n, person in enumerate(people * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.expire_all()
    events = db.session.scalars(select(BoardEvent).where(BoardEvent.board_id == board.id).order_by(BoardEvent.seq)).all()
    assert [event.seq for event in events] == list(range(1, len(threads) + 1))
    assert sorted(event.card.text for event in events) == sorted(f"Card {n}" for n in range(len(threads)))
    assert board.last_seq == len(threads)


def test_the_events_a_change_returns_carry_their_stored_numbers(app, board):
    board, people = board
    from workshop.models import Participant

    ana = db.session.get(Participant, people[0])
    card, [added] = services.add_card(ana, board, "problem", "Childcare waiting lists")
    [deleted] = services.delete_card(ana, card)
    stored = db.session.scalars(select(BoardEvent).where(BoardEvent.board_id == board.id).order_by(BoardEvent.seq)).all()
    assert [(event.id, event.seq, event.type, event.card_id) for event in stored] == [
        (added.id, added.seq, "card_added", card.id), (deleted.id, deleted.seq, "card_deleted", card.id)]
    assert (added.seq, deleted.seq) == (1, 2)


def seconds_locked(url, board_id, while_running):
    """How long `board_id`'s row was seen locked (probed every 2 ms from a connection of its own)
    while `while_running` ran in a thread."""
    done, locked = threading.Event(), 0.0
    worker = threading.Thread(target=lambda: (while_running(), done.set()))
    with psycopg.connect(url, autocommit=True) as probe:
        worker.start()
        while not done.is_set():
            started = time.monotonic()
            try:
                with probe.transaction():
                    probe.execute("SELECT 1 FROM boards WHERE id = %s FOR NO KEY UPDATE NOWAIT", [board_id])
            except psycopg.errors.LockNotAvailable:
                locked += time.monotonic() - started + 0.002
            time.sleep(0.002)
    worker.join()
    return locked


def test_a_writer_holds_the_board_for_no_wait_of_its_own(app, board, monkeypatch, postgres_url):
    """Each time the writer's connection waits for the server, it resumes 0.3 s late, as a request
    does whose process is busy elsewhere. The board stays free all the same: it is locked only by
    the server's own work on the numbering, the events and the commit, sent at once (taken by an
    earlier statement, it was held for two late resumes, 0.57 s measured, and the room's writers
    queued; psycopg's pipeline did no better, since each statement it sends is a wait of its own)."""
    board, people = board
    url = postgres_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url) as holder:  # the probe sees a lock that is there
        holder.execute("SELECT 1 FROM boards WHERE id = %s FOR NO KEY UPDATE", [board.id])
        assert seconds_locked(url, board.id, lambda: time.sleep(0.2)) > 0.1
    writer = []
    original = psycopg.connection.waiting.wait

    def late(*args, **kwargs):
        result = original(*args, **kwargs)
        if threading.current_thread() in writer:
            time.sleep(0.3)
        return result

    monkeypatch.setattr(psycopg.connection.waiting, "wait", late)

    def post():
        writer.append(threading.current_thread())
        post_as(app, people[0], board.id, "Posted by a busy process")

    assert seconds_locked(url, board.id, post) < 0.1
    assert db.session.scalar(select(Card.text).where(Card.board_id == board.id)) == "Posted by a busy process"
