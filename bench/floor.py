"""The floor for live benchmarks: a bare Flask-SocketIO server under gevent that only broadcasts.
`fanout` from any client is sent to every client as `fanned`.

    python bench/floor.py PORT
"""
from gevent import monkey

monkey.patch_all()

import socket  # noqa: E402
import sys  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit  # noqa: E402
from gevent import pywsgi  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")


@socketio.on("fanout")
def fanout(data):
    emit("fanned", data, broadcast=True)


class NoDelayHandler(pywsgi.WSGIHandler):
    """The same socket setting as wsgi.py, so the floor differs from the app only by the app."""

    def __init__(self, sock, address, server, rfile=None):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, address, server, rfile)


if __name__ == "__main__":
    pywsgi.WSGIServer(("127.0.0.1", int(sys.argv[1])), app, handler_class=NoDelayHandler, log=None).serve_forever()
