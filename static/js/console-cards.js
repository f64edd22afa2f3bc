// The console's moderation of one board: its cards (the latest few, all, or those a filter finds)
// with Spotlight, Hide (with a reason) and Merge, and apart the hidden ones with Restore. Its
// panel (console.js) holds the board's state and the focus; this keeps the open card form, what
// is typed in it and each card's last refusal, across live updates.
import { h } from "./dom.js";
import { excerpt } from "./messages.js";

const LATEST = 5; // cards listed while no filter is typed and "Show all cards" is off

// Puts the children of `list` in the order of `items` ({key, sig, build}), building a node only
// for a new key or a changed signature. Nodes that did not change stay where they are, untouched:
// a reason being typed, an open select or the focus survive a live update of another card.
function reconcile(list, items, cache) {
  const wanted = new Set();
  items.forEach(({ key, sig, build }, index) => {
    wanted.add(key);
    let entry = cache.get(key);
    if (!entry || entry.sig !== sig) {
      const node = build();
      if (entry) entry.node.replaceWith(node);
      entry = { node, sig };
      cache.set(key, entry);
    }
    if (list.children[index] !== entry.node) list.insertBefore(entry.node, list.children[index] || null);
  });
  for (const [key, entry] of cache) {
    if (!wanted.has(key)) {
      entry.node.remove();
      cache.delete(key);
    }
  }
}

export class Moderation {
  constructor(panel, { t, count, request, showError, limits }) {
    Object.assign(this, { panel, t, count, request, showError, limits });
    this.open = null; // the card whose hide or merge form is open: {cardId, mode}
    this.drafts = new Map(); // what was typed or chosen in those forms, by data-key
    this.cardErrors = new Map(); // card id -> the last refusal of an action on it
    this.listed = { cards: new Map(), hidden: new Map() };
  }

  // The latest few, all of them, or those the filter finds; and, apart, the hidden ones with their
  // reason and Restore.
  draw() {
    const query = this.panel.field("filter").value.trim().toLocaleLowerCase();
    const newestFirst = [...this.panel.cards.values()].sort((a, b) => b.id - a.id);
    const shown = newestFirst.filter((card) => !card.hidden);
    let listed = shown.slice(0, LATEST);
    let note = shown.length > LATEST ? this.t("console.latest", { n: LATEST, total: shown.length }) : "";
    if (query) {
      listed = shown.filter((card) => `${card.text} ${card.author.name} ${card.author.city}`.toLocaleLowerCase().includes(query));
      note = this.count("console.matches", listed.length);
    } else if (this.panel.showAll) {
      listed = shown;
      note = this.count("console.all", shown.length);
    }
    if (!shown.length) note = this.t("console.none");
    this.panel.fact("card-list", note);
    const perLane = new Map();
    for (const card of shown) perLane.set(card.lane, (perLane.get(card.lane) || 0) + 1);
    const itemsOf = (cards) => cards.map((card) => {
      const open = this.open && this.open.cardId === card.id ? this.open.mode : null;
      const targets = open === "merge" ? this.mergeTargets(card).map((other) => [other.id, other.text]) : null;
      const sig = JSON.stringify([card, this.panel.counts && this.panel.counts[String(card.id)], this.panel.board.spotlight_card_id === card.id,
        open, targets, perLane.get(card.lane) > 1, this.cardErrors.get(card.id)]);
      return { key: card.id, sig, build: () => this.cardItem(card, open, perLane.get(card.lane) > 1) };
    });
    reconcile(this.panel.part('[data-list="cards"]'), itemsOf(listed), this.listed.cards);
    reconcile(this.panel.part('[data-list="hidden"]'), itemsOf(newestFirst.filter((card) => card.hidden)), this.listed.hidden);
  }

  mergeTargets(card) {
    return [...this.panel.cards.values()].filter((other) => other.lane === card.lane && other.id !== card.id && !other.hidden);
  }

  // Opens (or with mode null closes) a card's hide or merge form, the focus going into it (or back).
  setCardForm(card, mode) {
    const was = this.open && this.open.mode;
    this.open = mode ? { cardId: card.id, mode } : null;
    this.panel.focusLater(mode ? `${mode}-input:${card.id}` : `${was}:${card.id}`);
    this.panel.render();
  }

  async cardAction(card, event, payload, focusAfter) {
    const ack = await this.request(event, payload);
    if (ack.ok) this.cardErrors.delete(card.id);
    else this.cardErrors.set(card.id, ack.error.message);
    this.showError(null, ack.ok ? "" : ack.error.message);
    if (ack.ok) {
      this.open = null;
      for (const key of [...this.drafts.keys()]) if (key.endsWith(`:${card.id}`)) this.drafts.delete(key);
      if (ack.card) this.panel.cards.set(ack.card.id, ack.card);
      if (event === "merge_cards") this.panel.cards.delete(card.id);
      this.panel.focusLater(focusAfter);
    }
    this.panel.render();
  }

  cardItem(card, open, mergeable) {
    const textId = `console-${this.panel.id}-card-${card.id}-text`;
    const dots = this.panel.counts && this.panel.counts[String(card.id)];
    const spotlit = this.panel.board.spotlight_card_id === card.id;
    const item = h("li", { class: `console-card lane-${card.lane}`, "data-card-id": card.id, "aria-labelledby": textId },
      h("p", { class: "console-card-text", id: textId, text: card.text }),
      h("p", { class: "console-card-meta" },
        h("span", { class: "lane-tag", text: this.t(`lane.${card.lane}`) }), " ",
        this.t("card.by", { name: card.author.name, city: card.author.city }),
        dots ? ` · ${this.count("dots.count", dots)}` : "",
        card.private ? ` · ${this.t("private")}` : "",
        spotlit ? ` · ${this.t("spotlight.on")}` : ""));
    if (card.hidden) item.append(h("p", { class: "card-hidden-note", text: this.t("hidden.note", { reason: card.hidden.reason }) }));
    const error = h("p", { class: "error", text: this.cardErrors.get(card.id) || "", hidden: !this.cardErrors.has(card.id) });
    const button = (key, text, onclick, extra = {}) => h("button", {
      type: "button", text, onclick, "aria-describedby": textId, "data-key": `${key}:${card.id}`, ...extra,
    });
    const cancel = button("cancel", this.t("cancel"), () => this.setCardForm(card, null));
    // What is typed or chosen in a form survives the form being rebuilt by a live update.
    const drafted = (element) => {
      const key = element.dataset.key;
      if (this.drafts.has(key)) element.value = this.drafts.get(key);
      element.addEventListener("input", () => this.drafts.set(key, element.value));
      return element;
    };
    if (open === "hide") {
      const id = `${textId}-reason`;
      const reason = drafted(h("input", { id, type: "text", maxlength: this.limits.reason, "data-key": `hide-input:${card.id}` }));
      const form = h("form", { class: "console-card-form", novalidate: true },
        h("label", { for: id, text: this.t("hide.reason") }), reason, error,
        h("div", {}, button("hide-submit", this.t("hide.submit"), null, { type: "submit", class: "primary" }), cancel));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.cardAction(card, "hide_card", { card_id: card.id, reason: reason.value }, `restore:${card.id}`);
      });
      item.append(form);
    } else if (open === "merge") {
      const id = `${textId}-into`;
      const target = drafted(h("select", { id, "data-key": `merge-input:${card.id}` },
        ...this.mergeTargets(card).map((other) => h("option", { value: other.id, text: excerpt(other.text, 80) }))));
      const form = h("form", { class: "console-card-form", novalidate: true },
        h("label", { for: id, text: this.t("merge.target") }), target, error,
        h("div", {}, button("merge-submit", this.t("merge.submit"), null, { type: "submit", class: "primary" }), cancel));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const into = Number(target.value);
        this.cardAction(card, "merge_cards", { card_id: card.id, into_id: into }, `merge:${into}`);
      });
      item.append(form);
    } else if (card.hidden) {
      item.append(error, h("div", { class: "console-card-actions" },
        button("restore", this.t("restore"), () => this.cardAction(card, "restore_card", { card_id: card.id }, `hide:${card.id}`))));
    } else {
      item.append(error, h("div", { class: "console-card-actions" },
        !card.private && !spotlit
          ? button("spotlight", this.t("spotlight"), () => this.cardAction(card, "spotlight", { board_id: this.panel.id, card_id: card.id }, "release-spotlight"))
          : null,
        button("hide", this.t("hide"), () => this.setCardForm(card, "hide")),
        mergeable ? button("merge", this.t("merge"), () => this.setCardForm(card, "merge")) : null));
    }
    return item;
  }
}
