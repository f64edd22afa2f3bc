"""Themes: cards grouped by meaning across cities and languages, each named by its distinctive words and its
most central card.

Runs in worker processes only, never in the server process: clustering 1,000 cards is seconds of CPU
(see docs/performance.md), which would stall every live board.
"""
import math
from collections import Counter

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from . import languages

# Average-linkage cosine distance below which two groups of cards are one theme, on `prepare`d vectors. Chosen
# by `bench/synthesis.py`'s sweep (0.02 to 1.30) on both labelled sets, tests/data/synthesis_cards.json (94
# cards, no two of a theme in one language) and tests/data/synthesis_lab.json (120 cards, a lab's mix): the
# best adjusted Rand index of the worse of the two. Distances are large because `prepare` removes what all
# cards share.
THRESHOLD = 0.90
# A guessed language with fewer cards than this is not estimated: the mean of two cards is mostly their themes.
LANGUAGE_MIN_CARDS = 3


def prepare(vectors, texts):
    """The vectors as themes and similar cards compare them: what the whole board shares, and what each
    language's cards share, removed; rows renormalised. `texts` are the cards' texts, row for row.

    e5-small puts a card nearer to another theme's card in its own language than to its own theme in another
    language (raw vectors: nearest card of the same theme 0.28 and 0.33 on the two labelled sets). No declared
    language is needed: each card's language is guessed from its own function words (`languages.guess`), each
    guessed language's mean is taken, and the directions those means span are projected out of every card, so
    a card whose language was guessed wrong or not at all loses them too. Nearest card of the same theme after
    this: 0.74 and 0.80 (docs/performance.md)."""
    return without_languages(vectors, [languages.guess(text) for text in texts])


def without_languages(vectors, guessed, min_cards=LANGUAGE_MIN_CARDS):
    """The vectors centred on their mean, with the directions of the languages' means (each language with at
    least `min_cards` cards; None for no language) projected out, renormalised."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(vectors) < 2:
        return vectors.copy()
    centred = vectors - vectors.mean(axis=0)
    guessed = np.array([language or "" for language in guessed], dtype=object)
    means = [centred[guessed == language].mean(axis=0) for language in set(guessed.tolist())
             if language and (guessed == language).sum() >= min_cards]
    if means:
        directions, strengths, _ = np.linalg.svd(np.array(means).T, full_matrices=False)
        # One language's mean is the board's mean, so its direction is zero: nothing to remove.
        basis = directions[:, strengths > 1e-4]
        centred = centred - (centred @ basis) @ basis.T
    return _unit(centred)


def _unit(vectors):
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


def cluster(vectors, threshold=THRESHOLD):
    """A theme number per vector: average-linkage agglomerative clustering on cosine distance, merging while
    the groups' mean distance stays under `threshold` (so the number of themes is not fixed in advance)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average")
    return model.fit_predict(vectors)


def words_of(text):
    """The words a label may use: three letters or more, not a function word of the text's language (of any
    shipped language when none is guessed), so that a label is never "the, des, und"."""
    language = languages.guess(text)
    stop_words = languages.STOP_WORDS[language] if language else languages.ALL_STOP_WORDS
    return [word for word in languages.words(text) if len(word) >= 3 and word not in stop_words]


def distinctive_words(texts, clusters, count=3):
    """For each theme number, its `count` most distinctive words by class-based TF-IDF: a word's frequency in
    the theme's cards, weighted by log(1 + average words per theme / the word's frequency in all themes)."""
    counts = {}
    for text, theme in zip(texts, clusters):
        counts.setdefault(theme, Counter()).update(words_of(text))
    overall = sum(counts.values(), Counter())
    average = sum(overall.values()) / max(len(counts), 1)
    scores = {}
    for theme, words in counts.items():
        total = sum(words.values()) or 1
        ranked = sorted(words, key=lambda word: (-words[word] / total * math.log(1 + average / overall[word]), word))
        scores[theme] = ranked[:count]
    return scores


def central(vectors, clusters):
    """For each theme number, the index of its most central card: the highest mean cosine to its theme."""
    vectors = np.asarray(vectors, dtype=np.float32)
    clusters = np.asarray(clusters)
    found = {}
    for theme in np.unique(clusters):
        rows = np.flatnonzero(clusters == theme)
        found[theme.item()] = rows[(vectors[rows] @ vectors[rows].T).mean(axis=1).argmax()].item()
    return found


def label(texts, clusters, vectors, count=3):
    """For each theme number, {"words": its distinctive words, "card": the index of its most central card}.

    The words are those of the theme's cards written in its central card's language (as guessed), so that a
    label reads in one language ("hungry, breakfast, school", not "emergency, evicted, mois")."""
    clusters = [int(theme) for theme in clusters]
    centres = central(vectors, clusters)
    guessed = [languages.guess(text) for text in texts]
    in_its_language = [text if guessed[index] == guessed[centres[theme]] else ""
                       for index, (text, theme) in enumerate(zip(texts, clusters))]
    words = distinctive_words(in_its_language, clusters, count)
    return {theme: {"words": words.get(theme, []), "card": card} for theme, card in centres.items()}
