"""Similar cards while writing (issue 16) in Debian's Chromium: typing a card shows the cards already on
the board that say much the same in another language, with their city; "Build on this" links a new idea to
a similar problem; a dot goes to a similar card while voting; and all of it fits a phone."""
import re
import time

import pytest
from playwright.sync_api import expect

from .a11y import assert_accessible, small_targets
from .layout import PHONE, sideways_overflow
from .live import BoardScene, card, open_as

pytestmark = pytest.mark.browser

TITLE = "Child poverty and the EU Child Guarantee"
FRENCH_PROBLEM = "Des enfants viennent en classe le ventre vide, faute de petit-déjeuner à la maison"
GERMAN_HOUSING = "Familien mit Kindern werden zwangsgeräumt und landen monatelang in Notunterkünften"
ENGLISH_PROBLEM = "Many children come to school hungry in the morning because there is no breakfast at home"
FRENCH_IDEA = "Un petit-déjeuner gratuit à l'école pour les enfants qui arrivent le ventre vide"
ENGLISH_IDEA = "Serve a free breakfast at school to the children who come to class hungry"


class Scene(BoardScene):
    """Ben of Bologna wrote a problem in French and one in German; the synthesis worker is warm."""

    def __init__(self, live_server, facilitator, new_page):
        super().__init__(live_server, facilitator, new_page, "Similar cards lab")
        self.problem = self.call("ben", "add_card", board_id=self.board, lane="problem", text=FRENCH_PROBLEM)["card"]["id"]
        self.housing = self.call("ben", "add_card", board_id=self.board, lane="problem", text=GERMAN_HOUSING)["card"]["id"]
        # The first lookup starts the worker and embeds the board's cards: done here, not in the page's time.
        self.sockets["ana"].until_embedded(self.board, FRENCH_PROBLEM, GERMAN_HOUSING)


@pytest.fixture
def scene(live_server, facilitator, new_page):
    scene = Scene(live_server, facilitator, new_page)
    yield scene
    scene.close()


def board_page(scene, person, **options):
    """The board as `person` sees it in a new browser context (`options`: the context's, e.g. `bypass_csp`)."""
    page = open_as(lambda: scene.new_page(**options), person, f"/boards/{scene.board}")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    return page


def similar(page, lane):
    return page.get_by_role("region", name=re.compile(f"^{lane}")).get_by_role("region", name="Similar cards already on the board")


def test_typing_a_problem_shows_the_same_problem_written_in_french_with_its_city(scene):
    ana = board_page(scene, scene.ana)
    ana.get_by_role("textbox", name="New problem").fill(ENGLISH_PROBLEM)
    found = similar(ana, "Problems")
    expect(found).to_be_visible()
    entries = found.get_by_role("list").get_by_role("listitem")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text(FRENCH_PROBLEM)
    expect(entries.first).to_contain_text("Bologna")
    expect(found).not_to_contain_text(GERMAN_HOUSING)
    expect(ana.get_by_role("status").filter(has_text="Similar cards already on the board: 1")).to_have_count(1)
    # Not a phase for dots; a problem links to nothing: the card is shown.
    expect(entries.first.get_by_role("button", name=re.compile("^Give a dot"))).to_have_count(0)
    entries.first.get_by_role("button", name=f"Show this card: {FRENCH_PROBLEM[:49]}…").click()
    expect(card(ana, FRENCH_PROBLEM)).to_be_focused()
    # Posting is never in the way; a posted card takes its similar cards away.
    ana.get_by_role("textbox", name="New problem").focus()
    ana.get_by_role("button", name="Add problem").click()
    expect(card(ana, ENGLISH_PROBLEM)).to_be_visible()
    expect(found).to_be_hidden()
    assert ana.errors == []


def test_build_on_this_links_a_new_idea_to_a_similar_problem(scene):
    ana = board_page(scene, scene.ana)
    ana.get_by_role("textbox", name="New idea").fill(ENGLISH_IDEA)
    entry = similar(ana, "Ideas").get_by_role("listitem").filter(has_text=FRENCH_PROBLEM)
    entry.get_by_role("button", name=re.compile("^Build on this")).click()
    expect(ana.get_by_role("combobox", name="Answers the problem")).to_have_value(str(scene.problem))
    expect(ana.get_by_role("status").filter(has_text="Your idea will answer:")).to_have_count(1)
    ana.get_by_role("button", name="Add idea").click()
    posted = card(ana, ENGLISH_IDEA)
    expect(posted).to_contain_text("Answers:")
    expect(posted.get_by_role("link", name=re.compile("^Des enfants viennent"))).to_be_visible()
    assert ana.errors == []


def test_a_similar_idea_gets_a_dot_while_voting_and_posting_stays_open(scene):
    idea = scene.call("ben", "add_card", board_id=scene.board, lane="idea", text=FRENCH_IDEA)["card"]["id"]
    scene.sockets["ana"].until_embedded(scene.board, FRENCH_IDEA)
    scene.call("fran", "set_phase", board_id=scene.board, phase="vote", keep_posting_open=True)
    ana = board_page(scene, scene.ana)
    ana.get_by_role("textbox", name="New idea").fill(ENGLISH_IDEA)
    found = similar(ana, "Ideas")
    expect(found.get_by_role("listitem").filter(has_text=FRENCH_PROBLEM)).to_be_visible()
    # Ideas are voted on, problems are not (the board's voting lanes): only the idea offers a dot.
    expect(found.get_by_role("button", name=re.compile("^Give a dot"))).to_have_count(1)
    found.get_by_role("button", name=re.compile("^Give a dot to: Un petit-déjeuner")).click()
    expect(ana.get_by_role("status").filter(has_text="Dot given.")).to_have_count(1)
    expect(card(ana, FRENCH_IDEA).locator(".my-dots")).to_contain_text("1")
    dots = scene.sockets["ana"].call("join_board", {"board_id": scene.board})["snapshot"]["votes"]["mine"]["dots"]
    assert [(dot["card_id"], dot["count"]) for dot in dots] == [(idea, 1)]
    assert ana.errors == []


def test_similar_cards_fit_a_phone_and_pass_the_accessibility_audit(scene):
    ana = board_page(scene, scene.ana, bypass_csp=True)  # so that axe can be injected
    ana.set_viewport_size(PHONE)
    ana.get_by_role("textbox", name="New problem").fill(ENGLISH_PROBLEM)
    found = ana.get_by_role("region", name="Similar cards already on the board")  # the lane is a tab panel here
    expect(found.get_by_role("listitem")).to_have_count(1)
    assert sideways_overflow(ana) == []
    box, window = found.bounding_box(), ana.viewport_size
    assert 0 <= box["x"] and box["x"] + box["width"] <= window["width"]
    assert_accessible(ana)
    assert small_targets(ana) == []
    assert ana.errors == []
