"""Privacy: a workshop's facilitators export everything it holds; its creator deletes it with all
its personal data; a participant removes their name from their cards. Which tables there are is
read from the models, so a table added later must be covered here too or these tests fail."""
import json
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from workshop.boards import plans as plan_service
from workshop.boards import services as boards
from workshop.commitments import services as commitments
from workshop.extensions import db
from workshop.followup import services as followup
from workshop.models import (
    Card, CardVector, CommitmentVersion, Facilitator, MergeDismissal, Participant, PlanProgress, ProgressReminder, ProgressUpdate,
    Theme, ThemeCard, UpdateLink, Workshop,
)
from workshop.privacy.services import ANONYMOUS_NAME
from workshop.reports import jobs
from workshop.room import services as room_services
from workshop.synthesis.embeddings import text_key
from workshop.synthesis.services import MODEL
from workshop.voting import services as voting
from workshop.workshops import services as workshop_services

from .conftest import Auth, download
from .helpers import assert_refused, csrf_app, emit, named, post  # noqa: F401  (csrf_app: the app with CSRF protection on)

ACCOUNTS = "facilitators"  # the one table of rows a workshop names but does not own
VECTORS = "card_vectors"  # rows of texts, not of a workshop: kept while a card says the words


@pytest.fixture
def filled(make_workshop, make_participant, make_facilitator):
    """`filled()`: a workshop with rows in every table: two city teams' participants, a co-facilitator,
    cards of every lane (one hidden, one deleted, one merged), an action plan, votes, and a final
    commitment with a signatory and a share link."""

    def fill():
        workshop = make_workshop()
        owner = workshop.facilitators[0]
        co = make_facilitator()
        workshop_services.invite_facilitator(owner, workshop, co.email)
        ana = make_participant(workshop, "Ana Novak", "Ljubljana")
        ben = make_participant(workshop, "Ben Ross", "Glasgow")
        board = workshop.policy_areas[0].board
        problem, _ = boards.add_card(ana, board, "problem", "Families miss support")
        idea, _ = boards.add_card(ben, board, "idea", "One family desk per district", link_id=problem.id)
        plan, _ = boards.add_card(ana, board, "action", "Open family desks", link_id=idea.id)
        plan_service.edit_action_plan(ana, plan, {"title": "Family desks", "lead": "Social affairs"})
        hidden, _ = boards.add_card(ana, board, "problem", "Names a child by name")
        boards.hide_card(owner, hidden, "Names a child")
        deleted, _ = boards.add_card(ana, board, "idea", "Typo'd twice")
        boards.delete_card(ana, deleted)
        duplicate, _ = boards.add_card(ana, board, "idea", "A family desk in each district")
        boards.merge_cards(owner, duplicate, idea)
        only_here, _ = boards.add_card(ben, board, "problem", f"Only {workshop.title} says this")
        room_services.set_phase(owner, board, "vote")
        voting.cast_vote(ana, idea)
        team = ana.city_team
        commitments.save_draft(ana, team, [plan.id], "We commit.", [("Mateja Žnidaršič", "Deputy Mayor", "City of Ljubljana")])
        commitments.finalise(ana, team)
        commitments.share(ana, team)
        # Synthesis: a theme, a dismissed merge, and the vectors of the cards' texts (one text only here).
        db.session.add(Theme(board_id=board.id, words="family desk", central_card_id=idea.id,
                             members=[ThemeCard(card_id=idea.id), ThemeCard(card_id=problem.id)]))
        db.session.add(MergeDismissal(card_id=problem.id, other_card_id=hidden.id, board_id=board.id, dismissed_by_id=owner.id))
        for card in (problem, idea, hidden, deleted, duplicate, only_here):
            db.session.merge(CardVector(text_key=text_key(card.text), model=MODEL, vector=bytes(384 * 4)))
        # After the lab: an update link, a progress update through it, a check-in and its reminder.
        commitment = commitments.commitment_of(team)
        link = followup.issue_update_link(commitment, "Mayor's office", participant=ana)
        db.session.add(ProgressUpdate(commitment=commitment, card_id=plan.id, status="in_progress", percent=40,
                                      text="Two desks open", author_name="Mateja", via_link=link))
        db.session.add(ProgressUpdate(commitment=commitment, card_id=plan.id, status="in_progress", percent=50,
                                      text="A third desk", author_name="Ana Novak", by_participant_id=ana.id))
        db.session.add(PlanProgress(commitment=commitment, card_id=plan.id, status="in_progress", percent=40))
        check_in = followup.check_ins_of(workshop)[0]
        db.session.add(ProgressReminder(check_in=check_in, commitment=commitment, recipient="family@example.org"))
        db.session.commit()
        return SimpleNamespace(workshop=workshop, owner=owner, co=co, ana=ana, ben=ben, board=board, team=team,
                               problem=problem, idea=idea, plan=plan, hidden=hidden, deleted=deleted, duplicate=duplicate,
                               only_here=only_here)

    return fill


def all_rows():
    """{table: set of primary keys} of every table the models declare."""
    return {table.name: set(db.session.execute(select(*table.primary_key.columns)).all())
            for table in db.metadata.sorted_tables}


def keys_in(export):
    """{table: set of primary keys} of the rows in an export."""
    primary = {table.name: [column.name for column in table.primary_key.columns] for table in db.metadata.sorted_tables}
    return {name: {tuple(row[column] for column in primary[name]) for row in rows}
            for name, rows in export["tables"].items()}


def export_as(client, auth, user, workshop):
    auth.as_user(user)
    return client.get(f"/workshops/{workshop.id}/export.json")


# Export --------------------------------------------------------------------------------------

def test_the_export_holds_every_row_of_the_workshop_and_none_of_another(client, auth, filled):
    mine, theirs = filled(), filled()
    response = export_as(client, auth, mine.owner, mine.workshop)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = keys_in(response.get_json())
    other = keys_in(export_as(client, auth, theirs.owner, theirs.workshop).get_json())

    for table, rows in all_rows().items():
        assert rows, f"the fixture puts no row in {table}: add one so that its export and deletion are tested"
        if table in (ACCOUNTS, VECTORS):
            continue
        assert exported.get(table), f"{table} is missing from the export"
        assert exported[table] | other[table] == rows, f"some rows of {table} belong to no workshop's export"
        assert not exported[table] & other[table], f"rows of {table} are in two workshops' exports"
    # Facilitator accounts: the workshop's own two, and nobody else's.
    accounts = {row["email"] for row in response.get_json()["tables"][ACCOUNTS]}
    assert accounts == {mine.owner.email, mine.co.email}


def test_the_export_keeps_moderation_state_and_leaves_out_credentials(client, auth, filled):
    mine = filled()
    export = export_as(client, auth, mine.co, mine.workshop).get_json()  # a co-facilitator may export
    cards = {row["id"]: row for row in export["tables"]["cards"]}
    assert cards[mine.hidden.id]["hidden_reason"] == "Names a child"
    assert cards[mine.deleted.id]["deleted_at"] is not None
    assert cards[mine.duplicate.id]["merged_into_id"] == mine.idea.id
    people = {row["display_name"]: row for row in export["tables"]["participants"]}
    assert set(people) == {"Ana Novak", "Ben Ross"} and people["Ana Novak"]["joined_at"].endswith("Z")
    [version] = export["tables"]["commitment_versions"]
    assert version["content"]["signatories"][0]["name"] == "Mateja Žnidaršič"
    assert export["left_out"] == ["commitments.share_token", "facilitators.password_hash", "update_links.token"]
    assert all("password_hash" not in row for row in export["tables"]["facilitators"])
    assert all("share_token" not in row for row in export["tables"]["commitments"])
    text = json.dumps(export)
    assert mine.owner.password_hash not in text and commitments.commitment_of(mine.team).share_token not in text
    [link] = export["tables"]["update_links"]
    assert "token" not in link and link["label"] == "Mayor's office"
    assert db.session.scalar(select(UpdateLink.token)) not in text


@pytest.mark.parametrize("who", ["participant", "other_facilitator"])
def test_only_its_facilitators_export_a_workshop(client, auth, filled, make_facilitator, who):
    mine = filled()
    user = {"participant": mine.ana, "other_facilitator": make_facilitator()}[who]
    response = export_as(client, auth, user, mine.workshop)
    assert response.status_code == 403
    assert response.mimetype == "text/html" and "display_name" not in response.text


def test_a_stranger_is_sent_to_log_in_for_the_export(client, filled):
    response = client.get(f"/workshops/{filled().workshop.id}/export.json")
    assert response.status_code == 302 and "/login" in response.location


def test_the_settings_page_offers_export_to_all_and_deletion_to_the_creator(client, auth, filled):
    mine = filled()
    auth.as_user(mine.owner)
    page = client.get(f"/workshops/{mine.workshop.id}/settings").text
    assert f'href="/workshops/{mine.workshop.id}/export.json"' in page
    assert f'href="/workshops/{mine.workshop.id}/delete"' in page
    auth.as_user(mine.co)
    page = client.get(f"/workshops/{mine.workshop.id}/settings").text
    assert f'href="/workshops/{mine.workshop.id}/export.json"' in page
    assert f'href="/workshops/{mine.workshop.id}/delete"' not in page
    assert f"Only {mine.owner.name}, who created this workshop, can delete it." in page


# Deletion ------------------------------------------------------------------------------------

def delete_as(client, auth, user, workshop, title=None):
    auth.as_user(user)
    return client.post(f"/workshops/{workshop.id}/delete", data={"title": workshop.title if title is None else title})


def test_deleting_a_workshop_removes_every_row_that_belongs_to_it(client, auth, filled):
    mine, theirs = filled(), filled()
    before = all_rows()
    gone = keys_in(export_as(client, auth, mine.owner, mine.workshop).get_json())
    theirs_before = export_as(client, auth, theirs.owner, theirs.workshop).get_json()["tables"]
    workshop_id, code = mine.workshop.id, mine.workshop.join_code
    only_here = text_key(mine.only_here.text)

    response = delete_as(client, auth, mine.owner, mine.workshop, title=f"  {mine.workshop.title.upper()} ")

    assert response.status_code == 302 and response.location.endswith("/workshops/")
    db.session.expire_all()
    after = all_rows()
    for table, rows in before.items():
        expected = rows if table == ACCOUNTS else rows - gone.get(table, set())
        if table == VECTORS:  # the texts the other workshop still says stay
            expected = rows - {(only_here, MODEL)}
        assert after[table] == expected, table
    assert export_as(client, auth, theirs.owner, theirs.workshop).get_json()["tables"] == theirs_before
    assert client.get(f"/workshops/{workshop_id}/settings").status_code == 404
    # The join code is free: no page answers to it, and another open workshop may take it.
    assert client.get(f"/join/{code}").status_code == 404
    theirs.workshop.join_code = code
    db.session.commit()


def test_the_dashboard_says_the_workshop_is_gone(client, auth, filled):
    mine = filled()
    title = mine.workshop.title
    response = delete_as(client, auth, mine.owner, mine.workshop)
    assert f"{title} is deleted" in client.get(response.location).text


def test_deletion_asks_for_the_title(client, auth, filled):
    mine = filled()
    auth.as_user(mine.owner)
    page = client.get(f"/workshops/{mine.workshop.id}/delete")
    assert page.status_code == 200
    assert "Delete the workshop for good" in page.text and f"Type {mine.workshop.title} to confirm." in page.text


@pytest.mark.parametrize("title", ["", "Another workshop"])
def test_a_wrong_title_deletes_nothing(client, auth, filled, title):
    mine = filled()
    before = all_rows()
    response = delete_as(client, auth, mine.owner, mine.workshop, title=title)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    db.session.expire_all()
    assert all_rows() == before


@pytest.mark.parametrize("who", ["co_facilitator", "participant", "other_facilitator"])
def test_only_the_creator_deletes_a_workshop(client, auth, filled, make_facilitator, who):
    mine = filled()
    user = {"co_facilitator": mine.co, "participant": mine.ana, "other_facilitator": make_facilitator()}[who]
    before = all_rows()
    assert delete_as(client, auth, user, mine.workshop).status_code == 403
    auth.as_user(user)
    assert client.get(f"/workshops/{mine.workshop.id}/delete").status_code == 403
    db.session.expire_all()
    assert all_rows() == before


def test_a_creator_whose_account_is_gone_leaves_deletion_to_the_co_facilitators(client, auth, filled):
    mine = filled()
    mine.workshop.created_by = None
    db.session.commit()
    workshop_id = mine.workshop.id
    assert delete_as(client, auth, mine.co, mine.workshop).status_code == 302
    assert db.session.get(Workshop, workshop_id) is None


@pytest.mark.parametrize("token", ["missing", "forged"])
def test_deletion_without_the_csrf_token_deletes_nothing(csrf_app, client, auth, filled, token):  # noqa: F811
    mine = filled()
    before = all_rows()
    auth.as_user(mine.owner)
    data = {"title": mine.workshop.title, **({"csrf_token": "forged"} if token == "forged" else {})}
    response = client.post(f"/workshops/{mine.workshop.id}/delete", data=data)
    assert response.status_code == 400 and "security token" in response.text
    db.session.expire_all()
    assert all_rows() == before


def test_deletion_tells_and_closes_the_sockets_on_its_boards(client, auth, room, connect):
    staff_on_other_board = connect(room.facilitator)
    assert emit(staff_on_other_board, "join_board", board_id=room.other_board.id, watch=True)["ok"]
    response = delete_as(client, auth, room.facilitator, room.workshop)
    assert response.status_code == 302
    for socket in (room.ana_socket, room.ben_socket, room.staff_socket, room.side_socket, staff_on_other_board):
        assert not socket.is_connected()
    assert room.stranger_socket.is_connected()  # another workshop's board goes on
    assert emit(room.stranger_socket, "get_events", board_id=room.elsewhere.policy_areas[0].board.id, since=0)["ok"]


def test_deletion_removes_the_workshops_cached_reports(client, auth, filled, app):
    mine, theirs = filled(), filled()
    cache = Path(app.config["REPORTS_CACHE"])
    auth.as_user(mine.owner)
    assert download(client, f"/workshops/{mine.workshop.id}/summary.pdf").status_code == 200
    auth.as_user(theirs.owner)
    assert download(client, f"/workshops/{theirs.workshop.id}/summary.pdf").status_code == 200
    assert len(list(cache.glob("*.pdf"))) == 2
    # A report still rendering when its workshop goes is removed when the worker is done with it.
    auth.as_user(mine.owner)
    rendering = client.get(f"/workshops/{mine.workshop.id}/commitments/{mine.team.id}/v1.pdf")
    assert rendering.status_code == 202
    job = jobs._jobs[re.search(r"/reports/([0-9a-f]{64})/status", rendering.text).group(1)]

    delete_as(client, auth, mine.owner, mine.workshop)

    assert len(list(cache.glob("*.pdf"))) == 1  # the other workshop's summary stays
    job.result(timeout=60)
    deadline = time.monotonic() + 5
    while len(list(cache.glob("*.pdf"))) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list(cache.glob("*.pdf"))) == 1


# Anonymise me --------------------------------------------------------------------------------

def anonymise_as(client, auth, user, workshop, **data):
    auth.as_user(user)
    return client.post(f"/workshops/{workshop.id}/anonymise-me", data=data)


def test_the_home_page_leads_a_participant_to_the_confirm_step(client, auth, filled):
    mine = filled()
    auth.as_user(mine.ana)
    home = client.get(f"/workshops/{mine.workshop.id}").text
    assert "Your cards show you as Ana Novak, Ljubljana." in home
    assert f'href="/workshops/{mine.workshop.id}/anonymise-me"' in home
    confirm = client.get(f"/workshops/{mine.workshop.id}/anonymise-me")
    assert confirm.status_code == 200 and "Remove my name" in confirm.text and "keep the names" in confirm.text
    db.session.expire_all()
    assert mine.ana.display_name == "Ana Novak"  # looking at the page changes nothing


def test_anonymising_renames_the_participant_and_keeps_their_cards(client, auth, filled):
    mine = filled()
    texts = {card.id: card.text for card in db.session.scalars(select(Card).where(Card.author_id == mine.ana.id))}

    response = anonymise_as(client, auth, mine.ana, mine.workshop)

    assert response.status_code == 302 and response.location.endswith(f"/workshops/{mine.workshop.id}")
    db.session.expire_all()
    assert mine.ana.display_name == ANONYMOUS_NAME
    assert {card.id: card.text for card in db.session.scalars(select(Card).where(Card.author_id == mine.ana.id))} == texts
    assert mine.ben.display_name == "Ben Ross"
    # Her progress updates show the new name; one typed by an update link's holder keeps theirs.
    assert {update.text: update.author_name for update in db.session.scalars(select(ProgressUpdate))} == {
        "A third desk": ANONYMOUS_NAME, "Two desks open": "Mateja"}
    # Still in: the workshop home answers, and says how the cards show the person now.
    assert f"Your cards show you as {ANONYMOUS_NAME}" in client.get(f"/workshops/{mine.workshop.id}").text
    api = client.get(f"/api/boards/{mine.board.id}").get_json()
    assert "Ana Novak" not in json.dumps(api)


def test_frozen_commitment_versions_keep_their_names_and_the_next_version_does_not(client, auth, filled):
    mine = filled()
    anonymise_as(client, auth, mine.ana, mine.workshop)
    db.session.expire_all()
    [version] = db.session.scalars(select(CommitmentVersion)).all()
    assert version.content["policy_areas"][0]["plans"][0]["author"]["name"] == "Ana Novak"
    assert CommitmentVersion.fingerprint(version.content) == version.content_hash
    commitments.reopen(mine.owner, mine.team)
    newer = commitments.finalise(mine.owner, mine.team)
    assert newer.content["policy_areas"][0]["plans"][0]["author"]["name"] == ANONYMOUS_NAME
    assert newer.content["signatories"][0]["name"] == "Mateja Žnidaršič"  # typed by the team, not a display name


def test_anonymising_updates_every_open_board_in_sequence(client, auth, room):
    own, _ = boards.add_card(room.ana, room.board, "problem", "Waiting lists are long")
    hidden, _ = boards.add_card(room.ana, room.board, "problem", "Names a child")
    boards.hide_card(room.facilitator, hidden, "Names a child")
    duplicate, _ = boards.add_card(room.ana, room.board, "idea", "A desk per district")
    target, _ = boards.add_card(room.ben, room.board, "idea", "One desk in each district")
    boards.merge_cards(room.facilitator, duplicate, target)
    gone, _ = boards.add_card(room.ana, room.board, "idea", "Deleted")
    boards.delete_card(room.ana, gone)
    last = room.board.last_seq
    room.clear()

    assert anonymise_as(client, auth, room.ana, room.workshop).status_code == 302

    seen = [event for event in room.ben_socket.get_received() if event["name"] != "presence_changed"]
    assert [event["args"][0]["seq"] for event in seen] == [last + 1, last + 2, last + 3]
    by_card = {event["args"][0].get("card", {}).get("id", event["args"][0].get("card_id")): event for event in seen}
    assert by_card[own.id]["name"] == "card_edited"
    assert by_card[own.id]["args"][0]["card"]["author"]["name"] == ANONYMOUS_NAME
    assert by_card[hidden.id]["name"] == "card_removed"  # the room never sees a hidden card
    assert by_card[target.id]["args"][0]["card"]["merged"][0]["author"]["name"] == ANONYMOUS_NAME
    assert by_card[target.id]["args"][0]["card"]["author"]["name"] == "Ben"
    [staff_hidden] = [e for e in named(room.staff_socket, "card_edited") if e["card"]["id"] == hidden.id]
    assert staff_hidden["card"]["hidden"] == {"reason": "Names a child"}
    assert room.ana_socket.is_connected()
    assert post(room.ana_socket, room.board)["card"]["author"]["name"] == ANONYMOUS_NAME


def test_anonymising_forgets_the_workshops_cached_reports(client, auth, filled, app):
    mine = filled()
    auth.as_user(mine.owner)
    assert download(client, f"/workshops/{mine.workshop.id}/summary.pdf").status_code == 200
    [summary] = Path(app.config["REPORTS_CACHE"]).glob("*.pdf")
    anonymise_as(client, auth, mine.ana, mine.workshop)
    assert not summary.exists()  # it printed Ana's name


@pytest.mark.parametrize("who", ["facilitator", "other_participant"])
def test_only_the_participant_anonymises_themself(client, auth, filled, make_workshop, make_participant, who):
    mine = filled()
    user = {"facilitator": mine.owner, "other_participant": make_participant(make_workshop(), "Sam")}[who]
    seq = mine.board.last_seq
    assert anonymise_as(client, auth, user, mine.workshop).status_code == 403
    assert client.get(f"/workshops/{mine.workshop.id}/anonymise-me").status_code == 403
    db.session.expire_all()
    names = set(db.session.scalars(select(Participant.display_name)))
    assert ANONYMOUS_NAME not in names and mine.board.last_seq == seq


def test_a_stranger_is_sent_to_log_in_to_anonymise(client, filled):
    mine = filled()
    response = client.post(f"/workshops/{mine.workshop.id}/anonymise-me")
    assert response.status_code == 302 and "/login" in response.location
    db.session.expire_all()
    assert mine.ana.display_name == "Ana Novak"


@pytest.mark.parametrize("token", ["missing", "forged"])
def test_anonymising_without_the_csrf_token_changes_nothing(csrf_app, client, auth, filled, token):  # noqa: F811
    mine = filled()
    seq = mine.board.last_seq
    response = anonymise_as(client, auth, mine.ana, mine.workshop, **({"csrf_token": "forged"} if token == "forged" else {}))
    assert response.status_code == 400 and "security token" in response.text
    db.session.expire_all()
    assert mine.ana.display_name == "Ana Novak" and mine.board.last_seq == seq


def test_facilitator_accounts_survive_their_workshops_deletion(client, auth, filled):
    mine = filled()
    delete_as(client, auth, mine.owner, mine.workshop)
    db.session.expire_all()
    assert {f.email for f in db.session.scalars(select(Facilitator))} >= {mine.owner.email, mine.co.email}
    auth.as_user(mine.co)
    assert client.get("/workshops/").status_code == 200


def test_a_deleted_participants_cookie_does_not_sign_in_whoever_gets_their_id_next(app, filled, make_workshop, auth, client):
    mine = filled()
    kept = make_workshop(cities=("Porto",))
    left_behind = {}  # the browsers of the deleted workshop's participants, still holding their sessions
    for person in (mine.ana, mine.ben):
        left_behind[person.id] = app.test_client()
        Auth(left_behind[person.id]).as_user(person)
        assert left_behind[person.id].get(f"/workshops/{mine.workshop.id}").status_code == 200
    delete_as(client, auth, mine.owner, mine.workshop)

    newcomer = Participant(workshop=kept, city_team=kept.city_teams[0], display_name="Zoe")
    db.session.add(newcomer)
    db.session.commit()
    assert newcomer.id in left_behind  # SQLite handed a deleted participant's id out again

    home = left_behind[newcomer.id].get(f"/workshops/{kept.id}")
    assert home.status_code == 302 and "/login" in home.location
