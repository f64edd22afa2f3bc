"""The database away for a moment (PostgreSQL unreachable, SQLite locked by another writer): clients
get a clear temporary error (`unavailable`, "try again"; pages answer 503), nothing is half
written, and service resumes by itself once the database is back."""
import sqlite3
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlalchemy import event, func, select

from workshop.extensions import db
from workshop.models import BoardEvent, Card, CityTeam

from .live import LiveServer, Visitor, wait_until
from .proxy import TcpProxy
from .live import join_in_browser


@pytest.fixture
def locked_sqlite(app):
    """`hold()` takes SQLite's write lock from another connection, as a long write elsewhere would;
    the app waits 100 ms for it (not 5 s), then `release()`."""
    db.session.commit()  # hands back the connection the test's session holds, so none keeps the 5 s timeout
    db.engine.dispose()
    event.listen(db.engine, "connect", lambda connection, record: connection.execute("PRAGMA busy_timeout=100"))
    other = sqlite3.connect(db.engine.url.database, isolation_level=None)

    class Lock:
        def hold(self):
            other.execute("BEGIN IMMEDIATE")

        def release(self):
            other.execute("ROLLBACK")

    yield Lock()
    other.close()


def assert_unavailable(ack):
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == "unavailable"
    assert "try again" in ack["error"]["message"].lower()


def test_a_card_posted_while_sqlite_is_locked_gets_a_temporary_error_and_goes_through_when_sent_again(room, locked_sqlite):
    payload = {"board_id": room.board.id, "lane": "problem", "text": "Posted while locked", "client_id": "locked-1"}
    locked_sqlite.hold()
    assert_unavailable(room.ana_socket.emit("add_card", payload, callback=True))
    locked_sqlite.release()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Card.id))) == 0
    assert db.session.scalar(select(func.count(BoardEvent.id))) == 0
    ack = room.ana_socket.emit("add_card", payload, callback=True)
    assert ack["ok"] and ack["seq"] == 1


def test_a_vote_while_sqlite_is_locked_gets_a_temporary_error(room, locked_sqlite, make_participant):
    card = Card(board=room.board, lane="idea", text="An idea", author=room.ben)
    room.board.phase = "vote"
    db.session.add(card)
    db.session.commit()
    locked_sqlite.hold()
    assert_unavailable(room.ana_socket.emit("vote", {"card_id": card.id}, callback=True))
    locked_sqlite.release()
    assert room.ana_socket.emit("vote", {"card_id": card.id}, callback=True)["ok"]


def test_a_form_posted_while_sqlite_is_locked_answers_503_and_saves_nothing(client, auth, make_workshop, locked_sqlite):
    workshop = make_workshop()
    auth.as_user(workshop.facilitators[0])
    teams = db.session.scalar(select(func.count(CityTeam.id)))
    locked_sqlite.hold()
    response = client.post(f"/workshops/{workshop.id}/city-teams", data={"name": "Gdansk", "country": "Poland"})
    locked_sqlite.release()
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "Try again in a few seconds" in response.text
    db.session.rollback()
    assert db.session.scalar(select(func.count(CityTeam.id))) == teams


def test_a_bug_in_the_database_layer_is_still_a_server_error_not_a_temporary_one(room):
    db.session.execute(sa.text("DROP TABLE votes"))
    db.session.commit()
    card = Card(board=room.board, lane="idea", text="An idea", author=room.ben)
    room.board.phase = "vote"
    db.session.add(card)
    db.session.commit()
    ack = room.ana_socket.emit("vote", {"card_id": card.id}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "server_error"


# PostgreSQL away: the app reaches it through a proxy the test cuts. Cutting the proxy does to the
# app what a stopped or restarting PostgreSQL does (its connections drop, new ones are refused),
# without stopping the PostgreSQL other tests share.

def through(proxy, url):
    return url.replace(":5432/", f":{proxy.port}/")


@pytest.mark.browser
def test_postgresql_unreachable_gives_temporary_errors_and_service_resumes_by_itself(postgres_url, tmp_path, new_page):
    proxy = TcpProxy(5432)
    server = LiveServer(through(proxy, postgres_url), log_path=tmp_path / "server.log")
    try:
        facilitator = Visitor(server.url).sign_up("Fran")
        code, boards = facilitator.create_workshop("Outage")
        board = boards[0]
        ana = Visitor(server.url).join(code, "Ana", "Glasgow")
        socket = ana.socket()
        assert socket.call("join_board", {"board_id": board})["ok"]
        assert socket.call("add_card", {"board_id": board, "lane": "problem", "text": "Before", "client_id": "before"})["ok"]
        page = new_page(server)
        join_in_browser(page, code, "Bea", "Bologna")
        page.goto(f"/boards/{board}")
        expect(page.get_by_text("2 here now")).to_be_visible()

        proxy.cut()  # PostgreSQL gone: pooled connections dropped, new ones refused
        outage_ends = time.monotonic() + 3
        sent = 0
        while time.monotonic() < outage_ends:
            sent += 1
            assert_unavailable(socket.call("add_card", {"board_id": board, "lane": "problem", "text": f"During {sent}",
                                                        "client_id": f"during-{sent}"}))
            time.sleep(0.2)
        page.get_by_label("New problem").fill("Posted from the browser while the database was away")
        page.get_by_role("button", name="Add problem").click()
        wait_until(page, "window.workshopBoard.state.inFlight.size === 0")  # its ack (unavailable) came
        expect(page.locator(".card.pending")).to_have_count(1)  # kept, to be sent again
        html = ana.http.get(f"{server.url}/boards/{board}")
        assert html.status_code == 503 and "Try again in a few seconds" in html.text
        api = ana.http.get(f"{server.url}/api/boards/{board}")
        assert api.status_code == 503 and api.json()["error"]["code"] == "unavailable"

        proxy.restore()
        ack = socket.call("add_card", {"board_id": board, "lane": "problem", "text": "During 1", "client_id": "during-1"})
        assert ack["ok"] and ack["seq"] == 2, ack  # the first call after the outage: the pool reconnected by itself
        assert ana.http.get(f"{server.url}/boards/{board}").status_code == 200
        expect(page.locator(".card.pending")).to_have_count(0)  # the browser sent it again by itself
        expect(page.get_by_role("listitem", name="Posted from the browser while the database was away")).to_have_count(1)
        assert page.errors == []
        socket.close()
    finally:
        server.stop()
        proxy.close()
    engine = sa.create_engine(postgres_url)
    with engine.connect() as connection:
        stored = connection.scalars(select(Card.text).where(Card.board_id == board).order_by(Card.id)).all()
        seqs = connection.scalars(select(BoardEvent.seq).where(BoardEvent.board_id == board).order_by(BoardEvent.seq)).all()
    engine.dispose()
    assert stored == ["Before", "During 1", "Posted from the browser while the database was away"]  # nothing half-written
    assert seqs == [1, 2, 3]
