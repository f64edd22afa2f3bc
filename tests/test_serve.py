"""The README's run command: `python wsgi.py` upgrades the database, seeds the demo once, serves."""
import re
import urllib.request

import pytest

from .live import LiveServer

pytestmark = pytest.mark.live


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_first_start_seeds_the_demo_and_says_how_to_log_in(tmp_path):
    database = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    server = LiveServer(database)
    try:
        status, page = get(server.url + "/")
        assert status == 200 and "Join a workshop" in page
        output = server.output()
        assert f"The co-creation workshop app is on http://127.0.0.1:{server.port}/" in output
        assert "demo@example.org / social-innovation" in output
        code = re.search(r"join code ([A-Z0-9]{6})", output).group(1)
        status, join_page = get(f"{server.url}/join/{code}")
        assert status == 200 and "Social Innovation Lab (demo)" in join_page and "Lille Metropole" in join_page
        # Socket.IO answers on the same port (the live boards build on it).
        status, handshake = get(f"{server.url}/socket.io/?EIO=4&transport=polling")
        assert status == 200 and '"sid"' in handshake
    finally:
        server.stop()

    again = LiveServer(database)
    try:
        assert "Seeded" not in again.output()
        assert "The co-creation workshop app is on" in again.output()
    finally:
        again.stop()
