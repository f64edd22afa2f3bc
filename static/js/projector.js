// The room's screen: what the whole room may see, in large type. Read-only: it watches the board
// (join_board with as_room: true: it is the room, whoever opened it) and never sends a change. Hidden and private cards never show
// here, and dot counts only once the room may see them.
import { h } from "./dom.js";
import { BoardSync } from "./board-sync.js";
import { ranked } from "./ranking.js";
import { Countdown } from "./timer.js";
import { openSocket } from "./socket.js";

const data = JSON.parse(document.getElementById("projector-data").textContent);
const t = (key, vars = {}) => (data.messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
const countdown = new Countdown(document.getElementById("projector-timer"), t);

const forTheRoom = (card) => !card.hidden && !card.private;
const countsPublic = () => state.votes.counts !== null;

function render() {
  const { board } = state;
  const counts = state.votes.counts || {};
  document.getElementById("projector-phase").textContent = t(`phase.${board.phase}`) + (board.paused ? ` · ${t("paused")}` : "");
  const cards = [...state.cards.values()].filter(forTheRoom);

  const spotlight = document.getElementById("projector-spotlight");
  const focused = board.spotlight_card_id && state.cards.get(board.spotlight_card_id);
  spotlight.hidden = !(focused && forTheRoom(focused));
  if (!spotlight.hidden) {
    spotlight.replaceChildren(
      h("p", { class: "projector-label", text: t("spotlight.on") }),
      h("p", { class: `projector-card lane-${focused.lane}`, text: focused.text }),
      h("p", { class: "projector-meta", text: `${focused.author.name} · ${focused.author.city}` }));
  }

  const body = document.getElementById("projector-body");
  if (board.phase === "results" && countsPublic()) {
    body.replaceChildren(...board.voting.lanes.map((lane) => {
      const ranking = ranked(cards.filter((card) => card.lane === lane), counts).slice(0, 8);
      return h("section", { class: "projector-ranking", "aria-label": t(`lane.${lane}`) },
        h("h2", { text: t(`lane.${lane}`) }),
        h("ol", {}, ...ranking.map((entry) => h("li", { class: `lane-${lane}` },
          h("span", { class: "projector-rank", text: t(entry.tie ? "rank.tie" : "rank", { n: entry.rank }) }),
          h("span", { class: "projector-text", text: entry.card.text }),
          h("span", { class: "projector-dots", text: entry.count === 1 ? t("dots.one") : t("dots.count", { n: entry.count }) })))));
    }));
  } else {
    const latest = cards.sort((a, b) => b.id - a.id).slice(0, 6);
    body.replaceChildren(
      h("p", { class: "projector-counts", text: board.lanes.map((lane) => `${t(`lane.${lane}`)}: ${cards.filter((c) => c.lane === lane).length}`).join(" · ") }),
      h("ul", { class: "projector-latest" }, ...latest.map((card) => h("li", { class: `lane-${card.lane}`, text: card.text }))));
  }
}

const socket = openSocket(t);
const sync = new BoardSync(socket, data.snapshot, {
  join: { as_room: true },
  render,
  timer: (timer, serverTime) => countdown.set(timer, serverTime),
});
const state = sync.state;
countdown.set(state.board.timer, state.serverTime);
render();

// Tests and curious people can read the state from the console.
window.workshopProjector = { sync, socket };
