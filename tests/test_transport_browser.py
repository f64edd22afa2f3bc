"""Transport security in Debian's Chromium: the pages work under the Content-Security-Policy with
no violation, and signing out in one tab ends the board in another."""
import pytest
from playwright.sync_api import expect

from .live import wait_until
from .live import card, join_in_browser, log_in_in_browser

pytestmark = pytest.mark.browser

# Installed before any page script runs (Playwright's init scripts are not subject to the policy).
RECORD_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.violations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""


def watched(page):
    """`page`, recording policy violations (events, and Chromium's console reports of them) and errors."""
    page.add_init_script(RECORD_VIOLATIONS)
    if not hasattr(page, "errors"):  # a second tab, not opened by `new_page`
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(error))
    page.console_reports = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.console_reports.append(message.text))
    return page


def violations(page):
    return page.evaluate("window.violations") + page.console_reports


def test_board_console_and_projector_work_under_the_policy_without_a_violation(new_page, facilitator):
    code, boards = facilitator.create_workshop("Policy lab")
    ana, fran = watched(new_page()), watched(new_page())
    projector = watched(fran.context.new_page())
    join_in_browser(ana, code, "Ana", "Glasgow")
    log_in_in_browser(fran, facilitator)
    ana.goto(f"/boards/{boards[0]}")
    fran.goto(f"/workshops/{facilitator.workshop_id}/console")
    projector.goto(f"/boards/{boards[0]}/projector")
    expect(projector.get_by_role("heading", name="Child poverty and the EU Child Guarantee")).to_be_visible()

    ana.get_by_label("New idea").fill("A warm meal every school day")
    ana.get_by_role("button", name="Add idea").click()

    expect(card(ana, "A warm meal every school day")).to_be_visible()
    expect(projector.get_by_text("A warm meal every school day")).to_be_visible()  # live over the socket
    fran.get_by_role("button", name="Child poverty and the EU Child Guarantee", exact=True).click()
    expect(fran.get_by_text("A warm meal every school day").first).to_be_visible()
    for page in (ana, fran, projector):
        assert violations(page) == [], page.url
        assert page.errors == [], page.url

    # The recorder does see a violation: an image from elsewhere is blocked and reported.
    ana.evaluate("document.body.append(Object.assign(document.createElement('img'), {src: 'http://example.org/x.png'}))")
    wait_until(ana, "window.violations.length > 0")
    assert any(report.startswith("img-src") for report in ana.evaluate("window.violations"))


def test_signing_out_in_one_tab_ends_the_board_in_the_other(new_page, facilitator):
    code, boards = facilitator.create_workshop("Two tabs")
    board_tab = new_page()
    log_in_in_browser(board_tab, facilitator)
    other_tab = board_tab.context.new_page()
    board_tab.goto(f"/boards/{boards[0]}")
    other_tab.goto("/workshops/")

    other_tab.get_by_role("button", name="Sign out").click()

    expect(board_tab.get_by_role("heading", name="You are signed out. Sign in again to continue.")).to_be_visible()
    expect(other_tab.get_by_text("You are signed out.")).to_be_visible()
    expect(other_tab.get_by_role("link", name="Facilitator log in")).to_be_visible()
    other_tab.goto("/workshops/")
    expect(other_tab.get_by_role("heading", name="Log in")).to_be_visible()  # really signed out
