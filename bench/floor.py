"""The floor for live benchmarks: a bare Flask-SocketIO server under gevent that only broadcasts.
`fanout` from any client is sent to every client as `fanned`. For the vote storm it is the naive
server the issue compares against: 50 ideas held in memory, and every `vote` or `unvote` counted
and broadcast to every client at once as `votes_changed` (no database, no batching).

    python bench/floor.py PORT [--app-transport]

With --app-transport it sends the way the app does (`workshop.live`: packets' JSON by orjson,
messages under 1 KiB not deflated), so a fan-out ratio can also be read without those gains.
"""
from gevent import monkey

monkey.patch_all()

import socket  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit  # noqa: E402
from gevent import pywsgi  # noqa: E402

APP_TRANSPORT = "--app-transport" in sys.argv
if APP_TRANSPORT:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from workshop.live import Packet, compress_large_messages_only

    compress_large_messages_only()

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", **({"serializer": Packet} if APP_TRANSPORT else {}))


@socketio.on("fanout")
def fanout(data):
    emit("fanned", data, broadcast=True)


IDEAS = range(1, 51)
counts = dict.fromkeys(IDEAS, 0)


@socketio.on("join_board")
def join_board(data):
    """What the storm harness reads of the app's snapshot: the ideas and the budget."""
    return {"ok": True, "snapshot": {"cards": [{"id": card, "lane": "idea"} for card in IDEAS], "board": {"voting": {"budget": 20}}}}


def count(data, change):
    card = data.get("card_id") if isinstance(data, dict) else None
    if card not in counts:
        return {"ok": False, "error": {"code": "no_such_card"}}
    counts[card] += change
    emit("votes_changed", {"board_id": 1, "counts": {str(card): counts[card]}}, broadcast=True)
    return {"ok": True}


@socketio.on("vote")
def vote(data):
    return count(data, 1)


@socketio.on("unvote")
def unvote(data):
    return count(data, -1)


class NoDelayHandler(pywsgi.WSGIHandler):
    """The same socket setting as wsgi.py, so the floor differs from the app only by the app."""

    def __init__(self, sock, address, server, rfile=None):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, address, server, rfile)


if __name__ == "__main__":
    pywsgi.WSGIServer(("127.0.0.1", int(sys.argv[1])), app, handler_class=NoDelayHandler, log=None).serve_forever()
