"""Cross-city synthesis (issue 16): embeddings, themes and their quality on the two labelled sets."""
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from workshop.synthesis import embeddings, languages, themes

DATA = Path(__file__).parent / "data"
CARDS = json.loads((DATA / "synthesis_cards.json").read_text(encoding="utf-8"))
LAB = json.loads((DATA / "synthesis_lab.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def labelled():
    """Both labelled sets embedded once for the module (about 6 s on 2 idle cores) and prepared with the shipped
    settings, which never read the cards' declared languages: {name: (vectors, themes)}."""
    found = {}
    for name, data in (("cards", CARDS), ("lab", LAB)):
        texts = [card["text"] for card in data["cards"]]
        found[name] = themes.prepare(embeddings.embed(texts), texts), [card["theme"] for card in data["cards"]]
    return found


def nearest_same_theme(vectors, truth):
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    return np.mean([truth[card] == truth[nearest] for card, nearest in enumerate(similarity.argmax(axis=1))])


def test_the_hard_set_has_no_two_cards_of_a_theme_in_one_language():
    cards = CARDS["cards"]
    assert len(cards) >= 90 and len(CARDS["themes"]) == 15
    assert len({card["language"] for card in cards}) >= 6
    for theme in CARDS["themes"]:
        of_theme = [card for card in cards if card["theme"] == theme]
        assert 5 <= len(of_theme) <= 8, theme
        assert len({card["language"] for card in of_theme}) == len(of_theme), theme
    assert {card["lane"] for card in cards} == {"problem", "idea"}
    assert len({card["text"] for card in cards}) == len(cards)


def test_the_lab_set_is_a_labs_mix_of_languages():
    cards = LAB["cards"]
    assert len(cards) >= 100 and set(LAB["themes"]) == set(CARDS["themes"])
    counts = Counter(card["language"] for card in cards)
    assert len(counts) >= 6 and counts.most_common(1)[0][0] == "en"
    with_pairs = 0
    for theme in LAB["themes"]:
        of_theme = Counter(card["language"] for card in cards if card["theme"] == theme)
        assert len(of_theme) >= 3, theme
        with_pairs += max(of_theme.values()) >= 2
    assert with_pairs == len(LAB["themes"])  # each theme has cards in one language worded differently
    assert {card["lane"] for card in cards} == {"problem", "idea"}
    texts = {card["text"] for card in cards}
    assert len(texts) == len(cards) and not texts & {card["text"] for card in CARDS["cards"]}


@pytest.mark.parametrize("name, floor", [("cards", 0.72), ("lab", 0.78)])
def test_the_nearest_card_is_mostly_of_the_same_theme(labelled, name, floor):
    # The target is 0.88. Measured 0.74 on the hard set and 0.80 on the lab set (raw vectors 0.28 and
    # 0.33; the text view alone, prepared, 0.69 and 0.68): floors a little under, so that only a change that
    # makes it worse fails. See docs/performance.md.
    assert nearest_same_theme(*labelled[name]) >= floor


@pytest.mark.parametrize("name, floor", [("cards", 0.60), ("lab", 0.57)])
def test_the_themes_match_the_hand_labels(labelled, name, floor):
    vectors, truth = labelled[name]
    # The target is 0.80. Measured 0.63 (hard set) and 0.60 (lab set) at the shipped threshold 0.90,
    # which is also the best threshold for the worse of the two sets: floors a little under.
    assert adjusted_rand_score(truth, themes.cluster(vectors)) >= floor


def test_each_card_s_language_is_guessed_from_its_own_words():
    for data in (CARDS, LAB):
        guessed = [languages.guess(card["text"]) == card["language"] for card in data["cards"]]
        assert np.mean(guessed) >= 0.99
    assert languages.guess("Kostenloses Schulessen") is None  # no function word, no guess
    assert languages.guess("Free meals for the children of the city") == "en"


def test_a_card_s_content_is_the_card_without_its_language_s_function_words():
    assert languages.content("Les repas de la cantine sont trop chers") == "repas cantine chers"
    assert languages.content("Gratis Mittagessen für alle Kinder") == "Gratis Mittagessen Kinder"
    assert languages.content("Classes CE2, la cantine") == "Classes CE2, cantine"
    assert languages.content("Why not?") == "Why not?"  # nothing left: the text itself
    assert languages.content("Kostenloses Schulessen") == "Kostenloses Schulessen"


def test_a_card_is_embedded_as_the_mean_of_its_text_and_its_content():
    text = "Les repas de la cantine sont trop chers"
    model = embeddings._model()
    both = model.query([text, languages.content(text)])
    expected = both.sum(axis=0) / np.linalg.norm(both.sum(axis=0))
    assert np.allclose(embeddings.embed([text])[0], expected, atol=1e-5)
    alone = "Kostenloses Schulessen"  # no function word: one view, embedded once
    assert np.allclose(embeddings.embed([alone])[0], model.query([alone])[0], atol=1e-5)


def test_a_text_key_ignores_spacing_and_unicode_form_but_not_words():
    assert embeddings.text_key("Free  school\nmeals ") == embeddings.text_key("Free school meals")
    assert embeddings.text_key("Caf\u00e9") == embeddings.text_key("Cafe\u0301")
    assert embeddings.text_key("Free school meals") != embeddings.text_key("Free school meal")
    assert len(embeddings.text_key("x")) == 64


def test_embeddings_are_unit_float32_rows_and_nothing_embeds_to_nothing():
    vectors = embeddings.embed(["Free school meals", "Kostenloses Schulessen"])
    assert vectors.shape == (2, embeddings.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert embeddings.embed([]).shape == (0, embeddings.DIMENSIONS)


def test_cluster_groups_near_vectors_and_splits_far_ones():
    vectors = np.array([[1, 0, 0], [0.99, 0.1, 0], [0, 1, 0], [0, 0.98, 0.2], [0, 0, 1]], dtype=np.float32)
    found = themes.cluster(vectors, threshold=0.1)
    assert found[0] == found[1] and found[2] == found[3]
    assert len({found[0], found[2], found[4]}) == 3
    assert list(themes.cluster(vectors[:1])) == [0] and len(themes.cluster(vectors[:0])) == 0


def test_prepare_removes_what_each_guessed_language_shares_without_being_told_the_language():
    french, english = np.eye(4, dtype=np.float32)[3], np.zeros(4, dtype=np.float32)
    meanings = np.eye(4, dtype=np.float32)[:3]
    vectors = np.vstack([meanings + french, meanings + english])
    texts = ["Les repas de la cantine", "Le harcèlement à l'école", "Les logements des familles",
             "The meals at school", "The bullying of the pupils", "The housing of the families"]
    prepared = themes.prepare(vectors, texts)
    assert np.allclose(prepared[:3], prepared[3:], atol=1e-5)  # each French card is its English card
    similarity = prepared @ prepared.T
    np.fill_diagonal(similarity, -np.inf)
    assert list(similarity.argmax(axis=1)) == [3, 4, 5, 0, 1, 2]
    assert np.allclose(np.linalg.norm(prepared, axis=1), 1, atol=1e-5)


def test_a_language_with_too_few_cards_or_no_guess_is_not_estimated_but_still_projected():
    rng = np.random.default_rng(16)
    vectors = rng.normal(size=(7, 8)).astype(np.float32)
    centred = vectors - vectors.mean(axis=0)

    def unit(rows):
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    # one language: its mean is the board's, so only the board's mean goes (no arbitrary direction with it)
    assert np.allclose(themes.without_languages(vectors, ["en"] * 7), unit(centred), atol=1e-5)
    # German (2 cards) is under the minimum and None is no language: only the English direction goes, from all
    english = centred[:3].mean(axis=0) / np.linalg.norm(centred[:3].mean(axis=0))
    found = themes.without_languages(vectors, ["en"] * 3 + ["de"] * 2 + [None] * 2)
    assert np.allclose(found, unit(centred - np.outer(centred @ english, english)), atol=1e-5)
    assert np.allclose(found @ english, 0, atol=1e-5)
    assert np.allclose(themes.without_languages(vectors[:1], ["en"]), vectors[:1])


def test_labels_leave_out_function_words():
    texts = ["Les repas des écoles sont trop chers pour les familles", "Des repas gratuits pour les enfants des écoles",
             "Der Wohnung der Familien fehlt die Heizung", "Die Familien und die Kinder frieren in der Wohnung"]
    vectors = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=np.float32)
    labels = themes.label(texts, [0, 0, 1, 1], vectors, count=3)
    assert labels[0]["words"][0] == "repas" and labels[1]["words"][0] in {"familien", "wohnung"}
    words = set(labels[0]["words"]) | set(labels[1]["words"])
    assert not words & (languages.STOP_WORDS["fr"] | languages.STOP_WORDS["de"])


def test_label_names_a_theme_by_its_distinctive_words_and_its_most_central_card():
    texts = ["school meals free", "free school meals for all", "meals at school", "bullying at school", "school bullying"]
    vectors = np.array([[1, 0.2], [1, 0], [1, -0.2], [0, 1], [0.1, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = themes.label(texts, [0, 0, 0, 1, 1], vectors, count=2)
    assert labels[0]["card"] == 1
    assert labels[0]["words"][0] == "meals" and labels[1]["words"][0] == "bullying"
    assert "school" not in labels[0]["words"][:1]


def test_a_themes_label_reads_in_its_central_cards_language():
    texts = ["Children arrive hungry at school", "Hungry children at school every morning",
             "Enfants affamés : les enfants affamés arrivent à l'école, des enfants sans petit-déjeuner"]
    vectors = np.array([[1, 0, 0], [0.98, 0.2, 0], [0.9, 0.4, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    found = themes.label(texts, [0, 0, 0], vectors)
    assert found[0]["card"] == 1  # the English card in the middle
    assert found[0]["words"] and set(found[0]["words"]) <= set(themes.words_of(" ".join(texts[:2])))
