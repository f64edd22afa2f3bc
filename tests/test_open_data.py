"""The open data of public pledges: one function (`pledges_data`) that every public view renders from, its JSON
and CSV, the Atom feed of progress updates, and the schema document that must stay true to them.

The world: Glasgow and Bologna are final and agreed (public); Florence is final but did not agree, Tallinn is a
draft: both absent everywhere. Nothing private reaches any answer."""
import copy
import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from workshop.boards import plans as board_plans
from workshop.boards import services as boards
from workshop.commitments import services as commitments
from workshop.errors import Refused
from workshop.extensions import db
from workshop.followup.services import issue_update_link
from workshop.models import ActionPlan, PlanProgress, ProgressUpdate, utcnow
from workshop.pledges.services import pledges_data

DOC = Path(__file__).resolve().parents[1] / "docs" / "open-data.md"
ATOM = "{http://www.w3.org/2005/Atom}"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def action_plan(author, board, text, investment=None, **fields):
    """An action plan card with its details; `investment` (amount, currency, period) set on its columns."""
    card, _ = boards.add_card(author, board, "action", text)
    board_plans.edit_action_plan(author, card, fields)
    if investment is not None:
        card.plan.investment_amount, card.plan.investment_currency, card.plan.investment_period = investment
        db.session.commit()
    return card


def committed(author, cards, statement, signatories, agreed=True, final=True):
    """The author's city team commits to `cards`; final and agreed to publish unless said otherwise."""
    team = author.city_team
    commitment = commitments.save_draft(author, team, [card.id for card in cards], statement, signatories)
    if final:
        commitments.finalise(author, team)
        freeze_investment(commitment)
    if agreed:
        commitment.public_agreed_at = utcnow()
        db.session.commit()
    return commitment


def freeze_investment(commitment):
    """The frozen plans carry their investment as `plan_json` freezes it once the investment branch is in
    (`investment_amount`, `_currency`, `_period`); until then this writes what it will write."""
    version = commitment.latest_version
    content = copy.deepcopy(version.content)
    for area in content["policy_areas"]:
        for plan in area["plans"]:
            if "investment_amount" not in plan:
                live = db.session.get(ActionPlan, plan["card_id"])
                plan.update(investment_amount=live.investment_amount, investment_currency=live.investment_currency,
                            investment_period=live.investment_period)
    version.content = content
    db.session.commit()


def update(commitment, card, written_at, status, percent, text, indicator_value="", evidence_url=None, author="Ana Private"):
    """A progress update as the city writes it, and the plan's progress it sets."""
    db.session.add(ProgressUpdate(commitment_id=commitment.id, card_id=card.id, written_at=written_at, status=status,
                                  percent=percent, text=text, indicator_value=indicator_value, evidence_url=evidence_url,
                                  author_name=author))
    progress = db.session.get(PlanProgress, (commitment.id, card.id)) or PlanProgress(commitment_id=commitment.id, card_id=card.id)
    progress.status, progress.percent, progress.updated_at = status, percent, written_at
    db.session.add(progress)
    db.session.commit()


@pytest.fixture
def world(make_workshop, make_participant):
    class World:
        workshop = make_workshop(cities=("Glasgow", "Bologna", "Florence", "Tallinn"), host_city="Brussels")
        first, second = workshop.policy_areas[0], workshop.policy_areas[1]
        ana = make_participant(workshop, "Ana Private", "Glasgow")
        ben = make_participant(workshop, "Ben Private", "Bologna")
        lia = make_participant(workshop, "Lia Private", "Florence")
        tom = make_participant(workshop, "Tom Private", "Tallinn")

    w = World()
    facilitator = w.workshop.facilitators[0]
    hidden, _ = boards.add_card(w.ana, w.first.board, "problem", "Hidden words of Glasgow")
    boards.hide_card(facilitator, hidden, "Off topic")
    w.desks = action_plan(w.ana, w.first.board, "=HYPERLINK(\"http://evil.example\",\"desks\")", investment=(4_000_000, "EUR", "2025-2030"),
                          title="-Family desks", principles=[11, 3], child_guarantee=True, lead="Social work", baseline="0 desks",
                          target="10 desks", indicators="Desks open", starts_on="2026-01-01", ends_on="2027-12-31")
    w.meals = action_plan(w.ana, w.second.board, "Free school meals for all", investment=(250_000, "GBP", "2026"),
                          title="School meals", principles=[11, 14])
    w.unchosen = action_plan(w.ana, w.first.board, "Glasgow plan never committed", title="Unchosen")
    w.teams = action_plan(w.ben, w.first.board, "Mobile family teams", investment=(1_000_000, "EUR", "2026-2028"),
                          title="Mobile teams", principles=[3], child_guarantee=True)
    w.hotline = action_plan(w.ben, w.second.board, "A hotline without an amount", investment=(None, "EUR", ""),
                            title="Hotline", principles=[16])
    w.lia_plan = action_plan(w.lia, w.first.board, "Florence secret plan", title="Florence plan", principles=[1])
    w.tom_plan = action_plan(w.tom, w.first.board, "Tallinn draft plan", title="Tallinn plan", principles=[2])
    signed = [("Mhairi Provost", "Provost", "Glasgow City Council")]
    w.glasgow = committed(w.ana, [w.desks, w.meals], "Glasgow commits.", signed)
    w.bologna = committed(w.ben, [w.teams, w.hotline], "Bologna commits.", [("Matteo Sindaco", "Mayor", "Comune di Bologna")])
    w.florence = committed(w.lia, [w.lia_plan], "Florence commits.", [("Lia Signed", "Mayor", "Comune di Firenze")], agreed=False)
    w.tallinn = committed(w.tom, [w.tom_plan], "Tallinn drafts.", [("Tom Signed", "Mayor", "Tallinn")], final=False)
    w.share_token = commitments.share(w.ana, w.ana.city_team)
    w.link = issue_update_link(w.glasgow, "Mayor's office")
    update(w.glasgow, w.desks, datetime(2026, 2, 1, 9), "in_progress", 20, "Two desks open", "2 desks", "https://glasgow.example/desks")
    update(w.glasgow, w.desks, datetime(2026, 5, 1, 9), "in_progress", 50, "=Five desks open", "5 desks")
    update(w.bologna, w.teams, datetime(2026, 3, 1, 9), "done", 100, "All teams on the road")
    update(w.glasgow, w.unchosen, datetime(2026, 4, 1, 9), "in_progress", 10, "Update on a plan not committed")
    update(w.florence, w.lia_plan, datetime(2026, 4, 2, 9), "done", 100, "Florence update")
    w.workshop.pledges_published_at = datetime(2026, 1, 15, 12)
    db.session.commit()
    w.secrets = ["Ana Private", "Ben Private", "Lia Private", "Tom Private", "Hidden words of Glasgow", w.share_token,
                 w.link.token, "Florence", "Tallinn", "Glasgow plan never committed", "Update on a plan not committed"]
    return w


def test_the_data_has_the_public_cities_their_plans_and_progress(app, world):
    with app.test_request_context():
        data = pledges_data(world.workshop)
    assert data["schema"] == "workshop-pledges/1"
    assert data["workshop"] == {"id": world.workshop.id, "title": world.workshop.title, "host_city": "Brussels",
                                "starts_on": "2025-11-05", "ends_on": "2025-11-07", "published_at": "2026-01-15T12:00:00Z",
                                "url": f"http://localhost/pledges/{world.workshop.id}"}
    assert data["filters"] == {"area": None, "principle": None, "city": None}
    assert [city["name"] for city in data["cities"]] == ["Bologna", "Glasgow"]
    bologna, glasgow = data["cities"]
    assert glasgow["statement"] == "Glasgow commits." and glasgow["version"] == 1 and glasgow["finalised_at"].endswith("Z")
    assert glasgow["signatories"] == [{"name": "Mhairi Provost", "role": "Provost", "organisation": "Glasgow City Council"}]
    assert [plan["number"] for plan in glasgow["plans"]] == ["2.1", "2.2"]
    assert [plan["number"] for plan in bologna["plans"]] == ["1.1", "1.2"]
    desks = glasgow["plans"][0]
    assert desks == {
        "number": "2.1", "title": "-Family desks", "text": world.desks.text, "policy_area": world.first.title,
        "principles": [3, 11], "child_guarantee": True, "lead": "Social work", "partners": "", "starts_on": "2026-01-01",
        "ends_on": "2027-12-31", "resources": "", "indicators": "Desks open", "baseline": "0 desks", "target": "10 desks",
        "investment": {"amount": 4_000_000, "currency": "EUR", "period": "2025-2030"},
        "progress": {"status": "in_progress", "percent": 50, "updated_at": "2026-05-01T09:00:00Z"},
        "updates": [
            {"written_at": "2026-02-01T09:00:00Z", "status": "in_progress", "percent": 20, "text": "Two desks open",
             "indicator_value": "2 desks", "evidence_url": "https://glasgow.example/desks"},
            {"written_at": "2026-05-01T09:00:00Z", "status": "in_progress", "percent": 50, "text": "=Five desks open",
             "indicator_value": "5 desks", "evidence_url": None},
        ],
    }
    meals = glasgow["plans"][1]
    assert meals["policy_area"] == world.second.title
    assert meals["progress"] == {"status": "not_started", "percent": 0, "updated_at": None} and meals["updates"] == []
    assert bologna["plans"][1]["investment"] is None  # a currency without an amount is no investment


def test_the_totals_count_cities_plans_principles_child_guarantee_investment_per_currency_and_status(app, world):
    with app.test_request_context():
        totals = pledges_data(world.workshop)["totals"]
    assert totals["cities"] == 2 and totals["plans"] == 4
    assert totals["principles_covered"] == [3, 11, 14, 16]
    assert totals["child_guarantee_plans"] == 2
    assert totals["investment"] == [{"currency": "EUR", "amount": 5_000_000}, {"currency": "GBP", "amount": 250_000}]
    assert totals["plans_by_status"] == {"not_started": 2, "in_progress": 1, "done": 1, "changed": 0, "dropped": 0}
    assert totals["plans_by_principle"] == {str(n): {3: 2, 11: 2, 14: 1, 16: 1}.get(n, 0) for n in range(1, 21)}


def test_a_version_frozen_before_plans_had_an_investment_has_none(app, world):
    version = world.glasgow.latest_version
    content = copy.deepcopy(version.content)
    for area in content["policy_areas"]:
        for plan in area["plans"]:
            for name in ("investment_amount", "investment_currency", "investment_period"):
                plan.pop(name)
    version.content = content
    db.session.commit()
    with app.test_request_context():
        data = pledges_data(world.workshop)
    assert [plan["investment"] for plan in data["cities"][1]["plans"]] == [None, None]
    assert data["totals"]["investment"] == [{"currency": "EUR", "amount": 1_000_000}]


def test_the_data_is_the_latest_final_version_not_the_draft_after_it(app, world):
    team = world.ana.city_team
    commitments.reopen(world.ana, team)
    commitments.save_draft(world.ana, team, [world.unchosen.id], "Glasgow changes its mind.", [("Mhairi Provost", "", "")])
    with app.test_request_context():
        data = pledges_data(world.workshop)
    assert [city["name"] for city in data["cities"]] == ["Bologna"]  # a draft is not final: not public
    commitments.finalise(world.ana, team)
    with app.test_request_context():
        glasgow = pledges_data(world.workshop)["cities"][1]
    assert glasgow["version"] == 2 and glasgow["statement"] == "Glasgow changes its mind."
    assert [plan["title"] for plan in glasgow["plans"]] == ["Unchosen"]
    assert [update["text"] for update in glasgow["plans"][0]["updates"]] == ["Update on a plan not committed"]


def test_a_plan_hidden_after_its_version_was_frozen_leaves_the_data_and_keeps_the_others_numbers(app, world):
    boards.hide_card(world.workshop.facilitators[0], world.desks, "Withdrawn")
    with app.test_request_context():
        data = pledges_data(world.workshop)
    glasgow = data["cities"][1]
    assert [plan["number"] for plan in glasgow["plans"]] == ["2.2"]
    assert data["totals"]["plans"] == 3 and world.desks.text not in str(data)


@pytest.mark.parametrize("filters, numbers, cities", [
    ({"city": "Glasgow"}, ["2.1", "2.2"], 1),
    ({"principle": 3}, ["1.1", "2.1"], 2),
    ({"principle": "14"}, ["2.2"], 1),
    ({"principle": ""}, ["1.1", "1.2", "2.1", "2.2"], 2),
    ({"area": "second"}, ["1.2", "2.2"], 2),
    ({"area": "first", "city": "Bologna", "principle": 3}, ["1.1"], 1),
    ({"area": "first", "principle": 16}, [], 0),
])
def test_filters_narrow_the_plans_and_the_totals_and_keep_the_numbers(app, world, filters, numbers, cities):
    titles = {"first": world.first.title, "second": world.second.title}
    filters = {**filters, **({"area": titles[filters["area"]]} if "area" in filters else {})}
    with app.test_request_context():
        data = pledges_data(world.workshop, **filters)
    assert [plan["number"] for city in data["cities"] for plan in city["plans"]] == numbers
    assert data["totals"]["plans"] == len(numbers) and data["totals"]["cities"] == cities == len(data["cities"])
    principle = filters.get("principle")
    assert data["filters"] == {"area": filters.get("area"), "city": filters.get("city"),
                               "principle": int(principle) if principle else None}


@pytest.mark.parametrize("filters, code", [
    ({"principle": 0}, "bad_principle"), ({"principle": "21"}, "bad_principle"), ({"principle": "three"}, "bad_principle"),
    ({"principle": "٣"}, "bad_principle"), ({"principle": True}, "bad_principle"),
    ({"city": "Florence"}, "bad_city"), ({"city": "Tallinn"}, "bad_city"), ({"city": "glasgow"}, "bad_city"),
    ({"area": "Housing"}, "bad_area"),
])
def test_a_bad_filter_is_refused(app, world, filters, code):
    with app.test_request_context(), pytest.raises(Refused) as refused:
        pledges_data(world.workshop, **filters)
    assert refused.value.code == code and refused.value.status == 400 and str(refused.value.message)


def test_nothing_is_public_while_the_workshop_is_unpublished(app, world):
    world.workshop.pledges_published_at = None
    db.session.commit()
    with app.test_request_context():
        data = pledges_data(world.workshop)
    assert data["cities"] == [] and data["totals"]["plans"] == 0


# The routes ---------------------------------------------------------------------------------------------

def paths(workshop):
    return [f"/pledges/{workshop.id}.json", f"/pledges/{workshop.id}.csv", f"/pledges/{workshop.id}/updates.atom"]


def test_the_json_is_the_data_with_cache_headers_an_etag_and_cors(client, app, world):
    response = client.get(f"/pledges/{world.workshop.id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    with app.test_request_context():
        assert response.get_json() == pledges_data(world.workshop)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/pledges/{world.workshop.id}.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    update(world.bologna, world.hotline, datetime(2026, 6, 1), "changed", 30, "Now a chat service")
    changed = client.get(f"/pledges/{world.workshop.id}.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_json_takes_the_filters_from_the_query(client, world):
    data = client.get(f"/pledges/{world.workshop.id}.json", query_string={"city": "Bologna", "principle": "", "area": ""}).get_json()
    assert data["filters"] == {"area": None, "principle": None, "city": "Bologna"}
    assert [city["name"] for city in data["cities"]] == ["Bologna"]


@pytest.mark.parametrize("query", [{"principle": "99"}, {"principle": "x"}, {"city": "Florence"}, {"area": "Nowhere"}])
def test_a_bad_filter_answers_400_with_a_message_on_every_route(client, world, query):
    for path in paths(world.workshop):
        response = client.get(path, query_string=query)
        assert response.status_code == 400, path
        assert "Florence commits" not in response.get_data(as_text=True)
    error = client.get(paths(world.workshop)[0], query_string=query).get_json()["error"]
    assert error["code"].startswith("bad_") and error["message"]


def test_unpublished_pledges_answer_404_on_every_route(client, world, make_workshop):
    world.workshop.pledges_published_at = None
    db.session.commit()
    never = make_workshop()
    for path in paths(world.workshop) + paths(never) + ["/pledges/999999.json", "/pledges/999999/updates.atom"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Glasgow commits" not in response.get_data(as_text=True)


def csv_rows(client, workshop, **query):
    response = client.get(f"/pledges/{workshop.id}.csv", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["ETag"]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))


def test_the_csv_has_one_row_per_plan_with_the_documented_columns(client, world):
    rows = csv_rows(client, world.workshop)
    assert [row["number"] for row in rows] == ["1.1", "1.2", "2.1", "2.2"]
    assert list(rows[0]) == documented_csv_columns()
    desks = rows[2]
    assert desks["city"] == "Glasgow" and desks["principles"] == "3;11" and desks["child_guarantee"] == "yes"
    assert (desks["investment_amount"], desks["investment_currency"], desks["investment_period"]) == ("4000000", "EUR", "2025-2030")
    assert (desks["status"], desks["percent"], desks["updates"]) == ("in_progress", "50", "2")
    assert rows[1]["investment_amount"] == "" and rows[1]["status"] == "not_started"
    assert [row["number"] for row in csv_rows(client, world.workshop, city="Bologna")] == ["1.1", "1.2"]


def test_no_cell_of_the_csv_starts_a_formula_and_the_typed_text_stays(client, world):
    rows = csv_rows(client, world.workshop)
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    desks = rows[2]
    assert desks["text"] == "'" + world.desks.text and desks["title"] == "'-Family desks"


def feed(client, workshop, **query):
    response = client.get(f"/pledges/{workshop.id}/updates.atom", query_string=query)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["ETag"]
    return ET.fromstring(response.data), response.get_data(as_text=True)


def test_the_feed_lists_the_public_updates_newest_first(client, world):
    root, _ = feed(client, world.workshop)
    assert root.tag == f"{ATOM}feed" and root.findtext(f"{ATOM}updated") == "2026-05-01T09:00:00Z"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == f"http://localhost/pledges/{world.workshop.id}"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}updated") for entry in entries] == ["2026-05-01T09:00:00Z", "2026-03-01T09:00:00Z",
                                                                       "2026-02-01T09:00:00Z"]
    newest, bologna, oldest = entries
    assert newest.findtext(f"{ATOM}title") == "Glasgow · 2.1 -Family desks: in progress, 50%"
    assert "=Five desks open" in newest.findtext(f"{ATOM}content")
    assert "Indicator: 5 desks (baseline 0 desks, target 10 desks)" in newest.findtext(f"{ATOM}content")
    assert bologna.findtext(f"{ATOM}title") == "Bologna · 1.1 Mobile teams: done, 100%"
    assert oldest.find(f"{ATOM}link[@rel='related']").get("href") == "https://glasgow.example/desks"
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == 3 and all(re.fullmatch(r"tag:localhost,2025-11-05:workshop-pledges/\d+/update/\d+", id) for id in ids)


def test_a_feed_entry_keeps_its_id_when_another_city_comes_before_it(client, world):
    root, _ = feed(client, world.workshop)
    ids = {entry.findtext(f"{ATOM}updated"): entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")}
    world.florence.public_agreed_at = utcnow()  # an "F" city between Bologna and Glasgow: Glasgow's numbers move
    db.session.commit()
    root, _ = feed(client, world.workshop)
    after = {entry.findtext(f"{ATOM}updated"): entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")}
    assert after["2026-05-01T09:00:00Z"] == ids["2026-05-01T09:00:00Z"]
    assert "Glasgow · 3.1" in feed(client, world.workshop)[1] and len(after) == 4


def test_the_feed_takes_the_filters(client, world):
    root, _ = feed(client, world.workshop, city="Bologna")
    assert [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")] == ["Bologna · 1.1 Mobile teams: done, 100%"]


def test_nothing_private_is_in_any_answer(client, world):
    for path in paths(world.workshop):
        text = client.get(path).get_data(as_text=True)
        assert [secret for secret in world.secrets if secret in text] == [], path
        assert "Mhairi Provost" in text or path.endswith(".atom") or path.endswith(".csv")


# The schema document stays true ----------------------------------------------------------------------------

def documented_fields():
    """The field paths the schema document lists in its field table: `cities[].plans[].number` and the like."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Fields", 1)[1].split("\n## ", 1)[0]
    return sorted(re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE))


def documented_csv_columns():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## CSV", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


def field_paths(value, prefix=""):
    """Every key path in `value`; lists as `[]`, and the keyed maps of totals (statuses, principles) as `{}`."""
    paths = []
    if isinstance(value, dict):
        keyed = prefix in ("totals.plans_by_status", "totals.plans_by_principle")
        for key, item in value.items():
            path = f"{prefix}.{{}}" if keyed else f"{prefix}.{key}" if prefix else key
            if path not in paths:
                paths.append(path)
            paths += [p for p in field_paths(item, path) if p not in paths]
    elif isinstance(value, list):
        for item in value:
            paths += [p for p in field_paths(item, f"{prefix}[]") if p not in paths]
    return paths


def test_the_schema_document_lists_every_field_of_the_data_and_no_other(app, world):
    with app.test_request_context():
        data = pledges_data(world.workshop)
    assert documented_fields() == sorted(set(field_paths(data)))


def test_the_schema_document_names_the_schema_version_and_the_csv_columns(client, world):
    text = DOC.read_text(encoding="utf-8")
    assert "workshop-pledges/1" in text and "CC BY 4.0" in text and "Access-Control-Allow-Origin" in text
    header = client.get(f"/pledges/{world.workshop.id}.csv").data.decode("utf-8").splitlines()[0]
    assert header.split(",") == documented_csv_columns()



def test_the_feed_is_in_the_workshops_default_language_whoever_asks(client, world):
    world.workshop.default_language = "fr"
    db.session.commit()
    plain = client.get(f"/pledges/{world.workshop.id}/updates.atom")
    german = client.get(f"/pledges/{world.workshop.id}/updates.atom", headers={"Accept-Language": "de"})
    assert ET.fromstring(plain.data).get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert german.data == plain.data and german.headers["ETag"] == plain.headers["ETag"]


def test_an_evidence_link_that_is_not_http_is_not_published(client, world):
    update(world.bologna, world.hotline, datetime(2026, 6, 1), "changed", 30, "Now a chat service", evidence_url="javascript:alert(1)")
    data = client.get(f"/pledges/{world.workshop.id}.json").get_json()
    assert data["cities"][0]["plans"][1]["updates"][0]["evidence_url"] is None
    assert "javascript:" not in client.get(f"/pledges/{world.workshop.id}/updates.atom").get_data(as_text=True)


def test_the_feed_parses_when_an_update_has_characters_xml_does_not_allow(client, world):
    update(world.bologna, world.hotline, datetime(2026, 6, 1), "changed", 30, "Chat\x0bservice\x01 <b>&</b>")
    root, _ = feed(client, world.workshop)
    assert "Chatservice <b>&</b>" in root.find(f"{ATOM}entry").findtext(f"{ATOM}content")


def test_published_pledges_with_no_city_agreed_yet_are_empty_but_well_formed(client, world):
    for commitment in (world.glasgow, world.bologna):
        commitment.public_agreed_at = None
    db.session.commit()
    data = client.get(f"/pledges/{world.workshop.id}.json").get_json()
    assert data["cities"] == [] and data["totals"]["plans"] == 0 and data["totals"]["investment"] == []
    assert data["totals"]["plans_by_status"] == dict.fromkeys(["not_started", "in_progress", "done", "changed", "dropped"], 0)
    assert csv_rows(client, world.workshop) == []
    root, _ = feed(client, world.workshop)
    assert root.findall(f"{ATOM}entry") == [] and root.findtext(f"{ATOM}updated") == "2026-01-15T12:00:00Z"
