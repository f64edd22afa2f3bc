"""Every page a person sees, in the states they see it in, at phone width and at 320 CSS px: nothing
scrolls sideways, and every button's text has 4.5:1 contrast against its background (see layout.py)."""
import re

import pytest
from playwright.sync_api import expect

from .layout import PHONE, layout_problems
from .live import Visitor

pytestmark = pytest.mark.browser

LONG = ("Families with three or more children in the outer districts do not know which of the fourteen "
        "benefits, allowances and services they can claim, nor where to ask, nor in which language")


class Room:
    """One workshop seen by a facilitator and a participant: board 0 collects, 1 votes, 2 shows results."""

    def __init__(self, live_server):
        self.fran = Visitor(live_server.url).sign_up("Fran")
        self.code, self.boards = self.fran.create_workshop("Layout lab with a rather long title for a phone")
        self.workshop_id = self.fran.workshop_id
        self.ana = Visitor(live_server.url).join(self.code, "Ana Kovač-Žnidaršič", "Lille Métropole Européenne")
        home = self.ana.http.get(f"{live_server.url}/workshops/{self.workshop_id}").text
        self.team_id = int(re.search(r"/commitments/(\d+)", home).group(1))
        commitment = f"/workshops/{self.workshop_id}/commitments/{self.team_id}"
        shared = self.ana.form(f"{commitment}/share", {}, page=commitment).text
        self.share_token = re.search(r"/shared/([\w-]+)", shared).group(1)
        ana, fran = self.ana.socket(), self.fran.socket()
        try:
            for board in self.boards:
                ids = {}
                for lane in ("problem", "idea", "action"):
                    for n in range(3):
                        ack = ana.call("add_card", {"board_id": board, "lane": lane, "text": f"{LONG} ({lane} {n})"})
                        assert ack["ok"], ack
                        ids.setdefault(lane, []).append(ack["card"]["id"])
                assert ana.call("edit_action_plan", {"card_id": ids["action"][0], "plan": {
                    "title": "Family desks in every district", "lead": "Department for Social Affairs",
                    "partners": LONG, "principles": [3, 11], "child_guarantee": True}})["ok"]
                self.cards = ids
            assert fran.call("configure_voting", {"board_id": self.boards[1], "budget": 5, "cap": 3,
                                                  "lanes": ["problem", "idea", "action"], "mode": "person", "hidden": False})["ok"]
            for board, phases in ((self.boards[1], ["vote"]), (self.boards[2], ["vote", "results"])):
                for phase in phases:
                    assert fran.call("set_phase", {"board_id": board, "phase": phase})["ok"]
            assert fran.call("reveal_votes", {"board_id": self.boards[2]})["ok"]
        finally:
            ana.close()
            fran.close()


@pytest.fixture(scope="module")
def room(live_server):
    return Room(live_server)


def open_as(new_page, visitor, path):
    page = new_page()
    if visitor is not None:
        page.context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": visitor.base}
                                  for cookie in visitor.http.cookies])
    page.goto(path)
    return page


def on_board(page):
    expect(page.locator("#lanes .card").first).to_be_attached()


def open_card_form(button, field, lane="problem"):
    def opener(page, room):
        on_board(page)
        page.locator(f"#lane-{lane}").get_by_role("button", name=button).first.click()
        opened = page.locator(".card-form").get_by_label(field)
        expect(opened).to_be_visible()
        return opened
    return opener


def open_composer(page, room):
    on_board(page)
    page.get_by_label("New idea").click()
    expect(page.get_by_label("Answers the problem")).to_be_visible()
    return page.get_by_label("Answers the problem")


def nothing(page, room):
    pass


def open_console_board(page, room):
    """The console with the first board's controls and its cards open."""
    page.get_by_role("button", name="Child poverty and the EU Child Guarantee", exact=True).click()
    opened = page.get_by_role("region", name="Child poverty and the EU Child Guarantee").get_by_role("button", name="Start voting")
    expect(opened).to_be_visible()
    return opened


# (id, who, path, what to do on the page first)
PAGES = [
    ("home", None, lambda room: "/", nothing),
    ("join form", None, lambda room: f"/join/{room.code}", nothing),
    ("log in", None, lambda room: "/login", nothing),
    ("workshop home (participant)", "ana", lambda room: f"/workshops/{room.workshop_id}", nothing),
    ("board in collect, composer open", "ana", lambda room: f"/boards/{room.boards[0]}", open_composer),
    ("board in collect, edit form", "ana", lambda room: f"/boards/{room.boards[0]}", open_card_form("Edit", "Edit card")),
    ("board in collect, edit form with a link", "ana", lambda room: f"/boards/{room.boards[0]}",
     open_card_form("Edit", "Builds on the idea", lane="action")),
    ("board in collect, plan form", "ana", lambda room: f"/boards/{room.boards[0]}",
     open_card_form("Plan details", "Lead (department or role)", lane="action")),
    ("board in collect, hide form", "fran", lambda room: f"/boards/{room.boards[0]}",
     open_card_form("Hide", "Why hide it? Its author will see this.")),
    ("board in collect, merge form", "fran", lambda room: f"/boards/{room.boards[0]}",
     open_card_form("Merge into…", "Merge this card into")),
    ("board in vote (participant)", "ana", lambda room: f"/boards/{room.boards[1]}", lambda page, room: on_board(page)),
    ("board in vote (facilitator)", "fran", lambda room: f"/boards/{room.boards[1]}", lambda page, room: on_board(page)),
    ("board in results", "ana", lambda room: f"/boards/{room.boards[2]}", lambda page, room: on_board(page)),
    ("console", "fran", lambda room: f"/workshops/{room.workshop_id}/console", nothing),
    ("console, a board open", "fran", lambda room: f"/workshops/{room.workshop_id}/console", open_console_board),
    ("privacy page", None, lambda room: "/privacy", nothing),
    ("projector in collect", "fran", lambda room: f"/boards/{room.boards[0]}/projector", nothing),
    ("projector in results", "fran", lambda room: f"/boards/{room.boards[2]}/projector", nothing),
    ("settings", "fran", lambda room: f"/workshops/{room.workshop_id}/settings", nothing),
    ("my workshops", "fran", lambda room: "/workshops/", nothing),
    ("share page", "fran", lambda room: f"/workshops/{room.workshop_id}/share", nothing),
    ("commitment page", "ana", lambda room: f"/workshops/{room.workshop_id}/commitments/{room.team_id}", nothing),
    ("commitment's private link", None, lambda room: f"/shared/{room.share_token}", nothing),
    ("workshop home (facilitator)", "fran", lambda room: f"/workshops/{room.workshop_id}", nothing),
    ("anonymise page", "ana", lambda room: f"/workshops/{room.workshop_id}/anonymise-me", nothing),
    ("delete workshop page", "fran", lambda room: f"/workshops/{room.workshop_id}/delete", nothing),
]


@pytest.mark.parametrize("who, path, prepare", [pytest.param(*page[1:], id=page[0]) for page in PAGES])
def test_no_page_scrolls_sideways_and_every_button_reads(new_page, room, who, path, prepare):
    page = open_as(new_page, getattr(room, who) if who else None, path(room))
    opened = prepare(page, room)
    problems = layout_problems(page)
    assert not problems, "\n".join(problems)
    if opened is not None:  # what was open is still there on a phone (its lane is the one shown)
        page.set_viewport_size(PHONE)
        expect(opened).to_be_visible()
    assert page.errors == []
