"""Transport and session security: who may open a socket (Origin, CSRF token in the connect auth),
sockets closed on signing out, the size of a socket message, cookies, proxies and security headers."""
import pytest
import socketio as socketio_client
from flask import url_for
from flask.sessions import SecureCookieSessionInterface

from workshop import create_app

from .conftest import PASSWORD
from .live import LiveServer, Visitor, csrf_token_for

POLLING = "/socket.io/?EIO=4&transport=polling"


# Who may open a socket ---------------------------------------------------------------------------


def test_socket_with_the_page_token_connects(connect, make_workshop):
    socket = connect(make_workshop().facilitators[0])

    assert socket.is_connected()


def test_a_socket_reads_the_session_cookie_once_not_at_every_event(connect, make_workshop, make_participant, monkeypatch):
    """Flask-SocketIO gives each socket its own copy of the session; decoding the cookie again for
    every event (HMAC, base64, JSON) only to throw it away cost 5 % of the vote storm."""
    workshop = make_workshop()
    opened = []
    plain_open = SecureCookieSessionInterface.open_session
    monkeypatch.setattr(SecureCookieSessionInterface, "open_session",
                        lambda self, app, request: opened.append(request.path) or plain_open(self, app, request))
    socket = connect(make_participant(workshop))
    at_connect = len(opened)
    for _ in range(3):
        assert socket.emit("join_board", {"board_id": workshop.policy_areas[0].board.id}, callback=True)["ok"]

    assert at_connect >= 1
    assert len(opened) == at_connect


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


# engine.io logs its first refusal of a foreign origin at ERROR: these tests knock from one on purpose.
ORIGIN_REFUSED = r"ERROR \[engineio\.server\] \S+ is not an accepted origin"


@pytest.mark.live
def test_real_client_needs_this_origin_and_the_page_token(fran, live_server):
    live_server.expect_in_log(ORIGIN_REFUSED)
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


@pytest.mark.live
def test_real_client_of_nobody_is_refused_as_not_signed_in(live_server):
    with pytest.raises(socketio_client.exceptions.ConnectionError) as refused:
        Visitor(live_server.url).socket()
    assert refused.value.reason["data"]["code"] == "not_signed_in"


@pytest.mark.live
def test_allowed_origins_from_the_environment_on_a_real_server(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'origins.sqlite'}",
                        extra_env={"ALLOWED_ORIGINS": "https://workshop.example.org, https://lab.example.org"},
                        expected_in_log=[ORIGIN_REFUSED])
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


@pytest.mark.live
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


# Cookies --------------------------------------------------------------------------------------------


def cookies_after_logging_in(app, facilitator, **headers):
    """The Set-Cookie headers of a remembered log-in, by cookie name."""
    response = app.test_client().post("/login", data={"email": facilitator.email, "password": PASSWORD, "remember": "y"},
                                      headers=headers)
    assert response.status_code == 302
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def app_with(tmp_path, **config):
    """Another app on the test database (so the factories' people exist there), configured with `config`."""
    return create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}", **config})


@pytest.mark.parametrize("mode, config, headers, secure", [
    ("plain http", {}, {}, False),
    ("https", {"PREFERRED_URL_SCHEME": "https"}, {}, True),
    ("behind a TLS proxy", {"PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_FOR": 1}, {"X-Forwarded-Proto": "https"}, True),
], ids=lambda value: value if isinstance(value, str) else None)
def test_session_and_remember_cookies_are_httponly_lax_and_secure_over_tls(app, tmp_path, make_facilitator,
                                                                           mode, config, headers, secure):
    cookies = cookies_after_logging_in(app_with(tmp_path, **config), make_facilitator(), **headers)

    assert set(cookies) == {"session", "remember_token"}
    for cookie in cookies.values():
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        assert "httponly" in attributes and "samesite=lax" in attributes
        assert ("secure" in attributes) is secure, (mode, cookie)


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_configured_proxy(app, tmp_path):
    """Limits per address (login, join) must not be dodged by sending a made-up X-Forwarded-For."""
    from flask import request

    seen = []
    for config in ({}, {"PROXY_FIX_X_FOR": 1}):
        other = app_with(tmp_path, **config)
        other.before_request(lambda: seen.append(request.remote_addr))
        other.test_client().get("/", headers={"X-Forwarded-For": "203.0.113.9"})

    assert seen == ["127.0.0.1", "203.0.113.9"]


# Security headers -----------------------------------------------------------------------------------

CSP = ("default-src 'self'; script-src 'self'; connect-src 'self' ws://localhost; img-src 'self' data:; "
       "style-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
       "object-src 'none'")


def get_routes(app):
    """Every GET route of the app, as (endpoint, rule)."""
    return sorted((rule.endpoint, rule) for rule in app.url_map.iter_rules() if "GET" in rule.methods)


def test_every_get_route_carries_the_security_headers(app, client, auth, make_workshop, make_participant):
    workshop = make_workshop()
    auth.as_user(workshop.facilitators[0])
    values = {"workshop_id": workshop.id, "board_id": workshop.policy_areas[0].board.id,
              "team_id": workshop.city_teams[0].id, "area_id": workshop.policy_areas[0].id, "code": workshop.join_code, "token": "no-such-token",
              "key": "0" * 64, "number": 1, "filename": "css/app.css"}
    routes = get_routes(app)
    assert len(routes) >= 20  # the list is the app's own, not a hand-kept one

    for endpoint, rule in routes:
        with app.test_request_context():
            url = url_for(endpoint, **{name: values[name] for name in rule.arguments})
        response = client.get(url)
        response.close()
        assert response.status_code < 500, url
        assert response.headers["Content-Security-Policy"] == CSP, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["Referrer-Policy"] == "same-origin", url


def test_error_pages_and_refusals_carry_the_security_headers(client):
    for response in (client.get("/no-such-page"), client.post("/workshops/1/close"), client.get("/workshops/")):
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_policy_names_the_secure_socket_over_tls_and_no_odd_host(tmp_path):
    client = app_with(tmp_path, PROXY_FIX_X_PROTO=1).test_client()

    over_tls = client.get("/", headers={"X-Forwarded-Proto": "https", "Host": "workshop.example.org"})
    odd_host = client.get("/", headers={"Host": "evil;script-src *"})

    assert "connect-src 'self' wss://workshop.example.org;" in over_tls.headers["Content-Security-Policy"]
    assert "connect-src 'self';" in odd_host.headers["Content-Security-Policy"]


# The size of a socket message -------------------------------------------------------------------


@pytest.mark.live
def test_the_largest_legitimate_message_passes_and_an_oversized_one_closes_only_its_socket(fran, live_server):
    from workshop.boards.plans import TEXT_FIELDS

    ana = Visitor(live_server.url).join(fran.code, "Ana", "Glasgow").socket()
    ben = Visitor(live_server.url).join(fran.code, "Ben", "Bologna").socket()
    board = fran.boards[0]
    plan_card = ana.call("add_card", {"board_id": board, "lane": "action", "text": "🙂" * 500})["card"]
    # Every field full of characters the client spells as 12 bytes each ("\ud83d\ude42").
    full = {name: "🙂" * longest for name, longest in TEXT_FIELDS.items()}
    plan = {**full, "starts_on": "2026-01-01", "ends_on": "2026-12-31", "status": "agreed",
            "principles": list(range(1, 21)), "child_guarantee": True}

    answer = ana.call("edit_action_plan", {"card_id": plan_card["id"], "plan": plan})

    assert answer["ok"], answer
    assert answer["card"]["plan"]["partners"] == full["partners"]
    cards_before = ben.call("join_board", {"board_id": board})["snapshot"]["cards"]

    ana.client.emit("add_card", {"board_id": board, "lane": "idea", "text": "x" * 100_000})

    ana.wait_for(lambda received: not ana.client.connected)
    assert ben.client.connected and ben.call("join_board", {"board_id": board})["snapshot"]["cards"] == cards_before
    ana.close()
    ana.connect()  # the same person comes back at once
    assert ana.call("join_board", {"board_id": board})["ok"]
    ana.close()
    ben.close()
