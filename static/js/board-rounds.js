// Earlier voting rounds on the board page: in results, each earlier round's ranking below the
// lanes (the lanes rank the current round), of the cards the room sees, ties as ties.
import { h } from "./dom.js";
import { ranked, seenByRoom } from "./ranking.js";

export class EarlierRounds {
  constructor(lanes, t, tCount) {
    Object.assign(this, { t, tCount, signature: null });
    this.section = h("section", { id: "earlier-rounds", class: "earlier-rounds", "aria-labelledby": "earlier-rounds-heading", hidden: true });
    lanes.after(this.section);
  }

  // Rebuilt only when the rounds, the voted lanes or the room's cards changed.
  render({ board, votes, cards: byId }) {
    const rounds = ["results", "closed"].includes(board.phase) ? votes.rounds || [] : [];
    const cards = [...byId.values()];
    const signature = JSON.stringify([rounds, board.voting.lanes, cards.filter(seenByRoom).map((card) => [card.id, card.lane, card.text])]);
    if (signature === this.signature) return;
    this.signature = signature;
    this.section.hidden = !rounds.length;
    const { t } = this;
    this.section.replaceChildren(h("h2", { id: "earlier-rounds-heading", text: t("rounds.earlier") }),
      ...[...rounds].reverse().map((round) => h("section", { class: "round", "aria-labelledby": `round-${round.round}-heading` },
        h("h3", { id: `round-${round.round}-heading`, text: t("rounds.round", { n: round.round }) }),
        ...board.voting.lanes.flatMap((lane) => {
          const ranking = ranked(cards.filter((card) => card.lane === lane), round.counts);
          return ranking.length ? [h("h4", { text: t(`lane.${lane}`) }), h("ol", { class: "round-ranking" }, ...ranking.map((entry) => h("li", {},
            h("span", { class: "round-rank", text: t(entry.tie ? "rank.tie" : "rank", { n: entry.rank }) }), " ",
            h("span", { class: "round-text", text: entry.card.text }), " ",
            h("span", { class: "round-dots", text: this.tCount("dots.count", entry.count) }))))] : [];
        }))));
  }
}
