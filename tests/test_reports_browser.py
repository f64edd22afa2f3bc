"""Reports in Debian's Chromium: the "Preparing your report" page downloads the PDF when it is
ready, says so, and leads back to where the person came from (defect 12)."""
import pytest
from playwright.sync_api import expect

from .live import log_in_in_browser

pytestmark = pytest.mark.browser


def test_after_the_summary_downloads_the_page_says_so_and_leads_back_to_the_console(new_page, facilitator, tmp_path):
    import uuid

    title = f"Report lab {uuid.uuid4().hex[:8]}"  # a report never made before: not in any cache
    facilitator.create_workshop(title)
    page = new_page()
    log_in_in_browser(page, facilitator)
    page.goto(f"/workshops/{facilitator.workshop_id}/console")
    with page.expect_download(timeout=60_000) as first:
        page.get_by_role("link", name="Download the workshop summary (PDF)").click()
    filename = f"summary-{title.lower().replace(' ', '-')}.pdf"
    assert first.value.suggested_filename == filename
    expect(page.get_by_role("heading", name="Your report has downloaded")).to_be_visible()
    expect(page.get_by_role("heading", name="Your report has downloaded")).to_be_focused()
    expect(page.get_by_role("status", name="Your report has downloaded")).to_contain_text(f"{filename} has downloaded")
    first.value.save_as(tmp_path / "first.pdf")
    assert (tmp_path / "first.pdf").read_bytes().startswith(b"%PDF")

    with page.expect_download() as again:
        page.get_by_role("link", name="Download it again").click()
    again.value.save_as(tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()
    expect(page.get_by_role("heading", name="Your report has downloaded")).to_be_visible()

    page.get_by_role("link", name="Back to the console").click()
    expect(page.get_by_role("heading", name="Console", level=1)).to_be_visible()
    assert page.url.endswith(f"/workshops/{facilitator.workshop_id}/console")
    assert page.errors == []
