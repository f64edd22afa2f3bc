"""Every page a person meets, in the states they meet it in: one workshop seen by a facilitator and a
participant (`Room`), and the list of pages with what to do on each first (`PAGES`). The layout,
accessibility and language tests each run over the same list, so a page added here is checked by all.

A test module makes a module-scoped `room` fixture (`Room(live_server)`), parametrizes over `PAGES`
and opens each with `open_as`."""
import re
import uuid

from playwright.sync_api import expect

from .live import Visitor

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
        self.board_cards = {}
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
                self.cards = self.board_cards[board] = ids
            assert fran.call("configure_voting", {"board_id": self.boards[1], "budget": 5, "cap": 3,
                                                  "lanes": ["problem", "idea", "action"], "mode": "person", "hidden": False})["ok"]
            for board, phases in ((self.boards[1], ["vote"]), (self.boards[2], ["vote", "results"])):
                for phase in phases:
                    assert fran.call("set_phase", {"board_id": board, "phase": phase})["ok"]
            assert fran.call("reveal_votes", {"board_id": self.boards[2]})["ok"]
            # The voting board as the room sees it mid-vote: Ana's own dots, a card in the spotlight, a running timer.
            voted = self.board_cards[self.boards[1]]["problem"][0]
            assert ana.call("vote", {"card_id": voted})["ok"]
            assert fran.call("spotlight", {"board_id": self.boards[1], "card_id": voted})["ok"]
            assert fran.call("start_timer", {"board_id": self.boards[1], "seconds": 3600})["ok"]
            # The first area's themes, found once here so that what they show is in the database from the start.
            assert fran.call("refresh_themes", {"board_id": self.boards[0]}, timeout=180)["ok"]
        finally:
            ana.close()
            fran.close()
        self.more_states(live_server)

    def more_states(self, live_server):
        """A second workshop of Fran's, for the states that would change the first one's: Ben's board
        with private writing, a hidden card and a pause (board 0), and a closed board (board 1)."""
        self.second_code, self.second_boards = self.fran.create_workshop("Second lab")
        self.second_workshop_id = self.fran.workshop_id
        self.fran.workshop_id = self.workshop_id
        self.ben = Visitor(live_server.url).join(self.second_code, "Ben", "Bologna")
        ben, fran = self.ben.socket(), self.fran.socket()
        try:
            board, closed = self.second_boards[:2]
            shown = ben.call("add_card", {"board_id": board, "lane": "idea", "text": f"{LONG} (to be hidden)"})
            assert fran.call("hide_card", {"card_id": shown["card"]["id"], "reason": "Names a person"})["ok"]
            assert fran.call("set_private_writing", {"board_id": board, "enabled": True})["ok"]
            assert ben.call("add_card", {"board_id": board, "lane": "problem", "text": f"{LONG} (private)"})["ok"]
            assert fran.call("set_paused", {"board_id": board, "paused": True})["ok"]
            assert ben.call("add_card", {"board_id": closed, "lane": "idea", "text": LONG})["ok"]
            assert fran.call("set_phase", {"board_id": closed, "phase": "closed"})["ok"]
        finally:
            ben.close()
            fran.close()

    def fresh_summary(self):
        """The address of a summary PDF never asked for before: a new workshop's, so its first request
        answers with the page that prepares it."""
        self.fran.create_workshop(f"Summary lab {uuid.uuid4().hex[:8]}")  # the report is cached by its content
        workshop_id, self.fran.workshop_id = self.fran.workshop_id, self.workshop_id
        return f"/workshops/{workshop_id}/summary.pdf"


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


def find_themes(page, room):
    """The themes page with the first area's themes found again and a card ticked to move (the split controls shown)."""
    area = page.get_by_role("region", name="Child poverty and the EU Child Guarantee", exact=True)
    area.get_by_role("button", name="Find themes").click()
    area.get_by_role("checkbox", name="Move to a new theme").first.check(timeout=120_000)
    expect(area.get_by_role("button", name="Split off the chosen cards")).to_be_visible()


def preparing(page, room):
    """The report is still being made (its status held at "rendering", however long the render takes)."""
    page.route("**/reports/*/status", lambda route: route.fulfill(json={"state": "rendering"}))
    expect(page.get_by_role("progressbar", name="Report progress")).to_be_visible()


def prepared(page, room):
    """The report has been made and downloaded; the page says so."""
    expect(page.get_by_role("heading", name="Your report has downloaded")).to_be_visible(timeout=60_000)


def spotlit(page, room):
    """The projector with a card in the spotlight (and the timer running)."""
    expect(page.get_by_text("Families with three or more children").first).to_be_visible()


def switch_to(language):
    """Change the page's language with the switch every page shows (a cookie for anyone but a
    facilitator, whose choice is kept in their account: so never used here as Fran)."""
    def switch(page, room):
        page.get_by_label("Language", exact=True).select_option(language)
        page.get_by_role("button", name="Change").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        if "/boards/" in page.url:
            on_board(page)
    return switch


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
    ("themes, found, a card ticked to move", "fran", lambda room: f"/workshops/{room.workshop_id}/themes", find_themes),
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
    ("sign up", None, lambda room: "/signup", nothing),
    ("new workshop form", "fran", lambda room: "/workshops/new", nothing),
    ("projector in vote, spotlight and timer", "fran", lambda room: f"/boards/{room.boards[1]}/projector", spotlit),
    ("board in results (facilitator)", "fran", lambda room: f"/boards/{room.boards[2]}", lambda page, room: on_board(page)),
    ("board paused, private writing, a hidden card (participant)", "ben",
     lambda room: f"/boards/{room.second_boards[0]}", lambda page, room: on_board(page)),
    ("board paused, private writing, a hidden card (facilitator)", "fran",
     lambda room: f"/boards/{room.second_boards[0]}", lambda page, room: on_board(page)),
    ("board closed (participant)", "ben", lambda room: f"/boards/{room.second_boards[1]}", lambda page, room: on_board(page)),
    ("projector closed", "fran", lambda room: f"/boards/{room.second_boards[1]}/projector", nothing),
    ("preparing a report", "fran", lambda room: room.fresh_summary(), preparing),
    ("report prepared and downloaded", "fran", lambda room: room.fresh_summary(), prepared),
    ("page not found", None, lambda room: "/no-such-page", nothing),
    ("forbidden page (a participant at the console)", "ana", lambda room: f"/workshops/{room.workshop_id}/console", nothing),
]

# The same pages after the language switch was used: apart, since a test in one language (the
# pseudo-language's) cannot run them.
SWITCHED = [
    ("home, switched to Slovenian", None, lambda room: "/", switch_to("sl")),
    ("board in vote, switched to French (participant)", "ana", lambda room: f"/boards/{room.boards[1]}", switch_to("fr")),
    ("board paused, private writing, a hidden card, switched to Polish (participant)", "ben",
     lambda room: f"/boards/{room.second_boards[0]}", switch_to("pl")),
]
