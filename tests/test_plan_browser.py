"""The action plan form in Debian's Chromium: the Pillar's principles as a named checklist, long
fields as text areas with the server's limits, and a saved form that shows what was stored."""
import pytest
from playwright.sync_api import expect

from workshop.boards.plans import PILLAR_PRINCIPLE_NAMES, TEXT_FIELDS

from .layout import PHONE, layout_problems
from .live import card, join_in_browser

pytestmark = pytest.mark.browser

PRINCIPLES = "European Pillar of Social Rights principles served"
TEXTS = {
    "Title": "Family desks", "Lead (department or role)": "Department for Social Affairs",
    "Partners": "Schools, the employment office and three NGOs", "Resources or funding line": "ESF+ and the city budget",
    "Success indicators": "Families reached in each district", "Target": "2,000 families a year", "Baseline": "300 in 2025",
}


def stored_card(page, board, text):
    return next(c for c in page.request.get(f"/api/boards/{board}").json()["cards"] if c["text"] == text)


def open_plan_form(new_page, facilitator, text):
    """Mateja's new action plan `text` on a fresh workshop's first board, its plan form open."""
    code, boards = facilitator.create_workshop("Plan lab")
    page = new_page()
    join_in_browser(page, code, "Mateja", "Ljubljana")
    page.goto(f"/boards/{boards[0]}")
    page.get_by_label("New action plan").fill(text)
    page.get_by_role("button", name="Add action plan").click()
    card(page, text).get_by_role("button", name="Plan details").click()
    return page, boards


def test_a_plan_filled_with_the_checklist_shows_what_is_stored_and_saving_it_again_changes_nothing(new_page, facilitator):
    page, boards = open_plan_form(new_page, facilitator, "Open family desks in all districts")
    desks = card(page, "Open family desks in all districts")

    # Twenty principles by number and name; the limits are the server's.
    principles = page.get_by_role("group", name=PRINCIPLES)
    expect(principles.get_by_role("checkbox")).to_have_count(20)
    for number, name in PILLAR_PRINCIPLE_NAMES.items():
        expect(principles.get_by_role("checkbox", name=f"{number}. {name}", exact=True)).not_to_be_checked()
    for label, field in (("Target", "target"), ("Baseline", "baseline"), ("Partners", "partners"), ("Title", "title")):
        expect(page.get_by_label(label, exact=True)).to_have_attribute("maxlength", str(TEXT_FIELDS[field]))
    for label in ("Partners", "Resources or funding line", "Success indicators", "Target", "Baseline"):
        assert page.get_by_label(label, exact=True).evaluate("e => e.tagName") == "TEXTAREA"
    assert layout_problems(page, sizes=(PHONE,)) == []

    for label, value in TEXTS.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Start date").fill("2026-01-15")
    page.get_by_label("End or deadline").fill("2027-06-30")
    page.get_by_label("Status").select_option("agreed")
    principles.get_by_role("checkbox", name="11. Childcare and support to children").check()
    principles.get_by_role("checkbox", name="3. Equal opportunities").check()
    page.get_by_label("Implements the European Child Guarantee").check()
    page.get_by_role("button", name="Save plan").click()
    expect(desks).to_contain_text("Family desks")
    stored = stored_card(page, boards[0], "Open family desks in all districts")
    assert stored["plan"]["principles"] == [3, 11] and stored["plan"]["target"] == "2,000 families a year"

    # The summary names the principles.
    desks.get_by_text("More about this plan").click()
    expect(desks.get_by_role("listitem").filter(has_text="11. Childcare and support to children")).to_be_visible()
    expect(desks.get_by_role("listitem").filter(has_text="3. Equal opportunities")).to_be_visible()

    # Open again: every field shows what is stored.
    desks.get_by_role("button", name="Plan details").click()
    for label, value in TEXTS.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.get_by_label("Start date")).to_have_value("2026-01-15")
    expect(page.get_by_label("End or deadline")).to_have_value("2027-06-30")
    expect(page.get_by_label("Status")).to_have_value("agreed")
    expect(page.get_by_label("Implements the European Child Guarantee")).to_be_checked()
    checked = [box.get_attribute("value") for box in principles.get_by_role("checkbox").all() if box.is_checked()]
    assert checked == ["3", "11"]

    # Saving it unchanged changes nothing.
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("button", name="Save plan")).to_have_count(0)
    assert stored_card(page, boards[0], "Open family desks in all districts") == stored
    assert page.errors == []


def test_a_plan_over_the_servers_limit_cannot_be_typed(new_page, facilitator):
    page, boards = open_plan_form(new_page, facilitator, "Open family desks")
    page.get_by_label("Target", exact=True).fill("x" * 300)
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("button", name="Save plan")).to_have_count(0)
    plan = stored_card(page, boards[0], "Open family desks")["plan"]
    assert plan["target"] == "x" * TEXT_FIELDS["target"]


def test_in_results_the_city_team_completes_its_plan_and_other_cities_cannot(new_page, facilitator):
    """Defect 6 on the page: in results, when cities write their commitments, the plan's author and
    their city team get "Plan details"; a participant of another city does not, nor anyone once the
    board is closed."""
    code, boards = facilitator.create_workshop("Results lab")
    mateja, luka, ana = new_page(), new_page(), new_page()
    join_in_browser(mateja, code, "Mateja", "Ljubljana")
    join_in_browser(luka, code, "Luka", "Ljubljana")
    join_in_browser(ana, code, "Ana", "Glasgow")
    for page in (mateja, luka, ana):
        page.goto(f"/boards/{boards[0]}")
    mateja.get_by_label("New action plan").fill("Open family desks in all districts")
    mateja.get_by_role("button", name="Add action plan").click()
    staff = facilitator.socket()
    try:
        assert staff.call("set_phase", {"board_id": boards[0], "phase": "results"})["ok"]
        expect(luka.get_by_text("Results", exact=True)).to_be_visible()
        plan = card(luka, "Open family desks in all districts")
        expect(plan.get_by_role("button", name="Edit")).to_have_count(0)  # the card's text stays as posted
        plan.get_by_role("button", name="Plan details").click()
        luka.get_by_label("Lead (department or role)", exact=True).fill("Department for Social Affairs")
        luka.get_by_role("button", name="Save plan").click()
        expect(card(mateja, "Open family desks in all districts")).to_contain_text("Department for Social Affairs")
        expect(card(ana, "Open family desks in all districts").get_by_role("button", name="Plan details")).to_have_count(0)

        assert staff.call("set_phase", {"board_id": boards[0], "phase": "closed"})["ok"]
        expect(mateja.get_by_text("Closed", exact=True)).to_be_visible()
        expect(card(mateja, "Open family desks in all districts").get_by_role("button", name="Plan details")).to_have_count(0)
    finally:
        staff.close()
    assert mateja.errors == [] and luka.errors == [] and ana.errors == []
