// Cards ranked by dots, ties shown as ties: 7, 5, 5, 2 dots rank 1, 2, 2, 4.

export function ranked(cards, counts) {
  const countOf = (card) => (counts ? counts[String(card.id)] || 0 : 0);
  const sorted = [...cards].sort((a, b) => countOf(b) - countOf(a) || a.id - b.id);
  return sorted.map((card) => {
    const count = countOf(card);
    const above = sorted.filter((other) => countOf(other) > count).length;
    const tie = sorted.filter((other) => countOf(other) === count).length > 1;
    return { card, count, rank: above + 1, tie };
  });
}
