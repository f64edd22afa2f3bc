"""Soak: many participants doing a workshop's mixed activity for a long time against the real server
(python wsgi.py, gevent, SQLite), watching for errors and for the server's memory creeping up.

    .venv/bin/python bench/soak.py                       (300 clients, 10 minutes: the recorded run)
    .venv/bin/python bench/soak.py --minutes 1           (a smoke check)
    .venv/bin/python bench/soak.py --clients 100 --minutes 2

Each client, every 5-15 s, posts, edits or deletes one of its cards (at most 3 live each, so the
board stays a workshop's size), votes or takes back a dot, moves to the other board and back, or
drops its connection and reconnects (`bench/storm.mjs soak`, the official Node socket.io-client).
The server's resident memory is sampled every 5 s; growth is measured from the end of the warm-up
(a fifth of the run, at least 30 s) to the highest sample after it (the last samples come after
the clients left, so they flatter). Not a CI test: it takes as long as it says."""
import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from live import ROOT, SECRET, ensure_harness, machine, rss_mib, seed, server_logs_counted  # noqa: E402

from tests.live import LiveServer  # noqa: E402

REPORT_EVERY = 30  # seconds between the harness's lines and the table's rows


def sample_memory(pid, samples, stop):
    started = time.monotonic()
    while not stop.wait(5):
        samples.append((time.monotonic() - started, rss_mib(pid)))


def soak(clients, minutes):
    ensure_harness()
    seconds = int(minutes * 60)
    warm_up = max(30, seconds // 5)
    folder = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    database = f"sqlite:///{folder / 'soak.sqlite'}"
    cookies, boards = seed(database, max(clients, 50), crowded_cards=0)  # the seed gives 50 of them an idea each
    cookie_file = folder / "cookies.json"
    cookie_file.write_text(json.dumps(cookies))
    server = LiveServer(database, extra_env={"SECRET_KEY": SECRET}, log_path=folder / "server.log")
    print(f"machine: {machine()}; {clients} clients, {minutes:g} min, warm-up {warm_up} s; server log {folder / 'server.log'}", flush=True)
    samples, stop = [], threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(server.process.pid, samples, stop), daemon=True)
    try:
        time.sleep(1.5)
        idle = rss_mib(server.process.pid)
        sampler.start()
        harness = subprocess.Popen(["node", "storm.mjs", "soak", server.url, str(cookie_file), str(boards["fanout"]), str(clients),
                                    str(seconds), str(boards["votes"]), str(REPORT_EVERY)],
                                   cwd=HERE, stdout=subprocess.PIPE, text=True)
        print(f"{'t (s)':>6} | {'acks':>6} {'acks/s':>7} {'p50 ms':>7} {'p95 ms':>7} | {'errors':>6} | {'RSS MiB':>7}", flush=True)
        lines = []
        for line in harness.stdout:
            row = json.loads(line)
            lines.append(row)
            if "t" in row:
                rss = samples[-1][1] if samples else idle
                print(f"{row['t']:>6} | {row['acks']:>6} {row['acks'] / REPORT_EVERY:>7.1f} {row['p50'] or 0:>7.1f} "
                      f"{row['p95'] or 0:>7.1f} | {sum(row['errors'].values()):>6} | {rss:>7.1f} {row['errors'] or ''}", flush=True)
        if harness.wait() or not lines or "t" in lines[-1]:
            raise RuntimeError(f"the soak harness failed ({harness.returncode})")
        summary = lines[-1]
    finally:
        stop.set()
        server_errors = len(server.log_problems())
        server.stop()
    after_warm_up = next(rss for at, rss in samples if at >= warm_up)
    peak, end = max(rss for _, rss in samples), samples[-1][1]
    growth = (peak - after_warm_up) / after_warm_up * 100  # the peak, not the end: clients leave at the end
    print(f"acknowledged: {summary['acks']} ({summary['acks'] / summary['seconds']:.0f}/s); by event: {summary['ops']}")
    print(f"ack round-trip p50 {summary['p50']:.1f} ms, p95 {summary['p95']:.1f} ms, p99 {summary['p99']:.1f} ms")
    print(f"errors: {sum(summary['errors'].values())} {summary['errors'] or ''}; tracebacks or ERROR lines in the server log: {server_errors}")
    print(f"server RSS: {idle:.1f} MiB idle, {after_warm_up:.1f} MiB after the warm-up, peak {peak:.1f}, "
          f"{end:.1f} once the clients left: growth after warm-up {growth:+.1f}% at the peak, "
          f"{(end - after_warm_up) / after_warm_up * 100:+.1f}% at the end")
    return summary, growth


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=10)
    arguments = parser.parse_args()
    with server_logs_counted():
        soak(arguments.clients, arguments.minutes)
