"""Facilitator accounts: sign up, log in, log out, and who may open facilitator pages."""
import pytest
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.models import Facilitator

from .conftest import PASSWORD


def facilitator_count():
    return db.session.scalar(select(func.count(Facilitator.id)))


def signup(client, **overrides):
    data = {"name": "Ana Novak", "email": "ana@example.org", "password": PASSWORD, "confirm": PASSWORD, **overrides}
    return client.post("/signup", data=data)


def test_signup_creates_account_with_hashed_password_and_logs_in(client):
    response = signup(client, email="Ana@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/workshops/"
    facilitator = db.session.scalar(select(Facilitator))
    assert facilitator.email == "ana@example.org"
    assert facilitator.password_hash.startswith("scrypt:")
    assert PASSWORD not in facilitator.password_hash
    assert "My workshops" in client.get("/workshops/").text


def test_signup_with_taken_email_is_refused(client, make_facilitator):
    make_facilitator(email="ana@example.org")
    response = signup(client, email="ANA@example.org")
    assert response.status_code == 400
    assert "An account with this email already exists" in response.text
    assert facilitator_count() == 1


@pytest.mark.parametrize(
    "name, message",
    [("", "Your name is required."), ("   ", "Your name is required."), ("x" * 81, "Your name must be 80 characters or fewer.")],
)
def test_signup_with_bad_name_names_the_field_and_saves_nothing(client, name, message):
    response = signup(client, name=name)
    assert response.status_code == 400
    assert message in response.text
    assert facilitator_count() == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "not-an-email"}, "Email must look like name@example.org."),
        ({"password": "short", "confirm": "short"}, "Password must be at least 8 characters."),
        ({"confirm": "something else"}, "The two passwords are not the same."),
    ],
)
def test_signup_with_bad_email_or_password_is_refused(client, overrides, message):
    response = signup(client, **overrides)
    assert response.status_code == 400
    assert message in response.text
    assert facilitator_count() == 0


def test_login_and_logout(client, auth, make_facilitator):
    facilitator = make_facilitator(name="Ana")
    response = auth.login(facilitator)
    assert response.headers["Location"] == "/workshops/"
    assert "Ana" in client.get("/workshops/").text
    auth.logout()
    assert client.get("/workshops/").status_code == 302


@pytest.mark.parametrize("email, password", [("ana@example.org", "wrong password"), ("nobody@example.org", PASSWORD)])
def test_wrong_email_or_password_gets_one_generic_message(client, make_facilitator, email, password):
    make_facilitator(email="ana@example.org")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 400
    assert "The email or password is wrong." in response.text
    assert client.get("/workshops/").status_code == 302


def test_login_returns_to_the_page_asked_for(client, make_facilitator):
    data = {"email": make_facilitator().email, "password": PASSWORD}
    assert client.post("/login?next=/workshops/new", data=data).headers["Location"] == "/workshops/new"


# Browsers read a backslash as a slash, and drop tabs and newlines, so each of these leads off-site.
@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example/", "/\\/evil.example/",
                                    "/\t/evil.example/", "/\n/evil.example/"])
def test_login_never_returns_to_another_site(client, make_facilitator, target):
    data = {"email": make_facilitator().email, "password": PASSWORD}
    assert client.post("/login", query_string={"next": target}, data=data).headers["Location"] == "/workshops/"


def test_logout_needs_a_post(client):
    assert client.get("/logout").status_code == 405


FACILITATOR_PAGES = ["/workshops/", "/workshops/new", "/workshops/{id}/settings", "/workshops/{id}/share", "/workshops/{id}/qr.svg"]


@pytest.mark.parametrize("path", FACILITATOR_PAGES)
def test_facilitator_pages_send_strangers_to_log_in(client, make_workshop, path):
    workshop = make_workshop()
    response = client.get(path.format(id=workshop.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", FACILITATOR_PAGES)
def test_facilitator_pages_are_forbidden_to_participants(client, auth, make_workshop, make_participant, path):
    workshop = make_workshop()
    auth.as_user(make_participant(workshop))
    assert client.get(path.format(id=workshop.id)).status_code == 403


def test_passwords_are_hashed_with_a_salt(app):
    one, two = Facilitator(email="a@example.org", name="A"), Facilitator(email="b@example.org", name="B")
    one.set_password(PASSWORD)
    two.set_password(PASSWORD)
    assert one.password_hash != two.password_hash
    assert one.check_password(PASSWORD) and not one.check_password(PASSWORD + "!")
