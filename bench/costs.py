"""Per-event CPU costs of one server process: the figures docs/scaling.md builds its model on.

    .venv/bin/python bench/costs.py                 (200 events of each kind, 200 fan-out recipients)
    .venv/bin/python bench/costs.py --n 100 --recipients 100

The server runs as the README runs it (python wsgi.py, gevent), first on SQLite alone, then on
PostgreSQL with the Redis message queue and a second process that shares the rooms but has no
client of its own (what it spends is what relaying a room's traffic costs every other process).
`bench/costs.mjs` (the official Node socket.io-client) sends each kind of event one after another,
each awaiting its ack, and reads the processes' CPU time from /proc/<pid>/stat before and after;
the processes' idle CPU over the same time (pings, timers) is taken out. CPU time, not wall time:
it holds still on a shared machine far better than latencies do (a busy neighbour slows a phase,
but it does not add to the server's own CPU seconds), though caches shared with neighbours still
inflate it by some. The database's own CPU (PostgreSQL's backends) is not counted here."""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from live import SECRET, ensure_harness, machine, seed  # noqa: E402
from soak import PostgresDatabase, PrivateRedis  # noqa: E402

from tests.live import CROWD_LIMITS, LiveServer  # noqa: E402

# One harness person does many people's posting, voting and joining: the per-person limits are lifted.
SERVER_ENV = {"SECRET_KEY": SECRET, **CROWD_LIMITS, "RATELIMIT_BOARD_JOINS": "100000 per minute"}
ROWS = [("card_post", "card posted (no one else on the board)"), ("vote", "vote or unvote (its ack; tally batched)"),
        ("join_small", "join with snapshot, 1-card board (+ leave)"), ("join_1000_cards", "join with snapshot, 1,000-card board (+ leave)"),
        ("reconnect", "reconnect: connect, join with since, drop"), ("card_post_fanout", "card posted to the recipients"),
        ("per_recipient", "fan-out, per recipient of a card")]


def measure(url, processes, folder, n, recipients, queue=None):
    folder.mkdir()
    cookies, boards = seed(url, 60 + recipients, crowded_cards=1000)
    cookie_file = folder / "cookies.json"
    cookie_file.write_text(json.dumps(cookies))
    env = {**SERVER_ENV, **({"SOCKETIO_MESSAGE_QUEUE": queue} if queue else {})}
    servers = [LiveServer(url, extra_env=env, log_path=folder / f"server{k}.log") for k in range(processes)]
    try:
        output = subprocess.run(["node", "costs.mjs", ",".join(s.url for s in servers), ",".join(str(s.process.pid) for s in servers), str(cookie_file),
                                 str(boards["fanout"]), str(boards["votes"]), str(boards["joins"]), str(recipients), str(n)],
                                cwd=HERE, capture_output=True, text=True, timeout=900)
        if output.returncode:
            raise RuntimeError(f"costs.mjs failed: {output.stderr[-2000:]}")
        return json.loads(output.stdout.strip().splitlines()[-1])
    finally:
        for server in servers:
            server.stop()


def main(n, recipients, postgres_only=False):
    ensure_harness()
    print(f"machine: {machine()}; {n} events of each kind, {recipients} fan-out recipients; load {open('/proc/loadavg').read().strip()}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-costs-"))
    results = {}
    if not postgres_only:
        results["SQLite"] = measure(f"sqlite:///{folder / 'sqlite' / 'costs.sqlite'}", 1, folder / "sqlite", n, recipients)
        print(json.dumps(results), flush=True)  # kept should the second part fail
    database, redis = PostgresDatabase(), PrivateRedis(folder)
    try:
        results["PostgreSQL + Redis"] = measure(database.url, 2, folder / "postgres", n, recipients, redis.url)
    finally:
        redis.stop()
        database.drop()
    results["the relaying process"] = {key: value[1:] for key, value in results["PostgreSQL + Redis"].items() if isinstance(value, list)}
    print(f"{'server CPU ms per event':<48} | " + " | ".join(f"{name:>20}" for name in results))
    for key, name in ROWS:
        print(f"{name:<48} | " + " | ".join(f"{result[key][0]:20.3f}" for result in results.values()))
    print("idle CPU ms per s (1 client; with the recipients): " + "; ".join(
        f"{name} {result['idle_cpu_ms_per_s'][0]:.1f}, {result['idle_cpu_ms_per_s_with_recipients'][0]:.1f}" for name, result in results.items()))
    print(f"delivered: {results['PostgreSQL + Redis']['delivered']} of {n * recipients}; load {open('/proc/loadavg').read().strip()}")
    print(json.dumps(results))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--recipients", type=int, default=200)
    parser.add_argument("--postgres-only", action="store_true", help="skip the SQLite part")
    arguments = parser.parse_args()
    main(arguments.n, arguments.recipients, arguments.postgres_only)
