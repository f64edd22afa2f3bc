"""Network drops: participants whose connections are reset again and again while they post, edit
and delete cards reconnect, catch up by sequence number, and end with the same board as the
server, with no card stored twice by a send retried after a drop. The drops come from a TCP proxy
between the clients and the server (tests/proxy.py)."""
import threading
import time

import pytest

from .live import Visitor
from .proxy import TcpProxy

pytestmark = pytest.mark.live

BOARD_EVENTS = {"card_added", "card_edited", "card_deleted", "card_hidden", "card_restored", "card_merged", "card_removed", "board_updated"}


class Replica:
    """A participant's copy of the board, kept as docs/protocol.md tells a client to keep it: apply
    `last_seq + 1`, ignore what is older, catch up with `get_events` on a gap, rejoin with `since`
    after a reconnect, and resend what was never acknowledged."""

    def __init__(self, visitor, board, via):
        self.board, self.cards, self.last_seq, self.read = board, {}, 0, 0
        self.socket = visitor.socket(via=via)
        self.catch_up(self.socket.call("join_board", {"board_id": board, "since": 0}))
        self.reconnects, self.acked = 0, 0

    def catch_up(self, ack):
        assert ack["ok"], ack
        if "snapshot" in ack:
            self.cards = {card["id"]: card for card in ack["snapshot"]["cards"]}
        for event in ack.get("events", []):
            self.apply(event)
        self.last_seq = max(self.last_seq, ack["last_seq"])

    def apply(self, event):
        if event["type"] == "card_removed":
            self.cards.pop(event["card_id"], None)
        elif "card" in event:
            self.cards[event["card"]["id"]] = event["card"]

    def take_news(self):
        """Apply the events received since the last look, in order, catching up on a gap."""
        while self.read < len(self.socket.received):
            name, event = self.socket.received[self.read]
            self.read += 1
            if name not in BOARD_EVENTS or event["seq"] <= self.last_seq:
                continue
            if event["seq"] == self.last_seq + 1 and name != "board_updated":
                self.apply({"type": name, **event})
                self.last_seq = event["seq"]
            else:
                self.catch_up(self.socket.call("get_events", {"board_id": self.board, "since": self.last_seq}, timeout=3))

    def send(self, event, payload, done_already=None):
        """Send until acknowledged, reconnecting after a drop. A resend refused with `done_already`
        means the first send went through before the drop."""
        resent = False
        while True:
            try:
                self.take_news()
                ack = self.socket.call(event, payload, timeout=3)
            except Exception:  # noqa: BLE001 - dropped: no ack, or not connected
                self.reconnect()
                resent = True
                continue
            assert ack["ok"] or (resent and ack["error"]["code"] == done_already), (event, payload, ack)
            self.acked += 1
            return ack

    def reconnect(self):
        deadline = time.monotonic() + 10
        while True:
            try:
                self.socket.connect()
                self.take_news()
                self.catch_up(self.socket.call("join_board", {"board_id": self.board, "since": self.last_seq}, timeout=3))
                self.reconnects += 1
                return
            except Exception:  # noqa: BLE001 - dropped again while reconnecting
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def write(self, name, count):
        """Post `count` cards, editing each and deleting every third."""
        for n in range(count):
            client_id = f"{name}-{n}"
            card = self.send("add_card", {"board_id": self.board, "lane": "problem", "text": f"{name} says {n}",
                                          "client_id": client_id})["card"]
            assert card["client_id"] == client_id
            self.send("edit_card", {"card_id": card["id"], "text": f"{name} says {n}, edited"})
            if n % 3 == 2:
                self.send("delete_card", {"card_id": card["id"]}, done_already="no_such_card")


def test_clients_cut_off_again_and_again_converge_on_the_same_board_without_duplicates(live_server):
    people = 3
    proxy = TcpProxy(live_server.port)
    facilitator = Visitor(live_server.url).sign_up("Fran")
    code, boards = facilitator.create_workshop("Bad network")
    board = boards[0]
    replicas = [Replica(Visitor(live_server.url).join(code, f"P{n}", "Glasgow"), board, proxy.url) for n in range(people)]
    failures = []

    def write(replica, name):
        try:
            replica.write(name, 8)
            replica.finished = time.monotonic()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    writers = [threading.Thread(target=write, args=(replica, f"P{n}")) for n, replica in enumerate(replicas)]
    for writer in writers:
        writer.start()
    # Reset every connection through the proxy six times, each once everyone still writing has
    # written 2 more: by progress, not by the clock, so that the first cut finds all of them
    # mid-writing on a fast machine as on a slow one (each writes 18 times: 8 cards, 8 edits,
    # 2 deletes, with resends within the shipped 30 card writes a minute; a cut costs the writer up
    # to its 3 s ack timeout).
    for cut in range(1, 7):
        deadline = time.monotonic() + 30
        while any(replica.acked < 2 * cut and writer.is_alive() for replica, writer in zip(replicas, writers)) \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        proxy.sever()
    for writer in writers:
        writer.join(timeout=60)
    assert not failures, failures

    truth = facilitator.socket().call("join_board", {"board_id": board, "watch": True})
    server_cards = {card["id"]: card for card in truth["snapshot"]["cards"]}
    client_ids = [card["client_id"] for card in server_cards.values()]
    assert len(client_ids) == len(set(client_ids)) == people * 6  # 8 each, every third deleted
    assert all(replica.reconnects for replica in replicas), "someone was never cut off while writing"
    for replica in replicas:
        if not replica.socket.client.connected:  # cut after its last write: it reconnects like any client
            replica.reconnect()
        deadline = time.monotonic() + 10
        while replica.last_seq < truth["last_seq"] and time.monotonic() < deadline:
            replica.take_news()
            time.sleep(0.02)
        assert replica.last_seq == truth["last_seq"]
        assert replica.cards == server_cards
        replica.socket.close()
    proxy.close()
