"""The app's Socket.IO packet (`workshop.live.Packet`) encodes its JSON with orjson when made,
instead of walking the payload for bytes first: every packet must carry exactly what
python-socketio's own carries, byte for byte where the text is ASCII."""
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
def test_packets_carry_exactly_what_python_socketio_packets_carry(fields):
    ours, theirs = Packet(**fields), packet.Packet(**fields)
    assert ours.packet_type == theirs.packet_type
    decoded = packet.Packet(encoded_packet=ours.encode())
    expected = packet.Packet(encoded_packet=theirs.encode())
    assert (decoded.packet_type, decoded.namespace, decoded.id, decoded.data) == \
        (expected.packet_type, expected.namespace, expected.id, expected.data)


def test_ascii_packets_are_byte_for_byte_the_same():
    fields = dict(packet_type=packet.EVENT, data=["votes_changed", {"board_id": 3, "counts": {"12": 4}, "x": [None, True, 2.5]}], id=4)
    assert Packet(**fields).encode() == packet.Packet(**fields).encode()


def test_other_text_goes_as_utf_8_and_what_orjson_refuses_goes_the_library_way():
    text = "Ljubljana «ü€😀» 北京"
    assert text in Packet(packet.EVENT, data=["card_added", {"text": text}]).encode()
    lone_surrogate = "\ud800"  # JSON from a client may carry one; orjson refuses to encode it
    ours = Packet(packet.EVENT, data=["card_added", {"text": lone_surrogate}])
    assert ours.encoded_data is None
    assert packet.Packet(encoded_packet=ours.encode()).data == ["card_added", {"text": lone_surrogate}]


def test_a_payload_json_cannot_carry_fails_as_it_did():
    with pytest.raises(TypeError):
        Packet(packet.EVENT, data=["event", {"when": object()}]).encode()


def test_received_packets_decode_as_before():
    encoded = packet.Packet(packet.EVENT, data=["vote", {"card_id": 5}], id=12).encode()
    ours = Packet(encoded_packet=encoded)
    assert (ours.packet_type, ours.data, ours.id) == (packet.EVENT, ["vote", {"card_id": 5}], 12)


def test_the_app_sends_with_it(app):
    assert socketio.server.packet_class is Packet
