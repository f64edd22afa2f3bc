"""Who is on which board right now, counted per person and per city; the room hears of it at
most twice a second (`presence_news`), so 500 people arriving cost 500 x 2 messages, not 500^2.

One server process keeps presence in memory. Several processes (a shared Redis, see
`workshop.extensions.shared_redis`) keep it in Redis, so that every process counts everyone: each
process writes its own sockets and renews a heartbeat; the sockets of a process whose heartbeat has
lapsed (it crashed) stop counting. `presence_store()` gives the one the app was configured with."""
import json
import logging
import uuid
from collections import Counter, defaultdict

from flask import current_app
from redis.exceptions import RedisError

from ..extensions import socketio
from ..live import Coalescer
from ..publish import to_board

log = logging.getLogger(__name__)


def summarise(board_id, people):
    """{person key: city} as the room sees it: how many people (two tabs count once), which cities."""
    cities = Counter(city for city in people.values() if city)
    return {
        "board_id": board_id,
        "count": len(people),
        "cities": [{"name": name, "count": count} for name, count in sorted(cities.items())],
    }


class Presence:
    """In this process's memory."""

    def __init__(self):
        self._boards = defaultdict(dict)  # board id -> socket id -> (person key, city or None)

    def enter(self, board_id, sid, person_key, city):
        self._boards[board_id][sid] = (person_key, city)

    def leave(self, board_id, sid):
        """Forget one socket on one board; True if it was there."""
        return self._boards.get(board_id, {}).pop(sid, None) is not None

    def leave_all(self, sid):
        """Forget a socket everywhere; the boards it was on."""
        return [board_id for board_id in list(self._boards) if self.leave(board_id, sid)]

    def summary(self, board_id):
        return summarise(board_id, dict(self._boards.get(board_id, {}).values()))


class RedisPresence(Presence):
    """In Redis, shared by every process: a hash per board, socket id -> [person, city, process]."""

    HEARTBEAT_SECONDS = 10

    def __init__(self, redis):
        super().__init__()  # this process's own sockets, to know what to remove when they leave
        self._redis = redis
        self._process = uuid.uuid4().hex
        self._beating = False
        self._unremoved = set()  # (board id, sid) that left while Redis could not be told: retried

    def _key(self, board_id):
        return f"workshop:presence:{board_id}"

    def _alive_key(self, process):
        return f"workshop:presence:alive:{process}"

    def _beat(self):
        """Renew this process's heartbeat while it lives."""
        while True:
            try:
                self.renew()
            except RedisError as error:  # Redis away for a while: the next beat tries again
                log.warning("presence heartbeat failed: %s", error)
            socketio.sleep(self.HEARTBEAT_SECONDS)

    def renew(self):
        """Say this process is alive, and retry the removals Redis refused."""
        self._redis.set(self._alive_key(self._process), 1, ex=self.HEARTBEAT_SECONDS * 3)
        for board_id, sid in list(self._unremoved):
            self._redis.hdel(self._key(board_id), sid)
            self._unremoved.discard((board_id, sid))

    def enter(self, board_id, sid, person_key, city):
        if not self._beating:
            self._beating = True
            self._redis.set(self._alive_key(self._process), 1, ex=self.HEARTBEAT_SECONDS * 3)
            socketio.start_background_task(self._beat)
        super().enter(board_id, sid, person_key, city)
        self._redis.hset(self._key(board_id), sid, json.dumps([person_key, city, self._process]))

    def leave(self, board_id, sid):
        """Forget one socket on one board. When Redis cannot be told now, the heartbeat retries:
        a socket that left must not keep counting (the room saw 215 people where one was left)."""
        if not super().leave(board_id, sid):
            return False
        try:
            self._redis.hdel(self._key(board_id), sid)
        except RedisError as error:
            log.warning("presence of %s on board %s not removed yet: %s", sid, board_id, error)
            self._unremoved.add((board_id, sid))
        return True

    def summary(self, board_id):
        entries = [json.loads(value) for value in self._redis.hvals(self._key(board_id))]
        processes = {process for _, _, process in entries}
        alive = {process for process in processes if self._redis.exists(self._alive_key(process))}
        return summarise(board_id, {person: city for person, city, process in entries if process in alive})


def make_presence(redis):
    """The store for an app: in the Redis processes share (`redis`, see
    `workshop.extensions.shared_redis`), else in memory."""
    return RedisPresence(redis) if redis is not None else Presence()


def presence_store():
    return current_app.extensions["workshop.presence"]


def _send_presence(board_id, _):
    to_board(board_id, "presence_changed", presence_store().summary(board_id))


presence_news = Coalescer(_send_presence, "PRESENCE_FLUSH_INTERVAL", 0.5)
