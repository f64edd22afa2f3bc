"""A socket that goes away leaves nothing behind: not in the socket registry, not counted as present,
even when a whole room drops at once on two processes (where Redis ran out of connections once)."""
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from workshop.auth import sockets
from workshop.boards.presence import presence_store

from .conftest import in_ci
from .live import LiveServer

# Its own database in the Redis that the other live tests share, so that what is left is this test's.
REDIS = "redis://127.0.0.1:6379/3"


def test_each_step_runs_when_one_before_it_fails(app, caplog):
    ran = []

    def forget():
        raise ConnectionError("Too many connections")

    with app.app_context():
        sockets.each_on_its_own("disconnect of sid-1", forget, lambda: ran.append("leave boards"))
    assert ran == ["leave boards"]
    assert "disconnect of sid-1: forget failed" in caplog.text and "Too many connections" in caplog.text


def test_a_disconnect_leaves_the_board_when_forgetting_the_socket_fails(app, room, monkeypatch):
    def out_of_connections(sid):
        raise ConnectionError("Too many connections")

    monkeypatch.setattr(sockets, "forget", out_of_connections)
    room.ben_socket.disconnect()
    with app.app_context():
        assert presence_store().summary(room.board.id)["count"] == 2  # Ana and the facilitator
    presence = [message["args"][0] for message in room.staff_socket.get_received() if message["name"] == "presence_changed"]
    assert presence[-1]["count"] == 2 and {"name": "Bologna", "count": 1} not in presence[-1]["cities"]


@pytest.fixture
def redis():
    import redis as redis_client

    client = redis_client.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis_client.exceptions.ConnectionError as error:
        if in_ci():
            pytest.fail(f"Redis is not reachable at {REDIS} in CI: {error}")
        pytest.skip(f"Redis is not running at {REDIS}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_a_presence_redis_refused_to_remove_is_removed_at_the_next_heartbeat(app, redis, monkeypatch):
    from redis.exceptions import MaxConnectionsError

    from workshop.boards.presence import RedisPresence

    store = RedisPresence(redis)
    with app.test_request_context():
        store.enter(7, "sid-1", "p:1", "Glasgow")
    working_hdel = redis.hdel

    def out_of_connections(*args):
        raise MaxConnectionsError("Too many connections")

    monkeypatch.setattr(redis, "hdel", out_of_connections)
    assert store.leave_all("sid-1") == [7]  # this process is done with it; Redis still counts it
    assert store.summary(7)["count"] == 1
    monkeypatch.setattr(redis, "hdel", working_hdel)
    store.renew()
    assert store.summary(7)["count"] == 0


def test_one_redis_client_and_its_pool_serve_presence_the_socket_registry_and_the_rate_limits():
    from redis import BlockingConnectionPool

    from workshop.boards.presence import make_presence
    from workshop.config import from_environment
    from workshop.extensions import shared_redis
    from workshop.publish import make_socket_registry
    from workshop.ratelimits import RateLimits, storage_url

    config = {**from_environment(), "SOCKETIO_MESSAGE_QUEUE": REDIS}
    client = shared_redis(config)
    assert isinstance(client.connection_pool, BlockingConnectionPool) and client.connection_pool.max_connections == config["REDIS_MAX_CONNECTIONS"]
    assert make_presence(client)._redis is client and make_socket_registry(client)._redis is client
    assert storage_url(config) == REDIS
    assert RateLimits(config, client).storage.storage.connection_pool is client.connection_pool
    assert shared_redis({**config, "SOCKETIO_MESSAGE_QUEUE": None}) is None  # one process: everything in memory


class BareSocket:
    """A Socket.IO client reduced to one WebSocket and the few packets a person sends on arriving
    (`join`), so that hundreds fit in a test: python-socketio's client runs threads per socket."""

    def __init__(self, base_url, person):
        import websocket

        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, header=[f"Cookie: {person['cookie']}"], timeout=20)
        self._next("0")  # Engine.IO open
        self.ws.send("40" + json.dumps({"csrf_token": person["csrf_token"]}))
        self._next("40")

    def _next(self, prefix):
        """The next packet starting with `prefix`, answering pings and passing over the room's news."""
        while True:
            packet = self.ws.recv()
            if packet == "2":
                self.ws.send("3")
            elif packet.startswith(prefix):
                return packet[len(prefix):]
            elif packet.startswith("44"):
                raise AssertionError(f"refused: {packet}")

    def join(self, board_id):
        """Join the board as a person present on it; the ack's presence count."""
        self.ws.send("420" + json.dumps(["join_board", {"board_id": board_id}]))
        ack = json.loads(self._next("430"))[0]
        assert ack["ok"], ack
        return ack["presence"]["count"]

    def drop(self):
        """Gone without a goodbye, as when the venue's network goes."""
        import socket

        self.ws.sock.shutdown(socket.SHUT_RDWR)
        self.ws.sock.close()


@pytest.mark.live
def test_a_room_dropping_at_once_on_two_processes_leaves_no_presence_and_no_socket_keys(postgres_url, redis, tmp_path):
    from bench.live import SECRET, seed

    people = 500
    cookies, boards = seed(postgres_url, people + 1, crowded_cards=0)
    board = boards["fanout"]
    env = {"SOCKETIO_MESSAGE_QUEUE": REDIS, "SECRET_KEY": SECRET}
    servers = [LiveServer(postgres_url, extra_env=env, log_path=tmp_path / "first.log"),
               LiveServer(postgres_url, extra_env=env, log_path=tmp_path / "second.log", gunicorn=True)]
    try:
        def arrive(index):  # dealt over the two processes in turn
            socket = BareSocket(servers[index % 2].url, cookies[index])
            return socket, socket.join(board)

        with ThreadPoolExecutor(max_workers=16) as pool:
            crowd = list(pool.map(arrive, range(people)))
        assert max(count for _, count in crowd) == people  # both processes count everyone
        for socket, _ in crowd:
            socket.drop()

        # Every process cleans up after its sockets: nothing of them stays in Redis.
        presence_key = f"workshop:presence:{board}"
        deadline = time.monotonic() + 30
        while (redis.hlen(presence_key) or redis.keys("workshop:sockets:*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert redis.hlen(presence_key) == 0, f"{redis.hlen(presence_key)} sockets still present"
        assert redis.keys("workshop:sockets:*") == []

        # A lone newcomer sees exactly one person on the board: themself.
        newcomer = BareSocket(servers[1].url, cookies[people])
        assert newcomer.join(board) == 1
        newcomer.drop()
        for server in servers:
            assert "Traceback" not in server.output(), server.output()[-3000:]
    finally:
        for server in servers:
            server.stop()
