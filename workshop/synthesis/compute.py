"""What the synthesis workers run (see `workshop.workers`): embedding texts and the all-pairs work on a
board's vectors. Everything here is plain functions of plain data (texts, bytes, numbers), pickled to and
from the worker, with no database and no app."""
import os

import numpy as np
from threadpoolctl import threadpool_limits

from . import embeddings


# How much lower than the server a synthesis worker runs (nice): embedding a board is minutes of CPU that
# must never slow the live boards on the same cores; a worker then gets what the server leaves.
NICENESS = 10


def warm_up():
    """In a new worker: step back behind the server (`NICENESS`), keep numpy's BLAS to one thread, then load the
    model (0.4 s) so that its first answer is as fast as the others."""
    os.nice(NICENESS)
    # numpy's OpenBLAS otherwise starts a thread per core whose waiting spins: a similar-cards question cost 188 ms
    # of CPU for 97 ms of work (bench/similar.py, docs/performance.md), CPU the server and the other workers need.
    # The work here is small products and one thread does them as fast. Set at run time: numpy is loaded already.
    threadpool_limits(limits=1, user_api="blas")
    embeddings.embed(["warm-up"])


def embed(texts):
    """The vectors of `texts`, each as float32 bytes (see `as_matrix`)."""
    return [row.tobytes() for row in embeddings.embed(texts)]


def as_matrix(blobs):
    """An (n, 384) float32 array from the bytes `embed` gave."""
    if not blobs:
        return np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), embeddings.DIMENSIONS)


def close_pairs(blobs, groups, texts, raw_min, prepared_min, prepared_from):
    """The pairs (i, j, similarity), i < j, of vectors in the same group (a lane) that say the same thing, most
    similar first: a raw cosine of at least `raw_min` (the same card reworded), or, from `prepared_from` cards
    on, a cosine of at least `prepared_min` once what the board and each language share is removed
    (`themes.prepare`: the same card in another language). `similarity` is the raw cosine."""
    from . import themes

    vectors = as_matrix(blobs)
    similarity = vectors @ vectors.T
    alike = similarity >= raw_min
    if len(vectors) >= prepared_from:
        prepared = themes.prepare(vectors, texts)
        alike |= prepared @ prepared.T >= prepared_min
    groups = np.asarray(groups)
    found = [(int(i), int(j), float(similarity[i, j])) for i, j in zip(*np.nonzero(np.triu(alike, k=1)))
             if groups[i] == groups[j]]
    return sorted(found, key=lambda pair: -pair[2])


def most_similar(text, blobs, texts, limit, prepared_from, prepared_min, raw_min):
    """The (index, similarity) of the `limit` cards (vectors `blobs`, texts `texts`) most similar to `text`, at
    or above the threshold, most similar first. From `prepared_from` cards on, compared as themes are, with what
    the board and each language share removed (`themes.prepare`, with `prepared_min`); below that there is no
    mean worth removing, so raw vectors with `raw_min`."""
    from . import themes

    vectors = np.vstack([as_matrix(blobs), embeddings.embed([text])])
    if len(blobs) >= prepared_from:
        vectors, threshold = themes.prepare(vectors, [*texts, text]), prepared_min
    else:
        threshold = raw_min
    similarity = vectors[:-1] @ vectors[-1]
    return [(int(index), float(similarity[index])) for index in np.argsort(-similarity)[:limit]
            if similarity[index] >= threshold]


def group(blobs, texts):
    """Themes of the vectors: [{"members": [index, ...], "words": [...], "central": index}], largest first;
    a card alike to no other is in no theme."""
    from . import themes  # scikit-learn, which the server process never needs

    vectors = themes.prepare(as_matrix(blobs), texts)
    clusters = themes.cluster(vectors)
    labels = themes.label(texts, clusters, vectors)
    found = []
    for theme, label in labels.items():
        members = [int(index) for index in np.flatnonzero(np.asarray(clusters) == theme)]
        if len(members) > 1:
            found.append({"members": members, "words": list(label["words"]), "central": int(label["card"])})
    return sorted(found, key=lambda theme: (-len(theme["members"]), theme["members"][0]))

