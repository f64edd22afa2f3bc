"""Voting in Debian's Chromium: one ranking for every screen, two rounds with the earlier round's
results kept, each person's own dots and why a dot cannot be added, and focus that stays put."""
import re

import pytest
from playwright.sync_api import expect

from .live import Visitor
from .test_board_browser import card

pytestmark = pytest.mark.browser

TITLE = "Child poverty and the EU Child Guarantee"


class Session:
    """A workshop on the live server: Fran facilitates, Ana (Glasgow) and Ben (Bologna) take part;
    each has a socket (to set the scene quickly) and can open a browser page as themself."""

    def __init__(self, live_server, facilitator, new_page):
        self.code, boards = facilitator.create_workshop("Voting lab")
        self.board = boards[0]
        self.fran, self.new_page = facilitator, new_page
        self.ana = Visitor(live_server.url).join(self.code, "Ana", "Glasgow")
        self.ben = Visitor(live_server.url).join(self.code, "Ben", "Bologna")
        self.sockets = {name: person.socket() for name, person in
                        (("fran", self.fran), ("ana", self.ana), ("ben", self.ben))}
        for socket in self.sockets.values():
            assert socket.call("join_board", {"board_id": self.board})["ok"]

    def call(self, who, event, **payload):
        ack = self.sockets[who].call(event, payload)
        assert ack["ok"], (event, ack)
        return ack

    def idea(self, who, text):
        return self.call(who, "add_card", board_id=self.board, lane="idea", text=text)["card"]["id"]

    def phase(self, name):
        self.call("fran", "set_phase", board_id=self.board, phase=name)

    def vote(self, who, card_id, times=1):
        for _ in range(times):
            self.call(who, "vote", card_id=card_id)

    def page(self, person, path=None):
        page = self.new_page()
        page.context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": person.base}
                                  for cookie in person.http.cookies])
        page.goto(path or f"/boards/{self.board}")
        expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        return page

    def close(self):
        for socket in self.sockets.values():
            socket.close()


@pytest.fixture
def session(live_server, facilitator, new_page):
    session = Session(live_server, facilitator, new_page)
    yield session
    session.close()


def ranking(page, region="Ideas"):
    """(rank, text, dots) of every ranked idea on the board page, top first."""
    lane = page.get_by_role("region", name=re.compile(f"^{region}"))
    return [(item.locator(".rank").inner_text(), item.locator(".card-text").inner_text(), item.locator(".dot-count").inner_text())
            for item in lane.get_by_role("listitem").all() if item.locator(".rank").count()]


def test_the_author_of_a_hidden_card_another_participant_and_the_projector_see_one_ranking(session):
    desk, hidden, meals = (session.idea("ben", "One family desk per district"), session.idea("ben", "Hidden idea"),
                           session.idea("ana", "Free school meals"))
    session.phase("vote")
    session.vote("ana", desk, 2)
    session.vote("ana", hidden, 3)
    session.vote("ben", meals)
    session.call("fran", "hide_card", card_id=hidden, reason="Off topic")
    session.phase("results")

    ana, ben = session.page(session.ana), session.page(session.ben)
    projector = session.page(session.fran, f"/boards/{session.board}/projector")
    expected = [("RANK 1", "One family desk per district", "2 dots"), ("RANK 2", "Free school meals", "1 dot")]
    for page in (ana, ben):
        expect(page.locator(".rank")).to_have_count(2)
        assert ranking(page) == expected
    # Ben still sees his hidden card, below the ranking and without a rank.
    expect(card(ben, "Hidden idea")).to_be_visible()
    expect(card(ben, "Hidden idea").locator(".rank")).to_have_count(0)
    expect(card(ana, "Hidden idea")).to_have_count(0)
    rows = projector.get_by_role("region", name="Ideas").get_by_role("listitem")
    expect(rows).to_have_count(2)
    assert [row.inner_text().upper().split("\n")[:2] for row in rows.all()] == [
        ["RANK 1", "ONE FAMILY DESK PER DISTRICT"], ["RANK 2", "FREE SCHOOL MEALS"]]
    assert ana.errors == [] and ben.errors == [] and projector.errors == []
