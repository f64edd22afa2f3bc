"""Themes per policy area (issue 16): the machine's groups of a board's problems and ideas across cities,
kept as themes that facilitators rename, merge, split and dismiss, their edits surviving the next
clustering; over Socket.IO for the board's facilitators only, a refusal changing nothing; and what a
viewer may see of a theme (never another city's private card)."""
import pytest
from sqlalchemy import select

from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import Theme, ThemeCard, Vote
from workshop.synthesis import services, themes_store
from workshop.voting import services as voting

from .helpers import assert_refused, emit, named, post

MEALS = ["Many children arrive at school hungry because families cannot afford breakfast",
         "Des enfants viennent en classe le ventre vide, faute de petit-déjeuner à la maison",
         "Viele Kinder kommen ohne Frühstück in die Schule, weil das Geld zu Hause nicht reicht"]
MORE_MEALS = "Molti bambini arrivano a scuola affamati perché le famiglie non possono pagare la colazione"
WAITING = ["Young people wait months for an appointment with a psychologist",
           "Les jeunes attendent des mois un rendez-vous chez le psychologue",
           "Jugendliche warten monatelang auf einen Termin beim Psychotherapeuten"]


def stored():
    """Every theme and membership, to compare before and after (a refusal changes nothing)."""
    db.session.expire_all()
    themes = db.session.execute(select(Theme.id, Theme.board_id, Theme.name, Theme.words, Theme.central_card_id,
                                       Theme.dismissed).order_by(Theme.id)).all()
    members = db.session.execute(select(ThemeCard.card_id, ThemeCard.theme_id, ThemeCard.pinned)
                                 .order_by(ThemeCard.card_id)).all()
    return themes, members


def members_of(theme_id):
    db.session.expire_all()
    return {card_id: pinned for card_id, pinned in db.session.execute(
        select(ThemeCard.card_id, ThemeCard.pinned).where(ThemeCard.theme_id == theme_id))}


def theme_with(themes, card_id):
    """The theme (JSON) that holds card `card_id`."""
    return next(theme for theme in themes if card_id in [card["id"] for card in theme["cards"]])


@pytest.fixture
def posted(room):
    """The room's board with a problem said in three languages by two cities, and another in three."""
    room.meals = [post(socket, room.board, text)["card"]["id"]
                  for socket, text in zip([room.ana_socket, room.ben_socket, room.ana_socket], MEALS)]
    room.waiting = [post(room.ben_socket, room.board, text)["card"]["id"] for text in WAITING]
    room.clear()
    return room


def machine_groups(monkeypatch, *groups):
    """Make the machine's grouping say `groups` (lists of card ids; the first card central), so that
    reconciliation is tested without the model."""
    def grouped(board):
        cards = {card.id: card for card in services.comparable_cards(board)}
        return [{"cards": [cards[card_id] for card_id in group], "words": ["w"], "central": cards[group[0]]}
                for group in groups]

    monkeypatch.setattr(services, "grouped_cards", grouped)


# With the model, through the socket -----------------------------------------------------------------

def test_a_facilitator_finds_themes_across_cities_with_their_cards_cities_and_dots(posted):
    room = posted
    db.session.add(Vote(board_id=room.board.id, card_id=room.meals[1], participant_id=room.ana.id,
                        city_team_id=room.ana.city_team_id))
    db.session.commit()
    ack = emit(room.staff_socket, "refresh_themes", board_id=room.board.id)
    assert ack["ok"], ack
    themes = ack["themes"]
    meals, waiting = theme_with(themes, room.meals[0]), theme_with(themes, room.waiting[0])
    assert sorted(card["id"] for card in meals["cards"]) == room.meals
    assert sorted(card["id"] for card in waiting["cards"]) == room.waiting
    assert meals["cities"] == ["Bologna", "Glasgow"] and waiting["cities"] == ["Bologna"]
    assert themes[0]["id"] == meals["id"]  # raised by most cities first
    assert meals["dots"] == 1 and {card["id"]: card["dots"] for card in meals["cards"]}[room.meals[1]] == 1
    assert meals["words"] and not meals["named"] and meals["name"] == meals["label"]
    assert not meals["dismissed"]
    assert emit(room.staff_socket, "get_themes", board_id=room.board.id)["themes"] == themes


def test_names_dismissals_and_placed_cards_survive_finding_themes_again_with_a_new_card(posted, monkeypatch):
    room = posted
    machine_groups(monkeypatch, room.meals, room.waiting)
    themes = emit(room.staff_socket, "refresh_themes", board_id=room.board.id)["themes"]
    meals, waiting = theme_with(themes, room.meals[0])["id"], theme_with(themes, room.waiting[0])["id"]
    assert emit(room.staff_socket, "rename_theme", theme_id=meals, name="  Hungry at school ")["ok"]
    assert emit(room.staff_socket, "dismiss_theme", theme_id=waiting)["ok"]
    split = emit(room.staff_socket, "split_theme", theme_id=waiting, card_ids=[room.waiting[2]], name="Therapy")
    assert split["ok"], split
    extra = post(room.ben_socket, room.board, MORE_MEALS)["card"]["id"]
    machine_groups(monkeypatch, room.meals + [extra], room.waiting)

    themes = {theme["id"]: theme for theme in emit(room.staff_socket, "refresh_themes", board_id=room.board.id)["themes"]}
    assert sorted(card["id"] for card in themes[meals]["cards"]) == sorted(room.meals + [extra])
    assert themes[meals]["name"] == "Hungry at school" and themes[meals]["named"]
    assert themes[waiting]["dismissed"] and sorted(card["id"] for card in themes[waiting]["cards"]) == room.waiting[:2]
    assert [card["id"] for card in themes[split["theme_id"]]["cards"]] == [room.waiting[2]]
    assert themes[split["theme_id"]]["name"] == "Therapy" and len(themes) == 3


def test_merged_themes_stay_together_when_themes_are_found_again(posted):
    room = posted
    themes = emit(room.staff_socket, "refresh_themes", board_id=room.board.id)["themes"]
    meals, waiting = theme_with(themes, room.meals[0])["id"], theme_with(themes, room.waiting[0])["id"]
    ack = emit(room.staff_socket, "merge_themes", theme_id=waiting, into_id=meals)
    assert ack["ok"] and [theme["id"] for theme in ack["themes"]] == [meals]
    assert members_of(meals) == dict.fromkeys(room.meals + room.waiting, True)
    assert db.session.get(Theme, waiting) is None
    again = emit(room.staff_socket, "refresh_themes", board_id=room.board.id)["themes"]
    assert [(theme["id"], len(theme["cards"])) for theme in again] == [(meals, 6)]


def test_the_boards_other_facilitators_hear_themes_changed_and_participants_do_not(posted, make_facilitator, connect):
    room = posted
    co = make_facilitator()
    room.workshop.facilitators.append(co)
    db.session.commit()
    other_page = connect(co)
    assert emit(other_page, "get_themes", board_id=room.board.id)["ok"]
    themes = emit(room.staff_socket, "refresh_themes", board_id=room.board.id)["themes"]
    assert named(other_page, "themes_changed") == [{"board_id": room.board.id}]
    assert named(room.staff_socket, "themes_changed") == []  # the sender has the themes in its ack
    assert emit(other_page, "rename_theme", theme_id=themes[0]["id"], name="Named elsewhere")["ok"]
    assert named(room.staff_socket, "themes_changed") == [{"board_id": room.board.id}]
    assert all(named(socket, "themes_changed") == [] for socket in (room.ana_socket, room.ben_socket, room.stranger_socket))


# Reconciliation, with the machine's groups given ----------------------------------------------------

def test_a_group_keeps_the_id_of_the_theme_it_overlaps_most_and_a_new_group_is_a_new_theme(posted, monkeypatch):
    room = posted
    meals, waiting = room.meals, room.waiting
    machine_groups(monkeypatch, meals, waiting)
    first = {theme.id: {member.card_id for member in theme.members} for theme in themes_store.refresh_themes(room.board)}
    meals_id = next(id for id, cards in first.items() if cards == set(meals))
    # The machine now leaves one meal card out and adds a waiting card; the waiting group is gone.
    machine_groups(monkeypatch, meals[:2] + waiting[:1], waiting[1:])
    after = {theme.id: {member.card_id for member in theme.members} for theme in themes_store.refresh_themes(room.board)}
    assert after[meals_id] == set(meals[:2] + waiting[:1])
    assert set(waiting[1:]) in after.values() and len(after) == 2
    # A group overlapping no theme enough (under MATCH_MIN) is a new theme; the unmatched, unnamed theme goes.
    machine_groups(monkeypatch, [meals[0], *waiting])
    last = {theme.id: {member.card_id for member in theme.members} for theme in themes_store.refresh_themes(room.board)}
    assert list(last.values()) == [{meals[0], *waiting}]
    assert meals_id not in last


def test_a_named_theme_stays_when_the_machine_no_longer_finds_it_and_no_theme_of_one_card_is_made(posted, monkeypatch):
    room = posted
    machine_groups(monkeypatch, room.meals, room.waiting)
    themes = themes_store.refresh_themes(room.board)
    meals = next(theme for theme in themes if theme.central_card_id == room.meals[0])
    themes_store.rename_theme(room.facilitator, meals, "Breakfast")
    machine_groups(monkeypatch, room.waiting)
    after = {theme.id: theme for theme in themes_store.refresh_themes(room.board)}
    assert after[meals.id].name == "Breakfast" and after[meals.id].members == []
    assert themes_store.themes_of(room.board, room.facilitator)[-1]["cards"] == []  # shown empty to facilitators
    # A split pinned the waiting cards: a group with one free card, overlapping no theme enough, makes no theme.
    waiting = next(theme for id, theme in after.items() if id != meals.id)
    themes_store.split_theme(room.facilitator, waiting, room.waiting[:2])
    machine_groups(monkeypatch, [room.meals[0], room.waiting[0]])
    assert [len(theme.members) for theme in themes_store.refresh_themes(room.board)] == [0, 1, 2]


def test_an_empty_name_gives_the_theme_back_the_machines_label(posted, monkeypatch):
    room = posted
    machine_groups(monkeypatch, room.meals)
    theme = themes_store.refresh_themes(room.board)[0]
    themes_store.rename_theme(room.facilitator, theme, "Breakfast")
    themes_store.rename_theme(room.facilitator, theme, "   ")
    shown = themes_store.themes_of(room.board, room.facilitator)[0]
    assert not shown["named"] and shown["name"] == shown["label"] == f"w: {MEALS[0]}"


def test_hidden_deleted_and_merged_cards_leave_the_theme_they_were_placed_in(posted, monkeypatch):
    room = posted
    machine_groups(monkeypatch, room.meals)
    theme = themes_store.refresh_themes(room.board)[0]
    boards.hide_card(room.facilitator, boards.find_card(room.meals[0]), "off topic")
    boards.merge_cards(room.facilitator, boards.find_card(room.meals[1]), boards.find_card(room.waiting[0]))
    assert [card["id"] for card in themes_store.themes_of(room.board, room.facilitator)[0]["cards"]] == [room.meals[2]]
    assert theme.id == themes_store.themes_of(room.board, room.facilitator)[0]["id"]


# What a viewer sees -----------------------------------------------------------------------------------

def test_a_participant_never_sees_another_citys_private_card_in_a_theme(room, monkeypatch):
    boards.set_private_writing(room.facilitator, room.board, True)
    voting.configure_voting(room.facilitator, room.board, budget=5, cap=3, lanes=["problem", "idea"], mode="person", hidden=True)
    mine = post(room.ana_socket, room.board, MEALS[0])["card"]["id"]
    theirs = post(room.ben_socket, room.board, "SECRET Bologna draft: " + MEALS[1])["card"]["id"]
    machine_groups(monkeypatch, [theirs, mine])
    themes_store.refresh_themes(room.board)

    seen_by_ana = themes_store.themes_of(room.board, room.ana)
    assert [card["id"] for card in seen_by_ana[0]["cards"]] == [mine]
    assert seen_by_ana[0]["cities"] == ["Glasgow"] and seen_by_ana[0]["words"] == []
    assert "SECRET" not in repr(seen_by_ana)  # not in the label either: its central card is Bologna's
    assert seen_by_ana[0]["dots"] is None and seen_by_ana[0]["cards"][0]["dots"] is None  # counts hidden until reveal
    assert themes_store.themes_of(room.board, room.stranger) == []
    staff = themes_store.themes_of(room.board, room.facilitator)[0]
    assert [card["id"] for card in staff["cards"]] == [mine, theirs] and staff["dots"] == 0
    assert staff["cities"] == ["Bologna", "Glasgow"]


def test_a_theme_whose_cards_a_participant_may_not_see_is_absent_for_them(room, monkeypatch):
    boards.set_private_writing(room.facilitator, room.board, True)
    theirs = [post(room.ben_socket, room.board, text)["card"]["id"] for text in MEALS[:2]]
    machine_groups(monkeypatch, theirs)
    themes_store.refresh_themes(room.board)
    assert themes_store.themes_of(room.board, room.ana) == []
    assert len(themes_store.themes_of(room.board, room.ben)[0]["cards"]) == 2


# Who may, and refusals that change nothing -----------------------------------------------------------

@pytest.fixture
def themed(posted, monkeypatch):
    room = posted
    machine_groups(monkeypatch, room.meals, room.waiting)
    found = themes_store.refresh_themes(room.board)
    room.meals_theme = next(theme.id for theme in found if theme.central_card_id == room.meals[0])
    room.waiting_theme = next(theme.id for theme in found if theme.central_card_id == room.waiting[0])
    room.clear()
    return room


EDITS = [
    ("get_themes", lambda r: {"board_id": r.board.id}),
    ("refresh_themes", lambda r: {"board_id": r.board.id}),
    ("rename_theme", lambda r: {"theme_id": r.meals_theme, "name": "Renamed"}),
    ("merge_themes", lambda r: {"theme_id": r.meals_theme, "into_id": r.waiting_theme}),
    ("split_theme", lambda r: {"theme_id": r.meals_theme, "card_ids": [r.meals[0]]}),
    ("dismiss_theme", lambda r: {"theme_id": r.meals_theme}),
    ("restore_theme", lambda r: {"theme_id": r.meals_theme}),
]


@pytest.mark.parametrize("event, payload", EDITS, ids=[event for event, _ in EDITS])
def test_participants_and_other_workshops_people_can_neither_see_nor_edit_themes(themed, event, payload):
    room = themed
    before = stored()
    assert_refused(emit(room.ana_socket, event, **payload(room)), "not_facilitator")
    assert_refused(emit(room.stranger_socket, event, **payload(room)), "not_member")
    assert stored() == before
    assert all(named(socket, "themes_changed") == [] for socket in room.sockets)


REFUSALS = [
    ("rename_theme", lambda r: {"theme_id": r.meals_theme, "name": "x" * 121}, "name_too_long"),
    ("rename_theme", lambda r: {"theme_id": 999_999, "name": "Renamed"}, "no_such_theme"),
    ("rename_theme", lambda r: {"theme_id": r.meals_theme}, "missing_field"),
    ("merge_themes", lambda r: {"theme_id": r.meals_theme, "into_id": r.meals_theme}, "merge_into_itself"),
    ("merge_themes", lambda r: {"theme_id": r.meals_theme, "into_id": r.other_theme}, "no_such_theme"),
    ("split_theme", lambda r: {"theme_id": r.meals_theme, "card_ids": []}, "no_cards"),
    ("split_theme", lambda r: {"theme_id": r.meals_theme, "card_ids": [r.waiting[0]]}, "not_in_theme"),
    ("split_theme", lambda r: {"theme_id": r.meals_theme, "card_ids": r.meals}, "split_everything"),
    ("split_theme", lambda r: {"theme_id": r.meals_theme, "card_ids": [True]}, "bad_field"),
    ("split_theme", lambda r: {"theme_id": r.meals_theme, "card_ids": str(r.meals[0])}, "bad_field"),
    ("split_theme", lambda r: {"theme_id": r.meals_theme, "card_ids": [r.meals[0]], "name": "x" * 121}, "name_too_long"),
    ("restore_theme", lambda r: {"theme_id": r.meals_theme}, "not_dismissed"),
    ("refresh_themes", lambda r: {"board_id": 999_999}, "no_such_board"),
    ("get_themes", lambda r: {"board_id": "1"}, "bad_field"),
]


@pytest.mark.parametrize("event, payload, code", REFUSALS, ids=[f"{event}-{code}" for event, _, code in REFUSALS])
def test_a_facilitators_bad_edit_is_refused_with_its_reason_and_changes_nothing(themed, event, payload, code):
    room = themed
    other = Theme(board_id=room.other_board.id, name="Another board's theme")
    db.session.add(other)
    db.session.commit()
    room.other_theme = other.id
    before = stored()
    assert_refused(emit(room.staff_socket, event, **payload(room)), code)
    assert stored() == before
    assert all(named(socket, "themes_changed") == [] for socket in room.sockets)


def test_dismissing_a_dismissed_theme_is_refused_and_restoring_brings_it_back(themed):
    room = themed
    assert emit(room.staff_socket, "dismiss_theme", theme_id=room.meals_theme)["ok"]
    before = stored()
    assert_refused(emit(room.staff_socket, "dismiss_theme", theme_id=room.meals_theme), "already_dismissed")
    assert stored() == before
    ack = emit(room.staff_socket, "restore_theme", theme_id=room.meals_theme)
    assert ack["ok"] and not theme_with(ack["themes"], room.meals[0])["dismissed"]


def test_match_pairs_most_overlapping_first_one_group_per_theme():
    stored_themes = {1: {1, 2, 3, 4}, 2: {5, 6}, 3: {7, 8, 9}}
    groups = [{1, 2, 3}, {1, 2, 3, 4, 5}, {5, 6, 10}, {9, 20, 21, 22}]
    # {1,2,3,4,5} ~ theme 1 (0.8) beats {1,2,3} (0.75); {5,6,10} ~ theme 2 (0.67); {9,...} overlaps theme 3 by 1/6.
    assert themes_store.match(stored_themes, groups) == {1: 1, 2: 2}


def test_a_slow_worker_is_a_clear_refusal_and_changes_nothing(themed, monkeypatch):
    room = themed

    def too_slow(board):
        raise TimeoutError
    monkeypatch.setattr(services, "grouped_cards", too_slow)
    before = stored()
    assert_refused(emit(room.staff_socket, "refresh_themes", board_id=room.board.id), "synthesis_busy")
    assert stored() == before


def test_themes_are_found_edited_and_found_again_on_postgresql(postgres_url, tmp_path, monkeypatch):
    from datetime import date

    from workshop.models import Facilitator, Participant
    from workshop.workshops import services as workshops

    from .conftest import running_app

    with running_app(tmp_path, postgres_url):
        facilitator = Facilitator(email="pg@example.org", name="PG")
        facilitator.password_hash = "x"
        workshop = workshops.create_workshop(facilitator, use_lab_template=True, title="PG lab", host_city="Ghent",
                                             starts_on=date(2025, 11, 5))
        people = [Participant(workshop=workshop, city_team=workshop.find_or_add_city_team(city), display_name=city)
                  for city in ("Ghent", "Brno")]
        db.session.add_all(people)
        db.session.commit()
        board = workshop.policy_areas[0].board
        ids = [boards.add_card(people[n % 2], board, "problem", text)[0].id for n, text in enumerate(MEALS + WAITING)]
        machine_groups(monkeypatch, ids[:3], ids[3:])
        first, second = themes_store.refresh_themes(board, actor=facilitator)
        themes_store.rename_theme(facilitator, first, "é" * 120)
        new = themes_store.split_theme(facilitator, second, [ids[5]], name="Therapy")
        themes_store.dismiss_theme(facilitator, new)
        machine_groups(monkeypatch, ids[:3] + ids[4:5], ids[3:4] + ids[5:])
        themes = {theme["id"]: theme for theme in themes_store.themes_of(board, facilitator)}
        found = {theme.id: theme for theme in themes_store.refresh_themes(board)}
        assert found[first.id].name == "é" * 120 and {m.card_id for m in found[first.id].members} == set(ids[:3])
        assert found[new.id].dismissed and [m.card_id for m in found[new.id].members] == [ids[5]]
        assert themes[new.id]["cities"] == ["Brno"]
        themes_store.merge_themes(facilitator, found[second.id], found[first.id])
        assert [len(theme.members) for theme in themes_store.themes_rows(board.id)] == [5, 1]
