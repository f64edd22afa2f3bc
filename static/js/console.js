// The facilitator's console: one compact row per board (phase, timer, people, cards, dots), and
// the controls of one board at a time below its row, showing only what applies to the board now.
// It watches each board (join_board with watch: true, so it does not count as a person there) and
// sends the same facilitator events the board page does.
import { announce } from "./dom.js";
import { BoardSync } from "./board-sync.js";
import { Moderation } from "./console-cards.js";
import { MergeSuggestions, followDismissals } from "./merges.js";
import { cityCounts, translator } from "./messages.js";
import { requester } from "./request.js";
import { Countdown } from "./timer.js";
import { openSocket } from "./socket.js";

const data = JSON.parse(document.getElementById("console-data").textContent);
const { t, count } = translator(data.messages);
const socket = openSocket(t);
const request = requester(socket, t);
const panels = new Map();
const OPEN_KEY = `console-open:${location.pathname}`;

// Errors show beside the control that failed and are read out once, from the page's live region.
const announcer = document.getElementById("console-announce");
function showError(slot, message) {
  if (slot) {
    slot.textContent = message;
    slot.hidden = !message;
  }
  if (message) announce(announcer, message);
}

const visible = (element) => element.isConnected && element.checkVisibility();
const FOCUSABLE = "button, input, select, textarea, a[href]";

// After these buttons do their work they disappear; the focus goes to the one that undoes it.
const COUNTERPART = {
  pause: "resume", resume: "pause", "pause-timer": "resume-timer", "resume-timer": "pause-timer",
  "stop-timer": "minutes-1", "custom-timer": "pause-timer", "minutes-1": "pause-timer", "minutes-3": "pause-timer",
  "minutes-5": "pause-timer", "minutes-10": "pause-timer",
};

class Panel {
  constructor(entry) {
    const snapshot = entry.snapshot;
    this.id = snapshot.board.id;
    this.board = snapshot.board;
    this.cards = new Map(snapshot.cards.map((card) => [card.id, card]));
    this.counts = snapshot.votes.counts || {};
    this.presence = entry.presence;
    this.element = document.getElementById(`console-board-${this.id}`);
    this.controls = this.element.querySelector(".console-controls");
    this.toggle = this.element.querySelector('[data-action="toggle"]');
    this.moderation = new Moderation(this, { t, count, request, showError, limits: data.limits });
    this.merges = new MergeSuggestions(this, { request, showError });
    this.showAll = false;
    this.pendingFocus = null;
    this.countdown = new Countdown(this.element.querySelector(".timer"), t);
    this.countdown.set(this.board.timer, snapshot.server_time);
    // The countdown tells when the timer changes state (started, paused, stopped, at zero on its own), so that its buttons follow.
    this.countdown.onState = () => this.keepFocus(() => this.drawTimer());
    this.bind();
    this.setOpen(sessionStorage.getItem(OPEN_KEY) === String(this.id));
    this.render();
  }

  part(selector) {
    return this.element.querySelector(selector);
  }

  field(name) {
    return this.part(`[data-field="${name}"]`);
  }

  fact(name, text) {
    const element = this.part(`[data-fact="${name}"]`);
    if (element.textContent !== text) element.textContent = text;
  }

  byKey(key) {
    return this.element.querySelector(`[data-key="${CSS.escape(key)}"]`);
  }

  send(event, payload, slot) {
    return request(event, { board_id: this.id, ...payload }).then((ack) => {
      showError(slot, ack.ok ? "" : ack.error.message);
      return ack;
    });
  }

  // One board's controls open at a time; which one is remembered for this tab (a reload keeps it).
  setOpen(open) {
    this.isOpen = open;
    this.toggle.setAttribute("aria-expanded", String(open));
    this.controls.hidden = !open;
    if (open) this.moderation.draw();
  }

  toggleOpen() {
    const open = !this.isOpen;
    for (const panel of panels.values()) panel.setOpen(panel === this && open);
    if (open) sessionStorage.setItem(OPEN_KEY, String(this.id));
    else sessionStorage.removeItem(OPEN_KEY);
    this.toggle.scrollIntoView({ block: "nearest" });
  }

  bind() {
    const errorOf = (element) => element.closest("[data-group]").querySelector("[data-error]");
    const on = (action, handler) => {
      const button = this.part(`[data-action="${action}"]`);
      button.dataset.key ||= action;
      button.addEventListener("click", () => handler(button));
    };
    // A control that sends an event: its error shows in its group; once done, the focus goes to
    // its counterpart if it has one (Pause -> Resume), else stays in the group (keepFocus).
    const sends = (button, event, payload, focusAfter = COUNTERPART[button.dataset.key]) => this.send(event, payload(), errorOf(button)).then((ack) => {
      if (ack.ok && focusAfter) this.focusLater(focusAfter);
      this.render();
    });
    on("toggle", () => this.toggleOpen());
    for (const button of this.element.querySelectorAll("[data-phase]")) {
      button.dataset.key = `phase-${button.dataset.phase}-${button.dataset.show}`;
      button.addEventListener("click", () => sends(button, "set_phase", () => ({
        phase: button.dataset.phase, keep_posting_open: this.field("keep-open").checked,
      })));
    }
    // While voting, the box applies at once; while collecting it goes with "Start voting".
    this.field("keep-open").addEventListener("change", (event) => {
      if (this.board.phase === "vote") sends(event.target, "set_phase", () => ({ phase: "vote", keep_posting_open: event.target.checked }));
    });
    on("pause", (button) => sends(button, "set_paused", () => ({ paused: true })));
    on("resume", (button) => sends(button, "set_paused", () => ({ paused: false })));
    on("start-round", (button) => sends(button, "start_round", () => ({})));
    for (const button of this.element.querySelectorAll("[data-minutes]")) {
      button.dataset.key = `minutes-${button.dataset.minutes}`;
      button.addEventListener("click", () => sends(button, "start_timer", () => ({
        seconds: Number(button.dataset.minutes) * 60, advances: this.field("advances").checked,
      })));
    }
    on("custom-timer", (button) => sends(button, "start_timer", () => ({
      seconds: Math.round(Number(this.field("minutes").value) * 60), advances: this.field("advances").checked,
    })));
    on("pause-timer", (button) => sends(button, "pause_timer", () => ({})));
    on("resume-timer", (button) => sends(button, "resume_timer", () => ({})));
    on("add-minute", (button) => sends(button, "add_time", () => ({ seconds: 60 })));
    on("stop-timer", (button) => sends(button, "stop_timer", () => ({})));
    on("reveal", (button) => sends(button, "reveal_votes", () => ({})));
    on("toggle-voting", (button) => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      this.part(".voting-settings").hidden = !open;
    });
    on("save-voting", (button) => sends(button, "configure_voting", () => ({
      budget: Number(this.field("budget").value),
      cap: Number(this.field("cap").value),
      lanes: [...this.element.querySelectorAll("[data-field=lane]:checked")].map((box) => box.value),
      mode: this.field("mode").value,
      hidden: this.field("hidden").checked,
    })));
    on("release-spotlight", (button) => sends(button, "spotlight", () => ({ card_id: null }), `spotlight:${this.board.spotlight_card_id}`));
    this.field("filter").addEventListener("input", () => this.moderation.draw());
    on("show-all", (button) => {
      this.showAll = !this.showAll;
      button.setAttribute("aria-pressed", String(this.showAll));
      this.moderation.draw();
    });
  }

  // Whether the server's `value` for `part` differs from what the controls last showed.
  follow(part, value) {
    this.shownValues = this.shownValues || {};
    const text = JSON.stringify(value);
    const changed = this.shownValues[part] !== text;
    this.shownValues[part] = text;
    return changed;
  }

  setBoard(board, serverTime) {
    this.board = board;
    this.countdown.set(board.timer, serverTime);
    this.render();
  }

  render() {
    this.keepFocus(() => this.draw());
  }

  // Where the focus goes once the change an action asked for shows (its ack and the room's update
  // come in either order); forgotten after a few seconds, so it never jumps later on its own.
  focusLater(key) {
    this.pendingFocus = { key, until: Date.now() + 3000 };
  }

  // Runs `change`, then puts the focus back where the facilitator was if the change hid or
  // rebuilt the control that had it: the same control (by its data-key) if it is still shown,
  // else the action's counterpart (pendingFocus), else the first button left in its group (after a
  // phase change, the next step), else the board's own button.
  keepFocus(change) {
    const had = document.activeElement;
    const inside = had && had !== document.body && this.element.contains(had);
    const key = inside ? had.dataset.key : null;
    const group = inside ? had.closest("[data-group]") : null;
    const selection = inside && typeof had.selectionStart === "number" ? [had.selectionStart, had.selectionEnd] : null;
    change();
    if (this.pendingFocus && this.pendingFocus.until < Date.now()) this.pendingFocus = null;
    const wanted = this.pendingFocus && this.byKey(this.pendingFocus.key);
    if (wanted && visible(wanted) && (inside || document.activeElement === document.body)) {
      this.pendingFocus = null;
      wanted.focus();
      return;
    }
    if (!inside || visible(had)) return;
    let target = key && this.byKey(key);
    if (target && visible(target)) {
      target.focus();
      if (selection && typeof target.setSelectionRange === "function") target.setSelectionRange(...selection);
      return;
    }
    const first = (selector) => [...group.querySelectorAll(selector)].find(visible);
    target = group && visible(group) ? first("button") || first(FOCUSABLE) : null;
    (target || this.toggle).focus();
  }

  draw() {
    const { board } = this;
    const live = [...this.cards.values()];
    const counts = this.counts || {};
    const dots = live.reduce((sum, card) => sum + (counts[String(card.id)] || 0), 0);
    const cities = this.presence.cities;
    this.fact("phase", t(`phase.${board.phase}`) + (board.paused ? ` · ${t("console.paused")}` : ""));
    this.fact("people", `${count("console.online", this.presence.count)} · ${count("console.cities", cities.length)}`);
    this.fact("cards", count("console.cards", live.filter((card) => !card.hidden).length));
    this.fact("dots", count("console.dots", dots));
    this.element.dataset.phase = board.phase;
    this.element.dataset.paused = String(board.paused);
    this.fact("cities", cities.length
      ? t("console.where", { cities: cityCounts(cities) })
      : t("console.nobody"));

    const { phase, voting } = board;
    const spotlight = board.spotlight_card_id && this.cards.get(board.spotlight_card_id);
    this.show({
      "keep-open": phase === "collect" || phase === "vote",
      "to-vote": phase === "collect",
      "to-results": phase === "vote",
      "new-round": phase === "vote" || phase === "results",
      "to-collect": phase !== "collect",
      "to-reopen-results": phase === "closed",
      "to-closed": phase !== "closed",
      pause: !board.paused && phase !== "closed",
      resume: board.paused,
      reveal: phase === "vote" && voting.hidden && !voting.revealed,
      spotlight: Boolean(spotlight),
      "hidden-cards": live.some((card) => card.hidden),
    });
    this.fact("spotlight", spotlight ? spotlight.text : "");
    const round = voting.round ? `${t("console.round", { n: voting.round })} ` : "";
    const seen = !voting.hidden ? "public" : voting.revealed ? "revealed" : "hidden";
    this.fact("votes", round + t(`console.votes.${seen}`));

    // Controls follow the server only when that very value changed: a re-render (a card, someone
    // arriving, another setting) must not undo a choice the facilitator is about to send.
    if (this.follow("keep-open", board.keep_posting_open)) this.field("keep-open").checked = board.keep_posting_open;
    if (this.follow("voting", [voting.budget, voting.cap, voting.mode, voting.hidden, voting.lanes])) {
      this.field("budget").value = voting.budget;
      this.field("cap").value = voting.cap;
      this.field("mode").value = voting.mode;
      this.field("hidden").checked = voting.hidden;
      for (const box of this.element.querySelectorAll("[data-field=lane]")) box.checked = voting.lanes.includes(box.value);
    }
    this.drawTimer();
    if (this.isOpen) this.moderation.draw();
    this.merges.draw();
  }

  show(states) {
    for (const element of this.element.querySelectorAll("[data-show]")) {
      if (element.dataset.show in states) element.hidden = !states[element.dataset.show];
    }
  }

  drawTimer() {
    const state = this.countdown.element.dataset.state; // off, running, paused or up (at zero)
    this.show({
      "timer-start": state === "off",
      "timer-pause": state === "running",
      "timer-resume": state === "paused",
      "timer-add": state === "running" || state === "up",
      "timer-stop": state !== "off",
    });
  }
}

for (const entry of data.boards) panels.set(entry.snapshot.board.id, new Panel(entry));
followDismissals(socket, (boardId) => panels.get(boardId)?.merges);

// Each board follows the server through the sync module (board-sync.js), all on this one socket;
// the panels draw from what it holds. The console watches: it does not count as a person there.
const syncs = [];
for (const entry of data.boards) {
  const panel = panels.get(entry.snapshot.board.id);
  const sync = new BoardSync(socket, entry.snapshot, {
    join: { watch: true },
    initialPresence: entry.presence,
    render() {
      panel.cards = sync.state.cards;
      panel.counts = sync.state.votes.counts || {};
      panel.presence = sync.state.presence;
      panel.setBoard(sync.state.board); // no server time: the timer hook sets the clock with a fresh one
    },
    timer: (timer, serverTime) => panel.countdown.set(timer, serverTime),
    presence(summary) {
      panel.presence = summary;
      panel.render();
    },
  });
  syncs.push(sync);
}
// Tests and curious people can read the state from the console.
window.workshopConsole = { syncs, socket };

// Participants: remove one (their session ends and they cannot come back as that person). The
// focus moves to the next person's button (or the heading), not to the page.
for (const button of document.querySelectorAll("[data-remove]")) {
  button.addEventListener("click", async () => {
    const row = button.closest("li");
    if (button.dataset.confirming !== "yes") {
      button.dataset.confirming = "yes";
      button.textContent = button.dataset.confirmText;
      return;
    }
    const ack = await request("remove_participant", { participant_id: Number(button.dataset.remove) });
    if (!ack.ok) {
      showError(null, ack.error.message);
      return;
    }
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    if (next) next.querySelector("button").focus();
    else document.getElementById("participants-heading").focus();
  });
}
