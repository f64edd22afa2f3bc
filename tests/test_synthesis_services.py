"""Synthesis in the server process (issue 16): vectors cached by text in the database and made by a worker
process, cards embedded as they are written, and what a person may be shown: similar cards they may see,
never a hidden one; suggested merges without the dismissed ones; the machine's groups."""
import time

import pytest
from sqlalchemy import func, select

from workshop.boards import services as boards
from workshop.extensions import db
from workshop.models import CardVector, MergeDismissal
from workshop.synthesis import compute, services
from workshop.synthesis.embeddings import text_key

from .helpers import post

MEALS = ["Many children arrive at school hungry because families cannot afford breakfast",
         "Des enfants viennent en classe le ventre vide, faute de petit-déjeuner à la maison",
         "Viele Kinder kommen ohne Frühstück in die Schule, weil das Geld zu Hause nicht reicht"]
HOUSING = ["Families with children are evicted and end up in emergency shelters for months"]


def vector_count():
    return db.session.scalar(select(func.count()).select_from(CardVector))


def wait_for_vectors(count, timeout=60):
    deadline = time.monotonic() + timeout
    while vector_count() < count:
        assert time.monotonic() < deadline, f"{vector_count()} of {count} vectors stored"
        time.sleep(0.1)
        db.session.rollback()  # see what the worker's callback committed


@pytest.fixture
def embedding_room(app, room):
    app.config["SYNTHESIS_EMBED_ON_WRITE"] = True
    return room


def test_cards_are_embedded_as_they_are_written_once_per_text(embedding_room):
    room = embedding_room
    for text in MEALS:
        assert post(room.ana_socket, room.board, text)["ok"]
    wait_for_vectors(3)
    assert post(room.ben_socket, room.board, MEALS[0] + "  ")["ok"]  # the same words, spaced otherwise
    room.ana_socket.emit("join_board", {"board_id": room.other_board.id}, callback=True)
    assert post(room.ana_socket, room.other_board, HOUSING[0])["ok"]
    wait_for_vectors(4)
    time.sleep(0.5)  # time for a second vector of the re-spaced card, were it made
    db.session.rollback()
    keys = set(db.session.scalars(select(CardVector.text_key)))
    assert keys == {text_key(text) for text in MEALS + HOUSING} and vector_count() == 4


def test_vectors_of_makes_missing_vectors_in_a_worker_and_keeps_them(app):
    assert vector_count() == 0
    first = services.vectors_of(MEALS + [MEALS[0]])
    assert len(first) == 4 and first[0] == first[3] and len(first[0]) == 384 * 4
    assert vector_count() == 3
    services._known.clear()  # from the database this time, not this process's memory
    assert services.vectors_of(MEALS) == first[:3]
    assert vector_count() == 3


def test_texts_never_embedded_go_to_the_worker_a_batch_per_job_each_kept_as_it_comes(app, monkeypatch):
    asked = []
    submit = services._pool.submit
    monkeypatch.setattr(services, "BATCH", 4)
    monkeypatch.setattr(services._pool, "submit", lambda workers, function, *args: (
        asked.append(len(args[0])) if function is compute.embed else None) or submit(workers, function, *args))
    texts = [f"{MEALS[0]} ({n})" for n in range(6)]
    assert all(services.vectors_of(texts))
    assert asked == [4, 2] and vector_count() == 6
    assert services.vectors_of(texts, wait=False) == services.vectors_of(texts) and asked == [4, 2]


def test_similar_cards_are_those_the_person_may_see_and_never_hidden_ones(embedding_room):
    room = embedding_room
    ids = [post(room.ana_socket, room.board, text)["card"]["id"] for text in MEALS[:2] + HOUSING]
    wait_for_vectors(3)
    query = "Pupils come to class on an empty stomach: no breakfast at home"
    found = services.similar_cards(room.board, room.ben, query)
    assert sorted(card.id for card, _ in found) == ids[:2] and all(similarity >= services.SIMILAR_MIN for _, similarity in found)
    assert ids[2] not in [card.id for card, _ in found]  # housing is not similar
    boards.hide_card(room.facilitator, boards.find_card(ids[0]), "off topic")
    assert ids[0] not in [card.id for card, _ in services.similar_cards(room.board, room.ben, query)]
    assert ids[0] not in [card.id for card, _ in services.similar_cards(room.board, room.facilitator, query)]


def test_private_cards_of_another_city_are_not_suggested(embedding_room):
    room = embedding_room
    boards.set_private_writing(room.facilitator, room.board, True)
    mine = post(room.ana_socket, room.board, MEALS[0])["card"]["id"]
    wait_for_vectors(1)
    query = MEALS[1]
    assert mine in [card.id for card, _ in services.similar_cards(room.board, room.ana, query)]
    assert services.similar_cards(room.board, room.ben, query) == []  # Ben is from Bologna, Ana from Glasgow


def test_a_question_never_waits_for_cards_not_embedded_yet_and_starts_their_embedding(room):
    post(room.ana_socket, room.board, MEALS[0])  # written while embedding on write was off
    assert services.similar_cards(room.board, room.ben, MEALS[1]) == []
    wait_for_vectors(1)
    assert [card.text for card, _ in services.similar_cards(room.board, room.ben, MEALS[1])] == [MEALS[0]]


def test_merge_suggestions_pair_near_duplicates_in_a_lane_and_forget_dismissed_pairs(room):
    first = post(room.ana_socket, room.board, MEALS[0])["card"]["id"]
    second = post(room.ben_socket, room.board, MEALS[0].replace("Many", "Lots of"))["card"]["id"]
    post(room.ben_socket, room.board, MEALS[0], lane="idea")  # another lane: not a duplicate
    post(room.ben_socket, room.board, HOUSING[0])
    pairs = services.merge_suggestions(room.board)
    assert [(card.id, other.id) for card, other, _ in pairs] == [(first, second)]
    db.session.add(MergeDismissal(card_id=first, other_card_id=second, board_id=room.board.id))
    db.session.commit()
    assert services.merge_suggestions(room.board) == []


def test_grouped_cards_put_one_problem_in_three_languages_together(room):
    ids = [post(room.ana_socket, room.board, text)["card"]["id"] for text in MEALS]
    others = ["Young people wait months for an appointment with a psychologist",
              "Les jeunes attendent des mois un rendez-vous chez le psychologue",
              "Jugendliche warten monatelang auf einen Termin beim Psychotherapeuten"]
    other_ids = [post(room.ben_socket, room.board, text)["card"]["id"] for text in others]
    groups = services.grouped_cards(room.board)
    as_ids = [sorted(card.id for card in group["cards"]) for group in groups]
    assert sorted(ids) in as_ids and sorted(other_ids) in as_ids
    assert all(group["central"] in group["cards"] and group["words"] for group in groups)


def test_a_synthesis_worker_keeps_numpys_blas_to_one_thread():
    """Its idle BLAS threads would spin: twice the CPU for the same answer (docs/performance.md)."""
    from threadpoolctl import threadpool_info

    from workshop.workers import WorkerPool

    pool = WorkerPool(compute.warm_up)
    try:
        libraries = pool.submit(1, threadpool_info).result(timeout=120)
    finally:
        pool.shutdown()
    blas = [library for library in libraries if library["user_api"] == "blas"]
    assert blas and all(library["num_threads"] == 1 for library in blas), libraries
