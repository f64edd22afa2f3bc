"""The pages' data carries the server's rules and limits, so that the browser never writes them
again: the posting rule as `board.posting_open` (Board.accepts_cards), the board being open to
changes as `board.open`, the link lanes as `board.links`, and the limits of card text, hide reason
and plan fields as `limits`."""
import json
import re

import pytest

from workshop.boards.plans import INVESTMENT_CURRENCIES, INVESTMENT_PERIOD_MAX, TEXT_FIELDS
from workshop.extensions import db
from workshop.models import CARD_TEXT_MAX, HIDE_REASON_MAX, LINKABLE_LANE, PHASES

LIMITS = {"text": CARD_TEXT_MAX, "reason": HIDE_REASON_MAX, "plan": {**TEXT_FIELDS, "investment_period": INVESTMENT_PERIOD_MAX}}
# ...and the currencies an investment may be in, each named (in English here): see test_investment.py.
CURRENCY_CODES = list(INVESTMENT_CURRENCIES)


def limits_of(data):
    """The page's limits, its currencies by code (their names are checked in test_investment.py)."""
    limits = dict(data["limits"])
    assert [currency["code"] for currency in limits.pop("currencies")] == CURRENCY_CODES
    return limits


def embedded(client, url, script_id):
    page = client.get(url)
    assert page.status_code == 200
    return json.loads(re.search(rf'<script type="application/json" id="{script_id}">(.*?)</script>', page.text, re.S).group(1))


@pytest.fixture
def board_and_people(make_workshop, make_participant):
    workshop = make_workshop()
    return workshop.policy_areas[0].board, make_participant(workshop, "Ana", "Glasgow"), workshop.facilitators[0]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("keep_posting_open", [False, True])
@pytest.mark.parametrize("paused", [False, True])
def test_the_board_page_says_whether_posting_is_open_as_the_board_decides(client, auth, board_and_people, phase,
                                                                          keep_posting_open, paused):
    board, ana, _ = board_and_people
    board.phase, board.keep_posting_open, board.paused = phase, keep_posting_open, paused
    db.session.commit()
    auth.as_user(ana)
    data = embedded(client, f"/boards/{board.id}", "board-data")
    sent = data["snapshot"]["board"]
    assert sent["posting_open"] is board.accepts_cards
    assert sent["open"] is (phase != "closed")
    assert sent["links"] == LINKABLE_LANE
    # The same facts come with the JSON API's snapshot and with every board_updated.
    assert client.get(f"/api/boards/{board.id}").get_json()["board"]["posting_open"] is board.accepts_cards


def test_the_board_page_and_the_console_carry_the_servers_limits(client, auth, board_and_people):
    board, ana, fran = board_and_people
    auth.as_user(ana)
    assert limits_of(embedded(client, f"/boards/{board.id}", "board-data")) == LIMITS
    auth.as_user(fran)
    assert limits_of(embedded(client, f"/boards/{board.id}", "board-data")) == LIMITS
    assert limits_of(embedded(client, f"/workshops/{board.workshop.id}/console", "console-data")) == LIMITS


def test_no_script_writes_a_limit_or_a_link_lane_of_its_own():
    """The numbers and lane pairs the server decides are read from the page's data, never typed in."""
    from pathlib import Path

    scripts = Path(__file__).resolve().parent.parent / "static" / "js"
    for script in scripts.glob("*.js"):
        source = script.read_text()
        assert not re.search(r"maxlength:\s*\d", source), script.name
        assert not re.search(r"""idea["']?\s*:\s*["']problem""", source), script.name


def test_the_scripts_listen_only_for_events_the_server_sends():
    """Every event a page listens for is in docs/protocol.md's "Server to client" table (or is one
    of Socket.IO's own), so no listener waits for something that never comes."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    protocol = (root / "docs" / "protocol.md").read_text()
    table = protocol.split("### Server to client", 1)[1]
    sent = {name for row in table.splitlines() if row.startswith("| `") for name in re.findall(r"`(\w+)`", row.split(" | ")[0])}
    heard = set()
    for script in (root / "static" / "js").glob("*.js"):
        source = script.read_text()
        heard |= set(re.findall(r"""socket\.on\(\s*["'](\w+)["']""", source))
        for listed in re.findall(r"const SEQUENCED = \[(.*?)\]", source):  # board-sync.js listens for these in a loop
            heard |= set(re.findall(r'"(\w+)"', listed))
    assert "card_added" in heard and "signed_out" in heard  # the scan finds the listeners
    assert heard - {"connect", "disconnect", "connect_error"} <= sent
