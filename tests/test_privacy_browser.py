"""Privacy through the real server: a participant removes their name in Chromium while another
watches the board; deleting a workshop tells and closes a real client's socket."""
import pytest
from playwright.sync_api import expect

from .live import Visitor
from .live import card, join_in_browser

pytestmark = pytest.mark.browser

BOARD = "Child poverty and the EU Child Guarantee"


def test_anonymise_me_shows_on_the_other_browser_at_once(new_page, facilitator):
    code, _ = facilitator.create_workshop("Privacy lab")
    ana, ben = new_page(), new_page()
    join_in_browser(ana, code, "Ana Kovač", "Ljubljana")
    join_in_browser(ben, code, "Ben", "Bologna")
    for page in (ana, ben):
        page.get_by_role("link", name=BOARD).first.click()
    ana.get_by_label("New problem").fill("Waiting lists are long")
    ana.get_by_role("button", name="Add problem").click()
    expect(card(ben, "Waiting lists are long")).to_contain_text("Ana Kovač")

    ana.go_back()
    ana.get_by_role("link", name="Remove my name from my cards").click()
    ana.get_by_role("button", name="Remove my name").click()
    expect(ana.get_by_text("Your name is gone from your cards.")).to_be_visible()

    expect(card(ben, "Waiting lists are long")).to_contain_text("Anonymous participant", timeout=2000)
    expect(card(ben, "Waiting lists are long")).not_to_contain_text("Ana Kovač")
    assert ana.errors == [] and ben.errors == []


def test_deleting_a_workshop_tells_and_closes_a_real_socket(live_server, facilitator):
    code, boards = facilitator.create_workshop("Deleted lab")
    ana = Visitor(live_server.url).join(code, "Ana", "Glasgow")
    socket = ana.socket()
    assert socket.call("join_board", {"board_id": boards[0]})["ok"]

    delete = f"/workshops/{facilitator.workshop_id}/delete"
    facilitator.form(delete, {"title": "Deleted lab"})

    socket.wait_for(lambda received: ("workshop_deleted", {"workshop_id": facilitator.workshop_id}) in received)
    socket.wait_for(lambda _: not socket.client.connected)
    # Ana is nobody now: the page sends her to log in.
    assert ana.http.get(f"{live_server.url}/workshops/{facilitator.workshop_id}", allow_redirects=False).status_code == 302
