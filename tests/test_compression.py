"""WebSocket compression: messages of 1 KiB or more (board snapshots) go deflated, smaller ones
(tallies, acks, card news) plain, as Node's `ws` does; compressing them cost more CPU than they
saved bytes (docs/performance.md)."""
import base64
import json
import os
import socket
import zlib

import pytest
import simple_websocket.ws
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from workshop.live import LargeMessagesDeflate

RSV1 = 0x40  # set on a compressed message's first frame


def connected_pair(server_extension=None):
    """A client offering permessage-deflate (with no parameters, as a browser may) and a server
    answering with the app's extension (or `server_extension`, to look into it after)."""
    client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="example.org", target="/", extensions=[PerMessageDeflate()])))
    assert isinstance(next(server.events()), Request)
    client.receive_data(server.send(AcceptConnection(extensions=[server_extension or LargeMessagesDeflate()])))
    assert isinstance(next(client.events()), AcceptConnection)
    return client, server


def test_large_messages_go_compressed_and_small_ones_plain_and_both_arrive_whole():
    client, server = connected_pair()
    snapshot = json.dumps({"cards": [{"id": n, "text": f"Card {n} of a crowded board"} for n in range(100)]})
    tally = json.dumps({"board_id": 3, "counts": {"12": 4}})
    for text, compressed in ((snapshot, True), (tally, False), (snapshot, True), ("é" * 511, False), ("é" * 512, True)):
        frame = server.send(TextMessage(data=text))
        assert bool(frame[0] & RSV1) is compressed
        assert (len(frame) < len(text.encode())) is compressed
        client.receive_data(frame)
        assert [event.data for event in client.events()] == [text]


def test_large_messages_are_deflated_fast_with_little_memory():
    """zlib level 1, memory level 5: a third of the default's CPU, 48 KiB kept per connection, not 110."""
    client, server = connected_pair()
    snapshot = json.dumps({"cards": [{"id": n, "text": f"Card {n} of a crowded board"} for n in range(1000)]})
    frame = server.send(TextMessage(data=snapshot))
    fast = zlib.compressobj(1, zlib.DEFLATED, -15, 5)
    assert frame.endswith((fast.compress(snapshot.encode()) + fast.flush(zlib.Z_SYNC_FLUSH))[:-4])
    client.receive_data(frame)
    assert [event.data for event in client.events()] == [snapshot]


def test_no_compressor_outlives_its_message_either_way():
    """A socket that got a snapshot, or sent a long card, keeps no zlib state afterwards (48-110 KiB
    each): the server asks the client for no context takeover both ways, and both keep to it."""
    extension = LargeMessagesDeflate()
    client, server = connected_pair(extension)
    snapshot = json.dumps({"cards": [{"id": n, "text": f"Card {n} of a crowded board"} for n in range(100)]})
    for _ in range(2):  # the second one, deflated afresh, still arrives whole
        frame = server.send(TextMessage(data=snapshot))
        assert frame[0] & RSV1
        assert extension._compressor is None
        client.receive_data(frame)
        assert [event.data for event in client.events()] == [snapshot]
    long_card = json.dumps({"text": "A long card, written at length. " * 60})
    for _ in range(2):
        frame = client.send(TextMessage(data=long_card))
        assert frame[0] & RSV1
        server.receive_data(frame)
        assert [event.data for event in server.events()] == [long_card]
        assert extension._decompressor is None


def test_the_app_makes_simple_websocket_use_it(app):
    assert simple_websocket.ws.PerMessageDeflate is LargeMessagesDeflate


@pytest.mark.live
def test_the_running_server_negotiates_compression_and_sends_small_messages_plain(live_server):
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as connection:
        key = base64.b64encode(os.urandom(16)).decode()
        connection.sendall((
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").encode())
        received = b""
        while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < 2:
            received += connection.recv(4096)
        head, _, frames = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101")
        assert b"permessage-deflate" in head.lower()
        assert b"server_no_context_takeover" in head and b"client_no_context_takeover" in head
        assert not frames[0] & RSV1  # Engine.IO's open packet, about 100 bytes
        size = frames[1] & 0x7F
        while len(frames) < 2 + size:
            frames += connection.recv(4096)
        assert frames[2:2 + size].startswith(b'0{"sid":')
