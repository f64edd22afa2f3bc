// The room's screen: what the whole room may see, in large type. Read-only: it watches the board
// (join_board with as_room: true: it is the room, whoever opened it) and never sends a change. Hidden and private cards never show
// here, and dot counts only once the room may see them.
import { h } from "./dom.js";
import { joinBoard } from "./join-board.js";
import { ranked } from "./ranking.js";
import { Countdown } from "./timer.js";
import { openSocket } from "./socket.js";

const data = JSON.parse(document.getElementById("projector-data").textContent);
const t = (key, vars = {}) => (data.messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
const state = { board: data.snapshot.board, cards: new Map(data.snapshot.cards.map((c) => [c.id, c])), counts: data.snapshot.votes.counts || {} };
const boardId = state.board.id;
const countdown = new Countdown(document.getElementById("projector-timer"), t);
countdown.set(state.board.timer, data.snapshot.server_time);

const forTheRoom = (card) => !card.hidden && !card.private;
const countsPublic = () => state.board.voting.revealed || !state.board.voting.hidden;

function render() {
  const { board } = state;
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
      const ranking = ranked(cards.filter((card) => card.lane === lane), state.counts).slice(0, 8);
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
socket.on("connect", () => joinBoard(socket, { board_id: boardId, as_room: true }, (ack) => {
  if (!ack.ok) return;
  state.board = ack.snapshot.board;
  state.cards = new Map(ack.snapshot.cards.map((c) => [c.id, c]));
  state.counts = ack.snapshot.votes.counts || {};
  countdown.set(state.board.timer, ack.snapshot.server_time);
  render();
}));
const mine = (handler) => (payload) => payload.board_id === boardId && (handler(payload), render());
for (const type of ["card_added", "card_edited", "card_hidden", "card_restored"]) socket.on(type, mine((e) => state.cards.set(e.card.id, e.card)));
socket.on("card_removed", mine((e) => state.cards.delete(e.card_id)));
socket.on("board_updated", mine((e) => { state.board = e.board; }));
socket.on("votes_changed", mine((e) => Object.assign(state.counts, e.counts)));
socket.on("spotlight_changed", mine((e) => { state.board.spotlight_card_id = e.card_id; }));
socket.on("timer_changed", mine((e) => { state.board.timer = e.timer; countdown.set(e.timer, e.server_time); }));
render();
