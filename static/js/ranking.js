// The room's ranking: cards ranked by dots, ties shown as ties (7, 5, 5, 2 dots rank 1, 2, 2, 4),
// among the cards the whole room sees only. A hidden card, or one still private to its author or
// city team, is never ranked, not even on the screens of those who still see it: the room, the
// projector and every participant see one and the same ranking (the server's `standings` agrees).

export const seenByRoom = (card) => !card.hidden && !card.private;

export function ranked(cards, counts) {
  const countOf = (card) => (counts ? counts[String(card.id)] || 0 : 0);
  const sorted = cards.filter(seenByRoom).sort((a, b) => countOf(b) - countOf(a) || a.id - b.id);
  return sorted.map((card) => {
    const count = countOf(card);
    const above = sorted.filter((other) => countOf(other) > count).length;
    const tie = sorted.filter((other) => countOf(other) === count).length > 1;
    return { card, count, rank: above + 1, tie };
  });
}
