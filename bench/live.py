"""Live benchmarks against a floor: fan-out of one card to N connected clients, on the workshop
app and on a bare Flask-SocketIO server that only broadcasts, driven by the same harness (the
official Node socket.io-client, one process, so one clock times every delivery).

    .venv/bin/python bench/live.py [N ...]        (default: 100 500 1000)

Prints the machine, then per N the p50/p95/p99 delivery latency on the floor and on the app, and
the ratio of the p95s. The app runs as the README runs it (python wsgi.py, gevent, SQLite)."""
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests.live import LiveServer, free_port  # noqa: E402
from workshop import create_app  # noqa: E402
from workshop.extensions import db  # noqa: E402
from workshop.models import Facilitator, Participant  # noqa: E402
from workshop.workshops import services as workshops  # noqa: E402

ROUNDS = 10
SECRET = "bench-secret"


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next((int(line.split()[1]) // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return f"{model} · {os.cpu_count()} cores · {memory / 1024:.0f} GiB · Python {platform.python_version()}"


def ensure_harness():
    if not (ROOT / "bench" / "node_modules" / "socket.io-client").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=ROOT / "bench", check=True)


def seed(url, people):
    """A workshop with `people` participants; their signed session cookies, and the first board's id."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        facilitator = Facilitator(email="bench@example.org", name="Bench")
        facilitator.set_password("correct horse battery")
        workshop = workshops.create_workshop(facilitator, use_lab_template=True, title="Fan-out bench",
                                             host_city="Ljubljana", starts_on=date(2025, 11, 5))
        teams = [workshops.find_or_add_city_team(workshop, f"City {n}") for n in range(50)]
        participants = [Participant(workshop=workshop, city_team=teams[n % 50], display_name=f"P{n}") for n in range(people)]
        db.session.add_all(participants)
        db.session.commit()
        signer = app.session_interface.get_signing_serializer(app)
        cookies = [f"session={signer.dumps({'_user_id': p.get_id(), '_fresh': True})}" for p in participants]
        return cookies, workshop.policy_areas[0].board.id


def harness(url, clients, mode, cookie_file="", board=""):
    output = subprocess.run(["node", "fanout.mjs", url, str(clients), str(ROUNDS), mode, cookie_file, str(board)],
                            cwd=ROOT / "bench", capture_output=True, text=True, timeout=600)
    if output.returncode:
        raise RuntimeError(output.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(sizes):
    ensure_harness()
    print(f"machine: {machine()}; harness: Node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}, socket.io-client, one process")
    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    cookies, board = seed(f"sqlite:///{folder / 'live.sqlite'}", max(sizes))
    cookie_file = folder / "cookies.json"
    cookie_file.write_text(json.dumps(cookies))
    port = free_port()
    floor = subprocess.Popen([sys.executable, str(ROOT / "bench" / "floor.py"), str(port)])
    app = LiveServer(f"sqlite:///{folder / 'live.sqlite'}", extra_env={"SECRET_KEY": SECRET})
    try:
        import time

        time.sleep(1.5)
        print(f"{'clients':>8} | {'floor p50':>9} {'p95':>7} {'p99':>7} | {'app p50':>9} {'p95':>7} {'p99':>7} | p95 app/floor | delivered")
        for size in sizes:
            base = harness(f"http://127.0.0.1:{port}", size, "floor")
            ours = harness(app.url, size, "app", str(cookie_file), board)
            print(f"{size:>8} | {base['p50']:9.1f} {base['p95']:7.1f} {base['p99']:7.1f} | {ours['p50']:9.1f} {ours['p95']:7.1f} "
                  f"{ours['p99']:7.1f} | {ours['p95'] / base['p95']:13.2f} | {ours['delivered']}/{ours['expected']}")
    finally:
        floor.terminate()
        app.stop()


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [100, 500, 1000])
