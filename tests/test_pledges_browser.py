"""The public pledges page in Debian's Chromium: a city's final commitment, agreed and published, read
by a stranger on a laptop and on a phone, its charts' figures found as tables by their names, filtered,
and audited with axe."""
import re

import pytest
from playwright.sync_api import expect

from .a11y import assert_accessible
from .layout import PHONE, layout_problems, sideways_overflow
from .live import Visitor

pytestmark = pytest.mark.browser

PRINCIPLES = "Action plans by principle of the European Pillar of Social Rights"


def pledged_workshop(live_server, facilitator):
    """A workshop whose Ljubljana team committed two plans, made it final and agreed to publish it, and whose
    facilitator published the pledges: the workshop's id."""
    code, boards = facilitator.create_workshop("Pledges lab")
    workshop_id = facilitator.workshop_id
    mateja = Visitor(live_server.url).join(code, "Mateja", "Ljubljana")
    socket = mateja.socket()
    try:
        desks = socket.call("add_card", {"board_id": boards[0], "lane": "action", "text": "Open family desks in all districts"})
        ack = socket.call("edit_action_plan", {"card_id": desks["card"]["id"], "plan": {
            "title": "Family desks", "principles": [11, 3], "child_guarantee": True, "target": "2,000 families"}})
        assert ack["ok"], ack
        navigators = socket.call("add_card", {"board_id": boards[0], "lane": "action", "text": "Train school staff as benefit navigators"})
    finally:
        socket.close()
    home = mateja.http.get(f"{live_server.url}/workshops/{workshop_id}").text
    commitment = re.search(rf'/workshops/{workshop_id}/commitments/(\d+)', home).group(0)
    team_id = commitment.rsplit("/", 1)[1]
    mateja.form(commitment, {"plans": [desks["card"]["id"], navigators["card"]["id"]],
                             "statement": "Ljubljana commits to reach every family with a child at risk of poverty.",
                             "signatory-0-name": "Mateja Žnidaršič", "signatory-0-role": "Deputy Mayor",
                             "signatory-0-organisation": "Mestna občina Ljubljana"})
    mateja.form(f"{commitment}/final", {}, page=commitment)
    mateja.form(f"/workshops/{workshop_id}/teams/{team_id}/commitment/public", {"agree": "1"}, page=commitment)
    console = f"/workshops/{workshop_id}/console"
    facilitator.form(f"/workshops/{workshop_id}/pledges/publish", {}, page=console)
    return workshop_id


def test_a_stranger_reads_the_published_pledges_on_a_laptop_and_a_phone(live_server, facilitator, new_page):
    workshop_id = pledged_workshop(live_server, facilitator)
    page = new_page(bypass_csp=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/pledges/{workshop_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pledges of Pledges lab")
    expect(page.get_by_role("heading", name="Ljubljana")).to_be_visible()
    expect(page.get_by_text("Ljubljana commits to reach every family with a child at risk of poverty.")).to_be_visible()
    expect(page.get_by_text("Mateja Žnidaršič, Deputy Mayor, Mestna občina Ljubljana")).to_be_visible()
    expect(page.get_by_role("heading", name="1.1 Family desks")).to_be_visible()
    expect(page.get_by_role("heading", name="1.2 Train school staff as benefit navigators")).to_be_visible()

    principles = page.get_by_role("table", name=PRINCIPLES)
    childcare = principles.get_by_role("row", name="11. Childcare and support to children")
    expect(childcare.get_by_role("cell").first).to_have_text("1")
    expect(principles.get_by_role("row")).to_have_count(21)  # the header and the 20 principles
    progress = page.get_by_role("table", name="Action plans by progress")
    expect(progress.get_by_role("row", name="Not started").get_by_role("cell").first).to_have_text("2")
    assert_accessible(page)

    page.get_by_label("Principle").select_option("11")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Principle")).to_have_value("11")
    expect(page.get_by_role("heading", name="Totals of the plans shown")).to_be_visible()
    expect(page.get_by_role("heading", name="1.1 Family desks")).to_be_visible()
    expect(page.get_by_role("heading", name="1.2 Train school staff as benefit navigators")).to_have_count(0)
    expect(progress.get_by_role("row", name="Not started").get_by_role("cell").first).to_have_text("1")
    assert_accessible(page)

    assert layout_problems(page) == []
    phone = new_page(bypass_csp=True)
    phone.set_viewport_size(PHONE)
    phone.goto(f"/pledges/{workshop_id}")
    expect(phone.get_by_role("table", name=PRINCIPLES)).to_be_visible()
    assert sideways_overflow(phone) == []
    assert_accessible(phone)
    assert page.errors == [] and phone.errors == []


def test_an_unpublished_workshop_is_not_found_in_the_browser(live_server, facilitator, new_page):
    facilitator.create_workshop("Quiet lab")
    page = new_page()
    response = page.goto(f"/pledges/{facilitator.workshop_id}")
    assert response.status == 404
    expect(page.get_by_text("These pledges are not published.")).to_be_visible()
