"""Suggested merges in Debian's Chromium: a facilitator looks for duplicates in the console, merges one
pair (the later card into the earlier) and says another is not the same, by keyboard; the choice is
remembered, other consoles drop it at once, the panel fits a phone; a participant's page has no
such panel."""
import re

import pytest
from playwright.sync_api import expect

from .a11y import assert_accessible, small_targets
from .live import BoardScene
from .test_merge_suggestions import HOUSING, HOUSING_AGAIN, MEALS, MEALS_AGAIN, YOUTH

pytestmark = pytest.mark.browser

TITLE = "Child poverty and the EU Child Guarantee"


@pytest.fixture
def scene(live_server, facilitator, new_page):
    scene = BoardScene(live_server, facilitator, new_page, "Merges lab")
    post = lambda who, text: scene.call(who, "add_card", board_id=scene.board, lane="problem", text=text)["card"]["id"]  # noqa: E731
    scene.meals = [post("ana", MEALS), post("ben", MEALS_AGAIN)]
    scene.housing = [post("ana", HOUSING), post("ben", HOUSING_AGAIN)]
    scene.youth = post("ben", YOUTH)
    yield scene
    scene.close()


def open_merges(scene, width=1280):
    """The console as Fran (open to axe's script), the board's controls open: (page, its merges panel)."""
    page = scene.new_page(bypass_csp=True)
    page.context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": scene.fran.base} for cookie in scene.fran.http.cookies])
    page.goto(f"/workshops/{scene.fran.workshop_id}/console")
    page.set_viewport_size({"width": width, "height": 900})
    page.get_by_role("button", name=TITLE, exact=True).click()
    return page, page.get_by_role("group", name="Suggested merges")


def test_a_facilitator_merges_one_suggested_pair_and_dismisses_another(scene):
    page, panel = open_merges(scene)
    panel.get_by_role("button", name="Look for duplicates").click()
    pairs = panel.get_by_role("list", name="Possible duplicates").get_by_role("listitem")
    expect(pairs).to_have_count(2, timeout=60_000)  # the first ask starts a worker and embeds the board
    expect(panel).to_contain_text("Possible duplicates: 2")
    meals = pairs.filter(has_text=MEALS_AGAIN)
    expect(meals).to_contain_text(MEALS)
    expect(meals.locator(".city-tag")).to_have_text(["Glasgow", "Bologna"])  # side by side, earlier first
    expect(meals).to_contain_text(re.compile(r"9\d% alike"))

    meals.get_by_role("button", name=re.compile(r"^Merge “Lots of children")).click()
    scene.sockets["ana"].wait_for(lambda received: any(name == "card_removed" and data["card_id"] == scene.meals[1]
                                                       for name, data in received))
    expect(pairs).to_have_count(1)
    expect(panel).to_contain_text("Merged.")
    # A second console (another facilitator's screen) lists what is left.
    other, other_panel = open_merges(scene)
    other_panel.get_by_role("button", name="Look for duplicates").click()
    expect(other_panel.get_by_role("listitem")).to_have_count(1, timeout=30_000)
    # The focus went to the pair now in its place, so the keyboard goes on from there.
    dismiss = pairs.first.get_by_role("button", name=re.compile(r"^Not the same: “Families with children are evicted"))
    expect(pairs.first.get_by_role("button", name=re.compile("^Merge"))).to_be_focused()
    dismiss.focus()
    page.keyboard.press("Enter")
    expect(pairs).to_have_count(0)
    expect(panel).to_contain_text("No duplicates found.")
    expect(panel.get_by_role("button", name="Look for duplicates")).to_be_focused()
    expect(other_panel.get_by_role("listitem")).to_have_count(0)  # told, without asking again
    expect(other_panel).to_contain_text("No duplicates found.")
    # Fran's other socket on the board (another facilitator's screen) hears it; the participants do not.
    expected = {"board_id": scene.board, "card_id": scene.housing[0], "other_card_id": scene.housing[1]}
    scene.sockets["fran"].wait_for(lambda received: ("merge_dismissed", expected) in [tuple(item) for item in received])
    assert not [item for item in scene.sockets["ana"].received if item[0] == "merge_dismissed"]

    # Remembered: asked again, from a fresh page, nothing is suggested.
    page, panel = open_merges(scene)
    panel.get_by_role("button", name="Look for duplicates").click()
    expect(panel).to_contain_text("No duplicates found.")
    expect(panel.get_by_role("listitem")).to_have_count(0)


def test_the_panel_fits_a_phone_and_passes_axe(scene):
    page, panel = open_merges(scene, width=390)
    panel.get_by_role("button", name="Look for duplicates").click()
    pairs = panel.get_by_role("listitem")
    expect(pairs).to_have_count(2, timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    sides = pairs.first.locator(".merge-card")
    first, second = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2 and first["x"] + first["width"] <= second["x"]  # side by side
    for button in pairs.first.get_by_role("button").all():
        box = button.bounding_box()
        assert box["height"] >= 24 and box["x"] + box["width"] <= 390
    assert small_targets(page) == []
    assert_accessible(page)


def test_a_participant_sees_no_suggested_merges(scene):
    page = scene.page(scene.ana)
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text(MEALS)).to_be_visible()
    expect(page.get_by_role("button", name="Look for duplicates")).to_have_count(0)
    expect(page.get_by_text("Suggested merges")).to_have_count(0)
    assert page.request.get(f"/workshops/{scene.fran.workshop_id}/console").status == 403
