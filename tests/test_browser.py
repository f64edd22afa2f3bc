"""End to end in Debian's Chromium: found by role and accessible name, as a screen reader would."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from workshop.workshops.lab import LAB_POLICY_AREAS

pytestmark = pytest.mark.browser


def test_facilitator_creates_a_workshop_and_a_participant_joins_with_the_code(new_page):
    facilitator = new_page()
    facilitator.goto("/")
    facilitator.get_by_role("link", name="Sign up").click()
    facilitator.get_by_label("Your name").fill("Ana Novak")
    facilitator.get_by_label("Email").fill(f"ana-{uuid.uuid4().hex[:8]}@example.org")
    facilitator.get_by_label("Password", exact=True).fill("correct horse battery")
    facilitator.get_by_label("Repeat the password").fill("correct horse battery")
    facilitator.get_by_role("button", name="Create account").click()
    expect(facilitator.get_by_role("heading", name="My workshops")).to_be_visible()

    facilitator.get_by_role("link", name="New workshop").click()
    facilitator.get_by_label("Title").fill("Social Innovation Lab 2025")
    facilitator.get_by_label("Host city").fill("Ljubljana")
    facilitator.get_by_label("First day").fill("2025-11-05")
    facilitator.get_by_label("Last day").fill("2025-11-07")
    facilitator.get_by_label("Use the Social Innovation Lab template").check()
    facilitator.get_by_role("button", name="Create workshop").click()
    expect(facilitator.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    for title, _ in LAB_POLICY_AREAS:
        expect(facilitator.get_by_role("textbox", name="Policy area").and_(facilitator.locator(f'[value="{title}"]'))).to_have_count(1)
    facilitator.get_by_label("City", exact=True).fill("Glasgow")
    facilitator.get_by_label("Country", exact=True).fill("United Kingdom")
    facilitator.get_by_role("button", name="Add city team").click()
    expect(facilitator.get_by_role("status")).to_contain_text("City team added.")

    facilitator.get_by_role("link", name="Show the join code and QR code").click()
    code = facilitator.locator(".share-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    qr = facilitator.get_by_role("img", name=re.compile("QR code that opens http.*" + code + "$"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") >= 300  # big enough for the back of the room

    participant = new_page()
    participant.goto("/")
    participant.get_by_label("Join code").fill(code.lower())
    participant.get_by_role("button", name="Join", exact=True).click()
    expect(participant.get_by_role("heading", name="Join Social Innovation Lab 2025")).to_be_visible()
    participant.get_by_label("Your name as others will see it").fill("Marta")
    participant.get_by_label("Your city team").select_option(label="Glasgow (United Kingdom)")
    participant.get_by_role("button", name="Join the workshop").click()

    expect(participant.get_by_role("heading", name="Social Innovation Lab 2025")).to_be_visible()
    boards = participant.get_by_role("list", name="Boards").get_by_role("link")
    expect(boards).to_have_text([str(title) for title, _ in LAB_POLICY_AREAS])
    expect(participant.get_by_text("Marta · Glasgow")).to_be_visible()

    # Back later from the same browser: still Marta.
    participant.goto("/")
    participant.get_by_role("link", name="Back to Social Innovation Lab 2025").click()
    expect(participant.get_by_text("Marta · Glasgow")).to_be_visible()


def test_a_wrong_code_is_explained_on_the_form(new_page):
    page = new_page()
    page.goto("/")
    page.get_by_label("Join code").fill("ZZZZZZ")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("No open workshop has this code")
    expect(page.get_by_label("Join code")).to_have_attribute("aria-invalid", "true")
