"""Engine.IO's pings to every socket, sent by a timer on the server's event loop rather than by a
greenlet per socket (`workshop.live.ping_from_the_event_loop`, which saves an idle socket's memory):
a socket that answers is pinged every interval and stays; one that stops answering is let go."""
import time

import pytest
import simple_websocket

from .live import server_of_its_own

INTERVAL, TIMEOUT = 1, 1


@pytest.fixture(scope="module")
def quick_pings(tmp_path_factory):
    yield from server_of_its_own(tmp_path_factory, "pings", extra_env={
        "SOCKETIO_PING_INTERVAL": str(INTERVAL), "SOCKETIO_PING_TIMEOUT": str(TIMEOUT)})


def engine_io(server):
    """A bare Engine.IO WebSocket, as the browser's socket opens it, past its open packet."""
    ws = simple_websocket.Client.connect(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket")
    opened = ws.receive(timeout=5)
    assert opened.startswith('0{"sid":') and f'"pingInterval":{INTERVAL * 1000}' in opened, opened
    return ws


def test_a_socket_that_answers_is_pinged_every_interval_and_stays(quick_pings):
    ws = engine_io(quick_pings)
    pings = []
    try:
        while len(pings) < 4:
            assert ws.receive(timeout=INTERVAL + 2) == "2"  # Engine.IO's ping
            pings.append(time.monotonic())
            ws.send("3")  # pong
        assert ws.connected
    finally:
        ws.close()
    gaps = [later - earlier for earlier, later in zip(pings, pings[1:])]
    assert all(0.8 * INTERVAL < gap < INTERVAL + 0.5 for gap in gaps), gaps


def test_a_socket_that_stops_answering_is_closed_after_the_timeout(quick_pings):
    ws = engine_io(quick_pings)
    assert ws.receive(timeout=INTERVAL + 2) == "2"
    answered_last = time.monotonic()
    with pytest.raises(simple_websocket.ConnectionClosed):
        while time.monotonic() - answered_last < 10:
            ws.receive(timeout=1)
    assert time.monotonic() - answered_last < INTERVAL + TIMEOUT + 1.5
