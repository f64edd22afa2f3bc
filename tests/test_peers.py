"""Peer cities (issue 16): each city team's peers are the other cities with a card in the same themes, read
from the stored themes; only cards everyone may see count (a private, hidden or deleted card makes no
peer, and a label never comes from one). Shown on the commitment page and the shared page, frozen with a
final version; the themes of earlier labs for their facilitators only; vectors go with the cards."""
from datetime import date

import pytest
from sqlalchemy import func, select

from workshop.boards import services as boards
from workshop.commitments import services as commitments
from workshop.errors import Refused
from workshop.extensions import db
from workshop.models import CardVector, Commitment, Theme, ThemeCard, Vote, Workshop
from workshop.privacy import services as privacy
from workshop.synthesis import services as synthesis
from workshop.synthesis.embeddings import text_key
from workshop.synthesis.peers import earlier_labs, peers_of, shared_themes

from .helpers import SIGNATORY, post

HEADING = "Cities working on the same problems"


def make_theme(board, cards, name=None, words="", dismissed=False, central=None):
    """A stored theme of `board` holding `cards`, as clustering (or a facilitator) would leave it."""
    theme = Theme(board_id=board.id, name=name, words=words, dismissed=dismissed,
                  central_card_id=(central or cards[0]).id)
    theme.members = [ThemeCard(card_id=card.id) for card in cards]
    db.session.add(theme)
    db.session.commit()
    return theme


@pytest.fixture
def cities(make_workshop, make_participant):
    """A workshop of four cities, one participant each, and a card of each on the first two boards."""

    class Cities:
        workshop = make_workshop(cities=("Ljubljana", "Glasgow", "Bologna", "Łódź"))
        board, other_board = workshop.policy_areas[0].board, workshop.policy_areas[1].board
        facilitator = workshop.facilitators[0]

    c = Cities()
    c.people = {city: make_participant(c.workshop, f"Person of {city}", city) for city in ("Ljubljana", "Glasgow", "Bologna", "Łódź")}
    c.team = {team.name: team for team in c.workshop.city_teams}
    c.cards = {}
    for city, person in c.people.items():
        c.cards[city] = boards.add_card(person, c.board, "problem", f"Children of {city} go to school hungry")[0]
        c.cards[city, "other"] = boards.add_card(person, c.other_board, "idea", f"{city}: one family desk per district")[0]
    return c


def test_cities_with_cards_in_one_theme_are_peers_most_shared_first(cities):
    c = cities
    make_theme(c.board, [c.cards["Ljubljana"], c.cards["Glasgow"], c.cards["Bologna"]], name="School meals")
    make_theme(c.other_board, [c.cards["Ljubljana", "other"], c.cards["Glasgow", "other"]], words="family desk district")
    make_theme(c.other_board, [c.cards["Bologna", "other"], c.cards["Łódź", "other"]], name="Not Ljubljana's")
    first, second = c.board.policy_area.title, c.other_board.policy_area.title
    assert peers_of(c.team["Ljubljana"]) == [
        {"city": "Glasgow", "themes": [{"name": "School meals", "area": first}, {"name": "family · desk · district", "area": second}],
         "count": 2},
        {"city": "Bologna", "themes": [{"name": "School meals", "area": first}], "count": 1},
    ]
    assert [peer["city"] for peer in peers_of(c.team["Bologna"])] == ["Glasgow", "Ljubljana", "Łódź"]
    assert peers_of(c.team["Łódź"]) == [{"city": "Bologna", "themes": [{"name": "Not Ljubljana's", "area": second}], "count": 1}]


def test_a_city_alone_in_its_themes_or_a_dismissed_theme_makes_no_peer(cities):
    c = cities
    make_theme(c.board, [c.cards["Ljubljana"]], name="Only Ljubljana")
    make_theme(c.board, [c.cards["Glasgow"], c.cards["Bologna"]], name="Dismissed", dismissed=True)
    assert peers_of(c.team["Ljubljana"]) == [] and peers_of(c.team["Glasgow"]) == []


def test_a_private_hidden_or_deleted_card_makes_no_peer(cities):
    c = cities
    boards.set_private_writing(c.facilitator, c.board, True)
    private = boards.add_card(c.people["Glasgow"], c.board, "problem", "SECRET-PRIVATE hungry pupils in Glasgow")[0]
    assert private.private
    make_theme(c.board, [c.cards["Ljubljana"], private], words="secretword hungry")
    make_theme(c.board, [c.cards["Bologna"], c.cards["Łódź"]], name="Hidden one")
    boards.hide_card(c.facilitator, c.cards["Łódź"], "off topic")
    ljubljana_other = c.cards["Ljubljana", "other"]
    glasgow_other = c.cards["Glasgow", "other"]
    make_theme(c.other_board, [ljubljana_other, glasgow_other], name="Deleted one")
    boards.delete_card(c.people["Glasgow"], glasgow_other)
    assert all(peers_of(c.team[city]) == [] for city in c.team)
    # Revealed, the private card is everyone's: Glasgow becomes Ljubljana's peer, and the theme's label
    # (the machine's words, once no card behind them is private) may show.
    boards.set_private_writing(c.facilitator, c.board, False)
    assert peers_of(c.team["Ljubljana"]) == [{"city": "Glasgow", "themes": [
        {"name": "secretword · hungry", "area": c.board.policy_area.title}], "count": 1}]


def test_a_theme_with_a_private_card_is_not_labelled_with_words_that_may_come_from_it(cities):
    c = cities
    boards.set_private_writing(c.facilitator, c.board, True)
    private = boards.add_card(c.people["Łódź"], c.board, "problem", "SECRET-PRIVATE words of Łódź")[0]
    make_theme(c.board, [c.cards["Ljubljana"], c.cards["Glasgow"], private], words="secret private", central=private)
    [theme] = shared_themes(c.board)
    assert theme["name"] == "Children of Ljubljana go to school hungry"  # the first card everyone sees
    assert theme["cities"] == ["Glasgow", "Ljubljana"] and len(theme["cards"]) == 2
    assert "SECRET" not in str(peers_of(c.team["Glasgow"])) and "secret" not in str(peers_of(c.team["Glasgow"]))


def test_a_card_merged_into_another_makes_its_city_a_peer_too(cities):
    c = cities
    boards.merge_cards(c.facilitator, c.cards["Glasgow"], c.cards["Ljubljana"])
    make_theme(c.board, [c.cards["Ljubljana"]], name="Hunger at school")
    assert [peer["city"] for peer in peers_of(c.team["Glasgow"])] == ["Ljubljana"]


def test_shared_themes_count_the_dots_on_cards_everyone_sees(cities):
    c = cities
    for person in c.people.values():
        db.session.add(Vote(board_id=c.board.id, card_id=c.cards["Glasgow"].id, participant_id=person.id,
                            city_team_id=person.city_team_id))
    db.session.commit()
    make_theme(c.board, [c.cards["Glasgow"], c.cards["Bologna"]], name="Meals")
    make_theme(c.board, [c.cards["Ljubljana"], c.cards["Łódź"]], name="Breakfast")
    assert [(theme["name"], theme["dots"], theme["cities"]) for theme in shared_themes(c.board)] == [
        ("Meals", 4, ["Bologna", "Glasgow"]), ("Breakfast", 0, ["Ljubljana", "Łódź"])]


def test_real_grouping_feeds_peers(room):
    """The machine's groups (in a worker, with the bundled model), stored as themes, make peers."""
    meals = ["Many children arrive at school hungry because families cannot afford breakfast",
             "Viele Kinder kommen ohne Frühstück in die Schule, weil das Geld zu Hause nicht reicht"]
    waiting = ["Young people wait months for an appointment with a psychologist",
               "Les jeunes attendent des mois un rendez-vous chez le psychologue"]
    post(room.ana_socket, room.board, meals[0])
    post(room.ben_socket, room.board, meals[1])  # Ana is from Glasgow, Ben from Bologna
    post(room.ana_socket, room.board, waiting[0])
    post(room.ana_socket, room.board, waiting[1])
    for group in synthesis.grouped_cards(room.board):
        make_theme(room.board, group["cards"], words=" ".join(group["words"]), central=group["central"])
    glasgow = room.ana.city_team
    [peer] = peers_of(glasgow)
    assert peer["city"] == "Bologna" and peer["count"] == 1
    assert [p["city"] for p in peers_of(room.ben.city_team)] == ["Glasgow"]


# The commitment page -----------------------------------------------------------------------------------

def commitment_url(c, city):
    return f"/workshops/{c.workshop.id}/commitments/{c.team[city].id}"


def test_the_commitment_page_names_the_cities_working_on_the_same_problems(client, auth, cities):
    c = cities
    make_theme(c.board, [c.cards["Ljubljana"], c.cards["Glasgow"]], name="School meals")
    auth.as_user(c.people["Ljubljana"])
    page = client.get(commitment_url(c, "Ljubljana")).text
    assert HEADING in page and "Glasgow" in page and "School meals" in page and "1 shared theme" in page
    auth.as_user(c.people["Bologna"])
    page = client.get(commitment_url(c, "Bologna")).text
    assert HEADING in page and "School meals" not in page
    assert "No other city has raised the same problems and ideas yet." in page


def test_peers_are_frozen_with_a_final_version_and_shown_as_signed(client, auth, cities):
    c = cities
    theme = make_theme(c.board, [c.cards["Ljubljana"], c.cards["Glasgow"]], name="School meals")
    plan = boards.add_card(c.people["Ljubljana"], c.board, "action", "Free breakfast in every school")[0]
    auth.as_user(c.people["Ljubljana"])
    url = commitment_url(c, "Ljubljana")
    client.post(url, data={"plans": [str(plan.id)], "statement": "We commit.", **SIGNATORY})
    assert client.post(f"{url}/final").status_code == 302
    version = db.session.scalar(select(Commitment)).latest_version
    frozen = [{"city": "Glasgow", "themes": [{"name": "School meals", "area": c.board.policy_area.title}], "count": 1}]
    assert version.content["peers"] == frozen
    assert version.content_hash == version.fingerprint(version.content)
    theme.dismissed = True  # after signing, the themes change
    db.session.commit()
    assert peers_of(c.team["Ljubljana"]) == []
    page = client.get(url).text
    assert "School meals" in page and "Glasgow" in page  # what was signed
    assert client.get(f"{url}/v1.json").get_json()["content"]["peers"] == frozen
    token = commitments.share(c.people["Ljubljana"], c.team["Ljubljana"])
    client.post("/logout")
    assert "School meals" in client.get(f"/shared/{token}").text
    auth.as_user(c.people["Ljubljana"])
    assert client.post(f"{url}/reopen").status_code == 302  # a draft again: the peers as they are now
    assert "School meals" not in client.get(url).text


def test_another_citys_commitment_page_and_its_peers_stay_closed(client, auth, cities):
    c = cities
    make_theme(c.board, [c.cards["Ljubljana"], c.cards["Glasgow"]], name="School meals")
    auth.as_user(c.people["Bologna"])
    response = client.get(commitment_url(c, "Ljubljana"))
    assert response.status_code == 403 and "School meals" not in response.text


# Earlier labs ------------------------------------------------------------------------------------------

@pytest.fixture
def series(cities, make_workshop, make_facilitator, make_participant):
    """This lab (November 2025) and, for its facilitator, an earlier one and a later one of the same policy
    area; an earlier one of another facilitator with that area too."""
    c = cities
    area = c.board.policy_area

    def lab(facilitator, title, starts_on, theme_name):
        workshop = make_workshop(facilitator, title=title, starts_on=starts_on, ends_on=None, cities=("Porto", "Tallinn"))
        board = next(other for other in workshop.policy_areas if other.title == area.title).board
        cards = [boards.add_card(make_participant(workshop, f"P {city}", city), board, "problem", f"{theme_name} in {city}")[0]
                 for city in ("Porto", "Tallinn")]
        make_theme(board, cards, name=theme_name)
        return workshop

    c.earlier = lab(c.facilitator, "Lab 2024", date(2024, 11, 5), "EARLIER-THEME")
    c.later = lab(c.facilitator, "Lab 2026", date(2026, 11, 5), "LATER-THEME")
    c.colleague = make_facilitator("Colleague")
    c.theirs = lab(c.colleague, "Their lab 2023", date(2023, 5, 1), "THEIR-THEME")
    make_theme(c.board, [c.cards["Ljubljana"], c.cards["Glasgow"]], name="THIS-THEME")
    c.series_url = f"/workshops/{c.workshop.id}/areas/{area.id}/series"
    return c


def test_a_facilitator_sees_the_themes_of_their_earlier_labs_beside_this_ones(client, auth, series):
    c = series
    auth.as_user(c.facilitator)
    page = client.get(c.series_url).text
    assert "THIS-THEME" in page and "Glasgow, Ljubljana" in page
    assert "Lab 2024" in page and "EARLIER-THEME" in page and "Porto, Tallinn" in page
    assert "LATER-THEME" not in page  # later, not earlier
    assert "THEIR-THEME" not in page and "Their lab 2023" not in page  # another facilitator's lab
    assert [lab["workshop"].title for lab in earlier_labs(c.facilitator, c.board.policy_area)] == ["Lab 2024"]


def test_another_facilitators_earlier_lab_never_appears_even_to_a_co_facilitator(client, auth, series):
    """Colleague co-runs this workshop; they see their own earlier lab, never this workshop's creator's."""
    c = series
    c.workshop.facilitators.append(c.colleague)
    db.session.commit()
    auth.as_user(c.colleague)
    page = client.get(c.series_url).text
    assert "THEIR-THEME" in page and "THIS-THEME" in page
    assert "EARLIER-THEME" not in page and "Lab 2024" not in page


def test_the_lab_series_is_only_for_this_workshops_facilitators(client, auth, series, make_facilitator):
    c = series
    before = db.session.scalar(select(func.count()).select_from(Theme))
    auth.as_user(c.people["Ljubljana"])
    assert client.get(c.series_url).status_code == 403
    auth.as_user(make_facilitator("Outsider"))
    assert client.get(c.series_url).status_code == 403
    auth.as_user(c.facilitator)
    elsewhere = c.earlier.policy_areas[0]
    response = client.get(f"/workshops/{c.workshop.id}/areas/{elsewhere.id}/series")  # another workshop's area
    assert response.status_code == 404 and "EARLIER-THEME" not in response.text
    client.post("/logout")
    assert client.get(c.series_url).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Theme)) == before


def test_the_console_links_each_area_to_its_lab_series(client, auth, series):
    c = series
    auth.as_user(c.facilitator)
    page = client.get(f"/workshops/{c.workshop.id}/console").text
    assert f'href="{c.series_url}"' in page and "Peer cities and earlier labs" in page


# Vectors and privacy -----------------------------------------------------------------------------------

def test_deleting_a_workshop_deletes_the_vectors_no_other_card_says(app, make_workshop, make_participant, make_facilitator):
    owner = make_facilitator()
    gone, kept = make_workshop(owner, cities=("Porto",)), make_workshop(owner, cities=("Porto",))
    shared, only_here = "Families miss the support they are entitled to", "A text only the deleted workshop holds"
    for workshop, texts in ((gone, [shared, only_here]), (kept, [shared])):
        person = make_participant(workshop, "P", "Porto")
        for text in texts:
            boards.add_card(person, workshop.policy_areas[0].board, "problem", text)
    synthesis.vectors_of([shared, only_here])
    keys = set(db.session.scalars(select(CardVector.text_key)))
    assert keys == {text_key(shared), text_key(only_here)}
    privacy.delete_workshop(owner, gone, gone.title)
    assert set(db.session.scalars(select(CardVector.text_key))) == {text_key(shared)}
    assert text_key(only_here) not in synthesis._known
    assert db.session.get(Workshop, kept.id) is not None


def test_a_refused_deletion_keeps_every_vector(app, make_workshop, make_participant, make_facilitator):
    owner = make_facilitator()
    workshop = make_workshop(owner, cities=("Porto",))
    boards.add_card(make_participant(workshop, "P", "Porto"), workshop.policy_areas[0].board, "problem", "Kept text")
    synthesis.vectors_of(["Kept text", "A text no card holds"])
    with pytest.raises(Refused):
        privacy.delete_workshop(owner, workshop, "not the title")
    assert db.session.scalar(select(func.count()).select_from(CardVector)) == 2

