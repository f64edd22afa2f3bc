// The facilitator's console: every board of the workshop, live, with the buttons that run the room.
// It watches each board (join_board with watch: true, so it does not count as a person there) and
// sends the same facilitator events the board page does.
import { h } from "./dom.js";
import { BoardSync } from "./board-sync.js";
import { Countdown } from "./timer.js";
import { openSocket } from "./socket.js";

const data = JSON.parse(document.getElementById("console-data").textContent);
const t = (key, vars = {}) => (data.messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
const label = (key, vars) => document.getElementById("console-labels").dataset[key].replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
const socket = openSocket(t);
const panels = new Map();
const PHASES = ["collect", "vote", "results", "closed"];

function request(event, payload) {
  return new Promise((resolve) => {
    socket.timeout(15000).emit(event, payload, (error, ack) => resolve(error ? { ok: false, error: { message: t("reconnecting") } } : ack));
  });
}

class Panel {
  constructor(entry) {
    const snapshot = entry.snapshot;
    this.id = snapshot.board.id;
    this.board = snapshot.board;
    this.cards = new Map(snapshot.cards.map((card) => [card.id, card]));
    this.counts = snapshot.votes.counts || {};
    this.element = document.getElementById(`console-board-${this.id}`);
    this.status = this.element.querySelector(".console-status");
    this.error = this.element.querySelector(".console-error");
    this.recent = this.element.querySelector(".recent-cards");
    this.countdown = new Countdown(this.element.querySelector(".timer"), t);
    this.countdown.set(this.board.timer, snapshot.server_time);
    this.presence = entry.presence;
    this.bind();
    this.render();
  }

  send(event, payload = {}) {
    return request(event, { board_id: this.id, ...payload }).then((ack) => {
      this.error.hidden = ack.ok;
      this.error.textContent = ack.ok ? "" : ack.error.message;
      return ack;
    });
  }

  field(name) {
    return this.element.querySelector(`[data-field="${name}"]`);
  }

  bind() {
    const on = (action, handler) => this.element.querySelector(`[data-action="${action}"]`).addEventListener("click", handler);
    on("set-phase", () => this.send("set_phase", { phase: this.field("phase").value, keep_posting_open: this.field("keep-open").checked }));
    on("pause", () => this.send("set_paused", { paused: !this.board.paused }));
    for (const button of this.element.querySelectorAll("[data-minutes]")) {
      button.addEventListener("click", () => this.startTimer(Number(button.dataset.minutes) * 60));
    }
    on("custom-timer", () => this.startTimer(Math.round(Number(this.field("minutes").value) * 60)));
    on("pause-timer", () => this.send("pause_timer"));
    on("resume-timer", () => this.send("resume_timer"));
    on("add-minute", () => this.send("add_time", { seconds: 60 }));
    on("stop-timer", () => this.send("stop_timer"));
    on("reveal", () => this.send("reveal_votes"));
    on("release-spotlight", () => this.send("spotlight", { card_id: null }));
    on("save-voting", () => this.send("configure_voting", {
      budget: Number(this.field("budget").value),
      cap: Number(this.field("cap").value),
      lanes: [...this.element.querySelectorAll("[data-field=lane]:checked")].map((box) => box.value),
      mode: this.field("mode").value,
      hidden: this.field("hidden").checked,
    }));
  }

  // Whether the server's `value` for `part` differs from what the controls last showed.
  follow(part, value) {
    this.shownValues = this.shownValues || {};
    const text = JSON.stringify(value);
    const changed = this.shownValues[part] !== text;
    this.shownValues[part] = text;
    return changed;
  }

  startTimer(seconds) {
    this.send("start_timer", { seconds, advances: this.field("advances").checked });
  }

  setBoard(board, serverTime) {
    this.board = board;
    this.countdown.set(board.timer, serverTime);
    this.render();
  }

  render() {
    const { board } = this;
    const live = [...this.cards.values()];
    const online = this.presence.cities.map((city) => `${city.name} (${city.count})`).join(", ");
    this.status.textContent = label("status", {
      phase: t(`phase.${board.phase}`), cards: live.length, people: this.presence.count, cities: online || "–",
    }) + (board.paused ? ` · ${t("paused")}` : "");
    // Controls follow the server only when that very value changed: a re-render (a card, someone
    // arriving, another setting) must not undo a choice the facilitator is about to send.
    if (this.follow("phase", [board.phase, board.keep_posting_open])) {
      this.field("phase").value = board.phase;
      this.field("keep-open").checked = board.keep_posting_open;
    }
    this.element.querySelector('[data-action="pause"]').textContent = board.paused ? label("resumeBoard", {}) : label("pauseBoard", {});
    const spotlight = board.spotlight_card_id && this.cards.get(board.spotlight_card_id);
    this.element.querySelector(".spotlight-line").textContent = spotlight ? `${t("spotlight.on")}: ${spotlight.text}` : "";
    this.element.querySelector('[data-action="release-spotlight"]').hidden = !spotlight;
    if (this.follow("voting", board.voting)) {
      this.field("budget").value = board.voting.budget;
      this.field("cap").value = board.voting.cap;
      this.field("mode").value = board.voting.mode;
      this.field("hidden").checked = board.voting.hidden;
      for (const box of this.element.querySelectorAll("[data-field=lane]")) box.checked = board.voting.lanes.includes(box.value);
    }
    this.renderRecent(live);
  }

  renderRecent(live) {
    const latest = live.filter((card) => !card.hidden).sort((a, b) => b.id - a.id).slice(0, 5);
    this.recent.replaceChildren(...latest.map((card) => {
      const reason = h("input", { type: "text", maxlength: 200, "aria-label": label("hideReason", { text: card.text }) });
      const count = this.counts[String(card.id)];
      return h("li", {},
        h("span", { text: card.text }), " ",
        h("span", { class: "muted", text: `${card.author.name}, ${card.author.city}${count ? ` · ${t("dots.count", { n: count })}` : ""}` }), " ",
        reason,
        h("button", { type: "button", text: t("hide.submit"), "aria-label": label("hideCard", { text: card.text }),
          onclick: () => request("hide_card", { card_id: card.id, reason: reason.value }).then((ack) => {
            this.error.hidden = ack.ok;
            this.error.textContent = ack.ok ? "" : ack.error.message;
          }) }));
    }));
  }
}

for (const entry of data.boards) panels.set(entry.snapshot.board.id, new Panel(entry));

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

// Participants: remove one (their session ends and they cannot come back as that person).
for (const button of document.querySelectorAll("[data-remove]")) {
  button.addEventListener("click", async () => {
    const row = button.closest("li");
    if (button.dataset.confirming !== "yes") {
      button.dataset.confirming = "yes";
      button.textContent = button.dataset.confirmText;
      return;
    }
    const ack = await request("remove_participant", { participant_id: Number(button.dataset.remove) });
    if (ack.ok) row.remove();
  });
}
