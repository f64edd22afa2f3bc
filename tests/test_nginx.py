"""Debian's nginx with deploy/nginx.conf as shipped (only its ports and upstream addresses replaced)
in front of two server processes on one PostgreSQL and one Redis: a room whose laptops all come
from one address (a venue's NAT; here 127.0.0.1) spreads over both processes, each browser's
long-polling stays on one, and a card and a vote cross between them."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis as redis_client

from . import processes
from .conftest import in_ci
from .live import ROOT, Visitor, free_port
from .test_scale_out import two_processes  # noqa: F401  (fixture)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PEOPLE = 40


def shipped_config(upstreams, port):
    """deploy/nginx.conf with its upstream servers and listen port replaced, nothing else."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"    server {address};\n" for address in upstreams)
    text, replaced_servers = re.subn(r"(?m)(^    server 127\.0\.0\.1:\d+;\n)+", servers, text)
    text, replaced_listen = re.subn(r"(?m)^    listen 80;$", f"    listen 127.0.0.1:{port};", text)
    assert (replaced_servers, replaced_listen) == (1, 1), "deploy/nginx.conf no longer has the lines this test replaces"
    return text


class Nginx:
    """nginx as this user, with its own prefix, pid, temporary files and logs under `directory`,
    including the shipped config in its http block, in the foreground."""

    def __init__(self, directory, upstreams):
        self.directory, self.port = directory, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (directory / "workshop.conf").write_text(shipped_config(upstreams, self.port))
        temp = "\n".join(f"    {kind}_temp_path {directory / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # As root the master would hand its workers to the compiled-in user, who cannot read this directory.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (directory / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'} warn;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n    log_format routed '$request $status $upstream_addr $cookie_workshop_route';\n"
            f"    access_log {directory / 'access.log'} routed;\n{temp}\n    include {directory / 'workshop.conf'};\n}}\n")
        self.process = subprocess.Popen(
            [NGINX, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(directory / "nginx.conf"),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{self.errors()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, f"nginx did not listen:\n{self.errors()}"
                time.sleep(0.05)

    def errors(self):
        path = self.directory / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self):
        workers = processes.descendants(self.process.pid)
        self.process.terminate()  # nginx's fast shutdown: its workers end with it, or end_all ends them
        self.process.wait(timeout=10)
        processes.end_all(workers)


@pytest.fixture
def nginx_installed():
    """A skip where Debian's nginx is missing, before any process is started for nothing; a failure in CI."""
    if not os.path.exists(NGINX):
        if in_ci():
            pytest.fail(f"{NGINX} is missing in CI: .ci/install --test installs Debian's nginx package")
        pytest.skip(f"{NGINX} is missing (Debian's nginx package; .ci/install --test installs it)")


@pytest.fixture
def redis_url(redis_url):
    """A Redis database of this file's own (as tests/test_disconnects.py has): under `-n 2` the other
    worker may be counting presence in database 0 for test_scale_out's board of the same id."""
    return redis_url.rsplit("/", 1)[0] + "/4"


@pytest.fixture
def venue(nginx_installed, two_processes, redis_url, tmp_path):
    """tests/test_scale_out.py's two processes on one PostgreSQL and one Redis, with nginx in front."""
    (tmp_path / "nginx").mkdir()
    nginx = Nginx(tmp_path / "nginx", [server.url.removeprefix("http://") for server in two_processes["servers"]])
    sockets = []
    try:
        yield {**two_processes, "nginx": nginx, "sockets": sockets, "redis": redis_client.Redis.from_url(redis_url)}
    finally:
        for opened in sockets:
            opened.close()
        nginx.stop()


@pytest.mark.live
def test_a_room_behind_one_address_spreads_over_two_processes_and_acts_as_one(venue):
    # The workshop's last board, not the first that test_scale_out's tests use: Socket.IO's Redis channel
    # is one for all databases, and a test on the other worker must not hear this room (nor this one it).
    nginx, board = venue["nginx"], venue["boards"][-1]

    def arrive(number):
        """One laptop: the join form through nginx (which gives it its route cookie), then the
        board's socket, mostly polling first and upgrading as the pages do."""
        person = Visitor(nginx.url).join(venue["code"], f"Person {number}", f"City {number}")
        route = person.http.cookies.get("workshop_route")
        # One in eight told `transports: ["websocket"]`, one in eight never upgrading (each of its polls
        # must find its process), the rest as the browser: polling first, then the upgrade.
        transports = ("websocket",) if number % 8 == 0 else ("polling",) if number % 8 == 1 else None
        opened = person.socket(transports=transports)
        venue["sockets"].append(opened)
        assert opened.call("join_board", {"board_id": board})["ok"]
        return route, transports, opened

    with ThreadPoolExecutor(max_workers=8) as pool:
        room = list(pool.map(arrive, range(PEOPLE)))
    staff = venue["staff"]  # the facilitator, straight to the first process
    assert staff.call("join_board", {"board_id": board})["ok"]

    # Every laptop got a route cookie of its own (nginx's, 32 random hex digits), and the sockets
    # that poll first did upgrade: none stayed behind on a long-polling session a wrong process refused.
    routes = [route for route, _, _ in room]
    assert all(re.fullmatch(r"[0-9a-f]{32}", route or "") for route in routes) and len(set(routes)) == PEOPLE
    assert [opened.client.transport() for _, transports, opened in room] == [
        "websocket" if transports != ("polling",) else "polling" for _, transports, _ in room]

    # Which process holds each socket, from the presence registry in Redis (socket id -> [person, city, process]).
    registry = {sid.decode(): json.loads(entry)[2]
                for sid, entry in venue["redis"].hgetall(f"workshop:presence:{board}").items()}
    process_of = [registry[opened.client.get_sid()] for _, _, opened in room]
    counts = {process: process_of.count(process) for process in set(process_of)}
    assert len(counts) == 2 and all(10 <= count <= 30 for count in counts.values()), counts

    # Pages need no stickiness: the session is a signed cookie, read alike by either process.
    person = room[0][2].visitor
    for server in venue["servers"]:
        page = person.http.get(f"{server.url}/boards/{board}", allow_redirects=False)
        assert page.status_code == 200 and "Person 0" in page.text, (server.url, page.status_code)

    # A card posted through one process reaches everyone, on both; a vote through the other is counted on the first.
    first = next(opened for (_, _, opened), process in zip(room, process_of) if process == process_of[0])
    other = next(opened for (_, _, opened), process in zip(room, process_of) if process != process_of[0])
    idea = first.call("add_card", {"board_id": board, "lane": "idea", "text": "Posted on one process"})["card"]
    for _, _, opened in room:
        opened.wait_for(lambda received: any(
            name == "card_added" and (data["card"]["id"], data["card"]["text"]) == (idea["id"], idea["text"])
            for name, data in received))
    assert staff.call("configure_voting", {"board_id": board, "budget": 5, "cap": 3, "lanes": ["idea"],
                                           "mode": "person", "hidden": False})["ok"]
    assert staff.call("set_phase", {"board_id": board, "phase": "vote"})["ok"]
    other.wait_for(lambda received: any(name == "board_updated" and data["board"]["phase"] == "vote" for name, data in received))
    assert other.call("vote", {"card_id": idea["id"]})["ok"]
    first.wait_for(lambda received: any(name == "votes_changed" and data["counts"].get(str(idea["id"])) == 1
                                        for name, data in received))
    assert "[error]" not in nginx.errors() and "[crit]" not in nginx.errors() and "[alert]" not in nginx.errors()
