"""Running the room in Debian's Chromium: the console moves a board to voting, two participants
vote, the facilitator reveals, and both see the same ranking; the timer agrees on both screens."""
import re

import pytest
from playwright.sync_api import expect

from .live import card, join_in_browser, log_in_in_browser

pytestmark = pytest.mark.browser


def seconds_left(page):
    text = page.get_by_role("timer").inner_text()
    minutes, seconds = re.search(r"(\d+):(\d\d)", text).groups()
    return int(minutes) * 60 + int(seconds)


def ranking(page):
    """(rank, text, dots) of every idea on the page, top first."""
    rows = []
    for item in page.get_by_role("region", name=re.compile("^Ideas")).get_by_role("listitem").all():
        rows.append((item.locator(".rank").inner_text(), item.locator(".card-text").inner_text(), item.locator(".dot-count").inner_text()))
    return rows


def test_two_participants_vote_the_facilitator_reveals_and_both_see_the_same_ranking(new_page, facilitator):
    code, boards = facilitator.create_workshop("Voting lab")
    ana, ben, fran = new_page(), new_page(), new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    join_in_browser(ben, code, "Ben", "Bologna")
    log_in_in_browser(fran, facilitator)
    for page in (ana, ben):
        page.goto(f"/boards/{boards[0]}")
    for text in ("Free breakfast at school", "One family desk per district", "Summer camps for every child"):
        ana.get_by_label("New idea").fill(text)
        ana.get_by_role("button", name="Add idea").click()
    expect(card(ben, "Summer camps for every child")).to_be_visible()

    fran.goto(f"/workshops/{facilitator.workshop_id}/console")
    fran.get_by_role("button", name="Child poverty and the EU Child Guarantee", exact=True).click()
    board = fran.get_by_role("region", name="Child poverty and the EU Child Guarantee")
    board.get_by_role("button", name="Start voting").click()
    expect(ana.get_by_text("Dots left: 5 of 5")).to_be_visible()
    board.get_by_role("button", name="3 minutes").click()
    expect(ana.get_by_role("timer")).to_contain_text("Time left")
    expect(ben.get_by_role("timer")).to_contain_text("Time left")
    assert abs(seconds_left(ana) - seconds_left(ben)) <= 1
    assert 170 <= seconds_left(ana) <= 180

    for _ in range(3):
        card(ana, "One family desk per district").get_by_role("button", name="Add a dot").click()
    card(ana, "Free breakfast at school").get_by_role("button", name="Add a dot").click()
    expect(ana.get_by_text("Dots left: 1 of 5")).to_be_visible()
    expect(card(ana, "One family desk per district").get_by_role("button", name="Add a dot")).to_be_disabled()  # its cap, 3
    expect(card(ana, "Free breakfast at school").get_by_role("button", name="Add a dot")).to_be_enabled()
    card(ben, "Free breakfast at school").get_by_role("button", name="Add a dot").click()
    card(ben, "Free breakfast at school").get_by_role("button", name="Add a dot").click()
    card(ben, "Summer camps for every child").get_by_role("button", name="Add a dot").click()
    card(ben, "Summer camps for every child").get_by_role("button", name="Take a dot back").click()
    card(ben, "One family desk per district").get_by_role("button", name="Add a dot").click()
    expect(ben.get_by_text("Dots left: 2 of 5")).to_be_visible()
    # Hidden until the reveal: no counts on the participants' screens.
    expect(ana.locator(".dot-count")).to_have_count(0)

    board.get_by_role("button", name="Reveal votes").click()
    board.get_by_role("button", name="Show results").click()
    expected = [("RANK 1", "One family desk per district", "4 dots"), ("RANK 2", "Free breakfast at school", "3 dots"),
                ("RANK 3", "Summer camps for every child", "0 dots")]
    for page in (ana, ben):
        expect(page.get_by_text("Results", exact=True)).to_be_visible()
        expect(page.locator(".rank")).to_have_count(3)
    assert ranking(ana) == ranking(ben) == expected
    assert ana.errors == [] and ben.errors == [] and fran.errors == []
