// The board's DOM: three lanes (board-lanes.js builds them with their composers) and their cards,
// filters, presence and the connection line. Built with createElement and textContent only: card text is never HTML.
// Cards are keyed by id and rebuilt only when they change, so focus and open forms survive.
import { cardElement } from "./board-card.js";
import { EarlierRounds } from "./board-rounds.js";
import { buildLanes } from "./board-lanes.js";
import { announce, h } from "./dom.js";
import { cityCounts, excerpt, pageLanguage } from "./messages.js";
import { ranked, seenByRoom } from "./ranking.js";
import * as rules from "./rules.js";
import { Countdown } from "./timer.js";

export class BoardView {
  // `t` looks a message up, `tCount` a count in words (messages.js).
  constructor({ state, limits, t, tCount, actions }) {
    Object.assign(this, { state, limits, t, tCount, actions });
    this.elements = new Map(); // card id -> { card, element }
    this.open = null; // { cardId, mode } while a card shows an inline form
    this.voteErrors = new Map(); // card id -> the server's refusal of this person's last dot there
    this.lanes = {};
    this.build();
    this.rounds = new EarlierRounds(document.getElementById("lanes"), t, tCount);
    this.filters = document.getElementById("filters");
    this.filters.addEventListener("input", () => this.render());
    this.filters.addEventListener("submit", (event) => event.preventDefault());
    // On a phone the other boards scroll sideways in their row: show this board's name in it.
    const current = document.querySelector(".board-switcher [aria-current]");
    if (current) {
      const row = current.closest("ul");
      row.scrollLeft += current.getBoundingClientRect().left - row.getBoundingClientRect().left - 8;
    }
    // On a phone the filters fold behind one button, so that the cards start on the first screen.
    const toggle = document.getElementById("filters-toggle");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      this.filters.classList.toggle("is-open", open);
    });
    this.bindFacilitatorTools();
    this.countdown = new Countdown(document.getElementById("timer"), t);
    this.countdown.set(state.board.timer, state.serverTime);
    setInterval(() => this.refreshTimes(), 30000);
  }

  build() {
    ({ lanes: this.lanes, switcher: this.switcher } = buildLanes(this));
  }

  linkTarget(lane) {
    return rules.linkTarget(lane, this.state);
  }

  bindFacilitatorTools() {
    const toggle = document.getElementById("private-writing");
    if (!toggle) return;
    const scope = document.getElementById("private-scope");
    const error = document.getElementById("tools-error");
    const send = async (enabled) => {
      const ack = await this.actions.setPrivateWriting(enabled, scope.value);
      error.hidden = ack.ok;
      error.textContent = ack.ok ? "" : this.t("announce.error", { message: ack.error.message });
      if (!ack.ok) this.render(); // the switch shows what the board has, not what was asked
    };
    toggle.addEventListener("change", () => send(toggle.checked));
    scope.addEventListener("change", () => toggle.checked && send(true));
    document.getElementById("reveal").addEventListener("click", () => send(false));
  }

  // Which cards show, in which order ---------------------------------------------------------

  matches(card) {
    const text = document.getElementById("filter-text").value.trim().toLocaleLowerCase();
    const city = document.getElementById("filter-city").value;
    const mine = document.getElementById("filter-mine").checked;
    if (mine && !this.isMine(card)) return false;
    if (city && card.author.city !== city && !card.merged.some((part) => part.author.city === city)) return false;
    if (!text) return true;
    const haystack = [card.text, card.author.name, ...card.merged.map((part) => `${part.text} ${part.author.name}`)];
    return haystack.join(" ").toLocaleLowerCase().includes(text);
  }

  isMine(card) {
    const me = this.state.me;
    return me.role === "participant" && (card.author.id === me.id || card.merged.some((part) => part.author.id === me.id));
  }

  // What this person may do with a card: rules.js, from the facts the server sends.
  mayChange(card) {
    return rules.mayChange(card, this.state);
  }

  mayCompletePlan(card) {
    return rules.mayCompletePlan(card, this.state);
  }

  sorted(cards) {
    const newestFirst = document.getElementById("sort").value !== "oldest";
    return cards.sort((a, b) => (newestFirst ? b.id - a.id : a.id - b.id));
  }

  // Voting -------------------------------------------------------------------------------------

  votable(card) {
    return rules.votable(card, this.state);
  }

  canVote(card) {
    return rules.mayVote(card, this.state);
  }

  count(card) {
    const counts = this.state.votes.counts;
    return counts ? counts[String(card.id)] || 0 : null;
  }

  // This person's dots on `card` (mine), and their budget holder's: themself, or their city team (onCard, team).
  myDots(card) {
    const mine = this.state.votes.mine;
    if (!mine) return { mine: 0, team: [], onCard: 0 };
    const dots = mine.dots.filter((dot) => dot.card_id === card.id);
    const total = (list) => list.reduce((sum, dot) => sum + dot.count, 0);
    return { mine: total(dots.filter((dot) => dot.participant_id === this.state.me.id)), team: dots, onCard: total(dots) };
  }

  // Put a dot on a card or take one back. A refusal shows on the card and goes to the live region.
  async vote(cardId, event) {
    const ack = await this.actions.vote(cardId, event);
    if (ack.ok) this.voteErrors.clear();
    else {
      this.voteErrors.set(cardId, ack.error.message);
      this.announce(this.t("announce.error", { message: ack.error.message }));
    }
    this.render();
  }

  // Rendering --------------------------------------------------------------------------------

  render() {
    const focus = this.focusNow();
    const { board, me } = this.state;
    const cards = [...this.state.cards.values()];
    if (board.phase !== this.phase) this.voteErrors.clear();
    this.phase = board.phase;
    this.renderStatus();
    this.switcher.followPhase(board);
    this.ranks = new Map();
    document.getElementById("private-note").hidden = !(board.private_writing && me.role === "participant");
    const toggle = document.getElementById("private-writing");
    if (toggle) {
      toggle.checked = board.private_writing;
      document.getElementById("private-scope").value = board.private_scope;
      const reveal = document.getElementById("reveal");
      const revealing = document.activeElement === reveal;
      reveal.hidden = !board.private_writing; // only when there is something to reveal
      if (revealing && reveal.hidden) toggle.focus(); // done: the focus goes to the switch, not the page
    }
    const seen = new Set();
    for (const lane of board.lanes) {
      const parts = this.lanes[lane];
      const showRanking = board.phase === "results" && board.voting.lanes.includes(lane) && this.state.votes.counts;
      const ranking = showRanking ? ranked(cards.filter((card) => card.lane === lane), this.state.votes.counts) : null;
      for (const entry of ranking || []) this.ranks.set(entry.card.id, entry);
      // In results the ranked cards come first; a card the room does not see (its author may) follows, unranked.
      const inLane = ranking
        ? [...ranking.map((entry) => entry.card), ...this.sorted(cards.filter((card) => card.lane === lane && !seenByRoom(card)))]
        : this.sorted(cards.filter((card) => card.lane === lane));
      parts.count.textContent = `(${inLane.length})`;
      this.switcher.setCount(lane, String(inLane.length));
      parts.form.hidden = !rules.mayPost(this.state);
      if (parts.linkSelect) this.fillLinkOptions(parts.linkSelect, this.linkTarget(lane));
      const elements = inLane.map((card) => {
        seen.add(card.id);
        const element = this.cardElementFor(card);
        element.hidden = !this.matches(card);
        return element;
      });
      elements.push(...this.pendingElements(lane));
      reorder(parts.list, elements);
    }
    for (const [id, entry] of this.elements) {
      if (!seen.has(id)) {
        entry.element.remove();
        this.elements.delete(id);
        if (this.open && this.open.cardId === id) this.open = null;
      }
    }
    this.rounds.render(this.state);
    this.keepFocus(focus);
  }

  // Focus -------------------------------------------------------------------------------------
  // A render may rebuild the card holding focus (after a vote), hide a form (on a phase change) or
  // remove a card: focus then stays on the same control in the rebuilt card, or moves to its
  // sibling vote button or the card itself, or to the lane's heading: never to the page body.

  focusNow() {
    const active = document.activeElement;
    if (!active || active === document.body || !document.getElementById("lanes").contains(active)) return null;
    const cardElement = active.closest("[data-card-id]");
    return { element: active, cardId: cardElement && Number(cardElement.dataset.cardId), key: active.dataset.focusKey,
      lane: active.closest(".lane")?.querySelector("h2") };
  }

  keepFocus(focus) {
    if (!focus) return;
    const usable = (element) => element && element.isConnected && !element.disabled && !element.closest("[hidden]");
    if (usable(focus.element)) {
      if (document.activeElement !== focus.element) focus.element.focus();
      return;
    }
    const cardElement = focus.cardId && this.elements.get(focus.cardId)?.element;
    const candidates = cardElement ? [
      focus.key && cardElement.querySelector(`[data-focus-key="${focus.key}"]`),
      ...(focus.key ? cardElement.querySelectorAll("[data-focus-key]") : []),
      cardElement,
    ] : [];
    const target = [...candidates, focus.lane].find(usable);
    if (target) target.focus();
  }

  cardElementFor(card) {
    const entry = this.elements.get(card.id);
    const openHere = this.open && this.open.cardId === card.id;
    // Everything besides the card itself that shows on it: rebuild only when one of these changes.
    const { board } = this.state;
    const rank = this.ranks.get(card.id);
    const context = JSON.stringify([board.phase, board.paused, board.spotlight_card_id === card.id, this.count(card),
      this.myDots(card), rank && [rank.rank, rank.tie], board.voting, this.state.votes.mine && this.state.votes.mine.left,
      this.voteErrors.get(card.id)]);
    if (entry && (entry.card === card || openHere) && entry.context === context
        && entry.openMode === (openHere ? this.open.mode : null)) {
      return entry.element;
    }
    const element = cardElement(card, this);
    if (entry) entry.element.replaceWith(element);
    this.elements.set(card.id, { card, element, context, openMode: openHere ? this.open.mode : null });
    return element;
  }

  pendingElements(lane) {
    return this.state.pending
      .filter((item) => item.lane === lane)
      .map((item) => h("li", { class: `card pending lane-${lane}` },
        h("p", { class: "card-text", text: item.text }),
        h("p", { class: "card-meta", text: this.t("pending") })));
  }

  fillLinkOptions(select, lane) {
    const options = [...this.state.cards.values()].filter((card) => card.lane === lane).sort((a, b) => a.id - b.id);
    const signature = options.map((card) => `${card.id}:${card.text}`).join("|");
    if (select.dataset.signature === signature) return;
    const chosen = select.value;
    select.replaceChildren(h("option", { value: "", text: this.t("link.none") }),
      ...options.map((card) => h("option", { value: card.id, text: excerpt(card.text, 70) })));
    select.value = options.some((card) => String(card.id) === chosen) ? chosen : "";
    select.dataset.signature = signature;
  }

  setOpen(cardId, mode) {
    this.open = mode ? { cardId, mode } : null;
    this.render();
    const element = this.elements.get(cardId)?.element;
    if (element) this.switcher.reveal(element);
    const focusable = element && (element.querySelector("textarea, input, select") || element);
    if (focusable) focusable.focus();
  }

  jumpTo(cardId) {
    const element = this.elements.get(cardId)?.element;
    if (!element) return;
    if (element.hidden) {
      this.filters.reset();
      this.render();
    }
    this.switcher.reveal(element);
    element.scrollIntoView({ block: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
    element.focus();
    element.classList.add("flash-highlight");
    setTimeout(() => element.classList.remove("flash-highlight"), 1600);
  }

  refreshTimes() {
    for (const time of document.querySelectorAll("#lanes time[datetime]")) time.textContent = this.ago(time.getAttribute("datetime"));
  }

  ago(iso) {
    const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
    const format = new Intl.RelativeTimeFormat(pageLanguage(), { numeric: "auto" });
    if (Math.abs(seconds) < 45) return format.format(0, "second"); // "now", "maintenant", "teraz"
    for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
      if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
    }
    return format.format(seconds, "second");
  }

  // Status lines -----------------------------------------------------------------------------

  renderStatus() {
    const { board, me, votes } = this.state;
    const phase = this.t(`phase.${board.phase}`);
    document.getElementById("phase").textContent = board.voting.round > 1 ? this.t("phase.round", { phase, n: board.voting.round }) : phase;
    const paused = document.getElementById("paused-note");
    paused.hidden = !board.paused;
    paused.textContent = this.t("paused");
    const dotsLeft = document.getElementById("dots-left");
    const showDots = me.role === "participant" && board.phase === "vote" && votes.mine;
    dotsLeft.hidden = !showDots;
    if (showDots) {
      const key = board.voting.mode === "city" ? "dots.left.city" : "dots.left";
      const text = this.t(key, { left: votes.mine.left, budget: board.voting.budget, city: me.city });
      if (dotsLeft.textContent !== text) dotsLeft.textContent = text;
    }
  }

  showTimer(timer, serverTime) {
    this.countdown.set(timer, serverTime);
  }

  showSpotlight() {
    const id = this.state.board.spotlight_card_id;
    const element = id && this.elements.get(id)?.element;
    if (!element) return;
    if (element.hidden) {
      this.filters.reset();
      this.render();
    }
    this.switcher.reveal(element);
    const motion = matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
    element.scrollIntoView({ block: "center", behavior: motion }); // the room's news tells it (announce.js)
  }

  showReminder(city, url) {
    const note = document.getElementById("paused-note").cloneNode();
    note.id = "reminder";
    note.hidden = false;
    note.append(this.t("reminder", { city }), " ", h("a", { href: url, text: this.t("reminder.link") }));
    document.getElementById("reminder")?.remove();
    document.getElementById("paused-note").after(note);
    this.announce(this.t("reminder", { city }));
  }

  showRemoved(why = "removed") {
    const heading = h("h1", { text: this.t(why), tabindex: "-1" });
    document.getElementById("main").replaceChildren(heading);
    heading.focus(); // what had the focus is gone
  }

  showPresence({ count, cities }) {
    const list = cityCounts(cities);
    document.getElementById("presence").textContent =
      this.tCount("presence", count) + (list ? ` ${this.t("presence.cities", { cities: list })}` : "");
  }

  showConnection(status) {
    const line = document.getElementById("connection");
    line.dataset.status = status;
    line.textContent = status === "offline" ? this.t("reconnecting") : this.t("online");
    clearTimeout(this.connectionTimer);
    if (status === "online") this.connectionTimer = setTimeout(() => { line.textContent = ""; }, 4000);
  }

  showError(lane, message, text) {
    const parts = this.lanes[lane];
    parts.error.textContent = message;
    parts.error.hidden = false;
    if (text && !parts.textarea.value) parts.textarea.value = text;
  }

  clearError(lane) {
    this.lanes[lane].error.hidden = true;
  }

  announce(message) {
    announce(document.getElementById("announcer"), message);
  }
}

// Put `elements` into `list` in order, moving only what is out of place (a moved node loses focus).
function reorder(list, elements) {
  elements.forEach((element, index) => {
    if (list.children[index] !== element) list.insertBefore(element, list.children[index] || null);
  });
  while (list.children.length > elements.length) list.lastElementChild.remove();
}
