"""A clean log: WebSocket sessions ending the ways browsers end them (a clean disconnect, a tab
closed, a laptop gone mid-frame, many at once) leave no traceback and no error in the server's log.
gevent's pywsgi used to read the bytes that follow a WebSocket's end as a new HTTP request and log
them as `Invalid HTTP method: '\\x88...'` (see NoDelayHandler in wsgi.py).

The endings other than the clean one go through a WebSocket written by hand on a plain socket, so
that each byte and each close is the test's: a client library's own threads close as they like."""
import base64
import json
import os
import socket
import struct
import threading
import time

import pytest

from .live import LiveServer, Visitor
from .server_log import problems_in

GOING_AWAY = 1001  # what a browser's close frame says when its tab closes
NORMAL = 1000
CLOSED = object()


@pytest.fixture
def server(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'clean-log.sqlite'}")
    yield server
    server.stop()


class HandWrittenSocket:
    """A participant's Socket.IO connection over a WebSocket on a plain TCP socket: the upgrade,
    Socket.IO's connect with the page's CSRF token, `join_board`; then it ends as told."""

    def __init__(self, server, visitor, token):
        host, port = "127.0.0.1", server.port
        self.tcp = socket.create_connection((host, port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.tcp.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                          f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                          f"Sec-WebSocket-Version: 13\r\nOrigin: {server.url}\r\nCookie: {visitor.cookie_header()}\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.tcp.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        assert self.receive().startswith("0")  # Engine.IO's open packet
        self.send("40" + json.dumps({"csrf_token": token}))
        assert self.receive().startswith("40"), "Socket.IO refused the connect"

    def join(self, board):
        self.send("420" + json.dumps(["join_board", {"board_id": board}]))
        while not (ack := self.receive()).startswith("430"):
            pass  # broadcasts (presence) may come first
        assert json.loads(ack[3:])[0]["ok"], ack

    def receive(self):
        """The next text frame's payload, or CLOSED for a close frame (the server's frames are small
        and unmasked)."""
        while True:
            if len(self.buffer) >= 2:
                length, start = self.buffer[1] & 0x7F, 2
                if length == 126:
                    length, start = struct.unpack("!H", self.buffer[2:4])[0], 4
                if len(self.buffer) >= start + length:
                    opcode, payload = self.buffer[0] & 0x0F, self.buffer[start:start + length]
                    self.buffer = self.buffer[start + length:]
                    if opcode in (0x1, 0x8):
                        return payload.decode() if opcode == 0x1 else CLOSED
                    continue  # a ping or anything else: not what is waited for
            self.buffer += self.tcp.recv(4096)

    @staticmethod
    def frame(opcode, payload):
        """A client frame (clients must mask theirs)."""
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[n % 4] for n, byte in enumerate(payload))
        assert len(payload) < 126
        return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked

    def send(self, text):
        self.tcp.sendall(self.frame(0x1, text.encode()))

    def say_goodbye(self):
        """A clean disconnect as python-socketio's client makes it: Socket.IO's and Engine.IO's
        goodbyes; the server then closes the WebSocket first, and the client answers its close frame
        (as RFC 6455 asks) before closing the TCP connection."""
        self.send("41")
        self.send("1")
        while self.receive() is not CLOSED:
            pass
        self.tcp.sendall(self.frame(0x8, struct.pack("!H", NORMAL)))
        self.tcp.close()

    def close_tab(self):
        """What a browser does when its tab closes: a close frame, then the TCP connection closed
        without waiting for the server's answer."""
        self.tcp.sendall(self.frame(0x8, struct.pack("!H", GOING_AWAY)))
        self.tcp.close()

    def leave_mid_sentence(self):
        """A last message and a close frame sent in one go, then gone: the server's WebSocket ends
        at the close frame with the message frames still arriving behind it."""
        self.tcp.sendall(self.frame(0x1, b"3") + self.frame(0x8, struct.pack("!H", GOING_AWAY)) + self.frame(0x1, b"2probe"))
        self.tcp.close()

    def drop_mid_frame(self):
        """The Wi-Fi gone halfway through a frame: half a frame, then a reset (no FIN, no close frame)."""
        self.tcp.sendall(self.frame(0x1, b'42["ping"]')[:5])
        self.reset()

    def reset(self):
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.tcp.close()


def open_sockets(server):
    """The server's open sockets, counted from /proc (its listener among them)."""
    folder = f"/proc/{server.process.pid}/fd"
    count = 0
    for entry in os.listdir(folder):
        try:
            count += os.readlink(f"{folder}/{entry}").startswith("socket:")
        except OSError:
            pass  # closed while being listed
    return count


def wait_until_closed(server, people, sockets_before, timeout=15):
    """Until the server holds no more sockets than before the sessions began: it has ended each one
    (and, before the fix, read and logged what followed). The people's kept-alive HTTP connections
    are closed first: they are not sessions."""
    for person in people:
        person.http.close()
    deadline = time.monotonic() + timeout
    while open_sockets(server) > sockets_before:
        assert time.monotonic() < deadline, f"{open_sockets(server) - sockets_before} sockets still open"
        time.sleep(0.05)


@pytest.mark.live
def test_websocket_sessions_ending_as_browsers_end_them_leave_a_clean_log(server):
    fran = Visitor(server.url).sign_up("Fran")
    code, boards = fran.create_workshop("A clean log")
    people = [Visitor(server.url).join(code, f"Person {n}", "Glasgow") for n in range(4)]
    tokens = [person.csrf_token() for person in people]
    wait_until_closed(server, [fran, *people], sockets_before=1)  # its listener

    endings = [HandWrittenSocket.say_goodbye, HandWrittenSocket.close_tab, HandWrittenSocket.leave_mid_sentence,
               HandWrittenSocket.drop_mid_frame, HandWrittenSocket.reset]

    def session(n):
        """One session: join, then end in the n-th way; every sixth through python-socketio's client."""
        person, token = people[n % len(people)], tokens[n % len(people)]
        if n % 6 == 5:
            live = person.socket()
            assert live.call("join_board", {"board_id": boards[0]})["ok"]
            live.client.disconnect()
            return
        hand_written = HandWrittenSocket(server, person, token)
        hand_written.join(boards[0])
        endings[n % 6](hand_written)

    failures = []

    def run(n):
        try:
            session(n)
        except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(repr(error))

    # Many at once, as a room closing its laptops: 42 sessions, 7 ending each way, in one burst.
    threads = [threading.Thread(target=run, args=(n,)) for n in range(42)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    wait_until_closed(server, [fran, *people], sockets_before=1)

    assert server.log_problems() == [], server.output()[-3000:]
    for refusal in ("Traceback", "Invalid HTTP method", "Expected GET method", "ERROR"):
        assert refusal not in server.output()


@pytest.mark.live
def test_a_page_left_while_its_socket_moves_from_polling_to_websocket_leaves_a_clean_log(server):
    """A browser starts on long-polling and then upgrades; a page left at that moment sends the
    upgrade's probe and its close frame (1001, going away) together. engine.io, answering the probe
    on a closed WebSocket, raises a bare OSError, on which pywsgi itself failed (IndexError) and
    logged two tracebacks for a person who had merely left (seen in a browser test's server log)."""
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as polling:
            polling.sendall(f"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            answer = b""
            while b'"sid":"' not in answer or b'"' not in answer.split(b'"sid":"', 1)[1]:
                answer += polling.recv(4096)
        sid = answer.split(b'"sid":"', 1)[1].split(b'"', 1)[0].decode()
        tcp = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        tcp.sendall((f"GET /socket.io/?EIO=4&transport=websocket&sid={sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += tcp.recv(4096)
        assert head.startswith(b"HTTP/1.1 101"), head
        tcp.sendall(HandWrittenSocket.frame(0x1, b"2probe") + HandWrittenSocket.frame(0x8, struct.pack("!H", GOING_AWAY)))
        tcp.close()
    time.sleep(1)
    assert server.log_problems() == [], server.output()[-3000:]


# A server log as the check meets them: the app's and alembic's lines, a traceback (with a blank line in
# its frames), pywsgi's refusal, gunicorn's and logging's ERROR, and a word that only starts with ERROR.
SERVER_LOG = """INFO  [alembic.runtime.migration] Context impl SQLiteImpl.
The co-creation workshop app is on http://127.0.0.1:5000/
Traceback (most recent call last):
  File "wsgi.py", line 1, in <module>

    boom()
ValueError: boom
<gevent._socket3.socket at 0x7f object, fd=16, family=2, type=1, proto=0>: (from ('127.0.0.1', 6)) Invalid HTTP method: '\\x88\\x82'
[2026-12-02 00:57:16 +0000] [9629] [ERROR] Worker (pid:9629) exited with code 1
ERROR [engineio.server] http://evil.example is not an accepted origin. (further occurrences of this error will be logged with level INFO)
[2026-12-02 00:57:34 +0000] [9627] [INFO] Handling signal: term
Participants: open http://127.0.0.1:5000/ and type the workshop's join code, say ERRORS4."""


def test_the_log_check_finds_tracebacks_whole_error_lines_and_pywsgis_refusals():
    lines = SERVER_LOG.splitlines()
    assert problems_in(SERVER_LOG) == ["\n".join(lines[2:7]), lines[7], lines[8], lines[9]]


def test_the_log_check_lets_a_test_name_the_errors_it_provokes():
    lines = SERVER_LOG.splitlines()
    assert problems_in(SERVER_LOG, [r"not an accepted origin", r"ValueError: boom"]) == [lines[7], lines[8]]


def test_a_browser_still_polling_may_send_more_than_16_packets_in_one_post(app, client, caplog):
    """What engine.io's browser client does when it has queued that many before its upgrade: one POST,
    bounded by bytes only. Each packet here is a Socket.IO connect without a token: each is answered."""
    from workshop.extensions import socketio

    opened = client.get("/socket.io/?EIO=4&transport=polling")
    sid = json.loads(opened.get_data(as_text=True)[1:])["sid"]
    batch = "\x1e".join(["40{}"] * 17)
    posted = client.post(f"/socket.io/?EIO=4&transport=polling&sid={sid}", data=batch, content_type="text/plain")

    assert posted.status_code == 200
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    queue = socketio.server.eio.sockets[sid].queue
    deadline = time.monotonic() + 5
    while queue.qsize() < 17 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.qsize() == 17  # one refusal for each connect, none dropped
