// What the room does, told to a screen reader: cards others add, phase and timer changes, votes
// revealed, the spotlight, cards merged or taken away. One polite live region per page (not the
// page's status or alert regions, which carry the person's own feedback), written at most once per
// INTERVAL_MS: what happens meanwhile is gathered and the newest summary of each kind wins, so a
// busy board does not flood. The person's own actions are not told (their feedback already speaks).
// A checkbox ("Announce what others do", remembered in this browser) quiets it.
import { announce } from "./dom.js";
import { clockOffset, format } from "./timer.js";

const INTERVAL_MS = 2000;
const QUIET_KEY = "workshop:announce-others";
const OWN_MS = 5000; // how long an action this page sent counts as the person's own
const LANES = ["problem", "idea", "action"];
// The order a summary reads in: where the board stands first, then what happened on it.
const KINDS = ["phase", "paused", "timer", "votes", "spotlight", "cards", "changes"];

export class RoomNews {
  /**
   * @param region the page's polite live region for the room's news
   * @param toggle the "Announce what others do" checkbox (or null)
   * @param state  the sync's state (`me`, `cards`, `board`)
   * @param t, count  the page's message lookups (messages.js)
   */
  constructor({ region, toggle, state, t, count }) {
    Object.assign(this, { region, toggle, state, t, count });
    this.pending = new Map(); // kind -> message (the newest wins)
    this.added = []; // cards added since the last announcement
    this.removed = []; // cards taken off the board (deleted, hidden, merged away) since then
    this.own = new Map(); // key -> until when a change of it is this person's own
    this.timerShown = timerState(state.board.timer);
    this.lastWrite = 0;
    this.flushTimer = null;
    if (toggle) {
      toggle.checked = this.on;
      toggle.addEventListener("change", () => {
        localStorage.setItem(QUIET_KEY, toggle.checked ? "on" : "off");
        if (!toggle.checked) this.clear();
      });
    }
  }

  get on() {
    return localStorage.getItem(QUIET_KEY) !== "off";
  }

  /** This page is about to change `key` ("spotlight", `card:<id>`): the change is not news to it. */
  mine(key) {
    this.own.set(key, Date.now() + OWN_MS);
  }

  isMine(key) {
    const until = this.own.get(key);
    return Boolean(until && until > Date.now());
  }

  myCard(card) {
    const { me } = this.state;
    return me.role === "participant" && (card.author.id === me.id || card.merged.some((part) => part.author.id === me.id));
  }

  // What the sync saw as it happened ---------------------------------------------------------

  /** A sequenced event applied live; `before` is the card or board it replaced (if any). */
  event(event, before) {
    if (event.type === "board_updated") this.boardChanged(before, event.board);
    else if (event.type === "card_added" && !before) this.cardAdded(event.card);
    else if (event.type === "card_edited" && before && event.card.merged.length > before.merged.length) {
      if (!this.isMine(`card:${event.card.id}`)) this.say("changes", this.t("announce.merged", { text: event.card.text }));
    } else if ((event.type === "card_removed" || event.type === "card_hidden") && before) {
      if (!this.isMine(`card:${before.id}`)) {
        this.removed.push(before);
        this.schedule();
      }
    }
  }

  cardAdded(card) {
    if (this.myCard(card)) return;
    this.added.push(card);
    this.schedule();
  }

  boardChanged(before, board) {
    if (!before) return;
    if (before.phase !== board.phase) this.say("phase", this.t("announce.phase", { phase: this.t(`phase.${board.phase}`) }));
    if (!before.voting.revealed && board.voting.revealed) this.say("votes", this.t("announce.revealed"));
    if (before.paused !== board.paused) this.say("paused", this.t(board.paused ? "paused" : "announce.resumed"));
  }

  /** A timer change: told when `live` (started, resumed or a minute added; paused; stopped). */
  timer(timer, live, serverTime) {
    const state = timerState(timer);
    if (!live) {
      this.timerShown = state;
      return;
    }
    if (state === "running") {
      const left = (Date.parse(timer.ends_at) - (Date.now() + clockOffset(serverTime))) / 1000;
      this.say("timer", this.t("announce.timer.running", { time: format(left) }));
    } else if (state === "paused") this.say("timer", this.t("timer.paused", { time: format(timer.remaining) }));
    else if (this.timerShown && this.timerShown !== "up") this.say("timer", this.t("announce.timer.stopped"));
    this.timerShown = state;
  }

  /** The countdown on this page reached zero. */
  timeUp() {
    this.timerShown = "up";
    this.say("timer", this.t("timer.up"));
  }

  spotlight(cardId) {
    if (this.isMine("spotlight")) return;
    const card = cardId && this.state.cards.get(cardId);
    this.say("spotlight", card ? this.t("announce.spotlight", { text: card.text }) : this.t("announce.spotlight.off"));
  }

  // Batching ---------------------------------------------------------------------------------

  say(kind, message) {
    this.pending.set(kind, message);
    this.schedule();
  }

  // One announcement when the window since the first news (and since the last announcement) has passed.
  schedule() {
    if (!this.on) {
      this.clear();
      return;
    }
    if (this.flushTimer) return;
    const wait = Math.max(INTERVAL_MS, this.lastWrite + INTERVAL_MS - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    this.flushTimer = null;
    // A card added and taken off again before it was told is neither: the room never heard of it
    // (a card hidden at once must not be read out as added after it has gone).
    const gone = new Set(this.removed.map((card) => card.id));
    const added = this.added.filter((card) => !gone.has(card.id));
    const untold = new Set(this.added.map((card) => card.id));
    if (added.length) this.pending.set("cards", this.cardsSummary(added));
    // A card merged into another is told by the merge, not again as taken off the board.
    const merged = new Set([...this.state.cards.values()].flatMap((card) => card.merged.map((part) => part.id)));
    const removed = this.removed.filter((card) => !merged.has(card.id) && !untold.has(card.id));
    if (removed.length) {
      const words = removed.length === 1
        ? this.t("announce.removed", { text: removed[0].text })
        : this.count("announce.removed.count", removed.length);
      this.pending.set("changes", [this.pending.get("changes"), words].filter(Boolean).join(" "));
    }
    const message = KINDS.map((kind) => this.pending.get(kind)).filter(Boolean).join(" ");
    this.pending.clear();
    this.added = [];
    this.removed = [];
    if (!message || !this.on) return;
    this.lastWrite = Date.now();
    announce(this.region, message); // replaces the last summary (emptied first: the same words twice are read twice)
  }

  cardsSummary(cards) {
    if (cards.length === 1) {
      const [card] = cards;
      return this.t(`announce.added.${card.lane}`, { name: card.author.name, city: card.author.city, text: card.text });
    }
    const lanes = LANES.map((lane) => [lane, cards.filter((card) => card.lane === lane).length])
      .filter(([, n]) => n)
      .map(([lane, n]) => this.count(`announce.lane.${lane}`, n));
    return this.count("announce.cards", cards.length, { lanes: lanes.join(", ") });
  }

  clear() {
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.pending.clear();
    this.added = [];
    this.removed = [];
    this.region.textContent = "";
  }
}

function timerState(timer) {
  if (!timer) return "off";
  if (timer.remaining !== null && timer.remaining !== undefined) return "paused";
  return timer.ends_at ? "running" : "off";
}
