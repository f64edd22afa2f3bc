"""Suggested merges (issue 16): which raw cosine threshold (`services.MERGE_MIN`) finds the same card written
twice without pairing cards that only share a theme, and what the shipped rule (that threshold, or
`PREPARED_MERGE_MIN` on prepared vectors) finds.

Positives: tests/data/merge_duplicates.json, the same card reworded by two people of one city, or written in
another language (pairs sharing a text are one card, so a card's rewording and its translation are
duplicates of each other too). Negatives: every other pair of cards of one lane among those and the 94
cards of tests/data/synthesis_cards.json, which are all different cards (many of one theme: the hard case).

    .venv/bin/python bench/merges.py
"""
import json
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from workshop.synthesis import embeddings, services  # noqa: E402

DATA = ROOT / "tests" / "data"


def cards():
    """[(text, lane, card)]: `card` names the card a text says (the same for duplicates)."""
    pairs = json.loads((DATA / "merge_duplicates.json").read_text(encoding="utf-8"))["pairs"]
    kind_of, parent = {}, {}

    def root(text):
        while parent.setdefault(text, text) != text:
            text = parent[text]
        return text

    for pair in pairs:
        first, second = pair["texts"]
        parent[root(second)] = root(first)
        kind_of[first, second] = kind_of[second, first] = pair["kind"]
    lanes = {text: pair["lane"] for pair in pairs for text in pair["texts"]}
    found = [(text, lanes[text], root(text)) for text in parent]
    labelled = json.loads((DATA / "synthesis_cards.json").read_text(encoding="utf-8"))["cards"]
    found += [(card["text"], card["lane"], f"set:{index}") for index, card in enumerate(labelled) if card["lane"] in services.LANES]
    return found, kind_of


def main():
    found, kind_of = cards()
    vectors = embeddings.embed([text for text, _, _ in found])
    similarity = vectors @ vectors.T
    positives, negatives = {"reworded": [], "translated": [], "same card, other pair": []}, []
    for i, j in combinations(range(len(found)), 2):
        (text, lane, card), (other_text, other_lane, other_card) = found[i], found[j]
        if lane != other_lane:
            continue
        if card == other_card:
            positives[kind_of.get((text, other_text), "same card, other pair")].append(similarity[i, j])
        else:
            negatives.append((similarity[i, j], text, other_text))
    negatives.sort(reverse=True)
    print(f"{len(found)} cards; duplicate pairs: " + ", ".join(f"{kind} {len(values)}" for kind, values in positives.items())
          + f"; other same-lane pairs {len(negatives)}")
    for kind, values in positives.items():
        print(f"  {kind}: cosine min {min(values):.3f}, median {np.median(values):.3f}, max {max(values):.3f}")
    print(f"  not duplicates: highest {negatives[0][0]:.3f}, 99.9th percentile {np.percentile([n[0] for n in negatives], 99.9):.3f}")
    print("threshold  reworded  translated  all duplicates  false pairs  precision")
    every = [value for values in positives.values() for value in values]
    for threshold in np.round(np.arange(0.86, 0.975, 0.01), 2):
        false = sum(value >= threshold for value, _, _ in negatives)
        true = sum(value >= threshold for value in every)
        share = {kind: np.mean([value >= threshold for value in values]) for kind, values in positives.items()}
        precision = true / (true + false) if true + false else 1.0
        marker = "  <- shipped" if threshold == services.MERGE_MIN else ""
        print(f"  {threshold:.2f}     {share['reworded']:.2f}      {share['translated']:.2f}        {true / len(every):.2f}"
              f"           {false:4d}       {precision:.2f}{marker}")
    # As shipped (`compute.close_pairs`): the raw threshold, or the prepared one (the same card in another language).
    from workshop.synthesis import compute

    pairs = compute.close_pairs([row.tobytes() for row in vectors], [lane for _, lane, _ in found], [text for text, _, _ in found],
                                services.MERGE_MIN, services.PREPARED_MERGE_MIN, services.PREPARED_FROM)
    suggested = {(i, j) for i, j, _ in pairs}
    hits = {"reworded": [], "translated": [], "same card, other pair": []}
    false = 0
    for i, j in combinations(range(len(found)), 2):
        (text, lane, card), (other_text, other_lane, other_card) = found[i], found[j]
        if lane != other_lane:
            continue
        if card == other_card:
            hits[kind_of.get((text, other_text), "same card, other pair")].append((i, j) in suggested)
        else:
            false += (i, j) in suggested
    print(f"shipped (raw >= {services.MERGE_MIN} or prepared >= {services.PREPARED_MERGE_MIN}): "
          + ", ".join(f"{kind} {np.mean(values):.2f}" for kind, values in hits.items())
          + f"; false pairs {false}; precision {len(pairs) and (len(pairs) - false) / len(pairs):.2f}")
    print("closest pairs that are not duplicates:")
    for value, text, other in negatives[:8]:
        print(f"  {value:.3f}  {text[:60]!r} / {other[:60]!r}")


if __name__ == "__main__":
    main()
