// The room's screen: what the whole room may see, in large type, readable from the back. Read-only:
// it is the room (join_board with as_room: true, whoever opened it) and never sends a change; the
// server sends it no hidden or private card, and dot counts only once the room may see them.
// While collecting and voting the cards fill the width, one column per lane, newest first, as many
// as fit; in results each voted lane shows its ranking as bars sized by dots, ties as ties.
import { RoomNews } from "./announce.js";
import { BoardSync } from "./board-sync.js";
import { h } from "./dom.js";
import { translator } from "./messages.js";
import { ranked } from "./ranking.js";
import { openSocket } from "./socket.js";
import { Countdown } from "./timer.js";

const data = JSON.parse(document.getElementById("projector-data").textContent);
const { t, count } = translator(data.messages);
const countdown = new Countdown(document.getElementById("projector-timer"), t);
const body = document.getElementById("projector-body");
const spotlight = document.getElementById("projector-spotlight");
const dots = (n) => count("dots.count", n);

function render() {
  const { board, cards, votes } = sync.state;
  document.getElementById("projector-phase").textContent = t(`phase.${board.phase}`) + (board.paused ? ` · ${t("paused")}` : "");
  const focused = board.spotlight_card_id && cards.get(board.spotlight_card_id);
  spotlight.hidden = !focused;
  body.hidden = Boolean(focused); // the spotlight takes the whole screen while it is on
  if (focused) {
    spotlight.replaceChildren(
      h("p", { class: "projector-label", text: t("spotlight.on") }),
      h("p", { class: `projector-card lane-${focused.lane}`, text: focused.text }),
      h("p", { class: "projector-meta", text: `${focused.author.name} · ${focused.author.city}` }));
    return;
  }
  const all = [...cards.values()];
  const results = board.phase === "results" && votes.counts && board.voting.lanes.length;
  body.dataset.view = results ? "results" : "lanes";
  body.replaceChildren(...(results
    ? board.voting.lanes.map((lane) => rankingOf(lane, all.filter((card) => card.lane === lane), votes.counts))
    : board.lanes.map((lane) => laneOf(lane, all.filter((card) => card.lane === lane)))));
  for (const list of body.querySelectorAll("ol, ul")) keepWhatFits(list);
}

function heading(lane, count) {
  return h("h2", {}, t(`lane.${lane}`), " ", h("span", { class: "projector-count", text: String(count) }));
}

function laneOf(lane, cards) {
  const newest = cards.sort((a, b) => b.id - a.id);
  return h("section", { class: `projector-lane lane-${lane}`, "aria-label": t(`lane.${lane}`) },
    heading(lane, cards.length),
    h("ul", {}, ...newest.map((card) => h("li", { class: `projector-note lane-${lane}` },
      h("p", { class: "projector-text", text: card.text }),
      h("p", { class: "projector-city", text: card.author.city })))));
}

function rankingOf(lane, cards, counts) {
  const ranking = ranked(cards, counts);
  const most = Math.max(1, ...ranking.map((entry) => entry.count));
  return h("section", { class: `projector-ranking lane-${lane}`, "aria-label": t(`lane.${lane}`) },
    heading(lane, cards.length),
    h("ol", {}, ...ranking.map((entry) => {
      const bar = h("span", { class: `projector-bar lane-${lane}` });
      bar.style.width = `${(entry.count / most) * 100}%`; // CSSOM, which the style policy allows
      return h("li", { class: entry.tie ? "tie" : null },
        h("span", { class: "projector-rank", text: t(entry.tie ? "rank.tie" : "rank", { n: entry.rank }) }),
        h("span", { class: "projector-entry" },
          h("span", { class: "projector-text", text: entry.card.text }),
          h("span", { class: "projector-track" }, bar)),
        h("span", { class: "projector-dots", text: dots(entry.count) }));
    })));
}

// Show only the items that fit whole in the list's height: the newest (or best ranked) first.
function keepWhatFits(list) {
  const bottom = list.getBoundingClientRect().bottom;
  let full = false;
  for (const item of list.children) {
    full = full || item.getBoundingClientRect().bottom > bottom + 1;
    item.hidden = full;
  }
}

const socket = openSocket(t);
let news = null; // what the room does, told politely (announce.js)
const sync = new BoardSync(socket, data.snapshot, {
  join: { as_room: true },
  render,
  timer(timer, serverTime, { live } = {}) {
    countdown.set(timer, serverTime);
    news?.timer(timer, live, serverTime);
  },
  event: (event, before) => news?.event(event, before),
  spotlight: (cardId) => news.spotlight(cardId),
});
news = new RoomNews({ region: document.getElementById("room-news"), toggle: document.getElementById("announce-others"), state: sync.state, t, count });
countdown.onState = (timerState) => timerState === "up" && news.timeUp();
countdown.set(sync.state.board.timer, sync.state.serverTime);
render();
addEventListener("resize", render);

// Tests and curious people can read the state from the console.
window.workshopProjector = { sync, socket };
