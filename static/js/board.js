// The board page: the board kept in step by the sync module (board-sync.js), and on top of it the
// cards typed while offline: they wait in localStorage and are sent when the connection returns;
// the client-made id makes a retry land once.
import { RoomNews } from "./announce.js";
import { BoardSync } from "./board-sync.js";
import { BoardView } from "./board-view.js";
import { translator } from "./messages.js";
import { requester } from "./request.js";
import { similarWhileWriting } from "./similar.js";
import { openSocket } from "./socket.js";

const data = JSON.parse(document.getElementById("board-data").textContent);
const boardId = data.snapshot.board.id;
const { t, count } = translator(data.messages);

const me = data.snapshot.me;
const pendingKey = `workshop:pending:${boardId}:${me.role}:${me.id}`;
const state = { pending: JSON.parse(localStorage.getItem(pendingKey) || "[]"), inFlight: new Set(), joined: false, wasOffline: false };
const savePending = () => localStorage.setItem(pendingKey, JSON.stringify(state.pending));
const UNAVAILABLE_RETRY_MS = 2000;

const socket = openSocket(t);
let view = null; // drawn once the sync holds the snapshot
let news = null; // what others do, told politely (announce.js)
const sync = new BoardSync(socket, data.snapshot, {
  state,
  render: () => view?.render(),
  timer(timer, serverTime, { live } = {}) {
    view?.showTimer(timer, serverTime);
    news?.timer(timer, live, serverTime);
  },
  card: (card) => dropPending(card),
  event: (event, before) => news?.event(event, before),
  spotlight(cardId) {
    view.showSpotlight();
    news.spotlight(cardId);
  },
  presence: (summary) => view?.showPresence(summary),
  refused(ack) {
    if (ack.error.code === "slow_down") view.announce(count("slow_down.join", ack.error.retry_after)); // tried again then
    else view.announce(t("announce.error", { message: ack.error.message }));
  },
  joined() {
    state.joined = true;
    if (state.wasOffline) view.showConnection("online");
    state.wasOffline = false;
    flushPending();
  },
});
view = new BoardView({ state, limits: data.limits, t, tCount: count, actions: makeActions() });
news = new RoomNews({ region: document.getElementById("room-news"), toggle: document.getElementById("announce-others"), state, t, count });
view.countdown.onState = (timerState) => timerState === "up" && news.timeUp();
view.render();
similarWhileWriting({ socket, boardId, view });

socket.on("disconnect", () => {
  state.joined = false;
  state.wasOffline = true;
  state.inFlight.clear();
  view.showConnection("offline");
});
socket.on("connect_error", () => view.showConnection("offline"));
socket.on("commitment_reminder", ({ city, url }) => view.showReminder(city, url));
socket.on("participant_removed", () => {
  socket.disconnect();
  view.showRemoved();
});
socket.on("workshop_deleted", () => {
  socket.disconnect();
  view.showRemoved("deleted");
});

function dropPending(card) {
  if (card.client_id && state.pending.some((item) => item.client_id === card.client_id)) {
    state.pending = state.pending.filter((item) => item.client_id !== card.client_id);
    savePending();
  }
}

// Changes this person makes -----------------------------------------------------------------

function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs https; venues may not have it
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function flushPending() {
  for (const item of state.pending) sendPending(item);
}

function sendPending(item) {
  if (!state.joined || state.inFlight.has(item.client_id)) return;
  state.inFlight.add(item.client_id);
  socket.timeout(15000).emit("add_card", { board_id: boardId, ...item }, (error, ack) => {
    state.inFlight.delete(item.client_id);
    if (error) return; // still pending: sent again on reconnect
    if (!ack.ok && ack.error.code === "unavailable") {
      // The database is away for a moment: the card stays pending and goes again (same client_id).
      setTimeout(() => state.pending.includes(item) && sendPending(item), UNAVAILABLE_RETRY_MS);
      return;
    }
    if (!ack.ok && ack.error.code === "slow_down") {
      // Over the posting limit (a backlog sent at once): the card waits and goes when allowed.
      view.showError(item.lane, count("slow_down.card", ack.error.retry_after));
      setTimeout(() => state.pending.includes(item) && sendPending(item), ack.error.retry_after * 1000);
      return;
    }
    state.pending = state.pending.filter((other) => other.client_id !== item.client_id);
    savePending();
    if (ack.ok) {
      state.cards.set(ack.card.id, ack.card);
      view.clearError(item.lane);
    } else view.showError(item.lane, ack.error.message, item.text);
    view.render();
  });
}

// A change asked for while the page is still opening its first connection waits for it (Socket.IO
// sends it on connect); once the page has been connected, a drop answers at once, so that nothing
// the person did minutes ago lands by surprise.
const request = requester(socket, t, () => !socket.connected && state.wasOffline);

function own(key, event, payload) {
  news.mine(key);
  return request(event, payload);
}

function makeActions() {
  return {
    addCard(lane, text, linkId) {
      const item = { client_id: newClientId(), lane, text, link_id: linkId };
      state.pending.push(item);
      savePending();
      view.render();
      sendPending(item);
    },
    editCard: (cardId, text, linkId) => request("edit_card", { card_id: cardId, text, link_id: linkId }),
    editPlan: (cardId, plan) => request("edit_action_plan", { card_id: cardId, plan }),
    // Changes this page makes to a card, and the spotlight, are not the room's news to it (announce.js).
    deleteCard: (cardId) => own(`card:${cardId}`, "delete_card", { card_id: cardId }),
    hideCard: (cardId, reason) => own(`card:${cardId}`, "hide_card", { card_id: cardId, reason }),
    restoreCard: (cardId) => own(`card:${cardId}`, "restore_card", { card_id: cardId }),
    mergeCards(cardId, intoId) {
      news.mine(`card:${intoId}`);
      return own(`card:${cardId}`, "merge_cards", { card_id: cardId, into_id: intoId });
    },
    setPrivateWriting: (enabled, scope) => request("set_private_writing", { board_id: boardId, enabled, scope }),
    async vote(cardId, event) {
      const ack = await request(event, { card_id: cardId });
      if (ack.ok) state.votes.mine = ack.votes;
      return ack; // the view shows a refusal on the card and renders
    },
    spotlight: (cardId) => own("spotlight", "spotlight", { board_id: boardId, card_id: cardId }),
    refresh: () => view.render(),
  };
}

// Tests and curious people can read the state from the console.
window.workshopBoard = { state, socket, sync };
