"""Scale-out: two real server processes sharing PostgreSQL and Redis behave as one server, and
sequence numbers stay exact under concurrent writers."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis as redis_client

from workshop import create_app
from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import Board, BoardEvent, Card, Participant

from .helpers import make_workshop_on  # noqa: F401  (fixture)
from .live import LiveServer, Visitor


def test_sequence_numbers_stay_consecutive_under_concurrent_writers_on_postgresql(postgres_url, make_workshop_on):
    board_id, _, author_id = make_workshop_on(postgres_url)
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": postgres_url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20}})
    with app.app_context():
        db.session.get(Board, board_id).phase = "collect"
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(16)

    def post(n):
        with app.app_context():
            board, author = db.session.get(Board, board_id), db.session.get(Participant, author_id)
            barrier.wait()
            try:
                return boards.add_card(author, board, "problem", f"Concurrent {n}")[1][0].seq
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=16) as pool:
        seqs = list(pool.map(post, range(16)))
    with app.app_context():
        stored = sorted(event.seq for event in db.session.query(BoardEvent).filter_by(board_id=board_id))
        cards = db.session.query(Card).filter_by(board_id=board_id).count()
        db.session.remove()
        db.engine.dispose()
    assert sorted(seqs) == stored[-16:] == list(range(stored[-16], stored[-16] + 16))
    assert stored == list(range(1, len(stored) + 1)) and cards == len(stored)


@pytest.fixture
def two_processes(postgres_url, redis_url, tmp_path):
    """Two server processes on one PostgreSQL and one Redis, a workshop made through the first, and
    `person(process, name, city)` for a participant's socket joined to its first board there. The
    first process is the README's run command (it migrates); the second is the production command
    from deploy/ (gunicorn, gevent worker)."""
    env = {"SOCKETIO_MESSAGE_QUEUE": redis_url}
    servers = [LiveServer(postgres_url, extra_env=env, log_path=tmp_path / "first.log")]
    servers.append(LiveServer(postgres_url, extra_env=env, log_path=tmp_path / "second.log", gunicorn=True))
    sockets = []
    facilitator = Visitor(servers[0].url).sign_up("Fran")
    code, boards_ = facilitator.create_workshop("Two processes")
    board = boards_[0]

    def joined(socket):
        sockets.append(socket)
        assert socket.call("join_board", {"board_id": board})["ok"]
        return socket

    def person(process, name, city):
        return joined(Visitor(servers[process].url).join(code, name, city).socket())

    yield {"board": board, "person": person, "staff": joined(facilitator.socket()), "facilitator": facilitator,
           "servers": servers, "code": code, "boards": boards_}
    for socket in sockets:
        socket.close()
    for server in servers:
        server.stop()


@pytest.mark.live
def test_two_server_processes_sharing_postgresql_and_redis_act_as_one(two_processes):
    board, staff = two_processes["board"], two_processes["staff"]
    ana, ben = two_processes["person"](0, "Ana", "Glasgow"), two_processes["person"](1, "Ben", "Bologna")

    # Presence counts everyone, whichever process their socket is on.
    ana.wait_for(lambda received: any(name == "presence_changed" and {"name": "Bologna", "count": 1} in data["cities"]
                                      for name, data in received))
    assert ben.call("join_board", {"board_id": board})["presence"]["count"] == 3  # Ana, Ben and Fran

    idea = ana.call("add_card", {"board_id": board, "lane": "idea", "text": "Posted through the first process"})["card"]
    ben.wait_for(lambda received: any(name == "card_added" and data["card"]["id"] == idea["id"] for name, data in received))
    assert staff.call("set_phase", {"board_id": board, "phase": "vote"})["ok"]
    ben.wait_for(lambda received: any(name == "board_updated" for name, _ in received))
    assert ben.call("vote", {"card_id": idea["id"]})["ok"]
    assert staff.call("reveal_votes", {"board_id": board})["ok"]
    ana.wait_for(lambda received: any(name == "votes_changed" and data["counts"].get(str(idea["id"])) == 1
                                      for name, data in received))

    through_first = ana.call("join_board", {"board_id": board})["snapshot"]
    through_second = ben.call("join_board", {"board_id": board})["snapshot"]
    assert through_first["cards"] == through_second["cards"]
    assert through_first["board"] == through_second["board"]
    assert through_first["votes"]["counts"] == through_second["votes"]["counts"] == {str(idea["id"]): 1}


@pytest.mark.live
def test_signing_out_or_being_removed_closes_sockets_on_every_process(two_processes):
    board, staff, fran = two_processes["board"], two_processes["staff"], two_processes["facilitator"]
    fran_on_second = Visitor(two_processes["servers"][1].url)
    fran_on_second.http = fran.http  # the same browser, its other tab served by the second process
    fran_tab = fran_on_second.socket()
    ana, ben = two_processes["person"](0, "Ana", "Glasgow"), two_processes["person"](1, "Ben", "Bologna")
    ben_id = ben.call("join_board", {"board_id": board})["snapshot"]["me"]["id"]

    assert staff.call("remove_participant", {"participant_id": ben_id})["ok"]  # through the first process
    ben.wait_for(lambda received: ("participant_removed", {"participant_id": ben_id}) in received and not ben.client.connected)

    fran.form("/logout", {}, page="/")  # through the first process
    for socket in (staff, fran_tab):
        socket.wait_for(lambda received: ("signed_out", {}) in received and not socket.client.connected)
    assert ana.client.connected and ana.call("join_board", {"board_id": board})["ok"]


# After the awaited message, how long a copy of it sent by the other process (its own flush of the
# tallies, every 0.25 s, or its own watcher of the same timer's end) would take to arrive.
QUIET = 0.5


@pytest.mark.live
def test_tallies_and_timers_neither_double_nor_miss_across_two_processes(two_processes):
    import time

    board, staff, person = two_processes["board"], two_processes["staff"], two_processes["person"]
    author, voter, watcher = person(0, "Ana", "Glasgow"), person(1, "Ben", "Bologna"), person(0, "Cleo", "Warsaw")
    idea = author.call("add_card", {"board_id": board, "lane": "idea", "text": "Count me once"})["card"]
    assert staff.call("configure_voting", {"board_id": board, "budget": 5, "cap": 3, "lanes": ["idea"],
                                           "mode": "person", "hidden": False})["ok"]
    assert staff.call("set_phase", {"board_id": board, "phase": "vote"})["ok"]
    watcher.wait_for(lambda received: any(name == "board_updated" and data["board"]["phase"] == "vote" for name, data in received))
    watcher.received.clear()

    # One vote through the second process: exactly one tally on the first, with the right count.
    assert voter.call("vote", {"card_id": idea["id"]})["ok"]
    watcher.wait_for(lambda received: any(name == "votes_changed" for name, _ in received))
    time.sleep(QUIET)  # a second tally, doubled by the other process, would come by now
    tallies = [data["counts"] for name, data in watcher.received if name == "votes_changed"]
    assert tallies == [{str(idea["id"]): 1}]

    # A timer set through the first process advances the board once, seen through the second.
    voter.received.clear()
    assert staff.call("start_timer", {"board_id": board, "seconds": 1, "advances": True})["ok"]
    voter.wait_for(lambda received: [name for name, _ in received].count("timer_changed") >= 2)
    time.sleep(QUIET)  # a second advance, by the other process's watcher of the same end, would come by now
    phases = [data["board"]["phase"] for name, data in voter.received if name == "board_updated"]
    assert phases == ["results"]
    # The timer's start, then its end with the phase it belonged to: each once.
    timers = [data["timer"] for name, data in voter.received if name == "timer_changed"]
    assert len(timers) == 2 and timers[0]["ends_at"] is not None and timers[1]["ends_at"] is None


def test_presence_in_redis_forgets_a_process_that_stopped_beating(app, redis_url):
    import json

    from workshop.boards.presence import RedisPresence

    store = RedisPresence(redis_client.Redis.from_url(redis_url))
    board_id = 987654321
    store._redis.delete(store._key(board_id))
    with app.test_request_context():
        store.enter(board_id, "sid-1", "p:1", "Glasgow")
    store._redis.hset(store._key(board_id), "sid-of-a-crashed-process", json.dumps(["p:2", "Bologna", "gone"]))
    assert store.summary(board_id) == {"board_id": board_id, "count": 1, "cities": [{"name": "Glasgow", "count": 1}]}
    assert store.leave(board_id, "sid-1") and store.summary(board_id)["count"] == 0
    store._redis.delete(store._key(board_id))


def test_apps_on_two_databases_of_one_redis_share_no_rooms():
    """Redis pub/sub ignores database numbers: the channel must carry it, or two events (or two test
    files at once) on one Redis hear each other's broadcasts."""
    from workshop.extensions import message_queue

    channels = {url: message_queue({"SOCKETIO_MESSAGE_QUEUE": url, "REDIS_MAX_CONNECTIONS": 2})["client_manager"].channel
                for url in ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379", "redis://127.0.0.1:6379/5", "redis://other:6379/6")}
    assert channels == {"redis://127.0.0.1:6379/0": "flask-socketio", "redis://127.0.0.1:6379": "flask-socketio",
                        "redis://127.0.0.1:6379/5": "flask-socketio-5", "redis://other:6379/6": "flask-socketio-6"}
