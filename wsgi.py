"""Entry point. `python wsgi.py` serves the app on HOST:PORT (default 127.0.0.1:5000), bringing the
database up to date and seeding the demo workshop on first start.

gevent must patch the standard library before anything imports `socket`, `ssl` or `threading`:
hence the first two lines.
"""
from gevent import monkey

monkey.patch_all()

import errno  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402

from flask_migrate import upgrade  # noqa: E402
from gevent import pywsgi  # noqa: E402

from workshop import create_app  # noqa: E402
from workshop.reports import jobs as reports  # noqa: E402
from workshop.workshops import cli as demo  # noqa: E402

app = create_app()


def serve(host, port):
    with app.app_context():
        upgrade()
        if demo.database_is_empty():
            workshop = demo.seed_demo_workshop()
            print(f'Seeded the demo workshop "{workshop.title}" (join code {workshop.join_code}).', flush=True)
        url = f"http://{host}:{port}/"
        print(f"The co-creation workshop app is on {url}", flush=True)
        if demo.demo_login_works():
            print(f"Facilitators: log in at {url}login as {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}", flush=True)
        print(f"Participants: open {url} and type the workshop's join code.", flush=True)
    if app.config["REPORT_WARM_AT_START"]:
        reports.start_workers(app.config["REPORT_WORKERS"])
    # Socket.IO's own server (what socketio.run starts under gevent), with Nagle's algorithm off:
    # a broadcast and its ack leave as two small writes, and Nagle held the second back about
    # 40 ms waiting for the client's delayed ACK (measured: 48 ms round-trips, 1.5 ms without).
    pywsgi.WSGIServer((host, port), app, handler_class=NoDelayHandler, log=None).serve_forever()


class NoDelayHandler(pywsgi.WSGIHandler):
    """pywsgi's handler with Nagle's algorithm off, and no request read after a WebSocket."""

    def __init__(self, sock, address, server, rfile=None):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, address, server, rfile)

    def read_request(self, raw_requestline):
        """A request asking for a WebSocket is the connection's last: engine.io (through
        simple-websocket) speaks WebSocket on a copy of the socket and returns once the WebSocket
        has ended, and pywsgi, seeing an HTTP/1.1 request without `Connection: close`, would then
        read the bytes still arriving (a close frame, a last message) as the next request, logging
        `Invalid HTTP method: '\\x88...'` and answering 400 to a peer that may be gone."""
        parsed = super().read_request(raw_requestline)
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.close_connection = True
            # From here on the WebSocket reads the raw socket (simple-websocket finds it as
            # `rfile.raw`), and the reader's 8 KiB buffer, kept for the connection's life, was an
            # eighth of an idle socket's memory (docs/performance.md). Nothing is lost with it: a
            # client sends nothing before the server's 101, and what it had sent would not have
            # been read from the buffer either.
            self.rfile = io.BufferedReader(self.rfile.detach(), buffer_size=1)
        return parsed

    def run_application(self):
        """A page left while its socket moved from long-polling to a WebSocket sends the upgrade's
        probe and its close frame together; engine.io, answering the probe on the closed WebSocket,
        raises a bare OSError (no errno), on which pywsgi's own handler fails (IndexError) and logs
        two tracebacks for someone who merely left. It is a peer gone, as pywsgi already takes a
        reset connection: said so, it is let go quietly."""
        try:
            super().run_application()
        except OSError as error:
            if error.args or not self.close_connection:  # only a WebSocket's errno-less end
                raise
            raise ConnectionResetError(errno.ECONNRESET, "the WebSocket's peer left during its upgrade") from error


if __name__ == "__main__":
    serve(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000")))
