"""Cross-city synthesis in the server process: vectors from the database cache (computed by a worker when
missing), the cards a person may be shown as similar, suggested merges, and a board's cards grouped into
themes. The heavy work (embedding, all-pairs similarity, clustering) goes to the synthesis workers; this
module only fetches, asks and filters. Who may see a card is `workshop.boards.visibility`'s to say."""
import threading
from collections import OrderedDict

import numpy as np
from flask import current_app
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..boards.visibility import can_see
from ..extensions import db
from ..models import Card, CardVector, MergeDismissal
from ..workers import WorkerPool
from . import compute, embeddings
from .embeddings import normalised, text_key

# The model and the way texts are given to it (`embeddings.MODEL`): part of every cached vector's key, so
# that a change of either never mixes old vectors with new.
MODEL = embeddings.MODEL
# The lanes whose cards are compared: a problem with problems, an idea with ideas. Action plans are a
# city's own, made from its ideas.
LANES = ("problem", "idea")
# Similar cards. On a board of PREPARED_FROM cards or more, cards are compared as themes are (`themes.prepare`:
# what the board and each guessed language share removed) and shown from a cosine of SIMILAR_MIN; on a smaller
# board there is no mean worth removing, and raw vectors are compared from RAW_SIMILAR_MIN. Measured by
# `bench/similar.py tuning` on both labelled sets (each card asked as if typed against the others,
# top three shown; precision = shown cards of the card's theme, coverage = cards shown at least one): prepared
# at 0.25, precision 0.85 and 0.76, coverage 0.74 and 0.88 (at 0.30: 0.93 / 0.82 precision, 0.47 / 0.59
# coverage); raw vectors at their best threshold give precision 0.23-0.32, because a card's nearest raw
# neighbours are cards in its own language on other themes. Near-duplicates score higher than either
# threshold. See docs/performance.md ("Synthesis: similar cards").
PREPARED_FROM = 20
SIMILAR_MIN = 0.25
RAW_SIMILAR_MIN = 0.88
# Suggested merges (measured by bench/merges.py on tests/data/merge_duplicates.json with the 94 labelled
# cards, 4,717 pairs of different cards): the same card reworded in one language scores 0.92-0.97, the same
# card in another language 0.88-0.93, and different cards of one theme up to 0.94. At 0.92 every rewording
# is found and 6 pairs of different cards are suggested (precision 0.75); 0.93 misses 2 of 16 rewordings for
# 2 false pairs; 0.94 misses the same 2 and none is false. Translations are mostly out of reach of any raw
# threshold (themes group them). A false pair costs a facilitator one "Not the same", remembered; a missed
# duplicate splits its dots: 0.92. See docs/performance.md ("Synthesis: suggested merges").
MERGE_MIN = 0.92
# Re-measured with two views per card (bench/merges.py, same data): raw 0.92 alone finds 94 % of rewordings,
# 7 % of translations, 6 false pairs (precision 0.73). Adding the pairs whose prepared cosine (see
# `themes.prepare`, as similar cards on boards of PREPARED_FROM cards) is at least 0.5 finds 57 % of
# translations for one more false pair: 94 %, 57 %, 7 false pairs, precision 0.80.
PREPARED_MERGE_MIN = 0.5
SIMILAR_COUNT = 3
WAIT_SECONDS = 30  # the longest a request waits for a worker (a cold start with a queue of cards)

_pool = WorkerPool(warm_up=compute.warm_up)
_known = OrderedDict()  # text key -> vector bytes, the most recently used last
_known_lock = threading.Lock()
KNOWN_MAX = 20_000  # 30 MB of vectors per server process


def shutdown():
    _pool.shutdown()


def _submit(function, *args):
    """`function(*args)` started in a synthesis worker: its Future."""
    return _pool.submit(current_app.config["SYNTHESIS_WORKERS"], function, *args)


def _ask(function, *args):
    """`function(*args)` in a synthesis worker, waited for (cooperatively, under gevent)."""
    return _submit(function, *args).result(timeout=WAIT_SECONDS)


# Vectors ---------------------------------------------------------------------------------------------
# Texts are embedded in batches, each batch once: a text being embedded (just written, or asked for by
# someone else) is waited for, not sent again. A finished batch is remembered in this process and stored
# in the database by the batch's own callback, whoever asked for it.

BATCH = 64  # texts per job: small enough that a batch of new cards never waits behind a whole board
_in_flight = {}  # text key -> (Future of its batch, Event set once the batch is kept, the batch's keys)
_in_flight_lock = threading.Lock()


def vectors_of(texts, wait=True):
    """The vectors of `texts` as float32 bytes, in order: from this process's memory, else the database,
    else workers (then kept, so that no text is embedded twice). With `wait=False`, a text not embedded
    yet is None and its embedding starts: for answers that must be quick."""
    keys = [text_key(text) for text in texts]
    found = {key: blob for key in keys if (blob := _remembered(key)) is not None}
    wanted = [key for key in dict.fromkeys(keys) if key not in found]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows = db.session.execute(select(CardVector.text_key, CardVector.vector)
                                  .where(CardVector.model == MODEL, CardVector.text_key.in_(chunk)))
        found.update({key: bytes(blob) for key, blob in rows})
    _remember(found)
    missing = {key: normalised(text) for key, text in zip(keys, texts) if key not in found}
    if missing:
        batches = _embed(current_app._get_current_object(), missing)
        if wait:
            for future, kept, batch_keys in batches:
                found.update(zip(batch_keys, future.result(timeout=WAIT_SECONDS)))
                kept.wait(WAIT_SECONDS)
    return [found.get(key) for key in keys]


def _embed(app, texts_by_key):
    """Start embedding the texts (keyed by text key) that no batch is on yet: [(future, kept, keys)] of every
    batch that covers them, new or already running, each with all its keys in the order of its vectors."""
    covering = {}
    with _in_flight_lock:
        new = [key for key in texts_by_key if key not in _in_flight]
        for start in range(0, len(new), BATCH):
            keys = new[start:start + BATCH]
            future = _pool.submit(app.config["SYNTHESIS_WORKERS"], compute.embed, [texts_by_key[key] for key in keys])
            kept = threading.Event()
            for key in keys:
                _in_flight[key] = (future, kept, keys)
            future.add_done_callback(lambda done, keys=keys, kept=kept: _keep(app, keys, done, kept))
        for key in texts_by_key:
            if key in _in_flight:
                future, kept, keys = _in_flight[key]
                covering[id(future)] = (future, kept, keys)
    return list(covering.values())


def _keep(app, keys, done, kept):
    """A batch is embedded: remember and store its vectors (a failure only means they are embedded again
    when next asked for), then let whoever waits on it go on."""
    try:
        if not done.cancelled() and done.exception() is None:
            blobs = dict(zip(keys, done.result()))
            _remember(blobs)
            with app.app_context():
                _store(blobs)
    except Exception as error:  # noqa: BLE001 - a cache write; the vectors are made again when needed
        app.logger.warning("synthesis: vectors not stored: %s", error)
    finally:
        with _in_flight_lock:
            for key in keys:
                _in_flight.pop(key, None)
        kept.set()


def _remembered(key):
    with _known_lock:
        blob = _known.get(key)
        if blob is not None:
            _known.move_to_end(key)
        return blob


def _remember(found):
    with _known_lock:
        for key, blob in found.items():
            _known[key] = blob
            _known.move_to_end(key)
        while len(_known) > KNOWN_MAX:
            _known.popitem(last=False)


def _store(blobs):
    """Keep new vectors in the database; another process may have stored the same text meanwhile."""
    for key, blob in blobs.items():
        try:
            with db.session.begin_nested():
                db.session.add(CardVector(text_key=key, model=MODEL, vector=blob))
        except IntegrityError:
            pass
    db.session.commit()


# Embedding as cards are written: every card whose text is new or changed is embedded after its commit,
# in a worker, so that a similar-cards answer or a clustering later finds its vector ready.

@event.listens_for(Session, "after_flush")
def _note_written_cards(session, flush_context):
    written = [card.text for card in (*session.new, *session.dirty)
               if isinstance(card, Card) and card.lane in LANES and _text_is_new(card)]
    if written:
        session.info.setdefault("synthesis_texts", []).extend(written)


def _text_is_new(card):
    """A card just added, or one whose text this flush changed (in `after_flush`, history is still the flush's)."""
    state = inspect(card)
    return state.pending or state.attrs.text.history.has_changes()


@event.listens_for(Session, "after_commit")
def _embed_written_cards(session):
    texts = session.info.pop("synthesis_texts", None)
    if not texts:
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return
    if app.config.get("SYNTHESIS_EMBED_ON_WRITE"):
        _embed(app, {text_key(text): normalised(text) for text in texts if _remembered(text_key(text)) is None})


@event.listens_for(Session, "after_rollback")
def _forget_written_cards(session):
    session.info.pop("synthesis_texts", None)


# What people get -------------------------------------------------------------------------------------

def comparable_cards(board):
    """The board's cards that synthesis works on: live, not hidden, in a compared lane."""
    cards = db.session.scalars(select(Card).where(Card.board_id == board.id, Card.lane.in_(LANES),
                                                  Card.deleted_at.is_(None), Card.merged_into_id.is_(None),
                                                  Card.hidden_at.is_(None)).order_by(Card.id))
    return list(cards)


def similar_cards(board, viewer, text, lane=None, limit=SIMILAR_COUNT, exclude_card_id=None):
    """Up to `limit` of the board's cards that `viewer` may see, most similar to `text` first, with their
    cosine: [(card, similarity)]. In `lane` only when one is given. Hidden cards are never among them, nor
    cards not embedded yet."""
    if not normalised(text):
        return []
    cards = [card for card in comparable_cards(board)
             if (lane is None or card.lane == lane) and card.id != exclude_card_id and can_see(viewer, card)]
    # Only cards already embedded (as they were written): a board's first question never waits for the
    # whole board; the others' embedding starts now, for the next question.
    known = [(card, blob) for card, blob in zip(cards, vectors_of([card.text for card in cards], wait=False)) if blob]
    if not known:
        return []
    found = _ask(compute.most_similar, normalised(text), [blob for _, blob in known], [card.text for card, _ in known],
                 limit, PREPARED_FROM, SIMILAR_MIN, RAW_SIMILAR_MIN)
    return [(known[index][0], similarity) for index, similarity in found]


def merge_suggestions(board):
    """Pairs of the board's cards that say the same thing, for its facilitators: [(card, other, similarity)],
    most similar first, in the same lane, none a pair a facilitator dismissed."""
    cards = comparable_cards(board)
    if len(cards) < 2:
        return []
    dismissed = set(db.session.execute(select(MergeDismissal.card_id, MergeDismissal.other_card_id)
                                       .where(MergeDismissal.board_id == board.id)).all())
    pairs = _ask(compute.close_pairs, vectors_of([card.text for card in cards]), [card.lane for card in cards],
                 [card.text for card in cards], MERGE_MIN, PREPARED_MERGE_MIN, PREPARED_FROM)
    found = []
    for i, j, similarity in pairs:
        card, other = sorted((cards[i], cards[j]), key=lambda card: card.id)
        if (card.id, other.id) not in dismissed:
            found.append((card, other, similarity))
    return found


def grouped_cards(board):
    """The board's cards as the machine groups them: [{"cards": [Card], "words": [...], "central": Card}],
    largest group first. Facilitators' edits are applied on top of this by the themes (see `themes_of`)."""
    cards = comparable_cards(board)
    if len(cards) < 2:
        return []
    groups = _ask(compute.group, vectors_of([card.text for card in cards]), [card.text for card in cards])
    return [{"cards": [cards[index] for index in group["members"]], "words": group["words"],
             "central": cards[group["central"]]} for group in groups]


# Privacy: vectors nobody's card holds ----------------------------------------------------------------

def forget_unused_vectors():
    """Delete the stored vectors of texts that no card holds any more (a deleted workshop's cards, a card's
    text before an edit), here and in this process's memory. A vector is keyed by its text, not by a card,
    so it is kept exactly as long as some card still says those words. Does not commit; returns how many."""
    used = {text_key(text) for text in db.session.scalars(select(Card.text).where(Card.lane.in_(LANES)))}
    unused = sorted(set(db.session.scalars(select(CardVector.text_key).distinct())) - used)
    for start in range(0, len(unused), 500):
        db.session.execute(delete(CardVector).where(CardVector.text_key.in_(unused[start:start + 500])))
    with _known_lock:
        for key in unused:
            _known.pop(key, None)
    return len(unused)
