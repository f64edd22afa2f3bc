"""Fixtures: an app on a fresh SQLite file, clients, and factories that make facilitators,
workshops and participants. Live-server and browser fixtures are in `tests/live.py`.

Also the run's settings: hypothesis's profiles (the full fuzz in CI, a few examples elsewhere),
`browser` tests counted as `live`, and the check, at the end, that no process the run started is left."""
import functools
import gc
import itertools
import multiprocessing.resource_tracker
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import uuid

import flask_login.utils
import pytest
import redis
import sqlalchemy as sa
from flask import current_app, g
from hypothesis import settings

from workshop import create_app, workers
from workshop.extensions import db
from workshop.models import Facilitator, Participant
from workshop.synthesis import services as synthesis_services
from workshop.workshops import services as workshop_services

from . import processes

pytest_plugins = ["tests.live"]

PASSWORD = "correct horse battery"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


# The fuzz tests (marked `fuzz`) name their full number of examples, which CI runs; elsewhere they
# run the "dev" profile's few (tests/fuzzing.py `examples`). `--hypothesis-profile` picks either.
settings.register_profile("ci")  # hypothesis's defaults, which CI has always run
settings.register_profile("dev", max_examples=10)
settings.load_profile("ci" if in_ci() else "dev")


def pytest_configure(config):
    processes.adopt_orphans()


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.live)  # a browser test drives a live server process too
        live_fixtures = {"live_server", "browser"} & set(item.fixturenames)
        if live_fixtures and not item.get_closest_marker("live"):
            raise pytest.UsageError(f"{item.nodeid} starts a server process ({', '.join(live_fixtures)}): mark it live")


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if a process it started is still running: report workers, live servers,
    Chromium, anything they started in turn (orphans come back to us: see `processes.adopt_orphans`)."""
    workers.shutdown_all()  # the app's worker processes (reports, embeddings), which tests started
    # The ended pools' queues hold semaphores until collected; collected after the tracker stops, their
    # finalizers unlink what it already unlinked, and pytest turns that FileNotFoundError into exit 1.
    gc.collect()
    # and the resource tracker their start began: it would end with this process, after the check.
    multiprocessing.resource_tracker._resource_tracker._stop()
    left = processes.still_running()
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.ensure_newline()
        reporter.write_sep("=", "processes the run started and did not end (now ended)", red=True)
        for line in left:
            reporter.write_line(line, red=True)
        processes.end_all([int(line.split()[0]) for line in left])
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _user_of_this_request():
    current_app.login_manager._load_user()
    return g._login_user


@pytest.fixture(autouse=True)
def no_vector_from_another_test():
    """Each test starts with no card vector in this process's memory (its database starts empty) and no
    embedding of an earlier test's still running: that batch would keep its vectors in the earlier test's
    database, and a text it covers would not be embedded again for this one."""
    for _, kept, _ in list(synthesis_services._in_flight.values()):
        kept.wait(60)
    synthesis_services._known.clear()


@pytest.fixture(autouse=True)
def user_per_request(monkeypatch):
    """Tests keep one app context open (to read the database between requests), and Flask-Login
    caches the signed-in user on `g`, which lives as long as that context. In production every
    request and socket event has its own context; here the user is loaded afresh on each look-up,
    so two clients (or sockets) in one test are never mistaken for each other."""
    monkeypatch.setattr(flask_login.utils, "_get_user", _user_of_this_request)


_templates = tempfile.TemporaryDirectory(prefix="workshop-tables-")


@functools.cache
def empty_sqlite():
    """An SQLite file with every table made and no row, made once per run and copied for each test:
    creating the tables anew, one commit each, took longer than most tests."""
    path = Path(_templates.name) / "empty.sqlite"
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@contextmanager
def running_app(folder, database_url=None, **config):
    """An app for tests on `database_url` (else its own SQLite file in `folder`) with its tables
    made, inside an app context, so tests can read the database; `config` adds or replaces settings."""
    if database_url is None:
        shutil.copyfile(empty_sqlite(), folder / "test.sqlite")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'test.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "SOCKETIO_ASYNC_MODE": "threading",
            "VOTE_FLUSH_INTERVAL": 0,  # counts and presence go out at once, so tests need not wait
            "PRESENCE_FLUSH_INTERVAL": 0,
            "REPORTS_CACHE": str(folder / "reports"),
            "SYNTHESIS_EMBED_ON_WRITE": False,  # tests of synthesis turn it on; others need no model
            "REPORT_PREPARE_ON_FINALISE": False,  # nor a PDF rendered for every version made final
            **config,
        }
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()  # PostgreSQL drops a test's database only once nobody is connected


@pytest.fixture
def app(tmp_path):
    with running_app(tmp_path) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_numbers = itertools.count(1)


@functools.cache
def password_hash():
    """PASSWORD as `Facilitator.set_password` stores it, hashed once for the run: scrypt takes a third
    of a second by design, and most tests make a facilitator or two."""
    facilitator = Facilitator()
    facilitator.set_password(PASSWORD)
    return facilitator.password_hash


@pytest.fixture
def make_facilitator(app):
    """Make a facilitator account: `make_facilitator(name="Ana")`; its password is PASSWORD."""

    def make(name=None, email=None):
        number = next(_numbers)
        facilitator = Facilitator(name=name or f"Facilitator {number}", email=email or f"facilitator{number}@example.org")
        facilitator.password_hash = password_hash()
        db.session.add(facilitator)
        db.session.commit()
        return facilitator

    return make


@pytest.fixture
def make_workshop(app, make_facilitator):
    """Make a workshop with the lab's policy areas and a few cities: `make_workshop(facilitator)`."""

    def make(facilitator=None, title=None, cities=("Ljubljana", "Glasgow", "Bologna"), **fields):
        workshop = workshop_services.create_workshop(
            facilitator or make_facilitator(),
            use_lab_template=True,
            title=title or f"Workshop {next(_numbers)}",
            host_city=fields.pop("host_city", "Ljubljana"),
            starts_on=fields.pop("starts_on", date(2025, 11, 5)),
            ends_on=fields.pop("ends_on", date(2025, 11, 7)),
            **fields,
        )
        for city in cities:
            workshop.find_or_add_city_team(city, "")
        db.session.commit()
        return workshop

    return make


@pytest.fixture
def make_participant(app):
    """Make a participant of `workshop` in one of its city teams: `make_participant(workshop, "Ana")`."""

    def make(workshop, name="Ana", city=None):
        team = workshop.find_or_add_city_team(city or workshop.city_teams[0].name)
        participant = Participant(workshop=workshop, city_team=team, display_name=name)
        db.session.add(participant)
        db.session.commit()
        return participant

    return make


class Auth:
    """Signs a test client in as someone, the way the browser would end up."""

    def __init__(self, client):
        self.client = client

    def login(self, facilitator, password=PASSWORD):
        return self.client.post("/login", data={"email": facilitator.email, "password": password})

    def as_user(self, user):
        """Sign in without the form (for tests about something else)."""
        with self.client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def connect(app):
    """A Socket.IO test client signed in as `user` (a participant or a facilitator), or as nobody,
    connecting with the CSRF token its session's pages would show."""
    from tests.live import csrf_token_for
    from workshop.extensions import socketio

    clients = []

    def make(user=None, auth=None):
        """`auth` replaces the connect auth, which is otherwise the page's CSRF token, as a browser sends it."""
        http = app.test_client()
        with http.session_transaction() as session:
            if user is not None:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
            token = csrf_token_for(app, session)
        client = socketio.test_client(app, flask_test_client=http, auth={"csrf_token": token} if auth is None else auth)
        clients.append(client)
        return client

    yield make
    for client in clients:
        if client.is_connected():
            client.disconnect()


@pytest.fixture
def room(make_workshop, make_participant, make_facilitator, connect):
    """One workshop with two participants (Glasgow and Bologna) and its facilitator on the first
    board, plus a participant of another workshop on that workshop's board."""

    class Room:
        workshop = make_workshop()
        board = workshop.policy_areas[0].board
        other_board = workshop.policy_areas[1].board
        facilitator = workshop.facilitators[0]
        ana = make_participant(workshop, "Ana", "Glasgow")
        ben = make_participant(workshop, "Ben", "Bologna")
        cleo = make_participant(workshop, "Cleo", "Glasgow")
        elsewhere = make_workshop()
        stranger = make_participant(elsewhere, "Sam", "Ljubljana")

    r = Room()
    r.ana_socket, r.ben_socket, r.staff_socket = connect(r.ana), connect(r.ben), connect(r.facilitator)
    r.stranger_socket = connect(r.stranger)
    r.side_socket = connect(r.cleo)  # on another board of the same workshop
    for socket, board in [(r.ana_socket, r.board), (r.ben_socket, r.board), (r.staff_socket, r.board),
                          (r.stranger_socket, r.elsewhere.policy_areas[0].board), (r.side_socket, r.other_board)]:
        ack = socket.emit("join_board", {"board_id": board.id}, callback=True)
        assert ack and ack["ok"], (socket.is_connected(), ack, board.id, socket.eio_sid)
    r.sockets = [r.ana_socket, r.ben_socket, r.staff_socket, r.stranger_socket, r.side_socket]
    r.clear = lambda: [s.get_received() for s in r.sockets]
    r.clear()
    return r


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError as error:
        admin.dispose()
        if in_ci():
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES} in CI: {error}")
        pytest.skip(f"PostgreSQL is not running at {POSTGRES}")
    name = f"workshop_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def redis_url(worker_id):
    """Redis at REDIS, on a database of this pytest worker's own (5 for the first, 6 for the next...),
    so two test files running at once share neither keys nor rooms; or a skip; a failure in CI."""
    number = 5 + (int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0)
    url = REDIS.rsplit("/", 1)[0] + f"/{number}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as error:
        if in_ci():
            pytest.fail(f"Redis is not reachable at {url} in CI: {error}")
        pytest.skip(f"Redis is not running at {url}")
    return url


def download(client, url, timeout=90):
    """GET a report the way the "preparing" page does: poll its status until done, then fetch it."""
    import re
    import time

    response = client.get(url)
    if response.status_code != 202:
        return _read(response)
    key = re.search(r"/reports/([0-9a-f]{64})/status", response.text).group(1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/reports/{key}/status").get_json()["state"]
        if state != "rendering":
            break
        time.sleep(0.2)
    return _read(client.get(url))


def _read(response):
    """Read a (possibly streamed) response fully and close its file."""
    response.get_data()
    response.close()
    return response


def pdf_text(data):
    """The text of a PDF, read back with poppler's pdftotext, in reading order."""
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
