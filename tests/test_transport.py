"""Transport and session security: who may open a socket (Origin, CSRF token in the connect auth),
sockets closed on signing out, the size of a socket message, cookies, proxies and security headers."""
import pytest
import socketio as socketio_client

from workshop import create_app

from .live import LiveServer, Visitor, csrf_token_for

POLLING = "/socket.io/?EIO=4&transport=polling"


# Who may open a socket ---------------------------------------------------------------------------


def test_socket_with_the_page_token_connects(connect, make_workshop):
    socket = connect(make_workshop().facilitators[0])

    assert socket.is_connected()


@pytest.mark.parametrize("auth", [{}, {"csrf_token": ""}, {"csrf_token": "forged"}, {"csrf_token": 12},
                                  {"csrf_token": ["x"]}, ["not", "an", "object"]],
                         ids=["none", "empty", "forged", "number", "list", "not-an-object"])
def test_socket_without_a_valid_csrf_token_is_refused(connect, make_workshop, auth):
    socket = connect(make_workshop().facilitators[0], auth=auth)

    assert not socket.is_connected()


def test_socket_with_the_token_of_another_session_is_refused(app, connect, make_workshop):
    someone_elses = csrf_token_for(app, {})

    socket = connect(make_workshop().facilitators[0], auth={"csrf_token": someone_elses})

    assert not socket.is_connected()


def test_socket_handshake_from_another_origin_is_refused(client):
    assert client.get(POLLING, headers={"Origin": "http://evil.example"}).status_code == 400
    assert client.get(POLLING, headers={"Origin": "http://localhost.evil.example"}).status_code == 400
    own = client.get(POLLING, headers={"Origin": "http://localhost"})
    assert own.status_code == 200 and own.headers["Access-Control-Allow-Origin"] == "http://localhost"
    assert client.get(POLLING).status_code == 200  # no Origin: not a browser; the token decides


def test_allowed_origins_admits_the_listed_origins_only(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite'}",
                      "ALLOWED_ORIGINS": ["https://workshop.example.org/"]})
    client = app.test_client()

    assert client.get(POLLING, headers={"Origin": "https://workshop.example.org"}).status_code == 200
    assert client.get(POLLING, headers={"Origin": "http://localhost"}).status_code == 200
    assert client.get(POLLING, headers={"Origin": "https://other.example.org"}).status_code == 400


def test_forwarded_scheme_counts_only_behind_a_configured_proxy(tmp_path):
    """X-Forwarded-Proto is anyone's to send: it is believed only when PROXY_FIX_X_PROTO says a proxy sets it."""
    headers = {"Origin": "https://localhost", "X-Forwarded-Proto": "https"}
    database = f"sqlite:///{tmp_path / 'a.sqlite'}"
    direct = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database})
    proxied = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database, "PROXY_FIX_X_PROTO": 1})

    assert direct.test_client().get(POLLING, headers=headers).status_code == 400
    assert proxied.test_client().get(POLLING, headers=headers).status_code == 200


@pytest.fixture
def fran(live_server):
    """A facilitator on the live server with a workshop (`fran.boards`)."""
    visitor = Visitor(live_server.url).sign_up("Fran")
    visitor.code, visitor.boards = visitor.create_workshop("Transport")
    return visitor


def test_real_client_needs_this_origin_and_the_page_token(fran):
    with pytest.raises(socketio_client.exceptions.ConnectionError) as refused:
        fran.socket(origin="http://evil.example")
    assert refused.value.reason == "Connection error"  # the WebSocket handshake itself got 400
    for auth in ({}, {"csrf_token": "forged"}, {"csrf_token": Visitor(fran.base).csrf_token()}):
        with pytest.raises(socketio_client.exceptions.ConnectionError) as refused:
            fran.socket(auth=auth)
        assert refused.value.reason["message"] == "bad_csrf_token"
        assert refused.value.reason["data"] == {"code": "bad_csrf_token", "message": "This page is out of date. Reload it to reconnect."}
    socket = fran.socket()
    try:
        assert socket.call("join_board", {"board_id": fran.boards[0]})["ok"]
    finally:
        socket.close()


def test_real_client_of_nobody_is_refused_as_not_signed_in(live_server):
    with pytest.raises(socketio_client.exceptions.ConnectionError) as refused:
        Visitor(live_server.url).socket()
    assert refused.value.reason["data"]["code"] == "not_signed_in"


def test_allowed_origins_from_the_environment_on_a_real_server(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'origins.sqlite'}",
                        extra_env={"ALLOWED_ORIGINS": "https://workshop.example.org, https://lab.example.org"})
    try:
        visitor = Visitor(server.url).sign_up("Fran")
        for origin in ("https://lab.example.org", None):  # listed, and the server's own
            visitor.socket(origin=origin).close()
        with pytest.raises(socketio_client.exceptions.ConnectionError):
            visitor.socket(origin="https://evil.example.org")
    finally:
        server.stop()


# Signing out ends the person's sockets -----------------------------------------------------------


def events_named(socket, name):
    """What `socket` received as `name`; read from the test client's queue, since `get_received`
    refuses once the server closed the socket."""
    return [event["args"] for event in socket.queue if event["name"] == name]


@pytest.mark.parametrize("who", ["facilitator", "participant"])
def test_signing_out_closes_every_socket_of_that_person_at_once(auth, connect, make_workshop, make_participant, who):
    workshop = make_workshop()
    person = workshop.facilitators[0] if who == "facilitator" else make_participant(workshop, "Ana")
    bystander = make_participant(workshop, "Ben")
    tabs, other = [connect(person), connect(person)], connect(bystander)
    auth.as_user(person)

    assert auth.logout().status_code == 302

    for tab in tabs:
        assert events_named(tab, "signed_out") == [[{}]]
        assert not tab.is_connected()
    assert other.is_connected() and events_named(other, "signed_out") == []


def test_signing_out_when_signed_out_touches_no_socket(auth, connect, make_workshop):
    socket = connect(make_workshop().facilitators[0])

    assert auth.logout().status_code == 302

    assert socket.is_connected() and events_named(socket, "signed_out") == []


def test_signing_out_closes_real_sockets_in_every_tab(fran, live_server):
    tabs = [fran.socket(), fran.socket()]
    for tab in tabs:
        assert tab.call("join_board", {"board_id": fran.boards[0]})["ok"]
    ana = Visitor(live_server.url).join(fran.code, "Ana", "Glasgow").socket()

    fran.form("/logout", {}, page="/")

    for tab in tabs:
        tab.wait_for(lambda received: ("signed_out", {}) in received)
        tab.wait_for(lambda received: not tab.client.connected)
    assert ana.client.connected and ana.call("join_board", {"board_id": fran.boards[0]})["ok"]
    ana.close()
