"""The investment pledged in Debian's Chromium (issue 17): the plan form's three labelled fields
(amount, currency, period), a refusal shown in the form, the board's summary in the page's language,
a saved form that shows what was stored, and the facilitator completing it too."""
import pytest
from playwright.sync_api import expect

from .live import card, open_as
from .test_plan_browser import open_plan_form, stored_card

pytestmark = pytest.mark.browser

DESKS = "Open family desks in all districts"
AMOUNT, CURRENCY, PERIOD = "Investment amount (whole units)", "Investment currency", "Investment period"


def test_the_author_pledges_an_investment_the_board_shows_it_and_the_facilitator_changes_it(new_page, facilitator):
    page, boards = open_plan_form(new_page, facilitator, DESKS)
    desks = card(page, DESKS)
    amount = page.get_by_role("textbox", name=AMOUNT)
    currency = page.get_by_role("combobox", name=CURRENCY)
    period = page.get_by_role("textbox", name=PERIOD)
    expect(amount).to_have_attribute("inputmode", "numeric")
    expect(amount).to_have_value("")
    expect(currency).to_have_value("")
    expect(period).to_have_attribute("maxlength", "60")
    options = currency.get_by_role("option").all_text_contents()
    assert options[:2] == ["(none)", "Euro (EUR)"]
    assert {"Swiss Franc (CHF)", "British Pound (GBP)", "US Dollar (USD)", "Polish Zloty (PLN)"} <= set(options)

    # An amount without a currency: the form says why, and nothing is stored.
    amount.fill("4,000,000")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("alert")).to_have_text("Choose the currency of the investment.")
    assert stored_card(page, boards[0], DESKS)["plan"]["investment_amount"] is None

    currency.select_option(label="Euro (EUR)")
    period.fill("2025-2030")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("button", name="Save plan")).to_have_count(0)
    desks.get_by_text("More about this plan").click()
    expect(desks.get_by_role("definition").filter(has_text="€4,000,000 (2025-2030)")).to_be_visible()
    expect(desks.get_by_role("term").filter(has_text="Investment")).to_be_visible()
    stored = stored_card(page, boards[0], DESKS)
    assert (stored["plan"]["investment_amount"], stored["plan"]["investment_currency"],
            stored["plan"]["investment_period"]) == (4000000, "EUR", "2025-2030")

    # Open again: the form shows what is stored; saving it as shown changes nothing.
    desks.get_by_role("button", name="Plan details").click()
    expect(amount).to_have_value("4000000")
    expect(currency).to_have_value("EUR")
    expect(period).to_have_value("2025-2030")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("button", name="Save plan")).to_have_count(0)
    assert stored_card(page, boards[0], DESKS) == stored

    # The facilitator, on the board, sees it and completes it: the author's page follows.
    staff = open_as(new_page, facilitator, f"/boards/{boards[0]}")
    on_staff = card(staff, DESKS)
    on_staff.get_by_text("More about this plan").click()
    expect(on_staff.get_by_role("definition").filter(has_text="€4,000,000 (2025-2030)")).to_be_visible()
    on_staff.get_by_role("button", name="Plan details").click()
    staff.get_by_role("textbox", name=AMOUNT).fill("250 000")
    staff.get_by_role("combobox", name=CURRENCY).select_option("CHF")
    staff.get_by_role("button", name="Save plan").click()
    expect(staff.get_by_role("button", name="Save plan")).to_have_count(0)
    expect(desks).to_contain_text("CHF 250,000 (2025-2030)")  # in the summary's disclosure, open or not
    assert page.errors == [] and staff.errors == []
