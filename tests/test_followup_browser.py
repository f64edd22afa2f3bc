"""Follow-up in Debian's Chromium: a city commits two plans, makes an update link for its mayor's office,
the office updates both plans through it (one from a phone), and the facilitator sees them on the console's
follow-up view. Controls are found by role and name."""
import re

import pytest
from playwright.sync_api import expect

from .a11y import assert_accessible, small_targets
from .live import card, join_in_browser, log_in_in_browser

pytestmark = pytest.mark.browser

PLANS = ("Open family desks in all districts", "Train school staff as benefit navigators")
PHONE = {"width": 390, "height": 844}


def commit_two_plans(page, code, board):
    """Mateja of Ljubljana writes two action plans, commits to both and marks the commitment final."""
    join_in_browser(page, code, "Mateja", "Ljubljana")
    page.goto(f"/boards/{board}")
    for text in PLANS:
        page.get_by_label("New action plan").fill(text)
        page.get_by_role("button", name="Add action plan").click()
        expect(card(page, text)).to_be_visible()
    page.goto("/")
    page.get_by_role("link", name="Back to Follow-up lab").click()
    page.get_by_role("link", name="Commitment of Ljubljana").click()
    for text in PLANS:
        page.get_by_role("checkbox", name=text).check()
    page.get_by_label("Commitment statement").fill("Ljubljana commits to reach every family.")
    page.get_by_label("Name").first.fill("Mateja Žnidaršič")
    page.get_by_label("Role").first.fill("Deputy Mayor")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Mark final").click()
    expect(page.get_by_text("Final: version 1.")).to_be_visible()


def update_plan(page, plan, status, percent, text, name):
    form = page.get_by_role("form", name=f"Add an update to {plan}")
    form.get_by_role("combobox", name="Status").select_option(label=status)
    form.get_by_role("spinbutton", name="Percent done").fill(percent)
    form.get_by_role("textbox", name="What happened").fill(text)
    form.get_by_role("textbox", name="Your name").fill(name)
    form.get_by_role("button", name=re.compile("^Save the update")).click()
    expect(page.get_by_role("status")).to_contain_text("Update saved.")


def test_a_city_updates_two_plans_through_its_link_and_the_facilitator_sees_them(new_page, facilitator):
    code, boards = facilitator.create_workshop("Follow-up lab")
    team = new_page(bypass_csp=True)  # for the accessibility audit (tests/a11y.py)
    commit_two_plans(team, code, boards[0])
    team.get_by_role("link", name="Progress of the action plans after the lab").click()
    team.get_by_role("textbox", name="Who is the link for?").fill("Mayor's office")
    team.get_by_role("button", name="Make an update link").click()
    expect(team.get_by_role("status")).to_contain_text("Here is the update link.")
    assert_accessible(team)
    address = team.locator("#links").get_by_role("link", name=re.compile("progress")).text_content()

    phone = new_page(bypass_csp=True)  # no account, no cookies: only the link
    phone.set_viewport_size(PHONE)
    phone.goto(address)
    expect(phone.get_by_role("heading", name="Progress of Ljubljana")).to_be_visible()
    expect(phone.get_by_text("Mateja")).to_have_count(0)  # no team member's name on the link's page
    update_plan(phone, PLANS[0], "In progress", "40", "Three district desks opened in March.", "Tina Novak")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing wider than the phone
    assert_accessible(phone)
    assert small_targets(phone) == []

    desk = new_page()
    desk.goto(address)
    update_plan(desk, PLANS[1], "Done", "100", "All 120 school staff trained.", "Tina Novak")

    console = new_page(bypass_csp=True)
    log_in_in_browser(console, facilitator)
    console.goto(f"/workshops/{facilitator.workshop_id}/console")
    console.get_by_role("link", name="Follow-up: how the cities' plans are going").click()
    city = console.get_by_role("region", name="Ljubljana")
    expect(city.get_by_role("row", name=re.compile(PLANS[0]))).to_contain_text("In progress, 40% done")
    expect(city.get_by_role("row", name=re.compile(PLANS[1]))).to_contain_text("Done, 100% done")
    expect(city).to_contain_text("Tina Novak, through the link for Mayor's office")
    expect(city).to_contain_text("no contact email for reminders")
    assert_accessible(console)
    for page in (team, phone, desk, console):
        assert page.errors == []
