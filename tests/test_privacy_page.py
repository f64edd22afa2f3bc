"""The privacy page for participants: what is stored about them, who sees it, for how long, and how
to have it removed; linked from the join forms and from the workshop's home."""
import html
import re

import pytest


def text_of(page):
    """The page's words, without markup, as a reader sees them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def workshop(make_workshop, make_facilitator):
    return make_workshop(make_facilitator(name="Nina Facilitator"), title="Lab 2025")


@pytest.mark.parametrize("form", ["join link", "join code"])
def test_the_join_forms_link_to_the_privacy_page(client, workshop, form):
    page = client.get(f"/join/{workshop.join_code}" if form == "join link" else "/").text
    assert re.search(r'<a href="/privacy">What we store about you</a>', page)


def test_the_page_says_the_key_facts_to_someone_about_to_join(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    text = text_of(response.text)
    for fact in [
        "no email, no password, no account",  # what is not asked
        "The name you type when you join, and your city team.",  # what is stored
        "Your dots: which cards you voted for.",
        "Everyone in your workshop sees your name and city on your cards.",  # who sees it
        "The workshop's facilitators see everything in the workshop.",
        "kept until its facilitators delete the workshop",  # for how long
        "Your browser remembers you for 30 days.",
        "Remove my name from my cards",  # how to have it removed
        "show “Anonymous participant” instead of your name",
        "Ask the workshop's facilitators for a copy of what is stored, or to delete the workshop",
    ]:
        assert fact in text, fact


def test_a_participant_gets_their_own_link_and_facilitators(client, auth, workshop, make_participant):
    auth.as_user(make_participant(workshop, "Mateja", "Ljubljana"))
    home = client.get(f"/workshops/{workshop.id}").text
    assert '<a href="/privacy">What we store about you</a>' in home
    page = client.get("/privacy").text
    assert f'href="/workshops/{workshop.id}/anonymise-me"' in page
    assert "Ask the facilitators of Lab 2025 (Nina Facilitator)" in text_of(page)


def test_the_remember_time_on_the_page_is_the_apps_own(app, client):
    from datetime import timedelta

    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=7)
    assert "Your browser remembers you for 7 days." in text_of(client.get("/privacy").text)
