"""Benchmark: report rendering, and live vote latency while a report renders.

    .venv/bin/python bench/reports.py                     # everything
    .venv/bin/python bench/reports.py --end-of-the-day    # the floor and the HTTP figures only

Prints the machine, the time to render a city report of 10 and 50 action plans and a workshop
summary of 1,000 cards (WeasyPrint, in this process: the raw cost a worker pays), then the
round-trip of a vote over a real Socket.IO connection to a real server process, idle and while
that server's worker renders the 1,000-card summary. Compare ratios within one run: machines are
shared and noisy.

Then the report at the end of the day (issue 18), over HTTP from a real server process as a browser
downloads it (ask; poll the status at the preparing page's pace; download): the city report with 50
action plans as the first report after server start, with the worker started and warmed at start
(`REPORT_WARM_AT_START`, the default) and without (the worker spawned by that first request, as before),
then warm; and 30 cities asking for their reports at once (5 to 50 plans each), with the max time to
download and the longest queue a preparing page showed. The floor is the same HTML rendered in this
process, warm, in the same run."""
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from tests.live import CROWD_LIMITS, LiveServer, Visitor  # noqa: E402
from workshop import create_app  # noqa: E402
from workshop.boards import plans as plan_service  # noqa: E402
from workshop.boards import services as boards  # noqa: E402
from workshop.boards.plans import PILLAR_PRINCIPLE_NAMES  # noqa: E402
from workshop.commitments import services as commitments  # noqa: E402
from workshop.extensions import db  # noqa: E402
from workshop.models import Facilitator, Participant, Vote, Workshop  # noqa: E402
from workshop.reports.render import render_pdf  # noqa: E402
from workshop.workshops import services as workshops  # noqa: E402


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return f"{platform.node()} · {model} · {os.cpu_count()} cores · Python {platform.python_version()}"


def timed(function, repeat=3):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def new_workshop(email, title):
    """A facilitator (logging in with `email`, "correct horse battery") and their lab-template workshop,
    in a database brought up to date (in an app context)."""
    upgrade()
    facilitator = Facilitator(email=email, name="Bench")
    facilitator.set_password("correct horse battery")
    return workshops.create_workshop(facilitator, use_lab_template=True, title=title,
                                     host_city="Ljubljana", starts_on=date(2025, 11, 5), ends_on=date(2025, 11, 7))


def seed(url, cards=1000, plans=50):
    """A workshop with `cards` cards over three boards (a third of them ideas with votes), and
    `plans` action plans with every field filled in."""
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        workshop = new_workshop("bench@example.org", "Social Innovation Lab (bench)")
        people = []
        for n, city in enumerate(["Łódź", "Ljubljana", "Göteborg", "Αθήνα", "Zürich", "Cluj-Napoca"]):
            team = workshop.find_or_add_city_team(city)
            people.append(Participant(workshop=workshop, city_team=team, display_name=f"Person {n}"))
        db.session.add_all(people)
        db.session.commit()
        lanes = ["problem", "idea", "action"]
        for n in range(cards):
            board = workshop.policy_areas[n % 3].board
            card, _ = boards.add_card(people[n % len(people)], board, lanes[n % 3],
                                      f"Card {n}: a proposal with enough words to wrap onto a second line of the summary.")
            if card.lane == "idea":
                db.session.add(Vote(board_id=board.id, card_id=card.id, participant_id=people[0].id, city_team_id=people[0].city_team_id))
        db.session.commit()
        plan_ids = []
        for n in range(plans):
            card, _ = boards.add_card(people[1], workshop.policy_areas[0].board, "action", f"Action plan {n}: open a family desk.")
            plan_service.edit_action_plan(people[1], card, {
                "title": f"Plan {n}", "lead": "Department for Social Affairs", "partners": "NGOs; schools",
                "starts_on": "2026-01-01", "ends_on": "2027-12-31", "resources": "ESF+", "indicators": "Families reached",
                "target": "2,000", "baseline": "350", "status": "agreed", "principles": [3, 11], "child_guarantee": True})
            plan_ids.append(card.id)
        return app, workshop.id, plan_ids


# Plans per city for the 30 cities of the end of the day: a few with many, most with a handful.
CITY_PLANS = [50, 50, 30, 20, 15, 12, 10, 10, 8, 8] + [6] * 10 + [5] * 10
PLAN_FIELDS = {"lead": "Department for Social Affairs", "partners": "NGOs; schools", "starts_on": "2026-01-01",
               "ends_on": "2027-12-31", "resources": "ESF+", "indicators": "Families reached", "target": "2,000",
               "baseline": "350", "status": "agreed", "principles": [3, 11], "child_guarantee": True}


def seed_cities(url):
    """A workshop of 30 cities, each with a final commitment of `CITY_PLANS[n]` action plans shared by
    private link: their links' report addresses (/shared/<token>/v1.pdf), in CITY_PLANS' order."""
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        workshop = new_workshop("cities@example.org", "Social Innovation Lab (30 cities)")
        board = workshop.policy_areas[0].board
        addresses = []
        for n, plan_count in enumerate(CITY_PLANS):
            team = workshop.find_or_add_city_team(f"City {n:02d}")
            person = Participant(workshop=workshop, city_team=team, display_name=f"Lead of city {n}")
            db.session.add(person)
            db.session.commit()
            card_ids = []
            for m in range(plan_count):
                card, _ = boards.add_card(person, board, "action", f"City {n} plan {m}: open a family desk in every district.")
                plan_service.edit_action_plan(person, card, {"title": f"Plan {m} of city {n}", **PLAN_FIELDS})
                card_ids.append(card.id)
            # A statement of this run only: no report of an earlier run is in the server's cache.
            commitments.save_draft(person, team, card_ids, f"We commit (bench run {folder_token(url)}).",
                                   [("Mateja Žnidaršič", "Deputy Mayor", "MOL")])
            commitments.finalise(person, team)
            addresses.append(f"/shared/{commitments.share(person, team)}/v1.pdf")
        return addresses


def folder_token(url):
    return Path(url.removeprefix("sqlite:///")).parent.name


def forget(keys):
    """Remove these reports from the server's cache (the app's instance folder), so the next server renders them."""
    for key in keys:
        (Path(__file__).resolve().parent.parent / "instance" / "reports" / f"{key}.pdf").unlink(missing_ok=True)


def download_as_a_browser(base, address):
    """Ask for a report, poll its status at the preparing page's pace (static/js/preparing.js: 0.3 s,
    1.5 s while queued), download it: (seconds from request to the PDF's last byte, longest queue shown, key)."""
    import requests

    http = requests.Session()
    started = time.perf_counter()
    page = http.get(base + address)
    longest = 0
    assert page.status_code == 202, f"{address}: {page.status_code}, not rendered afresh"
    key = re.search(r"/reports/([0-9a-f]{64})/status", page.text).group(1)
    pause = 0.3
    while True:
        time.sleep(pause)
        status = http.get(f"{base}/reports/{key}/status").json()
        if status["state"] != "rendering":
            break
        longest = max(longest, status["ahead"])
        pause = 1.5 if status["ahead"] else 0.3
    page = http.get(base + address)
    assert page.status_code == 200 and page.content.startswith(b"%PDF"), page.status_code
    return time.perf_counter() - started, longest, key


def end_of_the_day(folder):
    """The report at the end of the day, as the people who download it see it (issue 18)."""
    url = f"sqlite:///{folder / 'cities.sqlite'}"
    addresses = seed_cities(url)
    settle = 20  # the server was started before the day's end: let the warm-up finish (11 s on a busy machine)
    for warm in ("0", "1"):
        server = LiveServer(url, extra_env={"REPORT_WORKERS": "1", "REPORT_WARM_AT_START": warm})
        try:
            time.sleep(settle)
            first, _, one = download_as_a_browser(server.url, addresses[0])
            again, _, other = download_as_a_browser(server.url, addresses[1])  # another 50-plan city: not the cached one
            forget([one, other])
            how = "worker warmed at start" if warm == "1" else "worker spawned by the request"
            print(f"city report, 50 plans, over HTTP, {how}: first {first:5.2f} s, warm {again:5.2f} s   "
                  f"(load {open('/proc/loadavg').read().split()[0]})")
        finally:
            server.stop()
    for workers in ("1", "2"):
        server = LiveServer(url, extra_env={"REPORT_WORKERS": workers})
        try:
            time.sleep(settle)
            results = [None] * len(addresses)
            start = threading.Barrier(len(addresses))

            def ask(n):
                start.wait()
                results[n] = download_as_a_browser(server.url, addresses[n])

            threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(addresses))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            forget(key for _, _, key in results)
            times = sorted(seconds for seconds, _, _ in results)
            print(f"30 cities at once ({sum(CITY_PLANS)} plans), {workers} report worker(s): max {times[-1]:5.1f} s, "
                  f"median {statistics.median(times):5.1f} s, longest queue shown {max(ahead for _, ahead, _ in results)}   "
                  f"(load {open('/proc/loadavg').read().split()[0]})")
        finally:
            server.stop()


def city_report_html(app, plan_count):
    with app.test_request_context():
        plan = {"text": "Open a family desk in every district.", "author": {"name": "Mateja", "city": "Ljubljana"},
                "title": "Family desks", "lead": "Department for Social Affairs", "partners": "NGOs; schools",
                "starts_on": "2026-01-01", "ends_on": "2027-12-31", "resources": "ESF+", "indicators": "Families reached",
                "target": "2,000", "baseline": "350", "status": "agreed", "principles": [3, 11], "child_guarantee": True,
                "idea": {"text": "One desk per district", "dots": 12, "rank": 1}, "problem": {"text": "Families miss support", "dots": 9, "rank": 2}}
        content = {"workshop": {"title": "Social Innovation Lab", "host_city": "Ljubljana", "starts_on": "2025-11-05", "ends_on": "2025-11-07"},
                   "city": {"name": "Ljubljana", "country": "Slovenia"}, "statement": "We commit.",
                   "policy_areas": [{"title": "Child poverty", "plans": [dict(plan, title=f"Plan {n}") for n in range(plan_count)]}],
                   "signatories": [{"name": "Mateja Žnidaršič", "role": "Deputy Mayor", "organisation": "MOL"}],
                   "version": 1, "finalised_at": "2026-11-22T12:00:00Z"}
        return render_template("reports/commitment.html", content=content, content_hash="0" * 64, principles=PILLAR_PRINCIPLE_NAMES)


def vote_latencies(socket, card_id, count):
    latencies = []
    for n in range(count):
        started = time.perf_counter()
        ack = socket.call("vote" if n % 2 == 0 else "unvote", {"card_id": card_id})
        latencies.append((time.perf_counter() - started) * 1000)
        assert ack["ok"], ack
    return latencies


def describe(latencies):
    ordered = sorted(latencies)
    return f"p50 {statistics.median(ordered):6.1f} ms   p95 {ordered[int(len(ordered) * 0.95) - 1]:6.1f} ms   max {ordered[-1]:6.1f} ms"


def main():
    print(f"machine: {machine()}")
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    if "--end-of-the-day" in sys.argv:  # the floor first (in-process, warm), then the HTTP figures
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'floor.sqlite'}"})
        html = city_report_html(app, 50)
        render_pdf(html)
        best, median = timed(lambda: render_pdf(html))
        print(f"floor: city report, 50 action plans, rendered in this process (warm): best {best:5.2f} s, median {median:5.2f} s")
        end_of_the_day(folder)
        return
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    app, workshop_id, _ = seed(url)

    for plans in (10, 50):
        html = city_report_html(app, plans)
        best, median = timed(lambda: render_pdf(html))
        print(f"city report, {plans:3d} action plans: best {best:5.2f} s, median {median:5.2f} s")
    # The summary's HTML exactly as the app builds it: the view, with the sending step captured.
    from workshop.reports import views

    with app.app_context():
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = "f:1"
        original = views.send_report
        captured = {}
        views.send_report = lambda html, language, filename, workshop: captured.setdefault("html", html) and ("", 204)
        client.get(f"/workshops/{workshop_id}/summary.pdf")
        views.send_report = original
        summary_html = captured["html"]
    best, median = timed(lambda: render_pdf(summary_html), repeat=1)
    print(f"workshop summary, 1,000 cards: {best:5.2f} s")

    # 400 votes of one person in a row, far over the per-person limit on purpose: raised, not off.
    server = LiveServer(url, extra_env={"REPORT_WORKERS": "1", **CROWD_LIMITS})
    try:
        facilitator = Visitor(server.url)
        facilitator.form("/login", {"email": "bench@example.org", "password": "correct horse battery"})
        with app.app_context():
            workshop = db.session.get(Workshop, workshop_id)
            code, board = workshop.join_code, workshop.policy_areas[1].board
            idea = next(card.id for card in board.cards if card.lane == "idea")
            board_id = board.id
        staff = facilitator.socket()
        staff.call("set_phase", {"board_id": board_id, "phase": "vote"})
        voter = Visitor(server.url).join(code, "Latency", "Bench City").socket()
        voter.call("join_board", {"board_id": board_id})
        vote_latencies(voter, idea, 20)  # warm up
        idle = vote_latencies(voter, idea, 200)
        print(f"vote round-trip, idle:               {describe(idle)}")

        rendering = threading.Event()

        def ask_for_summary():
            rendering.set()
            facilitator.http.get(f"{server.url}/workshops/{workshop_id}/summary.pdf")

        threading.Thread(target=ask_for_summary).start()
        rendering.wait()
        time.sleep(0.2)
        busy = vote_latencies(voter, idea, 200)
        print(f"vote round-trip, summary rendering:  {describe(busy)}")
        print(f"ratio of p95 busy / idle: {sorted(busy)[189] / sorted(idle)[189]:.2f}")
        voter.close()
        staff.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
