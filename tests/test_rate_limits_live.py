"""Rate limits on real servers: two processes sharing Redis share each person's count, and the
board page in Chromium says "slow down" sensibly (a card over the limit waits and goes by itself;
a page refused when opening the board opens it a moment later)."""
import uuid

import pytest
from playwright.sync_api import expect

from workshop import create_app
from workshop.ratelimits import storage_url

from .live import LiveServer, Visitor, wait_until
from .live import card, join_in_browser


def test_counts_live_in_redis_when_processes_share_rooms_there():
    assert storage_url({}) == "memory://"
    assert storage_url({"SOCKETIO_MESSAGE_QUEUE": "redis://queue:6379/0"}) == "redis://queue:6379/0"
    assert storage_url({"SOCKETIO_MESSAGE_QUEUE": "redis://queue:6379/0", "RATELIMIT_STORAGE_URL": "redis://limits:6379/1"}) == "redis://limits:6379/1"
    app = create_app({"SECRET_KEY": "x", "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0"})
    assert type(app.extensions["workshop.ratelimits"].storage).__name__ == "RedisStorage"


@pytest.mark.live
def test_two_processes_sharing_redis_share_a_persons_count(redis_url, tmp_path):  # noqa: F811
    # Only the counts in Redis (`storage_url` above picks it from SOCKETIO_MESSAGE_QUEUE alike): with
    # the queue too, this test's presence would stay in Redis, under board ids the next tests reuse.
    env = {"RATELIMIT_STORAGE_URL": redis_url, "RATELIMIT_CARD_WRITES": "3 per minute",
           "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}  # earlier runs' counts (same ids) stay out of it
    database = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    servers = [LiveServer(database, extra_env=env, log_path=tmp_path / f"server{n}.log") for n in range(2)]
    sockets = []
    try:
        code, boards = Visitor(servers[0].url).sign_up("Fran").create_workshop("Shared counts")
        ana = Visitor(servers[0].url).join(code, "Ana", "Glasgow")
        ana_elsewhere = Visitor(servers[1].url)
        ana_elsewhere.http.cookies.update(ana.http.cookies)  # the same person, reaching the other process
        ben = Visitor(servers[1].url).join(code, "Ben", "Bologna")
        first, second, bens = ana.socket(), ana_elsewhere.socket(), ben.socket()
        sockets += [first, second, bens]

        def post(socket, text):
            return socket.call("add_card", {"board_id": boards[0], "lane": "problem", "text": text})

        assert post(first, "One")["ok"] and post(second, "Two")["ok"] and post(first, "Three")["ok"]
        refused = post(second, "Four")
        assert refused["ok"] is False and refused["error"]["code"] == "slow_down", refused
        assert 1 <= refused["error"]["retry_after"] <= 60
        assert post(bens, "Ben is not throttled")["ok"]
        cards = bens.call("join_board", {"board_id": boards[0]})["snapshot"]["cards"]
        assert sorted(card["text"] for card in cards) == ["Ben is not throttled", "One", "Three", "Two"]
    finally:
        for socket in sockets:
            socket.close()
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def tight_server(tmp_path_factory):
    """A server whose limits a test reaches in a few clicks."""
    folder = tmp_path_factory.mktemp("tight")
    server = LiveServer(f"sqlite:///{folder / 'tight.sqlite'}",
                        extra_env={"RATELIMIT_CARD_WRITES": "2 per 3 seconds", "RATELIMIT_BOARD_JOINS": "1 per 5 seconds"})
    yield server
    server.stop()


def open_board(page, server, name, city):
    code, _ = Visitor(server.url).sign_up("Fran").create_workshop("Tight limits")
    join_in_browser(page, code, name, city)
    page.get_by_role("link", name="Child poverty and the EU Child Guarantee").first.click()
    expect(page.get_by_role("heading", name="Child poverty and the EU Child Guarantee", level=1)).to_be_visible()


@pytest.mark.browser
def test_a_card_over_the_limit_says_slow_down_then_goes_by_itself(new_page, tight_server):
    page = new_page(tight_server)
    open_board(page, tight_server, "Ana", "Glasgow")
    for text in ["First problem", "Second problem", "Third problem"]:
        page.get_by_label("New problem").fill(text)
        page.get_by_role("button", name="Add problem").click()

    expect(page.get_by_role("alert")).to_contain_text("faster than the board allows")
    expect(page.get_by_role("alert")).to_contain_text("goes by itself")
    expect(card(page, "Third problem")).to_be_visible(timeout=6000)
    expect(page.get_by_role("alert")).to_be_hidden()
    assert page.errors == []


@pytest.mark.browser
def test_a_board_refused_on_opening_opens_a_moment_later(new_page, tight_server):
    page = new_page(tight_server)
    open_board(page, tight_server, "Ben", "Bologna")
    wait_until(page, "window.workshopBoard?.state.joined")
    page.reload()  # a second opening within 5 s: refused, then tried again by itself
    expect(page.locator("#announcer")).to_contain_text("Opening the board too often: it opens again in")
    assert not page.evaluate("window.workshopBoard.state.joined")
    page.get_by_label("New problem").fill("Posted once the board opened")  # waits, then goes
    page.get_by_role("button", name="Add problem").click()
    expect(card(page, "Posted once the board opened")).to_be_visible(timeout=10_000)
    assert page.evaluate("window.workshopBoard.state.joined")
    assert page.errors == []
