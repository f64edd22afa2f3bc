"""Rate limits: per person on posting, voting and opening boards (socket events), per address on
logging in and joining (forms). Over a limit: a clear `slow_down` (or 429) with the seconds to
wait, and nothing changed. Each test sets the limits it is about, small, so it stays quick; the
defaults are checked against a person's pace and a script's."""
import time

import pytest
from sqlalchemy import func, select

from workshop import config
from workshop.extensions import db
from workshop.models import BoardEvent, Card, Facilitator, Participant, Vote

from .conftest import PASSWORD
from .helpers import post


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def assert_slow_down(ack, most=None):
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == "slow_down"
    assert "slow down" in ack["error"]["message"].lower()
    retry_after = ack["error"]["retry_after"]
    assert isinstance(retry_after, int) and 1 <= retry_after <= (most or retry_after)
    assert f"{retry_after} second" in ack["error"]["message"]


def received(socket, name):
    return [message for message in socket.get_received() if message["name"] == name]


class Clock:
    """Time as the in-memory counts read it (`limits`' and ours): it moves only when a test sleeps."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    monotonic = time

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """A window of a second passes at once, not in a real second."""
    import limits.storage.memory
    import limits.strategies

    from workshop import ratelimits

    clock = Clock()
    for module in (limits.storage.memory, limits.strategies, ratelimits):
        monkeypatch.setattr(module, "time", clock)
    return clock


# Socket events, per person --------------------------------------------------------------------


def test_a_card_over_the_limit_is_refused_with_slow_down_and_nothing_changes(app, room):
    app.config["RATELIMIT_CARD_WRITES"] = "3 per minute"
    for n in range(3):
        assert post(room.ana_socket, room.board, text=f"Problem {n}")["ok"]
    cards, events = count(Card), count(BoardEvent)
    room.clear()

    assert_slow_down(post(room.ana_socket, room.board, text="One too many"), most=60)
    assert (count(Card), count(BoardEvent)) == (cards, events)
    assert received(room.ben_socket, "card_added") == []


def test_edits_and_deletes_count_with_posting(app, room):
    app.config["RATELIMIT_CARD_WRITES"] = "2 per minute"
    card = post(room.ana_socket, room.board, text="Before")["card"]
    assert room.ana_socket.emit("edit_card", {"card_id": card["id"], "text": "After"}, callback=True)["ok"]

    assert_slow_down(room.ana_socket.emit("edit_card", {"card_id": card["id"], "text": "Again"}, callback=True))
    assert_slow_down(room.ana_socket.emit("delete_card", {"card_id": card["id"]}, callback=True))
    assert_slow_down(room.ana_socket.emit("edit_action_plan", {"card_id": card["id"], "plan": {}}, callback=True))
    db.session.expire_all()
    assert db.session.get(Card, card["id"]).text == "After" and db.session.get(Card, card["id"]).is_live


def test_another_person_in_the_same_room_is_not_throttled(app, room):
    app.config["RATELIMIT_CARD_WRITES"] = "2 per minute"
    for n in range(2):
        assert post(room.ana_socket, room.board, text=f"Ana's {n}")["ok"]
    assert_slow_down(post(room.ana_socket, room.board, text="Ana's third"))

    for n in range(2):
        assert post(room.ben_socket, room.board, text=f"Ben's {n}")["ok"]
    assert count(Card) == 4


def test_the_window_moves_on(app, room, clock):
    app.config["RATELIMIT_CARD_WRITES"] = "2 per 1 second"
    assert post(room.ana_socket, room.board, text="First")["ok"]
    assert post(room.ana_socket, room.board, text="Second")["ok"]
    assert_slow_down(post(room.ana_socket, room.board, text="Too soon"), most=1)

    clock.sleep(1.05)
    assert post(room.ana_socket, room.board, text="After a breath")["ok"]
    assert count(Card) == 3


def test_votes_over_the_limit_are_refused_and_no_dot_moves(app, room):
    app.config["RATELIMIT_VOTES"] = "3 per minute"
    idea = post(room.ana_socket, room.board, lane="idea", text="Vote for me")["card"]
    assert room.staff_socket.emit("set_phase", {"board_id": room.board.id, "phase": "vote"}, callback=True)["ok"]
    for event in ["vote", "vote", "unvote"]:
        assert room.ben_socket.emit(event, {"card_id": idea["id"]}, callback=True)["ok"]

    assert_slow_down(room.ben_socket.emit("vote", {"card_id": idea["id"]}, callback=True))
    assert_slow_down(room.ben_socket.emit("unvote", {"card_id": idea["id"]}, callback=True))
    assert count(Vote) == 1
    assert room.ana_socket.emit("vote", {"card_id": idea["id"]}, callback=True)["ok"]  # Ana has her own count


def test_opening_boards_over_the_limit_is_refused(app, room):
    app.config["RATELIMIT_BOARD_JOINS"] = "2 per minute"  # a new limit counts afresh
    for _ in range(2):
        assert room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True)["ok"]
    room.clear()

    assert_slow_down(room.ana_socket.emit("join_board", {"board_id": room.other_board.id}, callback=True))
    assert received(room.side_socket, "presence_changed") == []  # she did not arrive on the other board


def test_facilitators_open_boards_without_the_limit(app, room):
    """The console opens every board of the workshop at once, and the projector one more: with more
    boards than the limit, a facilitator would wait a minute for the projector. Facilitators' room
    events are not limited; opening boards now is not either."""
    app.config["RATELIMIT_BOARD_JOINS"] = "2 per minute"
    for board in [room.board, room.other_board, room.board, room.other_board]:
        assert room.staff_socket.emit("join_board", {"board_id": board.id, "watch": True}, callback=True)["ok"]
    assert room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True)["ok"]
    assert room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True)["ok"]
    assert_slow_down(room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True))


def test_limits_count_tries_not_successes(app, room):
    """Refused or malformed tries count too: hammering with bad input is still hammering."""
    app.config["RATELIMIT_CARD_WRITES"] = "2 per minute"
    assert room.ana_socket.emit("add_card", {"board_id": room.board.id}, callback=True)["error"]["code"] == "missing_field"
    assert room.ana_socket.emit("add_card", "junk", callback=True)["error"]["code"] == "bad_payload"
    assert_slow_down(post(room.ana_socket, room.board))
    assert count(Card) == 0


def test_facilitator_moderation_is_not_limited(app, room):
    app.config["RATELIMIT_CARD_WRITES"] = "1 per minute"
    cards = [post(socket, room.board, text=f"Card {n}")["card"] for n, socket in enumerate([room.ana_socket, room.ben_socket])]
    for card in cards:
        assert room.staff_socket.emit("hide_card", {"card_id": card["id"], "reason": "Off topic"}, callback=True)["ok"]
        assert room.staff_socket.emit("restore_card", {"card_id": card["id"]}, callback=True)["ok"]


def test_the_defaults_let_a_person_work_at_human_speed(room):
    """A burst of 20 cards (kept while offline, sent at once) and 10 quick clicks on dots pass."""
    for n in range(20):
        assert post(room.ana_socket, room.board, lane="idea", text=f"Idea {n}")["ok"], n
    ideas = db.session.scalars(select(Card.id)).all()
    assert room.staff_socket.emit("set_phase", {"board_id": room.board.id, "phase": "vote"}, callback=True)["ok"]
    for card_id in ideas[:5]:
        for event in ["vote", "unvote"]:
            assert room.ben_socket.emit(event, {"card_id": card_id}, callback=True)["ok"], (event, card_id)


def test_the_defaults_stop_a_script_posting_flat_out(room):
    acks = [post(room.ana_socket, room.board, text=f"Spam {n}") for n in range(40)]
    refused = [ack for ack in acks if not ack["ok"]]
    assert refused and all(ack["error"]["code"] == "slow_down" for ack in refused)
    assert count(Card) == 30


def test_limits_can_be_switched_off(app, room):
    app.config["RATELIMIT_ENABLED"] = False
    app.config["RATELIMIT_CARD_WRITES"] = "1 per minute"
    assert all(post(room.ana_socket, room.board, text=f"Card {n}")["ok"] for n in range(3))


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATELIMIT_VOTES", "1000 per second")
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    settings = config.from_environment()
    assert settings["RATELIMIT_VOTES"] == "1000 per second" and settings["RATELIMIT_ENABLED"] is False
    assert settings["RATELIMIT_CARD_WRITES"] == config.RATE_LIMITS["CARD_WRITES"]


def test_a_mistyped_limit_stops_the_app_at_start():
    from workshop import create_app

    with pytest.raises(ValueError):
        create_app({"SECRET_KEY": "x", "RATELIMIT_VOTES": "ten a second"})


def test_a_handler_naming_an_unknown_limit_fails_at_import():
    from workshop.live import handler

    with pytest.raises(ValueError, match="no rate limit named 'VOTE'"):
        handler("vote_again", limit="VOTE")


# Forms, per address -----------------------------------------------------------------------------


def test_logging_in_over_the_limit_answers_429_and_signs_nobody_in(app, client, make_facilitator):
    app.config["RATELIMIT_LOGINS"] = "2 per minute"
    facilitator = make_facilitator()
    for _ in range(2):
        assert client.post("/login", data={"email": facilitator.email, "password": "guess"}).status_code == 400

    response = client.post("/login", data={"email": facilitator.email, "password": PASSWORD})
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "Please slow down" in response.text
    assert client.get("/workshops/").status_code == 302  # still signed out
    assert client.get("/login").status_code == 200  # the page itself still shows


def test_signing_up_over_the_limit_creates_no_account(app, client):
    app.config["RATELIMIT_LOGINS"] = "1 per minute"
    form = {"name": "Fran", "email": "fran@example.org", "password": PASSWORD, "confirm": PASSWORD}
    assert client.post("/signup", data={**form, "confirm": "typo"}).status_code == 400

    assert client.post("/signup", data=form).status_code == 429
    assert count(Facilitator) == 0


def test_joining_over_the_limit_answers_429_and_creates_no_participant(app, client, make_workshop):
    app.config["RATELIMIT_JOIN_FORMS"] = "2 per minute"
    workshop = make_workshop()
    assert client.post("/", data={"code": workshop.join_code}).status_code == 302
    assert client.post(f"/join/{workshop.join_code}", data={"display_name": ""}).status_code == 400

    response = client.post(f"/join/{workshop.join_code}", data={"display_name": "Ana", "city_team": workshop.city_teams[0].id})
    assert response.status_code == 429 and "Please slow down" in response.text
    assert client.post("/", data={"code": workshop.join_code}).status_code == 429
    assert count(Participant) == 0
    assert client.get(f"/join/{workshop.join_code}").status_code == 200  # following the link is not a try


def test_other_addresses_are_counted_apart(app, client, make_workshop):
    app.config["RATELIMIT_JOIN_FORMS"] = "1 per minute"
    workshop = make_workshop()
    code = workshop.join_code
    assert client.post("/", data={"code": code}, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 302
    assert client.post("/", data={"code": code}, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.post("/", data={"code": code}, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 302


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_trusted_proxy_the_forwarded_address_counts(tmp_path, proxies):
    """Behind nginx every request comes from the proxy: with PROXY_FIX_X_FOR its X-Forwarded-For
    tells people apart; without, the header is ignored, so a client cannot dodge its limit by
    sending one."""
    from workshop import create_app

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite'}",
                      "WTF_CSRF_ENABLED": False, "PROXY_FIX_X_FOR": proxies, "RATELIMIT_JOIN_FORMS": "1 per minute"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [client.post("/", data={"code": "ZZZZZZ"}, headers={"X-Forwarded-For": address}).status_code
                for address in ["203.0.113.1", "203.0.113.2"]]
    assert statuses == ([400, 400] if proxies else [400, 429])


def test_an_unreachable_count_store_lets_people_through_and_says_so(tmp_path, caplog):
    """Limits protect the room; a lost Redis must not stop it. Every try is let through, logged."""
    from workshop import create_app

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lost.sqlite'}",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:1/0",
                      "RATELIMIT_JOIN_FORMS": "1 per minute"})
    with app.app_context():
        db.create_all()
        statuses = [app.test_client().post("/", data={"code": "ZZZZZZ"}).status_code for _ in range(2)]
    assert statuses == [400, 400]
    assert "rate limit counts unreachable" in caplog.text


# Counting in memory --------------------------------------------------------------------------

def test_counting_in_memory_starts_no_thread_and_sweeps_expired_times_inline(monkeypatch, clock):
    """`limits` re-armed a timer thread and asked whether it was alive on every count: under gevent
    that question yields to other greenlets, pausing every rate-limited event mid-handler."""
    import threading

    from limits import parse
    from limits.strategies import MovingWindowRateLimiter

    from workshop.ratelimits import MemoryCounts

    counts = MemoryCounts()
    counts.timer.join(timeout=5)  # the 10 ms timer `limits` starts with the storage is over
    assert not counts.timer.is_alive()

    def no_thread(*args, **kwargs):
        raise AssertionError("counting started a thread")

    monkeypatch.setattr(threading, "Timer", no_thread)
    monkeypatch.setattr(threading.Thread, "start", no_thread)
    limiter, two_a_second = MovingWindowRateLimiter(counts), parse("2 per 1 second")
    assert [limiter.hit(two_a_second, "ana") for _ in range(3)] == [True, True, False]
    assert limiter.hit(two_a_second, "ben")
    assert sum(map(len, counts.events.values())) == 3  # times kept: Ana's two, Ben's one
    clock.sleep(1.05)  # all three have left the window
    assert limiter.hit(two_a_second, "cleo") and sum(map(len, counts.events.values())) == 4  # no sweep yet
    counts.sweep_at = clock.monotonic()  # ten seconds later
    assert limiter.hit(two_a_second, "dan")
    assert sum(map(len, counts.events.values())) == 2  # swept: only Cleo's and Dan's are kept
