"""The board page follows the rules the server sends in its data (static/js/rules.js), not copies
of its own: the composer and the Edit button follow `board.posting_open`, the link select follows
`board.links`."""
import pytest
from playwright.sync_api import expect

from .live import join_in_browser, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def lab(facilitator):
    return facilitator.create_workshop("Rules lab")


def test_the_composer_follows_the_posting_rule_the_server_sends(new_page, lab, facilitator):
    code, boards = lab
    ana = new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    ana.goto(f"/boards/{boards[0]}")
    wait_until(ana, "() => window.workshopBoard.sync.joined")
    composer = ana.get_by_label("New problem")
    expect(composer).to_be_visible()

    staff = facilitator.socket()
    try:
        # Voting with posting kept open: the server says posting is open, and the page shows the composer.
        assert staff.call("set_phase", {"board_id": boards[0], "phase": "vote", "keep_posting_open": True})["ok"]
        wait_until(ana, "() => window.workshopBoard.sync.state.board.phase === 'vote'")
        expect(composer).to_be_visible()
        assert ana.evaluate("() => window.workshopBoard.sync.state.board.posting_open") is True
        assert staff.call("set_paused", {"board_id": boards[0], "paused": True})["ok"]
        expect(composer).to_be_hidden()
        assert ana.evaluate("() => window.workshopBoard.sync.state.board.posting_open") is False
    finally:
        staff.close()


def test_the_rules_read_the_servers_facts_not_the_phase(new_page, lab):
    """Given facts no phase would give (posting open in results, a link lane pair of its own), the
    rules answer from the facts: the server alone decides them."""
    code, boards = lab
    ana = new_page()
    join_in_browser(ana, code, "Ana", "Glasgow")
    ana.goto(f"/boards/{boards[0]}")
    wait_until(ana, "() => window.workshopBoard.sync.joined")
    answers = ana.evaluate("""async () => {
      const rules = await import("/static/js/rules.js");
      const me = { role: "participant", id: 7, city: "Glasgow" };
      const board = { phase: "results", paused: false, posting_open: true, open: true,
                      links: { problem: "action" }, voting: { lanes: ["idea"] } };
      const mine = { lane: "problem", author: { id: 7, city: "Glasgow" }, plan: null, hidden: null };
      const closed = { ...board, phase: "collect", posting_open: false, open: false };
      return {
        post: rules.mayPost({ board, me }),
        change: rules.mayChange(mine, { board, me }),
        postClosed: rules.mayPost({ board: closed, me }),
        changeClosed: rules.mayChange(mine, { board: closed, me }),
        staffClosed: rules.mayChange(mine, { board: closed, me: { role: "facilitator", id: 1 } }),
        link: rules.linkTarget("problem", { board }),
        noLink: rules.linkTarget("idea", { board }) ?? null,
      };
    }""")
    assert answers == {"post": True, "change": True, "postClosed": False, "changeClosed": False,
                       "staffClosed": False, "link": "action", "noLink": None}
