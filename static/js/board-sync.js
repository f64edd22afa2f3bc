// One board's copy in this browser, kept in step with the server: the one way every live page (the
// board, the console, the projector) converges.
//
// The server is the truth. Every board event carries the board's sequence number: the next one is
// applied, one already seen is ignored, a gap (or a reconnect) asks for what was missed
// (`get_events` since the last one). `board_updated` brings a fresh snapshot: who sees what may
// have changed (private writing, a reveal). Votes, timer, spotlight and presence carry absolute
// state without numbers: the newest wins. Pages draw from `sync.state` in the hooks they give.
//
// One socket can carry several boards (the console): the socket's listeners are added once and
// hand each payload to the sync of its board.
import { joinBoard } from "./join-board.js";

const SEQUENCED = ["card_added", "card_edited", "card_hidden", "card_restored", "card_removed", "board_updated"];
const RETRY_MS = 1000;
const boardsOn = new WeakMap(); // socket -> Map(board id -> BoardSync)

function listen(socket) {
  const boards = new Map();
  boardsOn.set(socket, boards);
  const each = (handler) => (payload) => {
    const sync = payload && boards.get(payload.board_id);
    if (sync) handler(sync, payload);
  };
  for (const type of SEQUENCED) socket.on(type, each((sync, payload) => sync.receive({ type, ...payload })));
  socket.on("votes_changed", each((sync, { counts }) => sync.votesChanged(counts)));
  socket.on("my_votes_changed", each((sync, mine) => sync.myVotesChanged(mine)));
  socket.on("timer_changed", each((sync, { timer, server_time: serverTime }) => sync.timerChanged(timer, serverTime)));
  socket.on("spotlight_changed", each((sync, { card_id: cardId }) => sync.spotlightChanged(cardId)));
  socket.on("presence_changed", each((sync, summary) => sync.presenceChanged(summary)));
  socket.on("connect", () => boards.forEach((sync) => sync.join()));
  socket.on("disconnect", () => boards.forEach((sync) => sync.dropped()));
  return boards;
}

const noop = () => {};

export class BoardSync {
  /**
   * @param socket   the page's socket (see socket.js); several syncs may share it
   * @param snapshot the snapshot the page was rendered with
   * @param options  `join`: extra join_board fields (`{watch: true}`, `{as_room: true}`);
   *                 `state`: an object to keep the board in (the page may keep its own fields on it);
   *                 `initialPresence`: the presence the page was rendered with;
   *                 hooks, each optional:
   *                 `render()` the state changed: draw it;
   *                 `timer(timer, serverTime)` the timer changed (null `ends_at`: it is gone);
   *                 `card(card, {live, isNew})` a card entered the state (live: as it happened);
   *                 `phase(board)` the phase changed as it happened;
   *                 `event(event, before)` a sequenced event applied as it happened, with the card
   *                 or board it replaced (undefined for a new card), for the room's news (announce.js);
   *                 `timer(timer, serverTime, {live})` also says whether it came as it happened;
   *                 `spotlight(cardId)`; `presence(summary)`;
   *                 `joined(ack)` the board is open (again); `refused(ack)` join_board said no.
   */
  constructor(socket, snapshot, { join = {}, state = {}, initialPresence = null, ...hooks } = {}) {
    this.socket = socket;
    this.id = snapshot.board.id;
    this.joinFields = join;
    this.hooks = { render: noop, timer: noop, card: noop, phase: noop, event: noop, spotlight: noop, presence: noop, joined: noop, refused: noop, ...hooks };
    this.state = Object.assign(state, { presence: initialPresence, lastSeq: snapshot.last_seq });
    this.takeSnapshot(snapshot);
    this.joined = false;
    this.buffer = []; // events that came while the board was being opened or caught up
    this.asking = null; // the `since` of the get_events in flight
    this.askAgain = null; // a `since` to ask for once it answers (-1: a snapshot)
    (boardsOn.get(socket) || listen(socket)).set(this.id, this);
    if (socket.connected) this.join();
  }

  get asRoom() {
    return Boolean(this.joinFields.as_room);
  }

  join() {
    this.joined = false;
    joinBoard(this.socket, { board_id: this.id, since: this.state.lastSeq, ...this.joinFields }, (ack) => {
      if (!ack.ok) {
        this.hooks.refused(ack); // slow_down: joinBoard tries again by itself
        return;
      }
      this.joined = true;
      this.presenceChanged(ack.presence);
      this.applyCatchUp(ack);
      this.hooks.joined(ack);
    });
  }

  dropped() {
    this.joined = false;
    this.asking = this.askAgain = null;
  }

  // Sequenced events ---------------------------------------------------------------------------

  receive(event) {
    if (!this.joined || this.asking !== null) {
      this.buffer.push(event); // applied once the board is open or caught up
      return;
    }
    if (event.seq <= this.state.lastSeq) return;
    if (event.seq > this.state.lastSeq + 1) {
      this.buffer.push(event);
      this.catchUp(this.state.lastSeq);
      return;
    }
    this.apply(event, true);
    this.state.lastSeq = event.seq;
    this.hooks.render();
  }

  apply(event, live = false) {
    const { state } = this;
    if (live) {
      const id = event.card ? event.card.id : event.card_id;
      this.hooks.event(event, event.type === "board_updated" ? state.board : state.cards.get(id));
    }
    if (event.type === "board_updated") {
      const before = state.board;
      state.board = event.board;
      if (live && before.phase !== event.board.phase) this.hooks.phase(event.board);
      this.hooks.timer(event.board.timer); // a timer belongs to its phase: the server may have stopped it
      this.catchUp(-1); // who sees what may have changed: take a fresh snapshot
    } else if (event.card) {
      const isNew = !state.cards.has(event.card.id);
      state.cards.set(event.card.id, event.card);
      this.hooks.card(event.card, { live, isNew });
    } else if (event.type === "card_removed") {
      state.cards.delete(event.card_id);
    }
  }

  // Ask for what was missed after `since` (-1: a whole snapshot); one request at a time.
  catchUp(since) {
    if (this.asking !== null) {
      this.askAgain = this.askAgain === null ? since : Math.min(this.askAgain, since);
      return;
    }
    if (!this.socket.connected) return; // the reconnect's join catches up
    this.asking = since;
    const payload = { board_id: this.id, since, ...(this.asRoom ? { as_room: true } : {}) };
    this.socket.timeout(10000).emit("get_events", payload, (error, ack) => {
      if (this.asking !== since) return; // dropped meanwhile: the join after the reconnect answers
      this.asking = null;
      if (error || !ack.ok) {
        setTimeout(() => this.catchUp(since), RETRY_MS);
        return;
      }
      this.applyCatchUp(ack);
    });
  }

  applyCatchUp(ack) {
    const { state } = this;
    const before = state.board;
    if (ack.snapshot) {
      this.takeSnapshot(ack.snapshot);
    } else {
      for (const event of ack.events) this.apply(event);
      state.lastSeq = Math.max(state.lastSeq, ack.last_seq);
      state.board = ack.board;
      state.votes = ack.votes;
      state.serverTime = ack.server_time;
    }
    this.hooks.timer(state.board.timer, state.serverTime);
    this.hooks.render();
    // A change of phase (or a reveal, a pause) the catch-up brought is still news as it happens: it
    // may have come in the moment a snapshot was being fetched, and then never arrives as an event.
    if (before && (before.phase !== state.board.phase || before.paused !== state.board.paused
                   || before.voting.revealed !== state.board.voting.revealed)) {
      this.hooks.event({ type: "board_updated", board: state.board }, before);
      if (before.phase !== state.board.phase) this.hooks.phase(state.board);
    }
    if (this.askAgain !== null) {
      const since = this.askAgain === -1 ? -1 : Math.max(this.askAgain, state.lastSeq);
      this.askAgain = null;
      this.catchUp(since);
      return;
    }
    const buffered = this.buffer.sort((a, b) => a.seq - b.seq);
    this.buffer = [];
    for (const event of buffered) this.receive(event);
  }

  takeSnapshot(snapshot) {
    const { state } = this;
    state.board = snapshot.board;
    state.me = snapshot.me;
    state.votes = snapshot.votes;
    state.serverTime = snapshot.server_time;
    state.lastSeq = snapshot.last_seq;
    state.cards = new Map();
    for (const card of snapshot.cards) {
      state.cards.set(card.id, card);
      this.hooks.card(card, { live: false, isNew: true });
    }
  }

  // Absolute state ---------------------------------------------------------------------------

  votesChanged(counts) {
    this.state.votes.counts = { ...(this.state.votes.counts || {}), ...counts };
    this.hooks.render();
  }

  myVotesChanged(mine) {
    this.state.votes.mine = mine;
    this.hooks.render();
  }

  timerChanged(timer, serverTime) {
    this.state.board.timer = timer;
    this.state.serverTime = serverTime;
    this.hooks.timer(timer, serverTime, { live: true });
  }

  spotlightChanged(cardId) {
    this.state.board.spotlight_card_id = cardId;
    this.hooks.render();
    this.hooks.spotlight(cardId);
  }

  presenceChanged(summary) {
    if (!summary) return;
    this.state.presence = summary;
    this.hooks.presence(summary);
  }
}
