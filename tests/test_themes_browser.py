"""The facilitators' themes page in Debian's Chromium (issue 16): a facilitator finds the themes of a policy
area, renames one from the keyboard and splits another; their other page follows; the page fits a phone."""
import pytest
from playwright.sync_api import expect

from .live import BoardScene, card

pytestmark = pytest.mark.browser

CHILD_POVERTY = "Child poverty and the EU Child Guarantee"
MEALS = ["Many children arrive at school hungry because families cannot afford breakfast",
         "Des enfants viennent en classe le ventre vide, faute de petit-déjeuner à la maison",
         "Viele Kinder kommen ohne Frühstück in die Schule, weil das Geld zu Hause nicht reicht"]
WAITING = ["Young people wait months for an appointment with a psychologist",
           "Les jeunes attendent des mois un rendez-vous chez le psychologue",
           "Jugendliche warten monatelang auf einen Termin beim Psychotherapeuten"]


def theme(area, text):
    """The theme (an article) that holds the card reading `text`."""
    return area.get_by_role("article").filter(has=card(area.page, text, exact=True))


def test_a_facilitator_finds_themes_renames_one_and_splits_another(live_server, facilitator, new_page):
    scene = BoardScene(live_server, facilitator, new_page, "Themes lab")
    for who, text in [("ana", MEALS[0]), ("ben", MEALS[1]), ("ana", MEALS[2]), *(("ben", text) for text in WAITING)]:
        scene.call(who, "add_card", board_id=scene.board, lane="problem", text=text)
    path = f"/workshops/{facilitator.workshop_id}/themes"
    console = scene.page(facilitator, f"/workshops/{facilitator.workshop_id}/console")
    console.get_by_role("link", name="Themes", exact=True).click()
    page = console
    other = scene.page(facilitator, path)  # the same facilitator on another screen
    area = page.get_by_role("region", name=CHILD_POVERTY, exact=True)
    expect(area.get_by_text("No themes yet.")).to_be_visible()

    area.get_by_role("button", name="Find themes").click()
    expect(area.get_by_role("status")).to_contain_text("Finding themes")
    meals = theme(area, MEALS[0])
    expect(meals).to_be_visible(timeout=120_000)
    expect(area.get_by_role("status")).to_have_text("Themes found. 2 themes")
    expect(area.get_by_role("button", name="Find themes")).to_be_focused()
    expect(meals).to_contain_text("Cities: Bologna, Glasgow")
    expect(meals).to_contain_text("3 cards")
    for text in MEALS:
        expect(card(meals, text, exact=True)).to_be_visible()

    # Renamed from the keyboard: the field, typing, Enter.
    meals.get_by_label("Theme name").focus()
    page.keyboard.type("Hungry at school")
    page.keyboard.press("Enter")
    renamed = area.get_by_role("article", name="Hungry at school")
    expect(renamed).to_be_visible()
    expect(renamed.get_by_role("button", name="Save name")).to_be_focused()
    expect(other.get_by_role("article", name="Hungry at school")).to_be_visible()  # themes_changed reached it

    # Split: one card ticked, the split controls appear, a name, and the card is a theme of its own.
    waiting = theme(area, WAITING[0])
    expect(waiting.get_by_role("button", name="Split off the chosen cards")).to_be_hidden()
    card(waiting, WAITING[2], exact=True).get_by_role("checkbox", name="Move to a new theme").check()
    waiting.get_by_label("Name of the new theme (optional)").fill("Therapy waiting lists")
    waiting.get_by_role("button", name="Split off the chosen cards").click()
    split = area.get_by_role("article", name="Therapy waiting lists")
    expect(split).to_be_visible()
    expect(split.get_by_role("heading", name="Therapy waiting lists")).to_be_focused()
    expect(card(split, WAITING[2], exact=True)).to_be_visible()
    expect(theme(area, WAITING[0])).to_contain_text("2 cards")
    expect(area.get_by_role("article")).to_have_count(3)

    # What they did is stored: the page opened afresh shows it, and finding themes again keeps it.
    page.reload()
    area = page.get_by_role("region", name=CHILD_POVERTY, exact=True)
    expect(area.get_by_role("article", name="Hungry at school")).to_be_visible()
    area.get_by_role("button", name="Find themes").click()
    expect(area.get_by_role("status")).to_have_text("Themes found. 3 themes", timeout=60_000)
    expect(card(area.get_by_role("article", name="Therapy waiting lists"), WAITING[2], exact=True)).to_be_visible()
    expect(area.get_by_role("article", name="Hungry at school")).to_contain_text("3 cards")

    # On a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == [] and other.errors == []
    scene.close()
