"""Public pledges: the facilitators publish a workshop's pledges, each city team agrees first (or
withdraws), and the public page shows the agreed final commitments, their progress, totals and two
charts, filtered by policy area, principle and city; nothing private is ever on it."""
import pytest
from sqlalchemy import select

from workshop.boards import services as boards
from workshop.commitments import services as commitments
from workshop.extensions import db
from workshop.followup.services import issue_update_link
from workshop.models import Commitment, PlanProgress, ProgressUpdate, Workshop, utcnow

from .helpers import lab  # noqa: F401  (the lab fixture)

HIDDEN = "SECRET-HIDDEN card about a city"
EWAN = "Ewan"  # Glasgow's participant, who is not a signatory


@pytest.fixture
def pledged(lab):
    """The lab after it: Ljubljana's and Glasgow's commitments final, Ljubljana's plan with an investment and
    an update written through its update link, a hidden card on the board, a share link; nothing agreed or
    published yet."""
    facilitator = lab.workshop.facilitators[0]
    lab.plan.plan.investment_amount, lab.plan.plan.investment_currency, lab.plan.plan.investment_period = 1_200_000, "EUR", "2026-2027"
    db.session.commit()
    commitments.save_draft(lab.mateja, lab.ljubljana, [lab.plan.id], "Ljubljana commits to reach every family.",
                           [("Mateja Žnidaršič", "Deputy Mayor", "City of Ljubljana")])
    commitments.finalise(lab.mateja, lab.ljubljana)
    commitments.save_draft(lab.ewan, lab.glasgow, [lab.other_plan.id], "Glasgow commits to train every school.",
                           [("Moira Kerr", "Provost", "Glasgow City Council")])
    commitments.finalise(lab.ewan, lab.glasgow)
    hidden, _ = boards.add_card(lab.ewan, lab.board, "problem", HIDDEN)
    boards.hide_card(facilitator, hidden, "Off topic")
    lab.share_token = commitments.share(lab.mateja, lab.ljubljana)
    lab.ljubljana_commitment = commitments.commitment_of(lab.ljubljana)
    lab.glasgow_commitment = commitments.commitment_of(lab.glasgow)
    link = issue_update_link(lab.ljubljana_commitment, "Mayor's office")
    lab.update_token = link.token
    db.session.add(PlanProgress(commitment_id=lab.ljubljana_commitment.id, card_id=lab.plan.id, status="in_progress", percent=40))
    db.session.add(ProgressUpdate(commitment_id=lab.ljubljana_commitment.id, card_id=lab.plan.id, status="in_progress", percent=40,
                                  text="Two desks opened in Šiška and Bežigrad.", indicator_value="600 families",
                                  evidence_url="https://www.ljubljana.si/desks", author_name=EWAN, via_link_id=link.id))
    db.session.commit()
    lab.facilitator = facilitator
    lab.publish = f"/workshops/{lab.workshop.id}/pledges/publish"
    lab.unpublish = f"/workshops/{lab.workshop.id}/pledges/unpublish"
    lab.page = f"/pledges/{lab.workshop.id}"
    lab.agree_url = lambda team: f"/workshops/{lab.workshop.id}/teams/{team.id}/commitment/public"
    return lab


def published_at(lab):
    db.session.expire_all()
    return db.session.get(Workshop, lab.workshop.id).pledges_published_at


def agreed_at(commitment):
    db.session.expire_all()
    return db.session.get(Commitment, commitment.id).public_agreed_at


def publish_with(lab, *teams):
    """Publish the workshop with the given city teams agreeing, straight in the database."""
    for team in teams:
        commitments.commitment_of(team).public_agreed_at = utcnow()
    db.session.get(Workshop, lab.workshop.id).pledges_published_at = utcnow()
    db.session.commit()


def public_page(app, lab, **query):
    """The public page as a stranger opens it (no session)."""
    return app.test_client().get(lab.page, query_string=query)


# Publishing ---------------------------------------------------------------------------------------

def test_a_facilitator_publishes_then_unpublishes(app, client, auth, pledged):
    auth.as_user(pledged.facilitator)
    response = client.post(pledged.publish)
    assert response.status_code == 302 and response.location.endswith(f"/workshops/{pledged.workshop.id}/console#pledges")
    first = published_at(pledged)
    assert first is not None
    assert public_page(app, pledged).status_code == 200
    client.post(pledged.publish)  # again, as the console showed it: the date stays
    assert published_at(pledged) == first

    assert client.post(pledged.unpublish).status_code == 302
    assert published_at(pledged) is None
    gone = public_page(app, pledged)
    assert gone.status_code == 404 and "These pledges are not published." in gone.text


@pytest.mark.parametrize("who, status", [("mateja", 403), ("outsider", 403), ("nobody", 302)])
def test_only_the_workshops_facilitators_publish(client, auth, pledged, make_facilitator, who, status):
    if who == "mateja":
        auth.as_user(pledged.mateja)
    elif who == "outsider":
        auth.as_user(make_facilitator())
    response = client.post(pledged.publish)
    assert response.status_code == status
    if who == "nobody":
        assert "/login" in response.location
    assert published_at(pledged) is None


def test_only_the_workshops_facilitators_unpublish(client, auth, pledged, make_facilitator):
    publish_with(pledged)
    for person in (pledged.mateja, make_facilitator()):
        auth.as_user(person)
        assert client.post(pledged.unpublish).status_code == 403
        assert published_at(pledged) is not None


# A city team agrees -------------------------------------------------------------------------------

def test_a_city_team_agrees_then_withdraws(client, auth, pledged):
    auth.as_user(pledged.mateja)
    page = client.get(pledged.url).text
    assert "What becomes public" in page and "Agree to publish our commitment" in page
    response = client.post(pledged.agree_url(pledged.ljubljana), data={"agree": "1"})
    assert response.status_code == 302 and response.location.endswith(f"{pledged.url}#public")
    first = agreed_at(pledged.ljubljana_commitment)
    assert first is not None
    client.post(pledged.agree_url(pledged.ljubljana), data={"agree": "1"})
    assert agreed_at(pledged.ljubljana_commitment) == first
    assert "Withdraw from the public page" in client.get(pledged.url).text

    client.post(pledged.agree_url(pledged.ljubljana), data={"agree": "0"})
    assert agreed_at(pledged.ljubljana_commitment) is None


def test_a_facilitator_agrees_in_a_teams_name(client, auth, pledged):
    auth.as_user(pledged.facilitator)
    assert client.post(pledged.agree_url(pledged.glasgow), data={"agree": "1"}).status_code == 302
    assert agreed_at(pledged.glasgow_commitment) is not None


def test_another_city_cannot_agree_for_a_team(client, auth, pledged):
    auth.as_user(pledged.ewan)  # Glasgow
    assert client.post(pledged.agree_url(pledged.ljubljana), data={"agree": "1"}).status_code == 403
    assert agreed_at(pledged.ljubljana_commitment) is None


def test_only_a_final_commitment_can_be_agreed(client, auth, pledged):
    commitments.reopen(pledged.mateja, pledged.ljubljana)
    auth.as_user(pledged.mateja)
    response = client.post(pledged.agree_url(pledged.ljubljana), data={"agree": "1"})
    assert response.status_code == 400 and "Only a final commitment can be published" in response.text
    assert agreed_at(pledged.ljubljana_commitment) is None
    assert "Mark the commitment final first" in client.get(pledged.url).text


def test_a_team_without_a_commitment_cannot_agree(client, auth, pledged, make_participant):
    lodz = pledged.workshop.city_teams[2]
    auth.as_user(make_participant(pledged.workshop, "Ola", lodz.name))
    response = client.post(pledged.agree_url(lodz), data={"agree": "1"})
    assert response.status_code == 400 and "Only a final commitment can be published" in response.text
    assert commitments.commitment_of(lodz) is None


@pytest.mark.parametrize("agree", [None, "", "yes", "2"])
def test_an_unclear_answer_is_refused(client, auth, pledged, agree):
    auth.as_user(pledged.mateja)
    response = client.post(pledged.agree_url(pledged.ljubljana), data={} if agree is None else {"agree": agree})
    assert response.status_code == 400 and "Choose whether to agree" in response.text
    assert agreed_at(pledged.ljubljana_commitment) is None


# The public page ----------------------------------------------------------------------------------

def test_an_unpublished_workshop_is_a_clear_404(app, pledged):
    pledged.ljubljana_commitment.public_agreed_at = utcnow()
    db.session.commit()
    for path in (pledged.page, "/pledges/999999"):
        response = app.test_client().get(path)
        assert response.status_code == 404 and "These pledges are not published." in response.text
        assert "Ljubljana commits" not in response.text


def test_the_page_shows_the_agreed_cities_commitment_and_progress(app, pledged):
    publish_with(pledged, pledged.ljubljana)
    page = public_page(app, pledged).text
    assert pledged.workshop.title in page and "5–7 November 2025" in page
    for shown in ["Ljubljana commits to reach every family.", "Mateja Žnidaršič", "Deputy Mayor", "City of Ljubljana",
                  "1.1</span> Family desks", "11. Childcare and support to children", "3. Equal opportunities",
                  "Implements the European Child Guarantee", "€1,200,000 (2026-2027)", "In progress, 40% done",
                  "Two desks opened in Šiška and Bežigrad.", "Indicator: 600 families", 'href="https://www.ljubljana.si/desks"',
                  "2,000 families", f'href="/pledges/{pledged.workshop.id}.json"', f'href="/pledges/{pledged.workshop.id}.csv"',
                  f'href="/pledges/{pledged.workshop.id}/updates.atom"']:
        assert shown in page, shown


def test_a_city_that_did_not_agree_is_absent(app, pledged):
    publish_with(pledged, pledged.ljubljana)
    page = public_page(app, pledged).text
    assert "Glasgow commits" not in page and "Moira Kerr" not in page and "Train school staff" not in page
    assert 'value="Glasgow"' not in page  # nor among the cities to filter by


def test_nothing_private_is_on_the_page(app, pledged):
    publish_with(pledged, pledged.ljubljana, pledged.glasgow)
    page = public_page(app, pledged).text
    assert "Ljubljana commits" in page and "Glasgow commits" in page
    for secret in [HIDDEN, EWAN, pledged.update_token, pledged.share_token, "Mayor's office", "Off topic"]:
        assert secret not in page, secret


def test_totals_and_charts_count_the_published_plans(app, pledged):
    publish_with(pledged, pledged.ljubljana, pledged.glasgow)
    page = public_page(app, pledged).text
    assert "<dt>Cities</dt><dd>2</dd>" in page and "<dt>Action plans</dt><dd>2</dd>" in page
    assert "2 of 20" in page and "<dt>Plans implementing the Child Guarantee</dt><dd>1</dd>" in page
    assert "Action plans by principle of the European Pillar of Social Rights" in page and "Action plans by progress" in page
    assert '<th scope="row">11. Childcare and support to children</th><td>1</td>' in page
    assert '<th scope="row">20. Access to essential services</th><td>0</td>' in page
    assert '<th scope="row">In progress</th><td>1</td>' in page and '<th scope="row">Not started</th><td>1</td>' in page


def test_investment_is_written_in_the_pages_language(app, pledged):
    publish_with(pledged, pledged.ljubljana)
    page = app.test_client().get(pledged.page, headers={"Accept-Language": "de"}).text
    assert "1.200.000\xa0€" in page


def test_filters_narrow_the_plans_and_the_totals(app, pledged):
    publish_with(pledged, pledged.ljubljana, pledged.glasgow)
    by_principle = public_page(app, pledged, principle="11").text
    assert "Family desks" in by_principle and "Train school staff" not in by_principle
    assert "<dt>Action plans</dt><dd>1</dd>" in by_principle and "Totals of the plans shown" in by_principle
    assert '<option value="11" selected>' in by_principle
    assert "2.1</span> Family desks" in by_principle  # numbered as in the whole register (Glasgow is 1)

    by_city = public_page(app, pledged, city="Glasgow").text
    assert "Train school staff" in by_city and "Family desks" not in by_city and "<dt>Cities</dt><dd>1</dd>" in by_city
    assert '<option value="Glasgow" selected>' in by_city

    area = pledged.board.policy_area.title
    by_area = public_page(app, pledged, area=area).text
    assert "Family desks" in by_area and "Train school staff" in by_area
    assert f'<option value="{area}" selected>' in by_area


@pytest.mark.parametrize("query, message", [
    ({"principle": "twelve"}, "Pick a principle from the list."), ({"principle": "19"}, "Pick a principle from the list."),
    ({"city": "Atlantis"}, "Pick a city from the list."), ({"area": "Housing"}, "Pick a policy area from the list."),
])
def test_a_filter_not_offered_is_a_clear_400(app, pledged, query, message):
    publish_with(pledged, pledged.ljubljana)
    response = public_page(app, pledged, **query)
    assert response.status_code == 400 and message in response.text


# The console -------------------------------------------------------------------------------------

def test_the_console_shows_how_many_agreed_and_the_address(client, auth, pledged):
    pledged.ljubljana_commitment.public_agreed_at = utcnow()
    db.session.commit()
    auth.as_user(pledged.facilitator)
    console = client.get(f"/workshops/{pledged.workshop.id}/console").text
    assert "1 of 2 cities with a final commitment agreed to publish it." in console
    assert "Publish the pledges" in console and "Not published." in console
    client.post(pledged.publish)
    console = client.get(f"/workshops/{pledged.workshop.id}/console").text
    assert f"http://localhost/pledges/{pledged.workshop.id}" in console and "Unpublish the pledges" in console


def test_a_reopened_commitment_is_off_the_page_until_final_again(app, pledged):
    publish_with(pledged, pledged.ljubljana)
    commitments.reopen(pledged.mateja, pledged.ljubljana)
    assert "Ljubljana commits" not in public_page(app, pledged).text
    commitments.save_draft(pledged.mateja, pledged.ljubljana, [pledged.plan.id], "Ljubljana commits to reach every family, now by 2027.",
                           [("Mateja Žnidaršič", "Deputy Mayor", "City of Ljubljana")])
    commitments.finalise(pledged.mateja, pledged.ljubljana)
    page = public_page(app, pledged).text
    assert "Ljubljana commits to reach every family, now by 2027." in page and "Version 2, final on" in page


def test_the_commitment_page_says_whether_the_agreed_commitment_is_public(client, auth, pledged):
    auth.as_user(pledged.mateja)
    client.post(pledged.agree_url(pledged.ljubljana), data={"agree": "1"})
    assert "The facilitators have not published the page yet." in client.get(pledged.url).text
    publish_with(pledged)
    assert f">http://localhost/pledges/{pledged.workshop.id}</a>" in client.get(pledged.url).text


def test_an_evidence_address_that_is_not_a_web_address_is_not_a_link(app, pledged):
    update = db.session.scalar(select(ProgressUpdate))
    update.evidence_url = "javascript:alert(1)"
    db.session.commit()
    publish_with(pledged, pledged.ljubljana)
    page = public_page(app, pledged).text
    assert "Two desks opened" in page and "javascript:" not in page
