"""The app's Socket.IO packet (`workshop.live.Packet`) encodes JSON when made instead of walking
the payload for bytes first: every packet must come out exactly as python-socketio's own."""
import pytest
from socketio import packet

from workshop.extensions import socketio
from workshop.live import Packet

SNAPSHOT = {"ok": True, "snapshot": {"cards": [{"id": n, "text": f"Card {n} «ü€😀»", "tags": [1, None, 2.5], "author": {"name": "Ana"}}
                                               for n in range(200)]}}


@pytest.mark.parametrize("fields", [
    dict(packet_type=packet.ACK, data=[SNAPSHOT], namespace="/", id=7),
    dict(packet_type=packet.ACK, data=[{"ok": False}], id=0),
    dict(packet_type=packet.EVENT, data=["card_added", {"seq": 3, "text": "</script>\u2028"}], namespace="/other"),
    dict(packet_type=packet.CONNECT, data={"sid": "abc"}),
    dict(packet_type=packet.DISCONNECT),
    dict(packet_type=packet.EVENT, data=["with bytes", {"file": b"\x00\x01", "nested": [bytearray(b"x")]}]),
], ids=["ack with a snapshot", "ack id 0", "event in a namespace", "connect", "disconnect", "bytes as attachments"])
def test_packets_encode_exactly_as_python_socketio_encodes_them(fields):
    ours, theirs = Packet(**fields), packet.Packet(**fields)
    assert ours.packet_type == theirs.packet_type
    assert ours.encode() == theirs.encode()


def test_a_payload_json_cannot_carry_fails_as_it_did():
    with pytest.raises(TypeError):
        Packet(packet.EVENT, data=["event", {"when": object()}]).encode()


def test_received_packets_decode_as_before():
    encoded = packet.Packet(packet.EVENT, data=["vote", {"card_id": 5}], id=12).encode()
    ours = Packet(encoded_packet=encoded)
    assert (ours.packet_type, ours.data, ours.id) == (packet.EVENT, ["vote", {"card_id": 5}], 12)


def test_the_app_sends_with_it(app):
    assert socketio.server.packet_class is Packet
