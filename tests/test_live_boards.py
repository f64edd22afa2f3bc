"""Real Socket.IO clients (python-socketio) against a real server process, as browsers would use it."""
import pytest

from .live import Visitor

pytestmark = pytest.mark.live

BOARD_EVENTS = {"card_added", "card_edited", "card_deleted", "card_hidden", "card_restored", "card_merged",
                "card_removed", "board_updated"}


class Mirror:
    """A client's copy of a board, kept the way the browser keeps it: the next sequence number is
    applied, one already seen is ignored, a gap (or a reconnect) asks for what was missed."""

    def __init__(self, socket, board_id):
        self.socket, self.board_id, self.cards, self.last_seq = socket, board_id, {}, 0
        self.take(socket.call("join_board", {"board_id": board_id}))

    def rejoin(self):
        """After a reconnect: join again, asking only for what came after our last event."""
        self.take(self.socket.call("join_board", {"board_id": self.board_id, "since": self.last_seq}))

    def take(self, ack):
        assert ack["ok"], ack
        if "snapshot" in ack:
            self.cards = {card["id"]: card for card in ack["snapshot"]["cards"]}
        else:
            for event in ack["events"]:
                self.apply(event["type"], event)
        self.last_seq = max(self.last_seq, ack["last_seq"])

    def apply(self, name, event):
        if "card" in event:
            self.cards[event["card"]["id"]] = event["card"]
        elif name == "card_removed":
            self.cards.pop(event["card_id"], None)

    def sync(self):
        """Apply what the socket received, in order, catching up over any gap."""
        events = [(name, data) for name, data in self.socket.received if name in BOARD_EVENTS]
        self.socket.received.clear()
        for name, event in events:
            if event["seq"] <= self.last_seq:
                continue
            if event["seq"] > self.last_seq + 1:
                self.take(self.socket.call("get_events", {"board_id": self.board_id, "since": self.last_seq}))
                continue
            self.apply(name, event)
            self.last_seq = event["seq"]

    def texts(self):
        return sorted(card["text"] for card in self.cards.values())


@pytest.fixture
def lab(live_server):
    """A fresh workshop on the live server: its facilitator, first board, and a way to add participants."""
    facilitator = Visitor(live_server.url).sign_up("Fran")
    code, boards = facilitator.create_workshop("Live lab")
    sockets = []

    def participant(name, city):
        socket = Visitor(live_server.url).join(code, name, city).socket()
        sockets.append(socket)
        return socket

    yield {"facilitator": facilitator, "board": boards[0], "participant": participant}
    for socket in sockets:
        socket.close()


def post(socket, board, text, lane="problem"):
    ack = socket.call("add_card", {"board_id": board, "lane": lane, "text": text})
    assert ack["ok"], ack
    return ack


def count(name):
    return lambda received: sum(event == name for event, _ in received)


def test_what_one_client_posts_the_other_receives_in_sequence(lab):
    ana, ben = lab["participant"]("Ana", "Glasgow"), lab["participant"]("Ben", "Bologna")
    Mirror(ana, lab["board"]), Mirror(ben, lab["board"])
    acks = [post(ana, lab["board"], f"Problem {n}") for n in range(3)]
    ben.wait_for(lambda received: count("card_added")(received) == 3)
    added = [data for name, data in ben.received if name == "card_added"]
    assert [event["card"]["text"] for event in added] == ["Problem 0", "Problem 1", "Problem 2"]
    assert [event["seq"] for event in added] == [ack["seq"] for ack in acks]
    assert [event["seq"] for event in added] == list(range(added[0]["seq"], added[0]["seq"] + 3))


def test_a_client_that_drops_comes_back_to_exactly_the_same_board(lab):
    board = lab["board"]
    ben, cleo, ana = lab["participant"]("Ben", "Bologna"), lab["participant"]("Cleo", "Warsaw"), lab["participant"]("Ana", "Glasgow")
    watcher, dropping = Mirror(cleo, board), Mirror(ana, board)
    first = post(ben, board, "Before the drop")
    post(ben, board, "Deleted while away")
    ana.wait_for(lambda received: count("card_added")(received) == 2)
    dropping.sync()
    ana.close()

    for n in range(20):
        post(ben, board, f"While away {n}")
    deleted = [card for card in watcher.socket.call("get_events", {"board_id": board, "since": 0})["events"]
               if card.get("card", {}).get("text") == "Deleted while away"][0]["card"]["id"]
    assert ben.call("delete_card", {"card_id": deleted})["ok"]
    assert ben.call("edit_card", {"card_id": first["card"]["id"], "text": "Before the drop, edited"})["ok"]
    cleo.wait_for(lambda received: count("card_added")(received) == 22 and count("card_edited")(received) == 1)
    watcher.sync()

    ana.connect()
    dropping.rejoin()
    assert dropping.cards == watcher.cards
    assert len(dropping.cards) == 21 and "Before the drop, edited" in dropping.texts()
    assert dropping.last_seq == watcher.last_seq


def test_private_writing_never_sends_another_participants_card_text(lab):
    board = lab["board"]
    ana, ben = lab["participant"]("Ana", "Glasgow"), lab["participant"]("Ben", "Bologna")
    Mirror(ana, board), Mirror(ben, board)
    staff = lab["facilitator"].socket()
    Mirror(staff, board)
    assert staff.call("set_private_writing", {"board_id": board, "enabled": True})["ok"]
    secret = "Draft: 40 families in our district wait for a childcare place"
    post(ana, board, secret)
    staff.wait_for(lambda received: any(name == "card_added" for name, _ in received))
    ben.wait_for(lambda received: any(name == "card_removed" for name, _ in received))
    assert secret not in repr(ben.received)
    assert secret not in repr(ben.call("get_events", {"board_id": board, "since": 0}))
    assert secret not in repr(ben.call("join_board", {"board_id": board}))

    assert staff.call("set_private_writing", {"board_id": board, "enabled": False})["ok"]
    ben.wait_for(lambda received: any(name == "board_updated" for name, _ in received))
    assert secret in repr(ben.call("join_board", {"board_id": board}))
    staff.close()


def test_a_crowd_arriving_is_announced_in_a_few_presence_messages(lab):
    board = lab["board"]
    watcher = lab["participant"]("Watcher", "Ghent")
    Mirror(watcher, board)
    watcher.received.clear()
    crowd = [lab["participant"](f"Person {n}", f"City {n % 4}") for n in range(12)]
    for socket in crowd:
        assert socket.call("join_board", {"board_id": board})["ok"]
    watcher.wait_for(lambda received: any(name == "presence_changed" and data["count"] == 13 for name, data in received))
    news = [data for name, data in watcher.received if name == "presence_changed"]
    assert len(news) <= 4  # batched every 0.5 s: not one message per arrival
    assert {"name": "City 0", "count": 3} in news[-1]["cities"]
