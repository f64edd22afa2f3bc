"""The workshop's home: a participant's boards first (phase in words, the cards they see), their
city's commitment leading once the facilitators open the commitment step or remind the city; the
facilitators' links to run the workshop."""
import pytest

from workshop.boards import services as boards
from workshop.commitments import services as commitments
from workshop.extensions import db
from workshop.models import Workshop
from workshop.room import services as room


@pytest.fixture
def lab(make_workshop, make_participant):
    class Lab:
        workshop = make_workshop(title="Lab 2025", cities=("Ljubljana", "Glasgow"))
        facilitator = workshop.facilitators[0]
        first, second, third = (area.board for area in workshop.policy_areas)
        mateja = make_participant(workshop, "Mateja", "Ljubljana")
        ewan = make_participant(workshop, "Ewan", "Glasgow")

    lab = Lab()
    lab.url = f"/workshops/{lab.workshop.id}"
    return lab


def test_a_participant_sees_each_board_with_its_phase_in_words_and_the_cards_they_see(client, auth, lab):
    boards.add_card(lab.mateja, lab.first, "problem", "Families miss support")
    boards.add_card(lab.ewan, lab.first, "idea", "Family desks")
    hidden, _ = boards.add_card(lab.ewan, lab.first, "problem", "Off-topic words")
    boards.hide_card(lab.facilitator, hidden, "Off topic")
    room.set_phase(lab.facilitator, lab.second, "vote")
    auth.as_user(lab.mateja)
    page = client.get(lab.url).text
    first, second = page.index(lab.first.title), page.index(lab.second.title)
    assert f'href="/boards/{lab.first.id}"' in page and f'href="/boards/{lab.second.id}"' in page
    assert "Collecting cards" in page[first:second] and "2 cards" in page[first:second]  # not Ewan's hidden one
    assert "Voting" in page[second:] and "0 cards" in page[second:]
    auth.as_user(lab.ewan)
    assert "3 cards" in client.get(lab.url).text  # the author still sees his hidden card


def test_before_the_commitment_step_a_participants_boards_come_first(client, auth, lab):
    auth.as_user(lab.mateja)
    page = client.get(lab.url).text
    assert 'class="commitment-call"' not in page
    assert page.index('class="board-list"') < page.index("Open the commitment of Ljubljana")
    assert "Status: Not started yet." in page


def test_once_the_step_is_open_the_commitment_leads_the_participants_home(client, auth, lab):
    auth.as_user(lab.facilitator)
    assert client.post(f"{lab.url}/commitment-step/open").status_code == 302
    db.session.expire_all()
    assert lab.workshop.commitments_open
    auth.as_user(lab.mateja)
    page = client.get(lab.url).text
    call = page.index('class="commitment-call"')
    assert call < page.index('class="board-list"')
    assert "Write and sign the commitment of Ljubljana" in page[call:]
    assert f'href="/workshops/{lab.workshop.id}/commitments/{lab.mateja.city_team_id}"' in page[call:]
    assert "Status:</strong> Not started yet." in page


def test_the_call_shows_the_commitments_status(client, auth, lab):
    lab.workshop.commitments_opened_at = lab.workshop.created_at
    db.session.commit()
    team = lab.mateja.city_team
    plan, _ = boards.add_card(lab.mateja, lab.first, "action", "Open family desks")
    commitments.save_draft(lab.mateja, team, [plan.id], "We commit.", [("Mateja", "Mayor", "City")])
    auth.as_user(lab.mateja)
    assert "Draft saved, not final yet." in client.get(lab.url).text
    commitments.finalise(lab.mateja, team)
    page = client.get(lab.url).text
    assert "Final: version 1 is signed and ready to download." in page
    assert "Open the commitment of Ljubljana" in page and "Write and sign" not in page


def test_a_reminder_makes_the_reminded_citys_commitment_lead_even_before_the_step(client, auth, lab):
    auth.as_user(lab.facilitator)
    client.post(f"/workshops/{lab.workshop.id}/commitments/{lab.mateja.city_team_id}/remind")
    auth.as_user(lab.mateja)
    page = client.get(lab.url).text
    assert 'class="commitment-call"' in page
    assert "A facilitator reminds Ljubljana to finish its commitment." in page
    auth.as_user(lab.ewan)  # Glasgow was not reminded
    assert 'class="commitment-call"' not in client.get(lab.url).text


def test_closing_the_step_puts_the_boards_first_again(client, auth, lab):
    auth.as_user(lab.facilitator)
    client.post(f"{lab.url}/commitment-step/open")
    assert "Close the commitment step" in client.get(f"{lab.url}/settings").text
    client.post(f"{lab.url}/commitment-step/close")
    db.session.expire_all()
    assert not lab.workshop.commitments_open
    assert "Open the commitment step" in client.get(f"{lab.url}/settings").text
    auth.as_user(lab.mateja)
    assert 'class="commitment-call"' not in client.get(lab.url).text


@pytest.mark.parametrize("who", ["mateja", "stranger"])
@pytest.mark.parametrize("action", ["open", "close"])
def test_only_the_facilitators_open_or_close_the_commitment_step(client, auth, lab, make_facilitator, who, action):
    opened = lab.workshop.created_at if action == "close" else None
    lab.workshop.commitments_opened_at = opened
    db.session.commit()
    auth.as_user(lab.mateja if who == "mateja" else make_facilitator())
    assert client.post(f"{lab.url}/commitment-step/{action}").status_code == 403
    db.session.expire_all()
    assert db.session.get(Workshop, lab.workshop.id).commitments_opened_at == opened


def test_the_facilitators_home_links_the_console_settings_share_and_summary(client, auth, lab):
    auth.as_user(lab.facilitator)
    page = client.get(lab.url).text
    for link in [f"/workshops/{lab.workshop.id}/console", f"/workshops/{lab.workshop.id}/settings",
                 f"/workshops/{lab.workshop.id}/share", f"/workshops/{lab.workshop.id}/summary.pdf"]:
        assert f'href="{link}"' in page, link
    assert "The commitment step is not open yet" in page
    assert 'class="commitment-call"' not in page and "Your name" not in page
    assert f'href="/boards/{lab.first.id}"' in page


def test_participants_do_not_see_the_facilitators_links(client, auth, lab):
    auth.as_user(lab.mateja)
    page = client.get(lab.url).text
    assert "/console" not in page and "/settings" not in page and "summary.pdf" not in page
    assert "Your cards show you as Mateja, Ljubljana." in page
