"""The workshop home, settings, privacy and join pages in Chromium at phone widths (390x844 and
320 CSS px, WCAG's reflow width): what a participant and a facilitator find first, no sideways
scrolling, and every button's text at a contrast of 4.5:1 or more. Screenshots go to
/tmp/pages-screens (outside the repository)."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .live import log_in_in_browser

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/pages-screens")
WIDTHS = [(390, 844), (320, 640)]

# What overflows the page sideways, and every visible button (or link styled as one) whose text
# is under 4.5:1 against the first opaque background behind it.
LAYOUT_CHECK = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1 && el.getClientRects().length)
    .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  const rgba = text => { const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number); return {r, g, b, a}; };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const behind = el => {
    for (let e = el; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour.a > 0.5) return colour;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const faint = [];
  for (const el of document.querySelectorAll("button, .button, input[type=submit]")) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
    const [light, dark] = [luminance(rgba(getComputedStyle(el).color)), luminance(behind(el))].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    if (ratio < 4.5) faint.push(`${el.textContent.trim()}: ${ratio.toFixed(2)}`);
  }
  return {sideways: root.scrollWidth - root.clientWidth, wide, faint};
}"""


def check_fits(page, name):
    """At each phone width: no sideways scroll, no faint button; a full-page screenshot of each."""
    SCREENS.mkdir(exist_ok=True)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
        found = page.evaluate(LAYOUT_CHECK)
        assert found["sideways"] <= 0, (name, width, found["wide"][:10])
        assert found["faint"] == [], (name, width, found["faint"])


def test_a_participant_on_a_phone_finds_boards_then_the_commitment_once_open(new_page, live_server, facilitator):
    code, boards = facilitator.create_workshop("Phone lab")
    workshop = facilitator.workshop_id
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/")
    check_fits(page, "join-code")
    page.goto(f"/join/{code}")
    check_fits(page, "join-form")
    page.get_by_role("link", name="What we store about you").click()
    expect(page.get_by_role("heading", name="What we store about you")).to_be_visible()
    check_fits(page, "privacy")
    page.go_back()

    page.get_by_label("Your name as others will see it").fill("Mateja Žnidaršič")
    page.get_by_label("Your city, if it is not in the list").fill("Ljubljana")
    page.get_by_role("button", name="Join the workshop").click()
    tiles = page.get_by_role("list", name="Boards").get_by_role("listitem")
    expect(tiles).to_have_count(3)
    expect(tiles.first.get_by_role("link", name="Child poverty and the EU Child Guarantee")).to_be_visible()
    expect(tiles.first).to_contain_text("Collecting cards · 0 cards")
    expect(page.get_by_role("link", name=re.compile("Write and sign"))).to_have_count(0)
    check_fits(page, "participant-home")

    facilitator.form(f"/workshops/{workshop}/commitment-step/open", {}, page=f"/workshops/{workshop}/settings")
    page.reload()
    call = page.get_by_role("region", name="Commitment of Ljubljana")
    expect(call).to_contain_text("Status: Not started yet.")
    expect(call.get_by_role("link", name="Write and sign the commitment of Ljubljana")).to_be_visible()
    above_boards = page.evaluate("""() => document.querySelector(".commitment-call").getBoundingClientRect().top
                                          < document.querySelector(".board-list").getBoundingClientRect().top""")
    assert above_boards
    check_fits(page, "participant-home-commitment")
    call.get_by_role("link", name="Write and sign the commitment of Ljubljana").click()
    expect(page.get_by_role("heading", name=re.compile("Ljubljana"))).to_be_visible()
    assert page.errors == []


def test_a_facilitators_home_and_settings_fit_a_phone(new_page, facilitator):
    facilitator.create_workshop("Settings lab")
    workshop = facilitator.workshop_id
    for city in ("Ljubljana", "Glasgow"):
        facilitator.form(f"/workshops/{workshop}/city-teams", {"name": city}, page=f"/workshops/{workshop}/settings")
    page = new_page()
    log_in_in_browser(page, facilitator)
    page.goto(f"/workshops/{workshop}")
    run = page.get_by_role("navigation", name="Run the workshop")
    for name in ("Console", "Settings", "Share the join code", "Workshop summary (PDF)"):
        expect(run.get_by_role("link", name=name)).to_be_visible()
    check_fits(page, "facilitator-home")

    run.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Open the commitment step").click()
    expect(page.get_by_role("status")).to_contain_text("The commitment step is open")
    glasgow = page.get_by_role("group", name="City team Glasgow")
    glasgow.get_by_label("City", exact=True).fill("ljubljana")
    glasgow.get_by_role("button", name="Save city team Glasgow").click()
    expect(page.get_by_role("alert").first).to_contain_text("ljubljana is already a city team here.")
    check_fits(page, "settings-refused")

    page.goto(f"/workshops/{workshop}/settings")
    page.get_by_role("button", name="Remove city team Glasgow").click()
    expect(page.get_by_role("status")).to_contain_text("City team Glasgow removed.")
    expect(page.get_by_role("button", name="Save city team Glasgow")).to_have_count(0)
    check_fits(page, "settings")
    assert page.errors == []


def test_the_layout_check_finds_sideways_scroll_and_faint_buttons(browser):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.set_content('<body style="margin:0;background:#fbfaf7"><div style="width:400px">wide</div>'
                     '<button style="color:#fff;background:#f5f5f5;border:0">Save</button>'
                     '<a class="button" style="color:#1f5fa8">Fine</a></body>')
    found = page.evaluate(LAYOUT_CHECK)
    page.close()
    assert found["sideways"] == 80 and "div" in found["wide"]
    assert found["faint"] == ["Save: 1.09"]
