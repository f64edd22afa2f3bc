"""A real server process (`python wsgi.py`, as the README runs it) and Debian's Chromium driven by
Playwright, for tests that go through the network as a person would."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from . import processes
from .server_log import problems_in

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Without the networking switches Chromium keeps trying to reach the internet, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def csrf_token_for(app, session):
    """The CSRF token a page of `app` would show to the holder of `session` (a dict, which gets
    the token's secret half, as a page view would store it)."""
    import flask
    from flask_wtf.csrf import generate_csrf

    # A fresh app context: Flask-WTF caches the token on `g`, which must not leak between sessions.
    with app.app_context(), app.test_request_context():
        flask.session.update(session)
        token = generate_csrf()
        session.update(flask.session)
    return token


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(page, expression, arg=None, timeout=10):
    """Wait until `expression` (or the function it names, given `arg`) is true in `page`. Not `page.wait_for_function`: its poller evaluates
    the expression with eval inside the page, which our Content-Security-Policy refuses at times;
    `page.evaluate` goes through the DevTools protocol, which the policy does not govern."""
    deadline = time.monotonic() + timeout
    while not _holds(page, expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        time.sleep(0.05)


def _holds(page, expression, arg):
    """Whether `expression` is true now; while the page is between two documents (a form posted, a
    redirect followed) the document or its elements are missing, which is "not yet", not an error."""
    try:
        return page.evaluate(expression, arg)
    except PlaywrightError as error:
        if "null" in str(error) or "context was destroyed" in str(error) or "navigat" in str(error):
            return False
        raise


# For a few clients doing a crowd's work on purpose (storms in tests and benchmarks): the per-person
# limits on cards and votes raised, not switched off, so that counting still runs.
CROWD_LIMITS = {"RATELIMIT_CARD_WRITES": "100000 per second", "RATELIMIT_VOTES": "100000 per second"}


class LiveServer:
    """`python wsgi.py` on a free port and a fresh SQLite file; `url` is where it listens.
    With `gunicorn=True`, the production command instead (the database must be migrated).
    `stop` fails the test when the server's log holds a traceback or an error line, except those
    `expected_in_log` names (regular expressions, for errors the test provokes on purpose)."""

    # Benchmarks count the problems instead (bench/live.py's `server_logs_counted`): every stopped
    # server's problems land in `problems_seen`.
    fail_on_log_problems = True
    problems_seen = []

    def __init__(self, database_url, extra_env=None, log_path=None, gunicorn=False, expected_in_log=()):
        self.gunicorn = gunicorn
        self.expected_in_log = list(expected_in_log)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "live-test-secret",
            "PYTHONUNBUFFERED": "1",
            # Every test's visitors come from 127.0.0.1, as if the whole suite were one venue behind
            # one address: the per-address form limits are raised; the per-person ones stay as shipped.
            "RATELIMIT_LOGINS": "10000 per minute",
            "RATELIMIT_JOIN_FORMS": "10000 per minute",
            # No model loaded for tests that do not ask for it (the synthesis tests turn it on).
            "SYNTHESIS_EMBED_ON_WRITE": "0",
            # Nor a report rendered at start (1-2 s of CPU each) for tests that make no report;
            # tests/test_reports_load.py turns it on to test it.
            "REPORT_WARM_AT_START": "0",
            **(extra_env or {}),
        }
        self.log = open(log_path or Path(database_url.removeprefix("sqlite:///")).with_suffix(".log"), "w+")
        self.start()

    def start(self):
        command = [sys.executable, "wsgi.py"]
        if self.gunicorn:
            gunicorn = Path(sys.executable).with_name("gunicorn")
            command = [str(gunicorn), "--worker-class", "gevent", "--workers", "1", "--bind", f"127.0.0.1:{self.port}",
                       "--control-socket", str(Path(self.log.name).with_suffix(".ctl")), "wsgi:app"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_listening()

    def _wait_until_listening(self, timeout=60):
        # 60 s, not 30: on a 2-core host shared by several runs (load 17-20) a start took over 30 s.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not listen within {timeout} s:\n{self.output()}")

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def halt(self):
        """Stop the process (the database stays, so `start` brings the same server back), and what
        it started: under `python wsgi.py` SIGTERM ends the server at once, leaving its report workers."""
        started = processes.descendants(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        processes.end_all(started)

    def kill(self):
        """SIGKILL, as a crash or the OOM killer would: no cleanup, no flush, no goodbye to clients.
        What it started (report workers) is ended too, so that nothing outlives the test."""
        started = processes.descendants(self.process.pid)
        self.process.kill()
        self.process.wait()
        processes.end_all(started)

    def expect_in_log(self, *patterns):
        """Let the log hold what `patterns` (regular expressions) find: errors the calling test provokes
        on purpose, on a server other tests share."""
        self.expected_in_log.extend(patterns)

    def log_problems(self):
        """The tracebacks and error lines in this server's log so far that no test expects."""
        return problems_in(self.output(), self.expected_in_log)

    def stop(self):
        """Stop the server, then fail on what its log holds that no test expects (see `log_problems`)."""
        self.halt()
        problems = self.log_problems()
        self.log.close()
        LiveServer.problems_seen.extend(problems)
        if problems and self.fail_on_log_problems:
            raise AssertionError(f"the server's log ({self.log.name}) holds {len(problems)} unexpected "
                                 f"error(s); the first:\n" + "\n".join(problems[:3]))


def server_of_its_own(tmp_path_factory, name, **options):
    """A live server on a database of its own, for a fixture to `yield from` (stopped after): so that
    no other test's workshops or rate-limit counts are in its room."""
    server = LiveServer(f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.sqlite'}", **options)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    yield from server_of_its_own(tmp_path_factory, "live")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: the README's test command installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: a separate person), on the
    session's live server or on `server` when given; `options` go to the context (e.g. `bypass_csp`)."""
    contexts = []

    def open_page(server=None, **options):
        context = browser.new_context(base_url=(server or live_server).url, viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(error))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def facilitator(live_server):
    """A facilitator account on the live server, signed in over HTTP (see `Visitor`)."""
    return Visitor(live_server.url).sign_up("Fran")


class Visitor:
    """One person on the live server: their own cookies, forms posted with the page's CSRF token."""

    def __init__(self, base_url):
        import requests

        self.base = base_url
        self.http = requests.Session()

    def csrf_token(self, page="/"):
        """The CSRF token `page` shows this visitor (in a form or in the csrf-token meta tag)."""
        import re

        html = self.http.get(self.base + page).text
        return re.search(r'name="csrf[_-]token"[^>]*?(?:value|content)="([^"]+)"', html).group(1)

    def form(self, path, data, page=None):
        """Post `data` to `path` the way the browser would, with the token from `page` (or `path`)."""
        response = self.http.post(self.base + path, data={"csrf_token": self.csrf_token(page or path), **data})
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response

    def sign_up(self, name):
        import uuid

        self.email, self.password = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org", "correct horse battery"
        self.form("/signup", {"name": name, "email": self.email, "password": self.password, "confirm": self.password})
        return self

    def create_workshop(self, title):
        """A workshop from the lab template: (its join code, its board ids)."""
        import re

        response = self.form("/workshops/new", {"title": title, "host_city": "Ljubljana", "starts_on": "2025-11-05",
                                                "allow_new_city_teams": "y", "use_lab_template": "y"})
        workshop_id = re.search(r"/workshops/(\d+)/settings", response.url).group(1)
        self.workshop_id = int(workshop_id)
        code = re.search(r'<span class="code big">([A-Z0-9]{6})</span>', response.text).group(1)
        home = self.http.get(f"{self.base}/workshops/{workshop_id}").text
        return code, [int(board) for board in re.findall(r'href="/boards/(\d+)"', home)]

    def join(self, code, name, city):
        self.form(f"/join/{code}", {"display_name": name, "new_city_team": city})
        return self

    def cookie_header(self):
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.http.cookies)

    def socket(self, **options):
        """A socket as this person (options: see `LiveSocket`)."""
        return LiveSocket(self, **options)


class LiveSocket:
    """A python-socketio client signed in with the visitor's cookies and connecting with the CSRF
    token of a page (as the browser's pages do), recording what it receives."""

    def __init__(self, visitor, auth=None, origin=None, via=None, transports=("websocket",)):
        """`auth` replaces the connect auth (the page's token); `origin` the Origin header (this site);
        `via` is another address to reach the server by (a test proxy); `transports` None polls first
        and then upgrades, as the pages' socket.js does."""
        self.visitor, self.auth, self.origin, self.transports = visitor, auth, origin, transports
        self.url = via or visitor.base
        self.received = []
        self.connect()

    def connect(self):
        """Connect (again, after `close`) as the same person. A refusal raises socketio's
        ConnectionError, with what the server said (`connect_error` data, or None) as `reason`."""
        import socketio

        self.release_dropped()
        # The token first: fetching it may start the visitor's session, whose cookie must then go along.
        auth = {"csrf_token": self.visitor.csrf_token()} if self.auth is None else self.auth
        options, headers = {}, {"Cookie": self.visitor.cookie_header()}
        if self.transports != ("websocket",):
            import requests

            # engineio sends `headers` with its first request only; a browser sends its cookies with every
            # poll, and with the upgrade (engineio adds the jar's cookies to it, so not in `headers` too).
            options["http_session"], headers = requests.Session(), {}
            options["http_session"].cookies.update(self.visitor.http.cookies)
        self.client = socketio.Client(reconnection=False, websocket_extra_options={"origin": self.origin}, **options)
        self.client.on("*", lambda event, data=None: self.received.append((event, data)))
        reasons = []
        self.client.on("connect_error", lambda data=None: reasons.append(data))
        try:
            self.client.connect(self.url, headers=headers, auth=auth,
                                transports=self.transports and list(self.transports),
                                wait_timeout=10)  # not 1 s: a busy machine answers a polling connect later
        except socketio.exceptions.ConnectionError as error:
            error.reason = reasons[0] if reasons else None
            raise

    def call(self, event, data, timeout=10):
        """Send `event` and wait for its ack; socketio.exceptions.TimeoutError when none comes."""
        return self.client.call(event, data, timeout=timeout)

    def wait_for(self, predicate, timeout=10):
        """Wait until `predicate(self.received)` holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.received):
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out; received: {self.received[-5:]}")

    def until_embedded(self, board_id, *texts, timeout=120):
        """Ask for similar cards until the board's cards saying `texts` are among the answers, that is until
        they are embedded (a server embeds cards as they are written or when first asked about, in a worker
        it may first have to start). Done in the test's time, not a page's: a busy machine (a CI runner)
        may take long, so this waits up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        for text in texts:
            while True:
                ack = self.call("similar_cards", {"board_id": board_id, "text": text}, timeout=60)
                assert ack["ok"], ack
                if any(card["text"] == text for card in ack["cards"]):
                    break
                assert time.monotonic() < deadline, f"never embedded: {text}"
                time.sleep(0.5)

    def release_dropped(self):
        """Close the WebSocket of a connection the other side dropped: engine.io's client leaves it open."""
        client = getattr(self, "client", None)
        if client is not None and not client.connected and getattr(client.eio, "ws", None) is not None:
            client.eio.ws.shutdown()  # not close(): that does nothing once the other side has gone

    def close(self):
        """Drop the connection. The close happens in the background: python-socketio's client
        waits up to 3 s for the WebSocket closing handshake, which a browser does not."""
        import threading

        if self.client.connected:
            threading.Thread(target=self.client.disconnect, daemon=True).start()
        else:
            self.release_dropped()


# People in the browser: the steps every browser test takes, found by role and name ------------

def join_in_browser(page, code, name, city):
    """Join the workshop with `code` as a new participant of `city`, as the join form asks."""
    from playwright.sync_api import expect

    page.goto(f"/join/{code}")
    page.get_by_label("Your name as others will see it").fill(name)
    page.get_by_label("Your city, if it is not in the list").fill(city)
    page.get_by_role("button", name="Join the workshop").click()
    expect(page.get_by_role("heading", name="Boards")).to_be_visible()


def log_in_in_browser(page, visitor):
    """Log in as the facilitator `visitor` (a `Visitor` that signed up)."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email").fill(visitor.email)
    page.get_by_label("Password").fill(visitor.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My workshops")).to_be_visible()


def card(page, text, exact=False):
    """The card (a list item named by its text) that reads `text`."""
    return page.get_by_role("listitem", name=text, exact=exact)


def open_as(new_page, person, path):
    """A new page (from the `new_page` fixture) signed in as `person` (a `Visitor`), opened at `path`."""
    page = new_page()
    page.context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": person.base}
                              for cookie in person.http.cookies])
    page.goto(path)
    return page


class BoardScene:
    """A workshop from the lab template on the live server, set up over sockets: Fran facilitates,
    Ana (Glasgow) and Ben (Bologna) take part; `sockets` names those that have joined the first board
    (to set the scene quickly), and `page` opens it in a browser as any of them."""

    def __init__(self, live_server, facilitator, new_page, title, with_sockets=("fran", "ana", "ben")):
        self.code, boards = facilitator.create_workshop(title)
        self.board, self.new_page, self.fran = boards[0], new_page, facilitator
        self.ana = Visitor(live_server.url).join(self.code, "Ana", "Glasgow")
        self.ben = Visitor(live_server.url).join(self.code, "Ben", "Bologna")
        self.sockets = {name: getattr(self, name).socket() for name in with_sockets}
        for socket in self.sockets.values():
            assert socket.call("join_board", {"board_id": self.board})["ok"]

    def call(self, who, event, **payload):
        ack = self.sockets[who].call(event, payload)
        assert ack["ok"], (event, ack)
        return ack

    def page(self, person, path=None):
        return open_as(self.new_page, person, path or f"/boards/{self.board}")

    def close(self):
        for socket in self.sockets.values():
            socket.close()
