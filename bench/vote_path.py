"""What one vote costs the server, in process: SQL statements, new database connections and CPU
per `vote`/`unvote` event, with no network and no harness in the way. The live vote storm
(`bench/live.py votes`) says how fast the whole server is; this says where a change to the vote
path moves its cost, with far less noise (CPU time of this process only).

    .venv/bin/python bench/vote_path.py [sqlite|postgresql] [votes]

50 participants, each with its own Socket.IO test client, take turns casting and taking back dots
on a 50-idea board with live counts; the counts are flushed as the server does (every 250 ms).
"""
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.live import CROWD_LIMITS, SECRET, machine, seed  # noqa: E402
from tests.live import csrf_token_for  # noqa: E402
from workshop import create_app  # noqa: E402
from workshop.extensions import db, socketio  # noqa: E402
from workshop.models import Participant  # noqa: E402

VOTERS = 50
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def database(kind):
    """A fresh database of `kind`, and how to drop it afterwards."""
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-vote-path-')}/votes.sqlite", lambda: None
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError as error:
        print(f"vote path on PostgreSQL: skipped, PostgreSQL is not reachable ({error.orig})")
        sys.exit(0)
    name = f"bench_vote_path_{os.getpid()}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return POSTGRES.rsplit("/", 1)[0] + f"/{name}", drop


def main(kind="sqlite", votes=2000):
    url, drop = database(kind)
    try:
        _, boards = seed(url, VOTERS, crowded_cards=0)
        app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "SOCKETIO_ASYNC_MODE": "threading",
                          **CROWD_LIMITS})
        counted = {"statements": 0, "checkouts": 0, "connects": 0}
        with app.app_context():
            engine = db.engine
            people = db.session.scalars(sa.select(Participant).order_by(Participant.id).limit(VOTERS)).all()
            ideas = None
        event.listen(engine, "before_cursor_execute", lambda *args: counted.__setitem__("statements", counted["statements"] + 1))
        for name in ("checkout", "connect"):  # a checkout is a transaction, and with pool_pre_ping a ping
            event.listen(engine, name, lambda *args, name=name: counted.__setitem__(name + "s", counted[name + "s"] + 1))
        clients = []
        for person in people:
            http = app.test_client()
            with http.session_transaction() as session:
                session["_user_id"], session["_fresh"] = person.get_id(), True
                token = csrf_token_for(app, session)
            client = socketio.test_client(app, flask_test_client=http, auth={"csrf_token": token})
            ack = client.emit("join_board", {"board_id": boards["votes"], "watch": True}, callback=True)
            ideas = ideas or [card["id"] for card in ack["snapshot"]["cards"]]
            clients.append(client)
        for client in clients:
            client.get_received()

        mine = [[] for _ in clients]
        counted.update(statements=0, checkouts=0, connects=0)
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(votes):
            who = n % len(clients)
            add = len(mine[who]) < 10
            card = ideas[(n * 7) % len(ideas)] if add else mine[who].pop(0)
            ack = clients[who].emit("vote" if add else "unvote", {"card_id": card}, callback=True)
            if not ack["ok"]:
                raise RuntimeError(ack)
            if add:
                mine[who].append(card)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        time.sleep(0.3)  # the last flush
        for client in clients:
            client.disconnect()
        print(f"{machine()}; {kind}, {votes} votes by {len(clients)} voters: "
              f"{counted['statements'] / votes:.2f} statements, {counted['checkouts'] / votes:.2f} pool checkouts and "
              f"{counted['connects'] / votes:.3f} new connections per vote; "
              f"{cpu / votes * 1e6:.0f} us CPU and {wall / votes * 1e6:.0f} us wall per vote")
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["sqlite"]), *(int(arg) for arg in sys.argv[2:3]))
