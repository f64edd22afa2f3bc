"""Soak: many participants doing a workshop's mixed activity for a long time against the real server
(python wsgi.py, gevent), watching for errors, for the servers' memory creeping up, and for any
acknowledged write missing from the database at the end.

    .venv/bin/python bench/soak.py                       (300 clients, 10 minutes, SQLite, 1 process)
    .venv/bin/python bench/soak.py --minutes 1           (a smoke check)
    .venv/bin/python bench/soak.py --postgres --processes 2 --clients 500 --minutes 60   (a long day, issue 18)

Each client, every 5-15 s, posts, edits or deletes one of its cards (at most 3 live each, so the
board stays a workshop's size), votes or takes back a dot, moves to the other board and back, or
drops its connection and reconnects (`bench/storm.mjs soak`, the official Node socket.io-client).
With `--processes 2` the clients are dealt over the processes, which share rooms through Redis as
production does (a private redis-server started for the run: Redis pub/sub channels are global
to a Redis server, so the shared one would carry other runs' board events into this one's rooms);
`--postgres` puts the database on PostgreSQL (127.0.0.1:5432, a database made for the run).
Each server's resident memory is sampled every 5 s; growth is measured from the end of the warm-up
(a fifth of the run, at least 30 s) to the highest sample after it (the last samples come after
the clients left, so they flatter). At the end the database is read back against what the
harness was acknowledged: every live card with its last acknowledged text, every deleted card
deleted, the dots on each card exactly; and each server log is searched for tracebacks and ERROR
lines. Not a CI test: it takes as long as it says."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The seed's cards need no embeddings (the servers have them off too, see LiveServer): without this
# the seeding process starts an embedding worker that loads its model beside the run.
os.environ.setdefault("SYNTHESIS_EMBED_ON_WRITE", "0")

from live import ROOT, SECRET, ensure_harness, machine, rss_mib, seed, server_logs_counted  # noqa: E402

from tests.live import LiveServer, free_port  # noqa: E402

REPORT_EVERY = 30  # seconds between the harness's lines and the table's rows


def sample_memory(pids, samples, stop):
    """Every 5 s: (seconds since the start, [RSS MiB of each server])."""
    started = time.monotonic()
    while not stop.wait(5):
        samples.append((time.monotonic() - started, [rss_mib(pid) for pid in pids]))


class PrivateRedis:
    """A redis-server of the run's own on a free port, without persistence."""

    def __init__(self, folder):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(folder)],
                                        stdout=open(folder / "redis.log", "w"), stderr=subprocess.STDOUT)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("the private redis-server did not answer")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class PostgresDatabase:
    """A database of the run's own on the local PostgreSQL, dropped at the end."""

    def __init__(self):
        import sqlalchemy as sa

        self.admin = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
        self.name = f"soak_{os.getpid()}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.name}"

    def drop(self):
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


def log_errors(text):
    """Tracebacks and ERROR lines in a server's log: an operator reads either as a failure."""
    return text.count("Traceback"), sum(1 for line in text.splitlines() if " ERROR " in line or line.startswith("ERROR"))


def check_database(url, summary):
    """The database against the acknowledgements: a list of what differs, empty when all is there.
    Writes whose ack never came (`unsure`) are left out: either outcome is right for them."""
    from sqlalchemy import func, select

    from workshop import create_app
    from workshop.extensions import db
    from workshop.models import Card, Vote

    expected, unsure = summary["expected"], summary["unsure"]
    unsure_cards, unsure_dots = set(unsure["cards"]), set(unsure["dots"])
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    wrong = []
    with app.app_context():
        cards = {card.id: card for card in db.session.scalars(
            select(Card).where(Card.board_id == expected["card_board"], Card.text.startswith("Soak card")))}
        for card_id, text in expected["cards"].items():
            card = cards.get(int(card_id))
            if int(card_id) in unsure_cards:
                continue
            if card is None or not card.is_live or card.text != text:
                wrong.append(f"card {card_id}: acknowledged {text!r}, stored "
                             f"{'nothing' if card is None else repr(card.text) + ('' if card.is_live else ' (off the board)')}")
        for card_id in expected["deleted"]:
            if card_id not in unsure_cards and (card_id not in cards or cards[card_id].deleted_at is None):
                wrong.append(f"card {card_id}: deletion acknowledged, not stored")
        extra = {card_id for card_id, card in cards.items() if card.is_live} - {int(c) for c in expected["cards"]} - unsure_cards
        if len(extra) > unsure["adds"]:
            wrong.append(f"{len(extra)} live cards never acknowledged (only {unsure['adds']} adds lost their ack): {sorted(extra)[:20]}")
        stored = dict(db.session.execute(select(Vote.card_id, func.count(Vote.id))
                                         .where(Vote.board_id == expected["vote_board"]).group_by(Vote.card_id)).all())
        for card_id in set(stored) | {int(c) for c in expected["dots"]}:
            if card_id not in unsure_dots and stored.get(card_id, 0) != expected["dots"].get(str(card_id), 0):
                wrong.append(f"dots on card {card_id}: acknowledged {expected['dots'].get(str(card_id), 0)}, stored {stored.get(card_id, 0)}")
        checked = (len(expected["cards"]), len(expected["deleted"]), sum(expected["dots"].values()))
        db.session.remove()
        db.engine.dispose()
    return wrong, checked


def soak(clients, minutes, postgres=False, processes=1):
    ensure_harness()
    seconds = int(minutes * 60)
    warm_up = max(30, seconds // 5)
    folder = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    database = PostgresDatabase() if postgres else None
    url = database.url if database else f"sqlite:///{folder / 'soak.sqlite'}"
    redis = PrivateRedis(folder) if processes > 1 else None
    servers = []
    try:
        cookies, boards = seed(url, max(clients, 50), crowded_cards=0)  # the seed gives 50 of them an idea each
        cookie_file = folder / "cookies.json"
        cookie_file.write_text(json.dumps(cookies))
        env = {"SECRET_KEY": SECRET, **({"SOCKETIO_MESSAGE_QUEUE": redis.url} if redis else {})}
        servers = [LiveServer(url, extra_env=env, log_path=folder / f"server{n}.log") for n in range(processes)]
        print(f"machine: {machine()}; {clients} clients, {minutes:g} min, warm-up {warm_up} s; "
              f"{'PostgreSQL' if postgres else 'SQLite'}, {processes} process{'es' if processes > 1 else ''}"
              f"{' sharing rooms through Redis' if redis else ''}; logs in {folder}", flush=True)
        summary, samples, idle = run_harness(servers, cookie_file, boards, clients, seconds)
        (folder / "summary.json").write_text(json.dumps({"harness": summary, "rss": samples, "idle": idle}))  # kept should the check fail
        wrong, checked = check_database(url, summary)
    finally:
        logs = [server.output() for server in servers]
        for server in servers:
            server.stop()
        if redis:
            redis.stop()
        if database:
            database.drop()
    report(summary, samples, idle, warm_up, logs, wrong, checked)
    return summary


def run_harness(servers, cookie_file, boards, clients, seconds):
    samples, stop = [], threading.Event()
    pids = [server.process.pid for server in servers]
    sampler = threading.Thread(target=sample_memory, args=(pids, samples, stop), daemon=True)
    try:
        time.sleep(1.5)
        idle = [rss_mib(pid) for pid in pids]
        sampler.start()
        harness = subprocess.Popen(["node", "storm.mjs", "soak", ",".join(server.url for server in servers), str(cookie_file),
                                    str(boards["fanout"]), str(clients), str(seconds), str(boards["votes"]), str(REPORT_EVERY)],
                                   cwd=HERE, stdout=subprocess.PIPE, text=True)
        print(f"{'t (s)':>6} | {'acks':>6} {'acks/s':>7} {'p50 ms':>7} {'p95 ms':>7} | {'errors':>6} | RSS MiB per process | load", flush=True)
        lines = []
        for line in harness.stdout:
            row = json.loads(line)
            lines.append(row)
            if "t" in row:
                rss = samples[-1][1] if samples else idle
                print(f"{row['t']:>6} | {row['acks']:>6} {row['acks'] / REPORT_EVERY:>7.1f} {row['p50'] or 0:>7.1f} "
                      f"{row['p95'] or 0:>7.1f} | {sum(row['errors'].values()):>6} | {' '.join(f'{r:.1f}' for r in rss):>19} | "
                      f"{open('/proc/loadavg').read().split()[0]} {row['errors'] or ''}", flush=True)
        if harness.wait() or not lines or "t" in lines[-1]:
            raise RuntimeError(f"the soak harness failed ({harness.returncode})")
        return lines[-1], samples, idle
    finally:
        stop.set()


def report(summary, samples, idle, warm_up, logs, wrong, checked):
    print(f"acknowledged: {summary['acks']} ({summary['acks'] / summary['seconds']:.0f}/s); by event: {summary['ops']}")
    print(f"ack round-trip p50 {summary['p50']:.1f} ms, p95 {summary['p95']:.1f} ms, p99 {summary['p99']:.1f} ms")
    print(f"errors: {sum(summary['errors'].values())} {summary['errors'] or ''}")
    for n, text in enumerate(logs):
        tracebacks, errors = log_errors(text)
        print(f"server {n} log: {tracebacks} tracebacks, {errors} ERROR lines")
    unsure = summary["unsure"]
    print(f"database vs acknowledged: {len(wrong)} differences over {checked[0]} live cards, {checked[1]} deletions, "
          f"{checked[2]} dots (left out for lost acks: {unsure['adds']} adds, {len(unsure['cards'])} cards, {len(unsure['dots'])} dotted cards)")
    for line in wrong[:20]:
        print(f"  {line}")
    after_warm_up = next(rss for at, rss in samples if at >= warm_up)
    for n in range(len(idle)):
        peak, end = max(rss[n] for _, rss in samples), samples[-1][1][n]
        growth = (peak - after_warm_up[n]) / after_warm_up[n] * 100  # the peak, not the end: clients leave at the end
        print(f"server {n} RSS: {idle[n]:.1f} MiB idle, {after_warm_up[n]:.1f} MiB after the warm-up, peak {peak:.1f}, "
              f"{end:.1f} once the clients left: growth after warm-up {growth:+.1f}% at the peak, "
              f"{(end - after_warm_up[n]) / after_warm_up[n] * 100:+.1f}% at the end")
    print(f"load average at the end: {open('/proc/loadavg').read().strip()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL at 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--processes", type=int, default=1, help="server processes sharing rooms through Redis")
    arguments = parser.parse_args()
    with server_logs_counted():
        soak(arguments.clients, arguments.minutes, arguments.postgres, arguments.processes)
