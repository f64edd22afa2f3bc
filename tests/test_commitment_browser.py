"""A city team's commitment in Debian's Chromium: two action plans on the board, committed,
marked final, and the PDF downloaded and read back."""
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import pdf_text
from .live import card, join_in_browser

pytestmark = pytest.mark.browser


def test_a_city_team_commits_two_plans_finalises_and_downloads_the_report(new_page, facilitator, tmp_path):
    code, boards = facilitator.create_workshop("Commitment lab")
    page = new_page()
    join_in_browser(page, code, "Mateja", "Ljubljana")
    page.goto(f"/boards/{boards[0]}")
    for text in ("Open family desks in all districts", "Train school staff as benefit navigators"):
        page.get_by_label("New action plan").fill(text)
        page.get_by_role("button", name="Add action plan").click()
        expect(card(page, text)).to_be_visible()

    desks = card(page, "Open family desks in all districts")
    desks.get_by_role("button", name="Plan details").click()
    page.get_by_label("Title", exact=True).fill("Family desks")
    page.get_by_label("Lead (department or role)").fill("Department for Social Affairs")
    page.get_by_label("End or deadline").fill("2027-06-30")
    page.get_by_label("Status").select_option("agreed")
    principles = page.get_by_role("group", name="European Pillar of Social Rights principles served")
    principles.get_by_role("checkbox", name="11. Childcare and support to children").check()
    principles.get_by_role("checkbox", name="3. Equal opportunities").check()
    page.get_by_label("Implements the European Child Guarantee").check()
    page.get_by_role("button", name="Save plan").click()
    expect(desks).to_contain_text("Family desks")
    expect(desks).to_contain_text("Agreed")

    page.goto("/")
    page.get_by_role("link", name="Back to Commitment lab").click()
    page.get_by_role("link", name="Commitment of Ljubljana").click()
    page.get_by_role("checkbox", name="Family desks").check()
    page.get_by_role("checkbox", name="Train school staff as benefit navigators").check()
    page.get_by_label("Commitment statement").fill("Ljubljana commits to reach every family with a child at risk of poverty.")
    page.get_by_label("Name").first.fill("Mateja Žnidaršič")
    page.get_by_label("Role").first.fill("Deputy Mayor")
    page.get_by_label("Organisation").first.fill("Mestna občina Ljubljana")
    language = page.get_by_role("combobox", name="The report is written in")
    expect(language).to_have_value("en")  # the workshop's default: the team typed no country
    language.select_option("Deutsch")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved.")
    expect(language).to_have_value("de")
    language.select_option("English")
    page.get_by_role("button", name="Save draft").click()
    expect(language).to_have_value("en")
    page.get_by_role("button", name="Mark final").click()
    expect(page.get_by_text("Final: version 1.")).to_be_visible()

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Download the PDF of version 1").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "commitment-ljubljana-v1.pdf"
    assert str(PdfReader(saved).trailer["/Root"]["/Lang"]) == "en"
    text = " ".join(pdf_text(Path(saved).read_bytes()).split())
    for expected in ["Commitment lab", "Ljubljana", "Family desks", "Open family desks in all districts",
                     "Department for Social Affairs", "Deadline 30 June 2027", "Agreed", "Principle 11: Childcare and support to children",
                     "Train school staff as benefit navigators",
                     "Ljubljana commits to reach every family with a child at risk of poverty.",
                     "Mateja Žnidaršič", "Deputy Mayor", "Mestna občina Ljubljana", "Version 1"]:
        assert expected in text, expected
    assert page.errors == []
