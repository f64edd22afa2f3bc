"""City commitments: drafts, final versions frozen with a hash, new versions on change, the
share link, and who may read or change them."""
import pytest
from sqlalchemy import func, select

from tests.forms_as_shown import form_with
from workshop.boards import plans as plan_service
from workshop.extensions import db
from workshop.models import Commitment, CommitmentVersion

from .helpers import SIGNATORY, lab, save  # noqa: F401  (the lab fixture)


def test_a_team_saves_a_draft_with_plans_in_its_order(client, auth, lab):
    auth.as_user(lab.mateja)
    page = client.get(lab.url).text
    assert page.index("Family desks") < page.index("Train school staff")  # the team's own city first
    response = save(client, lab, [lab.plan, lab.other_plan], **{f"order-{lab.plan.id}": "2", f"order-{lab.other_plan.id}": "1"})
    assert response.status_code == 302
    commitment = db.session.scalar(select(Commitment))
    assert [item.card for item in commitment.plans] == [lab.other_plan, lab.plan]
    assert commitment.statement == "Ljubljana commits to reach every family."
    assert [(s.name, s.role) for s in commitment.signatories] == [("Mateja Žnidaršič", "Deputy Mayor")]
    assert commitment.status == "draft"


def test_final_freezes_the_content_with_a_version_and_a_hash(client, auth, lab):
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    assert client.post(f"{lab.url}/final").status_code == 302
    version = db.session.scalar(select(CommitmentVersion))
    assert version.number == 1
    assert version.content_hash == CommitmentVersion.fingerprint(version.content) and len(version.content_hash) == 64
    content = version.content
    assert content["city"]["name"] == "Ljubljana" and content["version"] == 1
    [area] = content["policy_areas"]
    [plan] = area["plans"]
    assert plan["title"] == "Family desks" and plan["principles"] == [3, 11] and plan["child_guarantee"] is True
    assert plan["idea"] == {"text": "One family desk per district", "dots": 2, "rank": 1, "out_of": 1}
    assert plan["problem"]["text"] == "Families miss the support they are entitled to"

    # Final is locked: a save is refused and nothing changes.
    refused = save(client, lab, [lab.plan, lab.other_plan], statement="Changed")
    assert refused.status_code == 400 and "This commitment is final" in refused.text
    db.session.expire_all()
    assert db.session.scalar(select(Commitment)).statement == "Ljubljana commits to reach every family."


def test_a_change_after_final_makes_version_two_and_version_one_stays(client, auth, lab):
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    client.post(f"{lab.url}/final")
    first = db.session.scalar(select(CommitmentVersion))
    frozen, frozen_hash = dict(first.content), first.content_hash
    # The card changes on the board after the first version: version 1 must not.
    plan_service.edit_action_plan(lab.mateja, lab.plan, {"title": "Family desks, phase two"})

    assert client.post(f"{lab.url}/reopen").status_code == 302
    save(client, lab, [lab.plan, lab.other_plan], statement="We add school navigators.")
    client.post(f"{lab.url}/final")
    db.session.expire_all()
    versions = db.session.scalars(select(CommitmentVersion).order_by(CommitmentVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content == frozen and versions[0].content_hash == frozen_hash
    assert versions[1].content["statement"] == "We add school navigators."
    assert versions[1].content["policy_areas"][0]["plans"][0]["title"] == "Family desks, phase two"
    assert versions[1].content_hash != frozen_hash


@pytest.mark.parametrize(
    "change, message",
    [
        ({"plans": []}, "Pick at least one action plan first."),
        ({"statement": ""}, "Write the commitment statement first."),
        ({"signatory-0-name": "", "signatory-0-role": "", "signatory-0-organisation": ""}, "Add at least one signatory first."),
    ],
)
def test_final_needs_plans_a_statement_and_signatories(client, auth, lab, change, message):
    auth.as_user(lab.mateja)
    client.post(lab.url, data={"plans": [str(lab.plan.id)], "statement": "We commit.", **SIGNATORY, **change})
    response = client.post(f"{lab.url}/final")
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(select(func.count(CommitmentVersion.id))) == 0


def test_a_signatory_needs_a_name(client, auth, lab):
    auth.as_user(lab.mateja)
    response = save(client, lab, [lab.plan], **{"signatory-0-name": "", "signatory-0-role": "Mayor"})
    assert response.status_code == 400 and "Each signatory needs a name." in response.text
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


@pytest.mark.parametrize("plans", [["99999"], ["abc"], ["{idea}"], ["{plan}", "{plan}"]])
def test_only_action_plans_of_the_workshop_can_be_committed(client, auth, lab, plans):
    auth.as_user(lab.mateja)
    values = {"{idea}": str(lab.idea.id), "{plan}": str(lab.plan.id)}
    response = client.post(lab.url, data={"plans": [values.get(p, p) for p in plans], "statement": "x", **SIGNATORY})
    assert response.status_code == 400 and "Pick action plans from the list." in response.text
    assert db.session.scalar(select(func.count(Commitment.id))) == 0


def test_too_long_statement_is_refused(client, auth, lab):
    auth.as_user(lab.mateja)
    response = save(client, lab, [lab.plan], statement="x" * 5001)
    assert response.status_code == 400 and "Commitment statement must be 5000 characters or fewer." in response.text


def finalised(client, auth, lab):
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    client.post(f"{lab.url}/final")
    client.post(f"{lab.url}/share")
    return db.session.scalar(select(Commitment))


def test_the_share_link_opens_the_reports_without_an_account_until_revoked(app, client, auth, lab):
    commitment = finalised(client, auth, lab)
    token = commitment.share_token
    assert len(token) >= 40
    stranger = app.test_client()
    page = stranger.get(f"/shared/{token}")
    assert page.status_code == 200 and "Download the PDF of version 1" in page.text
    data = stranger.get(f"/shared/{token}/v1.json").get_json()
    assert data["content_hash"] == commitment.latest_version.content_hash
    assert stranger.get(f"/shared/{token}x").status_code == 404
    # Participants cannot revoke; the facilitator can.
    assert client.post(f"{lab.url}/share/revoke").status_code == 403
    auth.as_user(lab.workshop.facilitators[0])
    client.post(f"{lab.url}/share/revoke")
    assert stranger.get(f"/shared/{token}").status_code == 404
    assert stranger.get(f"/shared/{token}/v1.json").status_code == 404


@pytest.mark.parametrize("who, status", [("team", 200), ("facilitator", 200), ("other team", 403), ("other workshop", 403),
                                         ("other facilitator", 403), ("nobody", 302)])
def test_access_to_the_commitment_and_its_downloads(app, client, auth, lab, make_workshop, make_participant,
                                                    make_facilitator, who, status):
    finalised(client, auth, lab)
    people = {
        "team": lab.mateja, "facilitator": lab.workshop.facilitators[0], "other team": lab.ewan,
        "other workshop": None, "other facilitator": None, "nobody": None,
    }
    if who == "other workshop":
        people[who] = make_participant(make_workshop())
    if who == "other facilitator":
        people[who] = make_facilitator()
    visitor = app.test_client()
    if people[who] is not None:
        with visitor.session_transaction() as session:
            session["_user_id"] = people[who].get_id()
    for path in ["", "/v1.json"]:
        assert visitor.get(lab.url + path).status_code == status, path
    changed = visitor.post(f"{lab.url}/reopen")
    assert changed.status_code in ((302,) if status != 403 else (403,))
    if who in ("team", "facilitator"):
        return
    db.session.expire_all()
    assert db.session.scalar(select(Commitment)).is_final


def test_facilitators_remind_and_reopen_from_the_console(client, auth, lab, connect):
    commitment = finalised(client, auth, lab)
    socket = connect(lab.mateja)
    socket.get_received()
    auth.as_user(lab.workshop.facilitators[0])
    console = client.get(f"/workshops/{lab.workshop.id}/console").text
    assert "Remind Ljubljana" in console and "Reopen the commitment of Ljubljana" in console
    client.post(f"{lab.url}/remind")
    reminders = [m["args"][0] for m in socket.get_received() if m["name"] == "commitment_reminder"]
    assert reminders == [{"city": "Ljubljana", "url": lab.url}]
    client.post(f"{lab.url}/reopen", data={"back": "console"})
    db.session.expire_all()
    assert commitment.status == "draft" and len(commitment.versions) == 1
    assert_participants_cannot_remind(client, auth, lab)


def assert_participants_cannot_remind(client, auth, lab):
    auth.as_user(lab.mateja)
    assert client.post(f"{lab.url}/remind").status_code == 403


def test_action_plan_fields_are_validated_over_the_socket(room):
    from .helpers import assert_refused, post

    plan = post(room.ana_socket, room.board, "Open family desks", lane="action")["card"]
    idea = post(room.ana_socket, room.board, "An idea", lane="idea")["card"]
    ok = room.ana_socket.emit("edit_action_plan", {"card_id": plan["id"], "plan": {"title": "Desks", "principles": [11]}}, callback=True)
    assert ok["ok"] and ok["card"]["plan"]["title"] == "Desks" and ok["card"]["plan"]["principles"] == [11]
    seen = [m["args"][0]["card"]["plan"]["title"] for m in room.ben_socket.get_received() if m["name"] == "card_edited"]
    assert seen == ["Desks"]
    for payload, code in [
        ({"title": "x" * 121}, "too_long"), ({"starts_on": "31/03/2026"}, "bad_date"),
        ({"starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "dates_reversed"), ({"status": "done"}, "bad_status"),
        ({"principles": [0]}, "bad_principles"), ({"principles": [21]}, "bad_principles"), ({"principles": "11"}, "bad_principles"),
        ({"child_guarantee": "yes"}, "bad_field"), ({"lead": 5}, "bad_field"),
    ]:
        assert_refused(room.ana_socket.emit("edit_action_plan", {"card_id": plan["id"], "plan": payload}, callback=True), code)
    assert_refused(room.ana_socket.emit("edit_action_plan", {"card_id": idea["id"], "plan": {"title": "x"}}, callback=True), "not_action_plan")
    assert_refused(room.ben_socket.emit("edit_action_plan", {"card_id": plan["id"], "plan": {"title": "Mine"}}, callback=True), "not_author")
    assert room.ana_socket.emit("join_board", {"board_id": room.board.id}, callback=True)["snapshot"]["cards"][0]["plan"]["title"] == "Desks"


def stored_commitment():
    """What the database holds for the commitment, to compare before and after a save."""
    db.session.expire_all()
    commitment = db.session.scalar(select(Commitment))
    return {
        "statement": commitment.statement,
        "status": commitment.status,
        "plans": [(item.card_id, item.position) for item in commitment.plans],
        "signatories": [(s.name, s.role, s.organisation) for s in commitment.signatories],
    }


def test_a_saved_draft_shows_its_statement_plans_and_signatories(client, auth, lab):
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan, lab.other_plan], statement="Ljubljana commits to <reach> every family.",
         **{"signatory-1-name": "Ana Novak", "signatory-1-role": "Head of Social Affairs"})
    page = client.get(lab.url).text
    _, shown = form_with(page, "statement")
    assert shown["statement"] == "Ljubljana commits to <reach> every family."
    assert sorted(shown["plans"]) == sorted([str(lab.plan.id), str(lab.other_plan.id)])
    assert (shown["signatory-0-name"], shown["signatory-0-role"], shown["signatory-0-organisation"]) == (
        "Mateja Žnidaršič", "Deputy Mayor", "City of Ljubljana")
    assert (shown["signatory-1-name"], shown["signatory-1-role"]) == ("Ana Novak", "Head of Social Affairs")


def test_saving_the_commitment_page_as_shown_changes_nothing_and_it_can_be_marked_final(client, auth, lab):
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan, lab.other_plan], **{f"order-{lab.plan.id}": "2", f"order-{lab.other_plan.id}": "1",
                                                     "signatory-1-name": "Ana Novak"})
    before = stored_commitment()
    action, shown = form_with(client.get(lab.url).text, "statement")
    assert client.post(action or lab.url, data=shown).status_code == 302
    assert stored_commitment() == before
    assert client.post(f"{lab.url}/final").status_code == 302
    assert stored_commitment()["status"] == "final"


def test_a_refused_save_shows_what_was_typed_and_stores_nothing(client, auth, lab):
    auth.as_user(lab.mateja)
    save(client, lab, [lab.plan])
    before = stored_commitment()
    refused = save(client, lab, [lab.plan, lab.other_plan], statement="A new statement",
                   **{"signatory-1-name": "", "signatory-1-role": "Mayor"})
    assert refused.status_code == 400 and "Each signatory needs a name." in refused.text
    _, shown = form_with(refused.text, "statement")
    assert shown["statement"] == "A new statement"
    assert sorted(shown["plans"]) == sorted([str(lab.plan.id), str(lab.other_plan.id)])
    assert shown["signatory-1-role"] == "Mayor" and shown["signatory-0-name"] == "Mateja Žnidaršič"
    assert stored_commitment() == before


def test_the_final_versions_are_dated_in_words_on_the_team_page_and_the_shared_page(client, auth, lab):
    commitment = finalised(client, auth, lab)
    day = commitment.latest_version.finalised_at
    in_words = f"{day.day} {day:%B} {day.year}"
    assert f"Version 1, final on {in_words}" in client.get(lab.url).text
    assert f"final on {in_words}" in client.get(f"/shared/{commitment.share_token}").text
