"""Preparing a workshop: details, policy areas, city teams, co-facilitators, join codes, sharing."""
import html
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
import segno
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workshop.errors import Forbidden
from workshop.extensions import db
from workshop.models import JOIN_CODE_ALPHABET, Board, BoardEvent, Participant, PolicyArea, Workshop
from workshop.workshops import services
from workshop.workshops.lab import LAB_POLICY_AREAS

LAB_TITLES = [title for title, _ in LAB_POLICY_AREAS]


def area_titles(workshop):
    db.session.expire_all()
    return [area.title for area in workshop.policy_areas]


@pytest.fixture
def facilitator(auth, make_facilitator):
    facilitator = make_facilitator(name="Ana")
    auth.as_user(facilitator)
    return facilitator


@pytest.fixture
def workshop(make_workshop, facilitator):
    return make_workshop(facilitator, title="Lab 2025")


def new_workshop_form(**overrides):
    return {"title": "Social Innovation Lab 2025", "host_city": "Ljubljana", "starts_on": "2025-11-05",
            "ends_on": "2025-11-07", "description": "Three days.", "allow_new_city_teams": "y", **overrides}


def test_create_a_workshop_from_the_lab_template(client, facilitator):
    response = client.post("/workshops/new", data=new_workshop_form(use_lab_template="y"))
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert response.headers["Location"] == f"/workshops/{workshop.id}/settings"
    assert (workshop.title, workshop.host_city, workshop.starts_on, workshop.ends_on) == (
        "Social Innovation Lab 2025", "Ljubljana", date(2025, 11, 5), date(2025, 11, 7))
    assert workshop.facilitators == [facilitator]
    assert area_titles(workshop) == LAB_TITLES
    assert all(isinstance(area.board, Board) for area in workshop.policy_areas)
    assert len(workshop.join_code) == 6 and set(workshop.join_code) <= set(JOIN_CODE_ALPHABET)
    assert "Social Innovation Lab 2025" in client.get("/workshops/").text


@pytest.mark.parametrize("language", ["de", "sl"])
def test_the_lab_templates_areas_are_written_in_the_workshops_default_language(client, facilitator, language):
    client.post("/workshops/new", data=new_workshop_form(use_lab_template="y", default_language=language))
    workshop = db.session.scalar(select(Workshop))
    with force_locale(language):
        expected = [(str(title), str(description)) for title, description in LAB_POLICY_AREAS]
    assert [(area.title, area.description) for area in workshop.policy_areas] == expected
    assert not set(area_titles(workshop)) & {str(title) for title in LAB_TITLES}  # none left in English


def test_create_a_workshop_without_the_template_has_no_policy_areas(client, facilitator):
    client.post("/workshops/new", data=new_workshop_form())
    assert db.session.scalar(select(Workshop)).policy_areas == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "Title is required."),
        ({"title": "   "}, "Title is required."),
        ({"title": "x" * 121}, "Title must be 120 characters or fewer."),
        ({"host_city": "x" * 81}, "Host city must be 80 characters or fewer."),
        ({"starts_on": ""}, "First day is required"),
        ({"starts_on": "5 November"}, "First day is required"),
        ({"ends_on": "2025-11-01"}, "The end date cannot be before the start date."),
    ],
)
def test_bad_workshop_details_name_the_field_and_save_nothing(client, workshop, overrides, message):
    created = client.post("/workshops/new", data=new_workshop_form(**overrides))
    assert created.status_code == 400
    assert message in created.text
    edited = client.post(f"/workshops/{workshop.id}/settings", data=new_workshop_form(**overrides))
    assert edited.status_code == 400
    assert message in edited.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Workshop.id))) == 1
    assert (workshop.title, workshop.host_city, workshop.ends_on) == ("Lab 2025", "Ljubljana", date(2025, 11, 7))


def test_edit_workshop_details(client, workshop):
    response = client.post(f"/workshops/{workshop.id}/settings", data=new_workshop_form(title="Lab 2026", host_city="Bologna"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (workshop.title, workshop.host_city, workshop.allow_new_city_teams) == ("Lab 2026", "Bologna", True)
    client.post(f"/workshops/{workshop.id}/settings", data={**new_workshop_form(), "allow_new_city_teams": ""})
    db.session.expire_all()
    assert workshop.allow_new_city_teams is False


def test_add_rename_reorder_and_remove_policy_areas(client, workshop):
    base = f"/workshops/{workshop.id}/policy-areas"
    client.post(base, data={"title": "Housing", "description": "Homes for families"})
    assert area_titles(workshop) == [*LAB_TITLES, "Housing"]
    housing = workshop.policy_areas[-1]
    assert housing.board is not None

    client.post(f"{base}/{housing.id}", data={f"area-{housing.id}-title": "Housing first", f"area-{housing.id}-description": ""})
    assert area_titles(workshop)[-1] == "Housing first"

    client.post(f"{base}/{housing.id}/move", data={"direction": "up"})
    client.post(f"{base}/{housing.id}/move", data={"direction": "up"})
    assert area_titles(workshop) == [LAB_TITLES[0], "Housing first", *LAB_TITLES[1:]]
    client.post(f"{base}/{workshop.policy_areas[0].id}/move", data={"direction": "up"})  # already first: stays
    assert area_titles(workshop)[0] == LAB_TITLES[0]

    board_id = housing.board.id
    client.post(f"{base}/{housing.id}/remove")
    assert area_titles(workshop) == LAB_TITLES
    assert [area.position for area in workshop.policy_areas] == [0, 1, 2]
    assert db.session.get(Board, board_id) is None


@pytest.mark.parametrize("title, message", [("", "Policy area is required."), ("x" * 121, "Policy area must be 120 characters or fewer.")])
def test_bad_policy_area_title_is_refused(client, workshop, title, message):
    area = workshop.policy_areas[0]
    added = client.post(f"/workshops/{workshop.id}/policy-areas", data={"title": title})
    renamed = client.post(f"/workshops/{workshop.id}/policy-areas/{area.id}", data={f"area-{area.id}-title": title})
    for response in (added, renamed):
        assert response.status_code == 400
        assert message in response.text
    assert area_titles(workshop) == LAB_TITLES


def test_lab_template_adds_only_the_missing_areas(client, workshop):
    client.post(f"/workshops/{workshop.id}/policy-areas/{workshop.policy_areas[1].id}/remove")
    client.post(f"/workshops/{workshop.id}/policy-areas/lab-template")
    assert area_titles(workshop) == [LAB_TITLES[0], LAB_TITLES[2], LAB_TITLES[1]]


def test_moving_needs_a_direction(client, workshop):
    area = workshop.policy_areas[0]
    assert client.post(f"/workshops/{workshop.id}/policy-areas/{area.id}/move", data={"direction": "sideways"}).status_code == 400
    assert area_titles(workshop) == LAB_TITLES


def test_policy_area_of_another_workshop_is_not_found(client, workshop, make_workshop, facilitator):
    other = make_workshop(facilitator)
    foreign = other.policy_areas[0]
    assert client.post(f"/workshops/{workshop.id}/policy-areas/{foreign.id}/remove").status_code == 404
    assert area_titles(other) == LAB_TITLES


def test_add_city_teams(client, workshop):
    client.post(f"/workshops/{workshop.id}/city-teams", data={"name": "Göteborg", "country": "Sweden"})
    duplicate = client.post(f"/workshops/{workshop.id}/city-teams", data={"name": "glasgow"})
    assert duplicate.status_code == 400
    assert "Glasgow is already a city team here." in duplicate.text or "glasgow is already a city team here." in duplicate.text
    empty = client.post(f"/workshops/{workshop.id}/city-teams", data={"name": " "})
    assert "City is required." in empty.text
    db.session.expire_all()
    assert [(team.name, team.country) for team in workshop.city_teams] == [
        ("Bologna", ""), ("Glasgow", ""), ("Göteborg", "Sweden"), ("Ljubljana", "")]


def teams(workshop):
    db.session.expire_all()
    return [(team.name, team.country) for team in workshop.city_teams]


def team_named(workshop, name):
    return next(team for team in workshop.city_teams if team.name == name)


def shown_value(page, name):
    """The value an input of the page shows (None when the input is not there)."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    value = match and re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else (match and "")


def test_rename_a_city_team_and_its_form_shows_what_is_stored(client, workshop):
    glasgow = team_named(workshop, "Glasgow")
    prefix = f"team-{glasgow.id}"
    response = client.post(f"/workshops/{workshop.id}/city-teams/{glasgow.id}",
                           data={f"{prefix}-name": " Glasgow City ", f"{prefix}-country": "Scotland"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings#city-teams")
    assert teams(workshop) == [("Bologna", ""), ("Glasgow City", "Scotland"), ("Ljubljana", "")]
    page = client.get(f"/workshops/{workshop.id}/settings").text
    assert (shown_value(page, f"{prefix}-name"), shown_value(page, f"{prefix}-country")) == ("Glasgow City", "Scotland")
    assert 'aria-label="Save city team Glasgow City"' in page

    events = db.session.scalar(select(func.count(BoardEvent.id)))
    again = client.post(f"/workshops/{workshop.id}/city-teams/{glasgow.id}",  # saved again as shown
                        data={f"{prefix}-name": shown_value(page, f"{prefix}-name"), f"{prefix}-country": shown_value(page, f"{prefix}-country")})
    assert again.status_code == 302
    assert teams(workshop) == [("Bologna", ""), ("Glasgow City", "Scotland"), ("Ljubljana", "")]
    assert db.session.scalar(select(func.count(BoardEvent.id))) == events


@pytest.mark.parametrize("name, message", [
    ("bologna", "bologna is already a city team here."),
    ("", "City is required."),
    ("   ", "City is required."),
    ("x" * 81, "City must be 80 characters or fewer."),
])
def test_a_bad_city_team_name_is_refused_and_changes_nothing(client, workshop, name, message):
    glasgow = team_named(workshop, "Glasgow")
    prefix = f"team-{glasgow.id}"
    response = client.post(f"/workshops/{workshop.id}/city-teams/{glasgow.id}", data={f"{prefix}-name": name, f"{prefix}-country": "UK"})
    assert response.status_code == 400
    assert message in response.text and "There is a problem" in response.text
    assert teams(workshop) == [("Bologna", ""), ("Glasgow", ""), ("Ljubljana", "")]


def test_renaming_a_city_team_shows_on_open_boards(client, workshop, make_participant, connect):
    from workshop.boards import services as boards

    ewan = make_participant(workshop, "Ewan", "Glasgow")
    board = workshop.policy_areas[0].board
    card, _ = boards.add_card(ewan, board, "problem", "Families miss support")
    socket = connect(ewan)
    assert socket.emit("join_board", {"board_id": board.id}, callback=True)["ok"]
    socket.get_received()
    glasgow = ewan.city_team
    client.post(f"/workshops/{workshop.id}/city-teams/{glasgow.id}", data={f"team-{glasgow.id}-name": "Glasgow City"})
    edited = [m["args"][0] for m in socket.get_received() if m["name"] == "card_edited"]
    assert [(event["card"]["id"], event["card"]["author"]["city"]) for event in edited] == [(card.id, "Glasgow City")]
    assert client.get(f"/api/boards/{board.id}").get_json()["cards"][0]["author"]["city"] == "Glasgow City"


def test_remove_a_city_team_nobody_joined(client, workshop):
    bologna = team_named(workshop, "Bologna")
    assert 'aria-label="Remove city team Bologna"' in client.get(f"/workshops/{workshop.id}/settings").text
    response = client.post(f"/workshops/{workshop.id}/city-teams/{bologna.id}/remove")
    assert response.status_code == 302
    assert teams(workshop) == [("Glasgow", ""), ("Ljubljana", "")]
    assert "City team Bologna removed." in client.get(f"/workshops/{workshop.id}/settings").text


def test_a_city_team_with_participants_is_not_removed(client, workshop, make_participant):
    ewan = make_participant(workshop, "Ewan", "Glasgow")
    glasgow = ewan.city_team
    page = client.get(f"/workshops/{workshop.id}/settings").text
    assert "Remove city team Glasgow" not in page and "1 participant has joined this team, so it cannot be removed." in page
    response = client.post(f"/workshops/{workshop.id}/city-teams/{glasgow.id}/remove")
    assert response.status_code == 400
    assert "Glasgow has participants, so it stays" in response.text
    assert teams(workshop) == [("Bologna", ""), ("Glasgow", ""), ("Ljubljana", "")]
    assert db.session.get(Participant, ewan.id).city_team_id == glasgow.id


def test_a_city_team_with_only_removed_participants_is_not_removed(client, workshop, make_participant):
    rae = make_participant(workshop, "Rae", "Glasgow")
    rae.removed_at = rae.joined_at  # her cards and votes are still the team's
    db.session.commit()
    assert client.post(f"/workshops/{workshop.id}/city-teams/{rae.city_team_id}/remove").status_code == 400
    assert len(teams(workshop)) == 3


@pytest.mark.parametrize("path, data", [("", {"name": "Porto"}), ("/remove", {})])
def test_city_teams_are_changed_only_by_their_workshops_facilitators(client, auth, workshop, make_workshop,
                                                                      make_facilitator, make_participant, path, data):
    bologna = team_named(workshop, "Bologna")
    form = {f"team-{bologna.id}-{key}": value for key, value in data.items()}
    other = make_workshop(cities=("Porto",))
    foreign = other.city_teams[0]
    assert client.post(f"/workshops/{workshop.id}/city-teams/{foreign.id}{path}", data=form).status_code == 404
    for outsider in (make_facilitator(), make_participant(workshop, "Ewan", "Glasgow")):
        auth.as_user(outsider)
        assert client.post(f"/workshops/{workshop.id}/city-teams/{bologna.id}{path}", data=form).status_code == 403
    assert teams(workshop) == [("Bologna", ""), ("Glasgow", ""), ("Ljubljana", "")]
    assert teams(other) == [("Porto", "")]


def test_invite_a_co_facilitator(app, client, workshop, make_facilitator, auth):
    colleague = make_facilitator(name="Ben", email="ben@example.org")
    response = client.post(f"/workshops/{workshop.id}/facilitators", data={"email": "BEN@example.org"})
    assert response.status_code == 302
    again = client.post(f"/workshops/{workshop.id}/facilitators", data={"email": "ben@example.org"})
    assert "Ben already runs this workshop." in again.text
    unknown = client.post(f"/workshops/{workshop.id}/facilitators", data={"email": "nobody@example.org"})
    assert unknown.status_code == 400 and "No facilitator account uses this email" in unknown.text
    db.session.expire_all()
    assert {person.name for person in workshop.facilitators} == {"Ana", "Ben"}

    auth.as_user(colleague)
    assert client.get(f"/workshops/{workshop.id}/settings").status_code == 200
    assert "Lab 2025" in client.get("/workshops/").text


@pytest.mark.parametrize(
    "method, path",
    [("get", "/settings"), ("get", "/share"), ("get", "/qr.svg"), ("post", "/settings"), ("post", "/policy-areas"),
     ("post", "/city-teams"), ("post", "/facilitators"), ("post", "/close"), ("post", "/new-code"),
     ("post", "/policy-areas/lab-template")],
)
def test_another_facilitators_workshop_is_forbidden(client, auth, make_workshop, make_facilitator, method, path):
    workshop = make_workshop(title="Not yours")
    auth.as_user(make_facilitator())
    data = {"title": "Mine now", "host_city": "X", "starts_on": "2025-01-01", "name": "Porto", "email": "x@example.org"}
    response = getattr(client, method)(f"/workshops/{workshop.id}{path}", data=data)
    assert response.status_code == 403
    db.session.expire_all()
    assert workshop.title == "Not yours" and workshop.is_open and len(workshop.policy_areas) == 3
    assert len(workshop.city_teams) == 3 and len(workshop.facilitators) == 1


def test_unknown_workshop_is_not_found(client, facilitator):
    assert client.get("/workshops/999/settings").status_code == 404


def test_dashboard_lists_only_my_workshops(client, workshop, make_workshop):
    make_workshop(title="Someone else's lab")
    page = client.get("/workshops/").text
    assert "Lab 2025" in page and "Someone else&#39;s lab" not in page and "Someone else's lab" not in page


def test_share_page_shows_link_code_and_qr(client, workshop):
    page = client.get(f"/workshops/{workshop.id}/share").text
    link = f"http://localhost/join/{workshop.join_code}"
    assert link in page
    assert f'class="share-code"' in page and workshop.join_code in page
    assert f"/workshops/{workshop.id}/qr.svg" in page
    svg = client.get(f"/workshops/{workshop.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.text.startswith("<svg") and "<path" in svg.text
    # The QR code holds the join link: same modules as a code made from the link itself.
    expected = segno.make(link, error="m")
    assert f'width="{(expected.symbol_size(scale=10, border=2)[0])}"' in svg.text


def test_closing_stops_joining_and_reopening_keeps_or_renews_the_code(client, workshop, make_workshop):
    code = workshop.join_code
    client.post(f"/workshops/{workshop.id}/close")
    assert client.get(f"/join/{code}").status_code == 404
    client.post(f"/workshops/{workshop.id}/reopen")
    db.session.expire_all()
    assert workshop.is_open and workshop.join_code == code
    assert client.get(f"/join/{code}").headers["Location"] == f"/workshops/{workshop.id}"  # a facilitator goes home

    client.post(f"/workshops/{workshop.id}/close")
    other = make_workshop()
    other.join_code = code  # the closed workshop's code is free again
    db.session.commit()
    client.post(f"/workshops/{workshop.id}/reopen")
    db.session.expire_all()
    assert workshop.is_open and workshop.join_code != code


def test_new_join_code_replaces_the_old_one(client, workshop):
    old = workshop.join_code
    client.post(f"/workshops/{workshop.id}/new-code")
    db.session.expire_all()
    assert workshop.join_code != old
    assert client.get(f"/join/{old}").status_code == 404


def test_join_codes_avoid_look_alikes_and_are_unique_among_open_workshops(app, make_workshop):
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)
    codes = {make_workshop(cities=[]).join_code for _ in range(40)}
    assert len(codes) == 40
    one, two = db.session.scalars(select(Workshop).limit(2)).all()
    two.join_code = one.join_code
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    one.closed_at = one.created_at
    db.session.commit()
    two.join_code = one.join_code
    db.session.commit()  # a closed workshop's code may serve an open one


def test_markup_in_workshop_fields_is_shown_as_text(app, client, facilitator):
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    client.post("/workshops/new", data=new_workshop_form(title=evil[:120], description=evil, use_lab_template="y"))
    workshop = db.session.scalar(select(Workshop))
    client.post(f"/workshops/{workshop.id}/policy-areas", data={"title": evil[:120]})
    client.post(f"/workshops/{workshop.id}/city-teams", data={"name": evil[:80]})
    for path in ["/workshops/", f"/workshops/{workshop.id}", f"/workshops/{workshop.id}/settings",
                 f"/workshops/{workshop.id}/share", f"/boards/{workshop.policy_areas[-1].board.id}",
                 f"/join/{workshop.join_code}"]:
        visitor = app.test_client() if path.startswith("/join") else client
        page = visitor.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;" in page or "&lt;img" in page, path


def test_services_refuse_people_who_do_not_run_the_workshop(app, make_workshop, make_facilitator, make_participant):
    workshop = make_workshop()
    stranger, participant = make_facilitator(), make_participant(workshop)
    for actor in (stranger, participant):
        with pytest.raises(Forbidden):
            services.add_policy_area(actor, workshop, "Housing")
        with pytest.raises(Forbidden):
            services.remove_policy_area(actor, workshop.policy_areas[0])
    assert db.session.scalar(select(func.count(PolicyArea.id))) == 3


def test_a_new_board_that_reuses_a_removed_boards_id_shows_only_its_own_cards(app, make_workshop, make_participant):
    """SQLite hands a removed board's id to the next board; the cards kept in memory per board must
    not survive the removal, or the new board (at the same sequence number) would show the old ones."""
    from workshop.boards import services as boards
    from workshop.boards.snapshots import snapshot

    workshop = make_workshop()
    participant = make_participant(workshop)
    old = services.add_policy_area(workshop.created_by, workshop, "Housing")
    old_board_id = old.board.id
    boards.add_card(participant, old.board, "problem", "A card of the removed board")
    assert [card["text"] for card in snapshot(old.board, participant)["cards"]] == ["A card of the removed board"]
    services.remove_policy_area(workshop.created_by, old)

    new = services.add_policy_area(workshop.created_by, workshop, "Health")
    assert new.board.id == old_board_id  # the premise: the id came back
    boards.add_card(participant, new.board, "problem", "A card of the new board")
    assert [card["text"] for card in snapshot(new.board, participant)["cards"]] == ["A card of the new board"]


class Forms(HTMLParser):
    """The forms of a page as a browser would post them unchanged: [(action, {name: value})]."""

    def __init__(self, page):
        super().__init__()
        self.forms, self.textarea, self.select = [], None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action"), {}))
        elif tag == "input" and attrs.get("name") and (attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs):
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.forms[-1][1][self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1][1][self.textarea] += data


def every_row():
    db.session.expire_all()
    return {table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr) for table in db.metadata.sorted_tables}


def test_every_settings_form_posted_as_shown_changes_nothing(client, workshop, make_participant):
    from workshop.boards import services as boards

    ewan = make_participant(workshop, "Ewan", "Glasgow")
    boards.add_card(ewan, workshop.policy_areas[0].board, "problem", "Families miss support")
    team = team_named(workshop, "Glasgow")
    team.country = "United Kingdom"
    workshop.description = "Three days.\nIn Ljubljana."
    db.session.commit()
    page = client.get(f"/workshops/{workshop.id}/settings").text
    edits = [(action, data) for action, data in Forms(page).forms
             if action == f"/workshops/{workshop.id}/settings" or re.fullmatch(rf"/workshops/{workshop.id}/(policy-areas|city-teams)/\d+", action)]
    assert len(edits) == 1 + 3 + 3  # the details, each policy area, each city team
    before = every_row()
    for action, data in edits:
        assert client.post(action, data=data).status_code == 302, (action, data)
        assert every_row() == before, action
