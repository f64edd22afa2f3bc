"""An action plan's investment pledged (issue 17): a whole amount, its currency and its period,
checked by the server, carried by `plan_json` into the board, the frozen commitment, the commitment
page and the city report, written in the reader's language."""
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from workshop.boards import plans as plan_service
from workshop.boards.messages import board_messages, page_limits
from workshop.boards.plans import INVESTMENT_AMOUNT_MAX, INVESTMENT_CURRENCIES, plan_json, written_investment
from workshop.errors import Refused
from workshop.extensions import db
from workshop.models import Card, CommitmentVersion

from .conftest import download, pdf_text
from .helpers import SIGNATORY, assert_refused, lab, post, save  # noqa: F401  (the lab fixture)

PLEDGE = {"investment_amount": "4,000,000", "investment_currency": "EUR", "investment_period": "2025-2030"}


@pytest.fixture
def plan(room):
    """Ana's action plan on the room's board, pledging 250,000 Swiss francs for 2026-2028."""
    card = post(room.ana_socket, room.board, "Open family desks in all districts", lane="action")["card"]
    ack = room.ana_socket.emit("edit_action_plan", {"card_id": card["id"], "plan": {
        "title": "Family desks", "investment_amount": 250000, "investment_currency": "CHF", "investment_period": "2026-2028"}},
        callback=True)
    assert ack["ok"], ack
    room.clear()
    return db.session.get(Card, card["id"])


def stored(card_id):
    db.session.expire_all()
    plan = db.session.get(Card, card_id).plan
    return (plan.title, plan.investment_amount, plan.investment_currency, plan.investment_period)


def edit(room, card_id, fields):
    return room.ana_socket.emit("edit_action_plan", {"card_id": card_id, "plan": fields}, callback=True)


# What is taken --------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [4000000, "4000000", "4 000 000", "4,000,000", "4.000.000", "4\u202f000\u202f000",
                                   "4'000'000", " 4,000,000 "])
def test_an_amount_is_taken_as_digits_or_grouped_by_threes(room, plan, typed):
    ack = edit(room, plan.id, {"investment_amount": typed, "investment_currency": "EUR"})
    assert ack["ok"], ack
    assert ack["card"]["plan"]["investment_amount"] == 4000000
    assert stored(plan.id) == ("Family desks", 4000000, "EUR", "2026-2028")
    assert any(m["name"] == "card_edited" for m in room.ben_socket.get_received())


def test_zero_and_the_largest_amount_are_taken(room, plan):
    assert edit(room, plan.id, {"investment_amount": "0"})["ok"]
    assert stored(plan.id)[1] == 0
    assert edit(room, plan.id, {"investment_amount": INVESTMENT_AMOUNT_MAX})["ok"]
    assert stored(plan.id)[1] == 10**13
    assert edit(room, plan.id, {"investment_amount": "00010000000000000"})["ok"]  # leading zeros say nothing
    assert stored(plan.id)[1] == 10**13


def test_an_empty_amount_means_no_investment_and_keeps_the_currency_and_period(room, plan):
    ack = edit(room, plan.id, {"investment_amount": "", "investment_currency": "CHF", "investment_period": "2026-2028"})
    assert ack["ok"], ack
    assert stored(plan.id) == ("Family desks", None, "CHF", "2026-2028")
    assert edit(room, plan.id, {"investment_amount": None})["ok"]
    assert stored(plan.id) == ("Family desks", None, "CHF", "2026-2028")


def test_an_amount_alone_uses_the_stored_currency(room, plan):
    assert edit(room, plan.id, {"investment_amount": "300000"})["ok"]
    assert stored(plan.id) == ("Family desks", 300000, "CHF", "2026-2028")


def test_the_period_is_trimmed_and_may_be_cleared(room, plan):
    assert edit(room, plan.id, {"investment_period": "  2027-2031  "})["ok"]
    assert stored(plan.id)[3] == "2027-2031"
    assert edit(room, plan.id, {"investment_period": ""})["ok"]
    assert stored(plan.id)[3] == ""


def test_a_currency_in_lower_case_is_taken_as_its_code(room, plan):
    assert edit(room, plan.id, {"investment_currency": "gbp"})["ok"]
    assert stored(plan.id)[2] == "GBP"


def test_other_fields_leave_the_investment_as_it_is(room, plan):
    assert edit(room, plan.id, {"lead": "Social affairs"})["ok"]
    assert stored(plan.id) == ("Family desks", 250000, "CHF", "2026-2028")


# What is refused, and nothing changes -----------------------------------------------------------

REFUSALS = [
    ({"investment_amount": "4,5"}, "bad_amount", "investment_amount"),
    ({"investment_amount": "4.50"}, "bad_amount", "investment_amount"),
    ({"investment_amount": "4,000.00"}, "bad_amount", "investment_amount"),
    ({"investment_amount": "4,000.000"}, "bad_amount", "investment_amount"),  # one separator throughout
    ({"investment_amount": "40,00,000"}, "bad_amount", "investment_amount"),
    ({"investment_amount": "-4000"}, "bad_amount", "investment_amount"),
    ({"investment_amount": -4000}, "bad_amount", "investment_amount"),
    ({"investment_amount": 4000.5}, "bad_amount", "investment_amount"),
    ({"investment_amount": 4000.0}, "bad_amount", "investment_amount"),
    ({"investment_amount": True}, "bad_amount", "investment_amount"),
    ({"investment_amount": "four million"}, "bad_amount", "investment_amount"),
    ({"investment_amount": "€4,000,000"}, "bad_amount", "investment_amount"),
    ({"investment_amount": [4000000]}, "bad_amount", "investment_amount"),
    ({"investment_amount": 10**13 + 1}, "amount_too_large", "investment_amount"),
    ({"investment_amount": "10,000,000,000,001"}, "amount_too_large", "investment_amount"),
    ({"investment_amount": "9" * 40}, "amount_too_large", "investment_amount"),
    ({"investment_amount": "9" * 5000}, "amount_too_large", "investment_amount"),  # past int()'s 4,300 digits
    ({"investment_currency": "XYZ"}, "bad_currency", "investment_currency"),
    ({"investment_currency": "JPY"}, "bad_currency", "investment_currency"),
    ({"investment_currency": "BGN"}, "bad_currency", "investment_currency"),  # Bulgaria pays in euro since 2026
    ({"investment_currency": 978}, "bad_field", "investment_currency"),
    ({"investment_currency": ""}, "currency_required", "investment_currency"),  # the stored amount needs one
    ({"investment_amount": "5000", "investment_currency": ""}, "currency_required", "investment_currency"),
    ({"investment_period": "x" * 61}, "too_long", "investment_period"),
    ({"investment_period": 2025}, "bad_field", "investment_period"),
    # A bad investment refuses the whole change, the fields given with it too.
    ({"title": "Changed title", "investment_amount": "-1"}, "bad_amount", "investment_amount"),
]


@pytest.mark.parametrize("fields, code, field", REFUSALS)
def test_a_bad_investment_is_refused_with_its_field_and_nothing_changes(room, plan, fields, code, field):
    before = stored(plan.id)
    ack = edit(room, plan.id, fields)
    assert_refused(ack, code)
    assert stored(plan.id) == before
    assert not any(m["name"] == "card_edited" for m in room.ben_socket.get_received())
    # The service names the field at fault.
    with pytest.raises(Refused) as refusal:
        plan_service.edit_action_plan(room.ana, db.session.get(Card, plan.id), fields)
    db.session.rollback()
    assert (refusal.value.code, refusal.value.field) == (code, field)
    assert stored(plan.id) == before


def test_the_refusals_say_what_to_type(room, plan):
    message = edit(room, plan.id, {"investment_amount": "4,5"})["error"]["message"]
    assert "whole amount" in message and "no decimals" in message
    assert "10,000,000,000,000" in edit(room, plan.id, {"investment_amount": 10**14})["error"]["message"]
    assert "currency" in edit(room, plan.id, {"investment_currency": ""})["error"]["message"]


def test_a_participant_of_another_city_cannot_pledge_for_the_plan(room, plan):
    before = stored(plan.id)
    ack = room.ben_socket.emit("edit_action_plan", {"card_id": plan.id, "plan": PLEDGE}, callback=True)
    assert_refused(ack, "not_author")
    assert stored(plan.id) == before


# Where it travels ------------------------------------------------------------------------------------

def test_plan_json_carries_the_investment(room, plan):
    assert {key: value for key, value in plan_json(plan.plan).items() if key.startswith("investment")} == {
        "investment_amount": 250000, "investment_currency": "CHF", "investment_period": "2026-2028"}


def test_a_plan_without_investment_has_none_in_plan_json(app):
    shown = plan_json(None)
    assert (shown["investment_amount"], shown["investment_currency"], shown["investment_period"]) == (None, "", "")


def test_the_board_snapshot_shows_the_investment_to_the_room(client, auth, room, plan):
    auth.as_user(room.ben)
    [card] = [c for c in client.get(f"/api/boards/{room.board.id}").json["cards"] if c["id"] == plan.id]
    assert card["plan"]["investment_amount"] == 250000 and card["plan"]["investment_currency"] == "CHF"


def test_the_board_page_offers_the_lab_currencies_euro_first_named_in_its_language(app):
    assert INVESTMENT_CURRENCIES[0] == "EUR"
    assert {"CHF", "GBP", "USD", "PLN", "SEK", "CZK", "HUF", "RON", "DKK", "NOK", "ISK", "UAH", "RSD"} <= set(INVESTMENT_CURRENCIES)
    assert not {"BGN", "JPY", "XYZ", "HRK"} & set(INVESTMENT_CURRENCIES)
    with app.test_request_context():
        assert page_limits()["plan"]["investment_period"] == 60
        assert "plan.investment_amount" in board_messages()
        with force_locale("en"):
            currencies = page_limits()["currencies"]
            assert [c["code"] for c in currencies] == list(INVESTMENT_CURRENCIES)
            assert {"code": "CHF", "name": "Swiss Franc"} in currencies
        with force_locale("de"):
            assert {"code": "CHF", "name": "Schweizer Franken"} in page_limits()["currencies"]


@pytest.mark.parametrize("language, written", [
    ("en", "€4,000,000 (2025-2030)"),
    ("de", "4.000.000\xa0€ (2025-2030)"),
    ("fr", "4\u202f000\u202f000\xa0€ (2025-2030)"),
])
def test_the_investment_is_written_in_the_readers_language_in_whole_units(app, language, written):
    plan = {"investment_amount": 4000000, "investment_currency": "EUR", "investment_period": "2025-2030"}
    with app.test_request_context(), force_locale(language):
        assert written_investment(plan) == written
        assert written_investment({**plan, "investment_period": ""}) == written.split(" (")[0]
        assert written_investment({**plan, "investment_amount": None}) == ""
        assert written_investment(None) == ""


def test_a_final_version_keeps_the_investment_as_signed(client, auth, lab):
    plan_service.edit_action_plan(lab.mateja, lab.plan, PLEDGE)
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    assert client.post(f"{lab.url}/final").status_code == 302
    plan_service.edit_action_plan(lab.mateja, lab.plan, {"investment_amount": "5,000,000", "investment_period": "2026-2031"})

    version = db.session.scalar(select(CommitmentVersion))
    [frozen] = version.content["policy_areas"][0]["plans"]
    assert (frozen["investment_amount"], frozen["investment_currency"], frozen["investment_period"]) == (4000000, "EUR", "2025-2030")
    assert version.content_hash == CommitmentVersion.fingerprint(version.content)


def test_the_commitment_page_shows_each_plans_investment(client, auth, lab):
    plan_service.edit_action_plan(lab.mateja, lab.plan, PLEDGE)
    auth.as_user(lab.mateja)
    assert "Investment: €4,000,000 (2025-2030)" in client.get(lab.url).text  # among the plans to pick
    save(client, lab, [lab.plan])
    client.post(f"{lab.url}/final")
    page = client.get(lab.url).text
    assert "What you committed to" in page and "Investment: €4,000,000 (2025-2030)" in page


def test_the_city_report_prints_the_investment_in_its_language(client, auth, lab):
    plan_service.edit_action_plan(lab.mateja, lab.plan, PLEDGE)
    plan_service.edit_action_plan(lab.ewan, lab.other_plan, {"title": "School navigators"})
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan, lab.other_plan])
    client.post(f"{lab.url}/final")
    flat = " ".join(pdf_text(download(client, f"{lab.url}/v1.pdf").data).split())
    assert "Investment €4,000,000 (2025-2030)" in flat
    assert flat.count("Investment") == 1  # the plan without one prints no empty row

    client.post(f"{lab.url}/reopen")
    save(client, lab, [lab.plan], report_language="de")
    client.post(f"{lab.url}/final")
    flat = " ".join(pdf_text(download(client, f"{lab.url}/v2.pdf").data).split())
    assert "4.000.000 € (2025-2030)" in flat
