"""Hostile input: hypothesis sends every Socket.IO event the app registers what a buggy or
malicious client could send: wrong types, missing and extra keys, huge strings,
nested junk, huge and negative numbers, booleans for numbers, ids of another workshop's boards and
cards, non-objects, several arguments. The only answers are acknowledgements (an error, or ok when
the junk happens to be valid), the server never logs a failure, and refused input
changes nothing in the database.

The events are read from the app itself, so a new one is fuzzed without touching this file. Runs
are derandomized: CI sees the same cases every time. HTTP routes: `test_fuzz_http.py`."""
import logging
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from tests.fuzzing import WORDS, app, database, examples, fingerprint, fuzz_settings, numbers, world  # noqa: F401 (fixtures)
from workshop.boards.plans import TEXT_FIELDS
from workshop.extensions import db, socketio
from workshop.models import Participant
from workshop.room import events as room_events

pytestmark = pytest.mark.fuzz

PROTOCOL = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"


def client_events():
    """Every event a client may send, as the Socket.IO server registered them."""
    return sorted({event for event, _, namespace in socketio.handlers if event not in ("connect", "disconnect")})


def documented_payloads():
    """event -> (the keys its payload documents, the string values it names), from docs/protocol.md."""
    payloads = {}
    for line in PROTOCOL.read_text().splitlines():
        cells = line.split(" | ")
        if len(cells) < 3 or not line.startswith("| `"):
            continue
        events, payload = re.findall(r"`(\w+)`", cells[0]), cells[1]
        if not payload.startswith("`{"):
            continue
        keys = re.findall(r'"(\w+)"\??(?:[,:}]|$)', payload)
        values = re.findall(r'"(\w+)"\|', payload) + re.findall(r'\|"(\w+)"', payload)
        for event in events:
            payloads[event] = (sorted(set(keys)), sorted(set(values)))
    return payloads


def test_every_client_event_is_documented_with_its_payload():
    assert set(client_events()) <= set(documented_payloads()), "docs/protocol.md lacks an event the server registers"


# The world ------------------------------------------------------------------------------------------

# 500 cases per event on SQLite; PostgreSQL, stricter about what it stores and compares, gets fewer.
EXAMPLES = {"sqlite": 250, "postgresql": 100}


@pytest.fixture
def senders(world, connect, monkeypatch):
    """Who fuzzes: a participant, the workshop's facilitator, a participant of another workshop.
    `senders(name)` gives that person's socket, connected again (and un-removed) if the fuzz
    happened to remove them."""
    # A timer the fuzz starts must not change the board later, in the middle of another example.
    monkeypatch.setattr(room_events, "_when_timer_ends", lambda *args: None)
    people = {"participant": (Participant, world.ana.id), "facilitator": (type(world.facilitator), world.facilitator.id),
              "stranger": (Participant, world.stranger.id)}
    sockets = {}

    def socket_of(name):
        if name not in sockets or not sockets[name].is_connected():
            model, person_id = people[name]
            if model is Participant:
                db.session.execute(update(Participant).where(Participant.id == person_id).values(removed_at=None))
                db.session.commit()
            sockets[name] = connect(db.session.get(model, person_id))
        for socket in sockets.values():
            if socket.is_connected():
                socket.get_received()  # what the room was sent is not under test here; drop it
        return sockets[name]

    return socket_of


# What a hostile client sends ------------------------------------------------------------------------

def junk(ids, keys):
    """Any JSON (and binary) value, nested, with the event's own keys in its objects."""
    huge_text = st.builds(lambda piece, times: piece * times, st.sampled_from(["x", "é", " ", "\u202e", "\x00", "\udfff", "<b>"]),
                          st.sampled_from([81, 121, 201, 301, 501, 5001, 100_000]))
    scalars = st.one_of(
        numbers(ids), st.booleans(), st.none(), st.floats(),
        st.sampled_from(WORDS), st.text(max_size=40), huge_text, st.binary(max_size=16),
    )

    def nest(inner):
        return st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), inner, max_size=5)

    return st.recursive(scalars, nest, max_leaves=12)


def well_formed(key, ids, keys):
    """A value of the kind field `key` takes (by its name), so that some payloads get past the type
    checks into the rules behind them; a field this does not know gets any value."""
    plan_keys = [key for key in keys if key in TEXT_FIELDS or key in ("starts_on", "ends_on", "status", "principles")]
    text = st.text(min_size=1, max_size=20) | st.sampled_from(["x" * 501, "é" * 301, " ", "A card that could be real"])
    kinds = [
        (key.endswith("_id"), st.sampled_from(ids)),
        (key in ("since", "seconds", "budget", "cap"), st.integers(min_value=-2, max_value=14_401)),
        (key in ("text", "reason", "client_id", *TEXT_FIELDS), text),
        (key in ("enabled", "hidden", "watch", "paused", "advances", "keep_posting_open", "child_guarantee"), st.booleans()),
        (key == "lanes", st.lists(st.sampled_from(WORDS), max_size=4)),
        (key == "principles", st.lists(st.integers(min_value=-1, max_value=22), max_size=4)),
        (key == "plan", st.dictionaries(st.sampled_from(plan_keys or ["title"]), text | st.sampled_from(WORDS), max_size=6)),
    ]
    return next((strategy for matches, strategy in kinds if matches), st.sampled_from(WORDS))


def mostly(usual, other):
    """`usual` four times in five, else `other`."""
    return st.sampled_from([True] * 4 + [False]).flatmap(lambda pick: usual if pick else other)


def payload_arguments(ids, keys, values):
    """The positional arguments of one emit: mostly a payload object with the event's documented
    keys (well formed, or any value; some missing) plus extra keys; else anything at all."""
    anything = junk(ids, keys)
    # Numbers and the documented words weigh more than other junk: they get past the type checks.
    value = numbers(ids) | st.sampled_from(values or WORDS) | anything
    # Four in five fields well formed: most such payloads pass the type checks, some only just not.
    # (one_of cannot weigh its branches; sampled_from weighs by repetition.)
    fields = {key: mostly(well_formed(key, ids, keys), value) for key in keys}
    payload = st.builds(
        lambda documented, extra: {**extra, **documented},
        st.fixed_dictionaries({}, optional={key: value for key in keys}),
        st.dictionaries(st.text(max_size=10), value, max_size=2),
    )
    mostly_well_formed = st.builds(
        lambda documented, dropped: {key: item for key, item in documented.items() if key != dropped},
        st.fixed_dictionaries(fields), mostly(st.none(), st.sampled_from(keys)),  # at times one key goes
    )
    return st.one_of(
        mostly_well_formed.map(lambda p: [p]),
        mostly_well_formed.map(lambda p: [p]),
        payload.map(lambda p: [p]),
        st.tuples(payload, anything).map(list),  # a payload and more arguments after it
        st.lists(anything, max_size=3),  # no argument, a non-object, several
    )


def is_ack(answer):
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        return False
    if answer["ok"]:
        return True
    error = answer.get("error")
    return (set(answer) == {"ok", "error"} and isinstance(error, dict)
            and isinstance(error.get("code"), str) and isinstance(error.get("message"), str) and error["message"] != "")


@pytest.mark.parametrize("event", client_events())
def test_every_socket_event_answers_hostile_payloads_with_an_ack_and_changes_nothing_when_refused(
        event, world, senders, caplog, database):
    keys, values = documented_payloads().get(event, ([], []))
    keys = keys or ["board_id", "card_id"]
    cases = {"count": 0}

    @settings(fuzz_settings, max_examples=examples(EXAMPLES[database]))
    @given(sender=st.sampled_from(["participant", "facilitator", "stranger"]),
           args=payload_arguments(world.ids, keys, values))
    def fuzz(sender, args):
        socket = senders(sender)
        before = fingerprint()
        caplog.clear()
        answer = socket.emit(event, *args, callback=True)
        db.session.remove()  # in production every event has a session of its own
        cases["count"] += 1
        assert is_ack(answer), answer
        assert answer["ok"] or answer["error"]["code"] != "server_error", caplog.text
        assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text
        if not answer["ok"]:
            assert fingerprint() == before, answer

    with caplog.at_level(logging.ERROR):
        fuzz()
    assert cases["count"] >= examples(EXAMPLES[database])


# Found by the fuzz, pinned ------------------------------------------------------------------------

@pytest.mark.parametrize("event, payload", [
    ("edit_action_plan", {"card_id": 2**63, "plan": {"title": "agreed"}}),
    ("vote", {"card_id": 2**64}),
    ("join_board", {"board_id": 2**64}),
    ("get_events", {"board_id": "{board}", "since": 2**64}),
    ("remove_participant", {"participant_id": -10**30}),
    ("spotlight", {"board_id": "{board}", "card_id": 2**63}),
    ("edit_card", {"card_id": "{card}", "link_id": 2**63}),
    ("start_timer", {"board_id": "{board}", "seconds": 2**53}),
    ("join_board", {"board_id": 2**31}),  # PostgreSQL's INTEGER ends at 2**31 - 1
    ("get_events", {"board_id": "{board}", "since": -2**40}),
])
def test_numbers_larger_than_a_browser_sends_are_refused_and_change_nothing(world, senders, event, payload):
    """Past what the database holds (2**31 - 1 on PostgreSQL, 2**63 - 1 on SQLite) it cannot even
    compare a number: such a number used to end in a server_error."""
    real = {"{board}": world.collect.id, "{card}": world.collect.cards[1].id}
    payload = {key: real.get(value, value) if isinstance(value, str) else value for key, value in payload.items()}
    before = fingerprint()
    answer = senders("facilitator").emit(event, payload, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "bad_field", answer
    assert "out of range" in answer["error"]["message"]
    assert fingerprint() == before


@pytest.mark.parametrize("event, payload", [
    ("add_card", {"board_id": "{board}", "lane": "idea", "text": "a\x00b"}),
    ("add_card", {"board_id": "{board}", "lane": "idea", "text": "fine", "client_id": "\x00"}),
    ("edit_action_plan", {"card_id": "{card}", "plan": {"title": "\x00"}}),
    ("add_card", {"board_id": "{board}", "lane": "idea", "text": "a\ud800b"}),
    ("hide_card", {"card_id": "{card}", "reason": "\udfff"}),
    ("edit_action_plan", {"card_id": "{card}", "plan": {"lead": "\udbff\ud800"}}),
])
def test_text_with_a_nul_or_a_lone_surrogate_is_refused_and_changes_nothing(world, senders, event, payload):
    """PostgreSQL cannot store a NUL, and a lone surrogate is not even UTF-8: both used to end in a
    server_error."""
    real = {"{board}": world.collect.id, "{card}": world.collect.cards[2].id}
    payload = {key: real.get(value, value) if isinstance(value, str) else value for key, value in payload.items()}
    before = fingerprint()
    answer = senders("facilitator" if event == "hide_card" else "participant").emit(event, payload, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "bad_character", answer
    assert fingerprint() == before
