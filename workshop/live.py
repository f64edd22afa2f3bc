"""Socket.IO plumbing every feature's `events.py` shares: a handler decorator that always answers
with an acknowledgement and never raises, readers that check what a client sent, and a coalescer
that batches news per board."""
import threading
import time
import zlib
from functools import wraps

import engineio.packet
import engineio.payload
import engineio.socket
import orjson
import simple_websocket.ws
from socketio.packet import EVENT
from socketio.packet import Packet as PlainPacket
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import Opcode

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .config import RATE_LIMITS
from .errors import Refused, Unavailable, database_unavailable, refuse_unstorable
from .extensions import db, socketio
from .ratelimits import rate_limits


def handler(event_name, limit=None, limit_facilitators=True):
    """Register a client event. The function gets the payload (a dict) and returns the ack's data.

    Every outcome is an acknowledgement: `{"ok": true, ...}`, or `{"ok": false, "error": {"code",
    "message"}}` for a refusal, bad input, the database briefly away (`unavailable`: try again), or a
    bug (logged, never raised to the socket).
    With `limit` (a name in `config.RATE_LIMITS`), every try counts against that limit for the
    signed-in person, and one over it is refused with `slow_down` and its `retry_after` seconds;
    with `limit_facilitators=False`, for participants only.
    """

    if limit is not None and limit not in RATE_LIMITS:
        raise ValueError(f"{event_name}: no rate limit named {limit!r}")

    def decorate(function):
        @socketio.on(event_name)
        @wraps(function)
        def wrapped(data=None, *ignored):
            try:
                if not current_user.is_authenticated:
                    raise Refused("not_signed_in", _l("Sign in again to continue."))
                if limit and (limit_facilitators or not current_user.is_facilitator):
                    rate_limits().spend(limit, current_user.get_id())
                if not isinstance(data, dict):
                    raise Refused("bad_payload", _l("The message must be an object."))
                refuse_unstorable(data)
                return {"ok": True, **(function(data) or {})}
            except Refused as refusal:
                db.session.rollback()
                return refusal.as_ack()
            except Exception as error:
                db.session.rollback()
                if database_unavailable(error):
                    current_app.logger.warning("socket event %s: database unavailable: %s", event_name, error)
                    return Unavailable().as_ack()
                current_app.logger.exception("socket event %s failed", event_name)
                return {"ok": False, "error": {"code": "server_error", "message": _("Something went wrong on our side.")}}

        return wrapped

    return decorate


def keep_loaded_after_commit():
    """This event's session keeps what it loaded past its commit, for the ack and the broadcast: they
    send what the event itself just wrote (a vote: the card, board and voter; a card: itself, its
    author and event), and reloading it all cost 3 of 12 queries per vote and 6 of 12 per new card.
    Each event has a session of its own, dropped when the event ends."""
    db.session().expire_on_commit = False


class Packet(PlainPacket):
    """python-socketio's packet, with its JSON encoded by orjson when the packet is made. The library
    first walks the payload for bytes (binary attachments), at every level with a list and a fold,
    then encodes with the standard library: on a 1,000-card board snapshot the walk took half the
    server's CPU in the join storm, and then the JSON 29 %, which orjson does 5 times faster. JSON
    refuses bytes, so a payload that encodes has none; one that orjson cannot encode (bytes, or a
    type it does not know) goes the library's way (attachments, or the library's own error).
    Non-ASCII text goes as UTF-8 rather than as \\u escapes: the same JSON to every parser."""

    def __init__(self, packet_type=EVENT, data=None, namespace=None, id=None, binary=None, encoded_packet=None):
        self.encoded_data = None
        if binary is None and encoded_packet is None and data is not None:
            try:
                self.encoded_data = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()
                binary = False
            except TypeError:  # orjson.JSONEncodeError is one
                pass
        super().__init__(packet_type, data, namespace, id, binary, encoded_packet)

    def encode(self):
        if self.encoded_data is None:
            return super().encode()
        namespace = self.namespace + "," if self.namespace not in (None, "/") else ""
        return f"{self.packet_type}{namespace}{'' if self.id is None else self.id}{self.encoded_data}"


class LargeMessagesDeflate(PerMessageDeflate):
    """permessage-deflate that sends messages under 1 KiB as they are, as Node's `ws` does by
    default (RFC 7692 lets a sender leave any message uncompressed: its RSV1 bit stays unset). A
    board snapshot shrinks 14 times over; a tally or an ack of a few hundred bytes gains a few
    bytes yet cost 11 % of the server's CPU in the vote storm, one compression per watcher."""

    SMALLEST = 1024
    # zlib's fastest level and a smaller memory level than its defaults (6 and 8): a 250 KB snapshot
    # deflates in a third of the time to 16 % more bytes (still 14 x smaller than plain), and its
    # compressor takes 48 KiB instead of 110 while it works.
    LEVEL, MEMORY_LEVEL = 1, 5

    def __init__(self):
        # No context kept between messages, either way (RFC 7692 lets a server ask for both even when
        # the client did not offer them): a compressor, or a decompressor for a large message a
        # client sent, lives for one message, not for the connection. Kept, every socket that ever
        # got a snapshot or a 50-city presence held one for life: 216 KiB per idle participant
        # socket at 2,000, against 77 without (docs/performance.md). The messages we deflate are
        # whole snapshots, which gain little from the last one's words.
        super().__init__(client_no_context_takeover=True, server_no_context_takeover=True)

    def frame_outbound(self, proto, opcode, rsv, data, fin):
        if fin and opcode is not Opcode.CONTINUATION and len(data) < self.SMALLEST:
            return rsv, data  # a whole message in one frame, small: sent plain
        if self._compressor is None:  # made here rather than by wsproto, which takes zlib's defaults
            bits = self.client_max_window_bits if proto.client else self.server_max_window_bits
            self._compressor = zlib.compressobj(self.LEVEL, zlib.DEFLATED, -int(bits), self.MEMORY_LEVEL)
        return super().frame_outbound(proto, opcode, rsv, data, fin)


def compress_large_messages_only():
    """simple-websocket (the WebSocket server under Flask-SocketIO here, with gevent and threads
    alike) offers no setting for this: it accepts `PerMessageDeflate()` by that module-level name."""
    simple_websocket.ws.PerMessageDeflate = LargeMessagesDeflate


def ping_from_the_event_loop():
    """Engine.IO's ping to each socket every ping interval, from a timer on gevent's event loop.
    python-engineio starts a greenlet per socket that sleeps out the interval and sends the ping:
    one of the four greenlets every idle WebSocket keeps parked (with its copied C stack and its
    own frame stack), about a tenth of an idle socket's memory (docs/performance.md). A timer keeps
    no stack: its callback, run by the loop, only puts the ping on the socket's queue, as the
    greenlet did; the socket's writer greenlet sends it."""
    from gevent import get_hub

    def schedule_ping(socket):
        if socket.last_ping:  # as the library: only once the last ping's wait is over
            socket.last_ping = None
            socket.ping_timer = get_hub().loop.timer(socket.server.ping_interval)
            socket.ping_timer.start(send_ping, socket)

    def send_ping(socket):
        socket.ping_timer = None
        if not socket.closing and not socket.closed:
            socket.last_ping = time.time()
            socket.send(engineio.packet.Packet(engineio.packet.PING))

    engineio.socket.Socket.schedule_ping = schedule_ping


def accept_whole_polling_batches(max_bytes):
    """A browser still on long-polling (before its upgrade) sends whatever it has queued in one POST,
    bounded by bytes (`max_http_buffer_size`) and not by count; python-engineio refused more than 16
    packets in one, logging a traceback and dropping every one of them. The byte bound stays the
    limit: a packet takes at least two of them (one character and a separator)."""
    engineio.payload.Payload.max_decode_packets = max_bytes // 2


# The largest whole number the database holds (a PostgreSQL INTEGER): every id, sequence number and
# count the protocol carries fits. A larger one is no id at all, yet would reach the database, which
# refuses to compare it (PostgreSQL past 2**31, SQLite past 2**63) and the event would fail.
LARGEST_NUMBER = 2**31 - 1


def read(data, name, kind, required=True, default=None):
    """`data[name]` if it is of `kind` (int, str or bool; an int is never a bool, and stays within
    ±LARGEST_NUMBER), else a refusal."""
    if name not in data or data[name] is None:
        if required:
            raise Refused("missing_field", _l("%(field)s is missing.", field=name), field=name)
        return default
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Refused("bad_field", _l("%(field)s has the wrong type.", field=name), field=name)
    if kind is int and abs(value) > LARGEST_NUMBER:
        raise Refused("bad_field", _l("%(field)s is out of range.", field=name), field=name)
    return value


class Coalescer:
    """Collects news per board and sends it a few times a second: `touch(board_id, items)` marks,
    and every `interval` seconds `send(board_id, items)` runs once per marked board with all that
    accumulated. A storm of changes costs the room a handful of messages. The config key
    `config_key` sets the interval; 0 sends at once (tests)."""

    def __init__(self, send, config_key, interval):
        self._send, self._config_key, self._interval = send, config_key, interval
        self._dirty = {}  # board id -> set of items
        self._lock = threading.Lock()
        self._flusher = None

    def touch(self, board_id, items=()):
        with self._lock:
            self._dirty.setdefault(board_id, set()).update(items)
        interval = current_app.config.get(self._config_key, self._interval)
        if not interval:
            self.flush()
        elif self._flusher is None:
            self._flusher = socketio.start_background_task(self._run, current_app._get_current_object(), interval)

    def _run(self, app, interval):
        while True:
            socketio.sleep(interval)
            with app.app_context():
                try:
                    self.flush()
                except Exception:  # one bad flush must not stop the news for good
                    app.logger.exception("%s flush failed", self._config_key)
                finally:
                    db.session.remove()

    def flush(self):
        with self._lock:
            dirty, self._dirty = self._dirty, {}
        for board_id, items in dirty.items():
            self._send(board_id, items)
