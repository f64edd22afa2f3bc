// Similar cards while writing (issue 16): once the person pauses typing a card, the server is asked
// (`similar_cards`) which cards already on the board say much the same, in any language, and up to three
// are shown under the composer, each with its city, a button to give it a dot when voting allows it, and
// "Build on this": the new card links to it when its lane may (an idea answers a problem, an action plan
// builds on an idea), or the page shows that card. It never stands in the way of posting.
import { announce, h } from "./dom.js";
import { excerpt, translator } from "./messages.js";
import * as rules from "./rules.js";

const PAUSE_MS = 400; // typing has paused
const SHORTEST = 12; // characters: fewer say too little to compare (the server answers [] below it too)
const ANSWER_MS = 8000; // an answer later than this is of no use to the person typing
// The lane whose cards are compared with a new card of each lane: a problem with problems; an idea with
// ideas and problems (it may answer one); an action plan with ideas (it may build on one).
const COMPARED_LANE = { problem: "problem", idea: null, action: "idea" };

/** Similar cards under each lane's composer of `view` (board-view.js), asked over `socket`. */
export function similarWhileWriting({ socket, boardId, view }) {
  const { t } = translator(JSON.parse(document.getElementById("similar-data").textContent).messages);
  for (const [lane, parts] of Object.entries(view.lanes)) new SimilarCards({ socket, boardId, view, lane, parts, t });
}

class SimilarCards {
  constructor({ socket, boardId, view, lane, parts, t }) {
    Object.assign(this, { socket, boardId, view, lane, parts, t });
    this.asked = ""; // the text last asked about (asked again only when it changes)
    this.shown = ""; // the ids shown, to tell the news only when they change
    this.sent = 0; // answers to older questions are dropped
    const headingId = `similar-${lane}-heading`;
    this.status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    this.list = h("ul", { class: "similar-cards-list", "aria-labelledby": headingId });
    this.note = h("p", { class: "similar-note", hidden: true });
    this.panel = h("section", { class: "similar-cards", "aria-labelledby": headingId, hidden: true },
      h("h3", { id: headingId, text: t("similar.heading") }),
      h("p", { class: "similar-hint", text: t("similar.hint") }), this.list);
    parts.textarea.after(this.status, this.panel, this.note);
    parts.textarea.addEventListener("input", () => this.typed());
    parts.form.addEventListener("submit", () => this.clear());
    parts.form.querySelector(".composer-close")?.addEventListener("click", () => this.clear());
  }

  typed() {
    clearTimeout(this.timer);
    if (this.text().length < SHORTEST) return this.clear();
    this.timer = setTimeout(() => this.ask(), PAUSE_MS);
  }

  text() {
    return this.parts.textarea.value.trim();
  }

  ask() {
    const text = this.text();
    if (text === this.asked || text.length < SHORTEST || !this.socket.connected || this.parts.form.hidden) return;
    this.asked = text;
    const asking = ++this.sent;
    const payload = { board_id: this.boardId, text };
    if (COMPARED_LANE[this.lane]) payload.lane = COMPARED_LANE[this.lane];
    this.socket.timeout(ANSWER_MS).emit("similar_cards", payload, (error, ack) => {
      if (asking !== this.sent || this.text() !== text) return; // the person typed on: a newer question is coming
      if (error) {
        this.asked = ""; // no answer: ask again at the next pause
        return;
      }
      if (!ack.ok) {
        this.asked = "";
        this.show([]);
        // Only the workers being busy or away is worth a word; posting works all the same.
        this.note.hidden = ack.error.code !== "unavailable";
        this.note.textContent = ack.error.message;
        return;
      }
      this.note.hidden = true;
      this.show(ack.cards);
    });
  }

  clear() {
    clearTimeout(this.timer);
    this.sent++;
    this.asked = "";
    this.note.hidden = true;
    this.show([]);
  }

  show(cards) {
    const ids = cards.map((card) => card.id).join(",");
    this.list.replaceChildren(...cards.map((card) => this.entry(card)));
    this.panel.hidden = !cards.length;
    if (ids !== this.shown && cards.length) announce(this.status, this.t("similar.found", { n: cards.length }));
    this.shown = ids;
  }

  entry(found) {
    const { t, view } = this;
    const card = view.state.cards.get(found.id) || found; // the board's copy, with what voting needs
    const short = excerpt(found.text, 50);
    const actions = h("div", { class: "similar-actions" });
    if (card.author && rules.mayVote(card, view.state)) {
      actions.append(h("button", { type: "button", class: "similar-vote", text: t("similar.vote"),
        "aria-label": t("similar.vote.label", { text: short }), onclick: () => this.vote(found.id) }));
    }
    const linking = this.parts.linkSelect && view.linkTarget(this.lane) === found.lane;
    actions.append(h("button", { type: "button", class: "link similar-build", text: t(linking ? "similar.build" : "similar.show"),
      "aria-label": t(linking ? "similar.build.label" : "similar.show.label", { text: short }),
      onclick: () => (linking ? this.link(found) : view.jumpTo(found.id)) }));
    return h("li", { class: `similar-card lane-${found.lane}` },
      h("span", { class: "city-tag similar-city", text: found.city }), " ",
      h("span", { class: "similar-text", text: found.text }), actions);
  }

  // The dot goes the way every dot goes (board.js actions.vote: the `vote` event, the budget kept).
  async vote(cardId) {
    const ack = await this.view.actions.vote(cardId, "vote");
    announce(this.status, ack.ok ? this.t("similar.voted") : this.t("similar.error", { message: ack.error.message }));
    this.view.render();
  }

  link(found) {
    const select = this.parts.linkSelect;
    this.view.render(); // the card is in the list of cards to link to
    select.value = String(found.id);
    if (select.value !== String(found.id)) return this.view.jumpTo(found.id); // not on this page (yet)
    select.dispatchEvent(new Event("change", { bubbles: true }));
    announce(this.status, this.t(`similar.linked.${this.lane}`, { text: excerpt(found.text, 50) }));
  }
}
