// The board page: keeps this browser's copy of the board in step with the server.
//
// The server is the truth. Every board event carries the board's sequence number: the next one is
// applied, one already seen is ignored, a gap (or a reconnect) asks for what was missed. Cards
// typed while offline wait in localStorage and are sent when the connection returns; the
// client-made id makes a retry land once.
import { BoardView } from "./board-view.js";
import { joinBoard } from "./join-board.js";
import { openSocket } from "./socket.js";

const data = JSON.parse(document.getElementById("board-data").textContent);
const boardId = data.snapshot.board.id;
const t = (key, vars = {}) => (data.messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");

const state = {
  board: data.snapshot.board,
  me: data.snapshot.me,
  cards: new Map(data.snapshot.cards.map((card) => [card.id, card])),
  votes: data.snapshot.votes,
  serverTime: data.snapshot.server_time,
  lastSeq: data.snapshot.last_seq,
  pending: [],
  inFlight: new Set(),
  buffer: [],
  catchingUp: false,
  joined: false,
  wasOffline: false,
};

const pendingKey = `workshop:pending:${boardId}:${state.me.role}:${state.me.id}`;
state.pending = JSON.parse(localStorage.getItem(pendingKey) || "[]");
const savePending = () => localStorage.setItem(pendingKey, JSON.stringify(state.pending));
const UNAVAILABLE_RETRY_MS = 2000;

const socket = openSocket(t);
const view = new BoardView({ state, limits: data.limits, t, actions: makeActions() });
view.render();

// Connection --------------------------------------------------------------------------------

socket.on("connect", join);
socket.on("disconnect", () => {
  state.joined = false;
  state.wasOffline = true;
  state.inFlight.clear();
  view.showConnection("offline");
});
socket.on("connect_error", () => view.showConnection("offline"));

function join() {
  joinBoard(socket, { board_id: boardId, since: state.lastSeq }, (ack) => {
    if (!ack.ok && ack.error.code === "slow_down") {
      view.announce(t("slow_down.join", { n: ack.error.retry_after })); // joinBoard tries again then
      return;
    }
    if (!ack.ok) {
      view.announce(t("announce.error", { message: ack.error.message }));
      return;
    }
    state.joined = true;
    view.showPresence(ack.presence);
    applyCatchUp(ack);
    if (state.wasOffline) view.showConnection("online");
    state.wasOffline = false;
    flushPending();
  });
}

// Events from the server ----------------------------------------------------------------------

const BOARD_EVENTS = [
  "card_added", "card_edited", "card_deleted", "card_hidden", "card_restored", "card_merged",
  "card_removed", "board_updated",
];
for (const type of BOARD_EVENTS) socket.on(type, (payload) => receive({ type, ...payload }));
socket.on("presence_changed", (summary) => summary.board_id === boardId && view.showPresence(summary));

// Votes, timer and spotlight carry absolute state, not sequence numbers: the newest wins.
socket.on("votes_changed", ({ board_id: id, counts }) => {
  if (id !== boardId) return;
  state.votes.counts = { ...(state.votes.counts || {}), ...counts };
  view.render();
});
socket.on("my_votes_changed", (mine) => {
  if (mine.board_id !== boardId) return;
  state.votes.mine = mine;
  view.render();
});
socket.on("timer_changed", ({ board_id: id, timer, server_time: serverTime }) => {
  if (id !== boardId) return;
  state.board.timer = timer;
  view.showTimer(timer, serverTime);
});
socket.on("spotlight_changed", ({ board_id: id, card_id: cardId }) => {
  if (id !== boardId) return;
  state.board.spotlight_card_id = cardId;
  view.render();
  view.showSpotlight();
});
socket.on("commitment_reminder", ({ city, url }) => view.showReminder(city, url));
socket.on("participant_removed", () => {
  socket.disconnect();
  view.showRemoved();
});
socket.on("workshop_deleted", () => {
  socket.disconnect();
  view.showRemoved("deleted");
});

function receive(event) {
  if (event.board_id !== boardId) return;
  if (state.catchingUp || event.seq > state.lastSeq + 1) {
    state.buffer.push(event);
    catchUp(state.lastSeq);
    return;
  }
  if (event.seq <= state.lastSeq) return;
  apply(event, { live: true });
  state.lastSeq = event.seq;
  view.render();
}

function apply(event, { live = false } = {}) {
  if (event.type === "board_updated") {
    if (live && event.board.phase !== state.board.phase) {
      view.announce(t("announce.phase", { phase: t(`phase.${event.board.phase}`) }));
    }
    state.board = event.board;
    // Who sees what may have changed (private writing, reveal): take a fresh snapshot.
    catchUp(-1);
  } else if (event.card) {
    const isNew = !state.cards.has(event.card.id);
    upsert(event.card);
    if (live && isNew && event.card.author.id !== state.me.id) {
      view.announce(t("announce.added", { name: event.card.author.name, city: event.card.author.city, text: event.card.text }));
    }
  } else if (event.type === "card_removed") {
    state.cards.delete(event.card_id);
  }
}

function upsert(card) {
  state.cards.set(card.id, card);
  if (card.client_id && state.pending.some((item) => item.client_id === card.client_id)) {
    state.pending = state.pending.filter((item) => item.client_id !== card.client_id);
    savePending();
  }
}

// Ask for what we missed after `since` (-1: a whole snapshot).
function catchUp(since) {
  if (state.catchingUp || !socket.connected) return;
  state.catchingUp = true;
  socket.timeout(10000).emit("get_events", { board_id: boardId, since }, (error, ack) => {
    state.catchingUp = false;
    if (error || !ack.ok) {
      setTimeout(() => catchUp(since), 1000); // buffered events wait for this; a reconnect also drains them
      return;
    }
    applyCatchUp(ack);
  });
}

function applyCatchUp(ack) {
  const fresh = ack.snapshot || ack;
  if (ack.snapshot) {
    state.me = ack.snapshot.me;
    state.cards = new Map(ack.snapshot.cards.map((card) => [card.id, card]));
    for (const card of ack.snapshot.cards) upsert(card);
    state.lastSeq = ack.last_seq;
  } else {
    for (const event of ack.events) apply(event);
    state.lastSeq = Math.max(state.lastSeq, ack.last_seq);
  }
  state.board = fresh.board;
  state.votes = fresh.votes;
  view.showTimer(state.board.timer, fresh.server_time);
  const buffered = state.buffer.sort((a, b) => a.seq - b.seq);
  state.buffer = [];
  view.render();
  for (const event of buffered) receive(event);
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
      view.showError(item.lane, t("slow_down.card", { n: ack.error.retry_after }));
      setTimeout(() => state.pending.includes(item) && sendPending(item), ack.error.retry_after * 1000);
      return;
    }
    state.pending = state.pending.filter((other) => other.client_id !== item.client_id);
    savePending();
    if (ack.ok) {
      upsert(ack.card);
      view.clearError(item.lane);
    } else view.showError(item.lane, ack.error.message, item.text);
    view.render();
  });
}

function request(event, payload) {
  return new Promise((resolve) => {
    if (!socket.connected) {
      resolve({ ok: false, error: { message: t("reconnecting") } });
      return;
    }
    socket.timeout(15000).emit(event, payload, (error, ack) => {
      resolve(error ? { ok: false, error: { message: t("reconnecting") } } : ack);
    });
  });
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
    deleteCard: (cardId) => request("delete_card", { card_id: cardId }),
    hideCard: (cardId, reason) => request("hide_card", { card_id: cardId, reason }),
    restoreCard: (cardId) => request("restore_card", { card_id: cardId }),
    mergeCards: (cardId, intoId) => request("merge_cards", { card_id: cardId, into_id: intoId }),
    setPrivateWriting: (enabled, scope) => request("set_private_writing", { board_id: boardId, enabled, scope }),
    async vote(cardId, event) {
      const ack = await request(event, { card_id: cardId });
      if (ack.ok) state.votes.mine = ack.votes;
      return ack; // the view shows a refusal on the card and renders
    },
    spotlight: (cardId) => request("spotlight", { board_id: boardId, card_id: cardId }),
    refresh: () => view.render(),
  };
}

// Tests and curious people can read the state from the console.
window.workshopBoard = { state, socket };
