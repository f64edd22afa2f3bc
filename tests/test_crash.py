"""Crash without loss: a real server killed with SIGKILL in the middle of a card and vote storm from
real clients, then restarted on the same database, still holds every write it acknowledged, and
nothing that was in flight at the kill appears twice.

SQLite runs in WAL mode with `synchronous=FULL`: a commit is synced to the WAL file on disk before
the ack leaves, so it survives the process dying and also an operating system crash or a power cut;
this test simulates only the first (tests/test_database.py checks the setting)."""
import itertools
import random
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from workshop.models import Board, BoardEvent, Card, Vote

from .live import CROWD_LIMITS, LiveServer, Visitor

pytestmark = pytest.mark.live

CLIENTS = 4
BUDGET = 20


class Storm:
    """Participants posting cards and casting and taking back dots as fast as their acks come back,
    each writing down what the server acknowledged and the one write it had in flight when the
    server died (acks are waited for, so there is at most one)."""

    def __init__(self, server, code, board, ideas):
        self.board, self.ideas = board, ideas
        self.people = [Visitor(server.url).join(code, f"Writer {n}", "Glasgow") for n in range(CLIENTS)]
        self.sockets = [person.socket() for person in self.people]
        for socket in self.sockets:
            assert socket.call("join_board", {"board_id": board})["ok"]
        self.cards_acked = set()
        self.votes_acked = Counter()  # card id -> acknowledged dots (votes minus unvotes)
        self.cards_in_flight = []  # client ids whose ack never came
        self.votes_in_flight = []  # (card id, +1 or -1) whose ack never came
        self.refusals = []
        self.acknowledged = 0
        self.lock = threading.Lock()

    def run(self, index):
        """One participant's loop, until their call goes unanswered (the server is gone)."""
        socket, rng, mine = self.sockets[index], random.Random(index), []
        for n in itertools.count():
            client_id = f"w{index}-{n}"
            if not self.call(socket, "add_card", {"board_id": self.board, "lane": "problem", "text": f"Card {client_id}",
                                                  "client_id": client_id}, in_flight=("card", client_id)):
                return
            with self.lock:
                self.cards_acked.add(client_id)
            card, change = (rng.choice(self.ideas), +1) if len(mine) < BUDGET else (mine.pop(0), -1)
            if not self.call(socket, "vote" if change > 0 else "unvote", {"card_id": card}, in_flight=("vote", (card, change))):
                return
            if change > 0:
                mine.append(card)
            with self.lock:
                self.votes_acked[card] += change

    def call(self, socket, event, payload, in_flight):
        try:
            ack = socket.call(event, payload, timeout=3)
        except Exception:  # noqa: BLE001 - no answer, however the dead connection shows it
            with self.lock:
                (self.cards_in_flight if in_flight[0] == "card" else self.votes_in_flight).append(in_flight[1])
            return False
        if not ack["ok"]:
            self.refusals.append((event, ack))
            return False
        with self.lock:
            self.acknowledged += 1
        return True


def possible_counts(acked, in_flight):
    """Every count a card may hold: what was acknowledged plus any subset of the writes in flight."""
    counts = {acked}
    for change in in_flight:
        counts |= {count + change for count in counts}
    return counts


def crash_mid_storm(database_url, log_path):
    server = LiveServer(database_url, extra_env=CROWD_LIMITS, log_path=log_path)
    try:
        facilitator = Visitor(server.url).sign_up("Fran")
        code, boards = facilitator.create_workshop("Crash")
        board = boards[0]
        staff = facilitator.socket()
        assert staff.call("configure_voting", {"board_id": board, "budget": BUDGET, "cap": BUDGET, "lanes": ["idea"],
                                               "mode": "person", "hidden": False})["ok"]
        author = Visitor(server.url).join(code, "Author", "Ghent").socket()
        ideas = [author.call("add_card", {"board_id": board, "lane": "idea", "text": f"Idea {n}"})["card"]["id"] for n in range(3)]
        assert staff.call("set_phase", {"board_id": board, "phase": "vote", "keep_posting_open": True})["ok"]

        storm = Storm(server, code, board, ideas)
        writers = [threading.Thread(target=storm.run, args=(n,)) for n in range(CLIENTS)]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 30
        while storm.acknowledged < 80 and time.monotonic() < deadline:  # well into the storm
            time.sleep(0.02)
        server.kill()
        for writer in writers:
            writer.join(timeout=10)
        assert not storm.refusals, storm.refusals[:3]
        assert storm.cards_acked and storm.votes_acked, "the storm wrote nothing before the kill"

        server.start()  # same port, same database
        for index, socket in enumerate(storm.sockets):
            socket.connect()
        retried = {}
        for client_id in storm.cards_in_flight:  # what a client does with a card whose ack never came
            socket = storm.sockets[int(client_id[1:].split("-")[0])]
            ack = socket.call("add_card", {"board_id": board, "lane": "problem", "text": f"Card {client_id}", "client_id": client_id})
            assert ack["ok"], ack
            retried[client_id] = ack["seq"] is None  # True: it had been stored before the kill
        for socket in [*storm.sockets, staff, author]:
            socket.close()
        return storm, retried, board
    finally:
        server.stop()


def assert_nothing_lost_nothing_doubled(database_url, storm, retried, board):
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            cards = Counter(dict(connection.execute(sa.select(Card.client_id, sa.func.count()).where(
                Card.board_id == board, Card.client_id.is_not(None)).group_by(Card.client_id)).all()))
            votes = dict(connection.execute(sa.select(Vote.card_id, sa.func.count()).where(
                Vote.board_id == board).group_by(Vote.card_id)).all())
            seqs = connection.scalars(sa.select(BoardEvent.seq).where(BoardEvent.board_id == board).order_by(BoardEvent.seq)).all()
            last_seq = connection.scalar(sa.select(Board.last_seq).where(Board.id == board))
            added = sa.select(BoardEvent.card_id).where(BoardEvent.type == "card_added", BoardEvent.card_id.is_not(None))
            cards_without_event = connection.scalar(sa.select(sa.func.count()).select_from(Card).where(
                Card.board_id == board, Card.id.not_in(added)))
    finally:
        engine.dispose()
    assert storm.cards_acked <= set(cards), f"acknowledged cards lost: {sorted(storm.cards_acked - set(cards))[:5]}"
    assert set(cards) == storm.cards_acked | set(retried), "a card nobody sent"
    assert set(cards.values()) == {1}, f"cards stored twice: {[c for c, n in cards.items() if n > 1]}"
    for card in storm.ideas:
        in_flight = [change for voted, change in storm.votes_in_flight if voted == card]
        assert votes.get(card, 0) in possible_counts(storm.votes_acked[card], in_flight), (card, votes, storm.votes_acked, in_flight)
    assert seqs == list(range(1, last_seq + 1)), "the event log has a gap or a duplicate"
    assert cards_without_event == 0, "a card was stored without its event: half a transaction"


def test_sqlite_keeps_every_acknowledged_write_through_a_sigkill(tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    storm, retried, board = crash_mid_storm(url, tmp_path / "server.log")
    assert_nothing_lost_nothing_doubled(url, storm, retried, board)


def test_postgresql_keeps_every_acknowledged_write_through_a_sigkill(postgres_url, tmp_path):
    storm, retried, board = crash_mid_storm(postgres_url, tmp_path / "server.log")
    assert_nothing_lost_nothing_doubled(postgres_url, storm, retried, board)
