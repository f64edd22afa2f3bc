"""Similar cards while writing (issue 16): how good the suggestions are, and how fast they come.

    .venv/bin/python bench/similar.py [tuning|latency ...]   (default: both)

1. Tuning SIMILAR_MIN on tests/data/synthesis_cards.json (94 cards, 15 themes, 7 languages, raw "query:"
   vectors as `services.similar_cards` compares them): each card is asked as if it were being typed,
   against the 93 others, and the three most similar at or above a threshold are shown. For each threshold:
   precision (the share of shown cards of the card's theme), coverage (the share of cards that get at least
   one suggestion) and cards shown per card; any lane (the idea composer) and the card's own lane.
2. Latency: the `similar_cards` round trip over a real socket (python-socketio client, WebSocket) to
   `python wsgi.py` (gevent, SQLite), on a board of 1,000 cards with a warm worker: each question a new
   text, so the worker embeds it; the board's vectors are cached after the first question (timed apart).

Target (issue 16): p95 <= 150 ms with a warm worker.
"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.live import SECRET, machine, seed  # noqa: E402
from tests.live import LiveServer  # noqa: E402

CARDS = json.loads((ROOT / "tests" / "data" / "synthesis_cards.json").read_text(encoding="utf-8"))["cards"]
CITIES = ["Lille", "Ljubljana", "Gdańsk", "Bologna", "Leipzig", "Barcelona", "Ghent", "Espoo", "Brno", "Nantes", "Turin"]
RAW_THRESHOLDS = np.round(np.arange(0.85, 0.925, 0.01), 2)
PREPARED_THRESHOLDS = (0.15, 0.20, 0.25, 0.30, 0.35, 0.40)
QUESTIONS = 200


def suggestions(similarity, lanes, threshold, same_lane):
    """For each card, the indices of the (up to three) cards it is shown, most similar first."""
    shown = []
    for card, row in enumerate(similarity):
        row = row.copy()
        row[card] = -np.inf
        if same_lane:
            row[lanes != lanes[card]] = -np.inf
        shown.append([other for other in np.argsort(-row)[:3] if row[other] >= threshold])
    return shown


def sweep(similarity, themes, lanes, thresholds, same_lane=False):
    print("    threshold | precision | coverage | shown per card")
    for threshold in thresholds:
        shown = suggestions(similarity, lanes, threshold, same_lane)
        count = sum(len(found) for found in shown)
        right = sum(themes[other] == themes[card] for card, found in enumerate(shown) for other in found)
        covered = sum(bool(found) for found in shown) / len(shown)
        precision = f"{right / count:.2f}" if count else "   -"
        print(f"    {threshold:9.2f} | {precision:>9} | {covered:8.2f} | {count / len(shown):.2f}")


def tuning():
    """Both labelled sets; for each, raw vectors (what a board of fewer than PREPARED_FROM cards compares) and
    prepared ones (`themes.prepare`, what a larger board compares), each card asked against the others."""
    from workshop.synthesis import embeddings, services
    from workshop.synthesis import themes as grouping

    for name in ("synthesis_cards", "synthesis_lab"):
        cards = json.loads((ROOT / "tests" / "data" / f"{name}.json").read_text(encoding="utf-8"))["cards"]
        texts = [card["text"] for card in cards]
        themes, lanes = (np.array([card[key] for card in cards]) for key in ("theme", "lane"))
        vectors = embeddings.embed(texts)
        prepared = grouping.prepare(vectors, texts)
        print(f"tuning on {name}: {len(cards)} cards, {len(set(themes))} themes (shipped: SIMILAR_MIN "
              f"{services.SIMILAR_MIN} prepared, RAW_SIMILAR_MIN {services.RAW_SIMILAR_MIN} raw), any lane:")
        print("  raw vectors")
        sweep(vectors @ vectors.T, themes, lanes, RAW_THRESHOLDS)
        print("  prepared vectors (shipped from PREPARED_FROM cards)")
        sweep(prepared @ prepared.T, themes, lanes, PREPARED_THRESHOLDS)


def board_of_cards(url, count=1000):
    """A workshop with a board of `count` cards (problems and ideas, the labelled set's texts said by
    several cities), and a participant's session: (board id, cookie and CSRF token)."""
    from workshop import create_app
    from workshop.boards import services as boards
    from workshop.extensions import db
    from workshop.models import Board, Participant
    from workshop.synthesis import services

    cookies, board_ids = seed(url, 50, crowded_cards=0)  # seed needs 50 voters
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "SYNTHESIS_EMBED_ON_WRITE": False})
    with app.app_context():
        board = db.session.get(Board, board_ids["joins"])
        people = db.session.query(Participant).all()
        for n in range(count):
            card = CARDS[n % len(CARDS)]
            text = f"{card['text']} ({CITIES[n // len(CARDS) % len(CITIES)]}, {n // (len(CARDS) * len(CITIES))})"
            boards.add_card(people[n % len(people)], board, card["lane"], text)
        # The board's vectors made here, as the server makes them when cards are written
        # (SYNTHESIS_EMBED_ON_WRITE): a warm board, so that the first question does not embed 1,000 cards.
        started = time.perf_counter()
        texts = [card.text for card in services.comparable_cards(board)]
        for start in range(0, len(texts), 50):  # in chunks: one request waits at most WAIT_SECONDS for a worker
            services.vectors_of(texts[start:start + 50])
        print(f"latency: the board's 1,000 cards embedded and stored in {time.perf_counter() - started:.1f} s")
        services.shutdown()
        db.session.remove()
        db.engine.dispose()
    return board_ids["joins"], cookies[0]


def cpu_seconds(pid):
    """User and system CPU seconds of the server process `pid` and of its child processes (the workers)."""
    def of(process):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {"server": of(pid), "workers": sum(of(child) for child in children)}


def latency():
    import socketio

    folder = Path(tempfile.mkdtemp(prefix="bench-similar-"))
    url = f"sqlite:///{folder / 'similar.sqlite'}"
    started = time.perf_counter()
    board, person = board_of_cards(url)
    print(f"latency: a board of 1,000 cards seeded in {time.perf_counter() - started:.1f} s")
    server = LiveServer(url, extra_env={"SECRET_KEY": SECRET, "RATELIMIT_SIMILAR_LOOKUPS": "100000 per second"})
    client = socketio.Client(reconnection=False)
    try:
        client.connect(server.url, headers={"Cookie": person["cookie"]}, auth={"csrf_token": person["csrf_token"]},
                       transports=["websocket"])

        def ask(text, timeout=30):
            began = time.perf_counter()
            ack = client.call("similar_cards", {"board_id": board, "text": text}, timeout=timeout)
            assert ack["ok"], ack
            return (time.perf_counter() - began) * 1000, ack

        cold, _ = ask("Families cannot pay the school canteen and children go without lunch", timeout=600)
        print(f"  first question: {cold / 1000:.1f} s (the server's worker starts and loads the model; the board's "
              f"vectors come from the database)")
        load = os.getloadavg()[0]
        cpu = cpu_seconds(server.process.pid)
        times, found = [], 0
        for n in range(QUESTIONS):
            card = CARDS[n % len(CARDS)]
            elapsed, ack = ask(f"{card['text']} Noted by team {n}.")
            times.append(elapsed)
            found += len(ack["cards"])
        times = np.array(times)
        print(f"  {QUESTIONS} questions, each a new text, warm worker: p50 {np.percentile(times, 50):.0f} ms, "
              f"p95 {np.percentile(times, 95):.0f} ms, p99 {np.percentile(times, 99):.0f} ms, max {times.max():.0f} ms; "
              f"{found / QUESTIONS:.1f} cards shown per question (load average {load:.1f} before; target p95 <= 150 ms)")
        # CPU time says what a question costs whatever else the host runs (wall times grow with its load).
        spent = {name: (after - cpu.get(name, 0)) * 1000 / QUESTIONS for name, after in cpu_seconds(server.process.pid).items()}
        print(f"  CPU per question: server {spent['server']:.0f} ms, synthesis worker {spent['workers']:.0f} ms "
              f"(the worker's share runs beside the server's)")
    finally:
        client.disconnect()
        server.stop()


def main(parts):
    print(f"{machine()} · load average {os.getloadavg()[0]:.1f}")
    if "tuning" in parts:
        tuning()
    if "latency" in parts:
        latency()


if __name__ == "__main__":
    main(sys.argv[1:] or ["tuning", "latency"])
