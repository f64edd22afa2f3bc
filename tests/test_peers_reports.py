"""Peer cities and themes in the PDFs, read back as text: the city report prints "Cities working on the same
problems" with each peer city and the themes it shares, as frozen with the version; the workshop summary
prints each policy area's themes with their cities and dots, never a private card's theme."""
import pytest

from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import Vote

from .conftest import download, pdf_text
from .helpers import SIGNATORY, lab  # noqa: F401  (the lab fixture)
from .test_peers import make_theme


@pytest.fixture
def themed(lab, make_participant):
    """The lab with Łódź writing too, and themes: Ljubljana and Glasgow share one on each of two boards,
    Łódź shares one with Glasgow; a theme of Ljubljana's with a card private to Łódź."""
    lab.lodz = make_participant(lab.workshop, "Ola", "Łódź")
    second = lab.workshop.policy_areas[1].board
    lab.second = second
    mine = boards.add_card(lab.mateja, lab.board, "problem", "Families in Ljubljana do not claim their benefits")[0]
    make_theme(lab.board, [lab.problem, mine], name="Benefits not claimed")
    on_second = [boards.add_card(person, second, "idea", f"Mentors for pupils in {person.city_team.name}")[0]
                 for person in (lab.mateja, lab.ewan)]
    make_theme(second, on_second, words="mentors pupils school")
    lodz_card = boards.add_card(lab.lodz, lab.board, "idea", "Breakfast clubs in Łódź schools")[0]
    glasgow_card = boards.add_card(lab.ewan, lab.board, "idea", "Breakfast clubs in Glasgow")[0]
    make_theme(lab.board, [lodz_card, glasgow_card], name="Breakfast clubs")
    db.session.add(Vote(board_id=lab.board.id, card_id=lodz_card.id, participant_id=lab.mateja.id,
                        city_team_id=lab.mateja.city_team_id))
    db.session.commit()
    ljubljana = boards.add_card(lab.mateja, second, "problem", "Ljubljana's problem")[0]
    boards.set_private_writing(lab.workshop.facilitators[0], second, True)
    secret = boards.add_card(lab.lodz, second, "problem", "SECRET-PRIVATE Łódź draft")[0]
    make_theme(second, [secret, ljubljana], words="secretword draft")
    return lab


def finalise(client, auth, lab, **extra):
    auth.as_user(lab.mateja)
    client.post(lab.url, data={"plans": [str(lab.plan.id)], "statement": "Ljubljana commits.", **SIGNATORY, **extra})
    assert client.post(f"{lab.url}/final").status_code == 302


def test_the_city_report_names_the_cities_working_on_the_same_problems(client, auth, themed):
    finalise(client, auth, themed)
    text = " ".join(pdf_text(download(client, f"{themed.url}/v1.pdf").data).split())
    first, second = themed.board.policy_area.title, themed.second.policy_area.title
    assert "Cities working on the same problems" in text
    assert f"Glasgow (2 shared themes): Benefits not claimed ({first}); mentors · pupils · school ({second})" in text
    assert "Łódź" not in text.split("Cities working on the same problems")[1].split("Signatories")[0]
    assert "SECRET" not in text and "secretword" not in text


def test_a_city_with_no_peer_gets_no_such_section(client, auth, lab):
    finalise(client, auth, lab)
    text = " ".join(pdf_text(download(client, f"{lab.url}/v1.pdf").data).split())
    assert "Signatories" in text and "Cities working on the same problems" not in text


def test_the_summary_gives_each_policy_area_its_themes_with_cities_and_dots(client, auth, themed):
    auth.as_user(themed.workshop.facilitators[0])
    text = " ".join(pdf_text(download(client, f"/workshops/{themed.workshop.id}/summary.pdf").data).split())
    assert text.count("Themes across cities (2)") == 2
    assert "Benefits not claimed · 2 cards · no dots (Glasgow, Ljubljana)" in text
    assert "Breakfast clubs · 2 cards · 1 dot (Glasgow, Łódź)" in text
    assert "mentors · pupils · school · 2 cards · no dots (Glasgow, Ljubljana)" in text
    # A theme with a private card: the others' words never name it; it holds the card everyone sees.
    assert "Ljubljana's problem · 1 card · no dots (Ljubljana)" in text
    assert "SECRET" not in text and "secretword" not in text
