"""Many reports asked for at once (issue 18: 30 cities at the end of the day, here 4 at CI size): each
asker gets the preparing page, sees the queue ahead of them while it waits, then gets its own PDF."""
import re
import threading
import time
import uuid
from concurrent.futures import Future

import pytest

from workshop.reports import jobs, render

from .conftest import pdf_text
from .live import Visitor, server_of_its_own

REPORTS = 4


class HeldPool:
    """A stand-in for the worker pool whose renders finish only when the test says so."""

    def __init__(self):
        self.futures = []

    def submit(self, workers, function, *args):
        self.futures.append(Future())
        return self.futures[-1]


@pytest.mark.parametrize("workers, ahead", [(1, [0, 1, 2]), (2, [0, 0, 1])])
def test_each_waiting_report_knows_how_many_are_ahead_of_it(tmp_path, monkeypatch, workers, ahead):
    pool = HeldPool()
    monkeypatch.setattr(jobs, "_pool", pool)
    monkeypatch.setattr(jobs, "_jobs", {})
    monkeypatch.setattr(jobs, "_asked", {})
    keys = [jobs.ensure_rendered(f"<p>report {n}</p>", "en", tmp_path, workers=workers)[0] for n in range(3)]
    assert [jobs.ahead(key) for key in keys] == ahead
    pool.futures[0].set_result(1)  # the first is made: the queue moves up
    assert [jobs.ahead(key) for key in keys[1:]] == [max(0, n - workers + 1) for n in (0, 1)]
    assert jobs.ahead("f" * 64) == 0  # a report this server never heard of


def test_a_warm_up_that_fails_does_not_break_the_workers(monkeypatch):
    def broken(html, fetcher=None):
        raise OSError("no fonts")

    monkeypatch.setattr(render, "render_pdf", broken)
    render.warm_up()  # no exception: the first real report meets (and reports) the failure instead


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # One worker, so that four reports queue; warmed at start, as `python wsgi.py` serves by default.
    yield from server_of_its_own(tmp_path_factory, "reports-load", extra_env={"REPORT_WORKERS": "1", "REPORT_WARM_AT_START": "1"})


@pytest.mark.live
def test_reports_asked_for_at_once_queue_show_the_queue_and_each_gets_its_own_pdf(server):
    facilitator = Visitor(server.url).sign_up("Organiser")
    titles = {}
    run = uuid.uuid4().hex[:8]  # reports are cached by content, in the app's instance folder: new ones each run
    for n in range(REPORTS):
        facilitator.create_workshop(f"Lab {run} number {n}")
        titles[facilitator.workshop_id] = f"Lab {run} number {n}"
    cookies = facilitator.http.cookies.get_dict()
    seen = {workshop_id: {"pages": [], "waiting": [], "pdf": None} for workshop_id in titles}
    start = threading.Barrier(REPORTS)

    def ask(workshop_id):
        """As the preparing page does: ask, poll the status, then download from the same address."""
        import requests

        http = requests.Session()
        http.cookies.update(cookies)
        url = f"{server.url}/workshops/{workshop_id}/summary.pdf"
        start.wait()
        page = http.get(url)
        seen[workshop_id]["pages"].append((page.status_code, page.text))
        key = re.search(r"/reports/([0-9a-f]{64})/status", page.text).group(1)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = http.get(f"{server.url}/reports/{key}/status").json()
            seen[workshop_id]["waiting"].append(status["waiting"])
            if status["state"] != "rendering":
                break
            time.sleep(0.1)
        answer = http.get(url)
        seen[workshop_id]["pdf"] = (answer.status_code, answer.headers.get("Content-Type"), answer.content)

    threads = [threading.Thread(target=ask, args=(workshop_id,)) for workshop_id in titles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)

    for workshop_id, title in titles.items():
        (status, page), = seen[workshop_id]["pages"]
        assert status == 202 and 'role="status"' in page and "Preparing your report" in page
        code, content_type, data = seen[workshop_id]["pdf"]
        assert code == 200 and content_type == "application/pdf", (code, content_type)
        assert title in " ".join(pdf_text(data).split())  # its own report, not another city's
    # With one worker and four asked at once, some waited behind others, and were told so: on the
    # page itself (its role=status box) or in the status the page polls.
    told = [line for workshop_id in titles for line in seen[workshop_id]["waiting"] if line]
    told += [re.search(r'id="report-queue">([^<]*)<', page).group(1)
             for workshop_id in titles for _, page in seen[workshop_id]["pages"]
             if re.search(r'id="report-queue">[^<]', page)]
    assert told, seen
    assert all(re.fullmatch(r"[123] reports? (is|are) ahead of yours in the queue\.", line) for line in told), told
    assert not re.search(r"Traceback|ERROR", server.output())
