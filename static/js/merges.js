// Suggested merges of one board, in its console panel (console.js): on "Look for duplicates" the
// server's near-duplicate pairs (merge_suggestions), each shown side by side with its cities, with
// "Merge" (the later card into the earlier, through the boards' own merge_cards) and "Not the same"
// (dismiss_merge: never suggested again). A pair leaves the list when another facilitator dismisses
// it (merge_dismissed) or when one of its cards leaves the board (merged, deleted or hidden).
import { announce, h } from "./dom.js";
import { excerpt, pageLanguage, translator } from "./messages.js";

const messages = JSON.parse(document.getElementById("merge-messages").textContent);
const { t } = translator(messages);
// "95 %" or "95%" as the page's language writes it; rounded down, so that only the same text shows 100.
const percent = new Intl.NumberFormat(pageLanguage(), { style: "percent", maximumFractionDigits: 0 });
const alike = (similarity) => percent.format(Math.floor(similarity * 100) / 100);

export class MergeSuggestions {
  constructor(panel, { request, showError }) {
    Object.assign(this, { panel, request, showError });
    this.root = panel.part("[data-merges]");
    this.list = this.root.querySelector('[data-list="merges"]');
    this.status = this.root.querySelector("[data-merges-status]");
    this.error = this.root.querySelector("[data-error]");
    this.findButton = this.root.querySelector('[data-action="find-merges"]');
    this.pairs = null; // null until asked: nothing is computed before a facilitator asks
    this.busy = false;
    this.findButton.addEventListener("click", () => this.find());
  }

  // Asks the server again; `focusIndex` (after an action) puts the focus on the pair now at that
  // place, else on "Look for duplicates", since the pair that had it is gone.
  async find(focusIndex = null) {
    if (this.busy) return;
    this.busy = true;
    this.list.setAttribute("aria-busy", "true");
    this.status.textContent = t("looking");
    const ack = await this.request("merge_suggestions", { board_id: this.panel.id });
    this.busy = false;
    this.list.removeAttribute("aria-busy");
    this.showError(this.error, ack.ok ? "" : ack.error.message);
    if (ack.ok) this.pairs = ack.pairs;
    this.draw();
    if (focusIndex !== null) {
      const buttons = this.list.querySelectorAll("[data-merge]");
      (buttons[Math.min(focusIndex, buttons.length - 1)] || this.findButton).focus();
    }
  }

  // Pairs whose cards are both still shown on the board (the console's live state says so).
  current() {
    const live = (card) => {
      const known = this.panel.cards.get(card.id);
      return known && !known.hidden;
    };
    return (this.pairs || []).filter((pair) => live(pair.card) && live(pair.other));
  }

  draw() {
    if (this.pairs === null) return;
    const pairs = this.current();
    const status = this.busy ? t("looking") : pairs.length ? t("found", { n: pairs.length }) : t("none");
    if (this.status.textContent !== status) this.status.textContent = status;
    const key = (pair) => `${pair.card.id}-${pair.other.id}`;
    const shown = [...this.list.children].map((item) => item.dataset.pair).join(" ");
    if (shown === pairs.map(key).join(" ")) return; // nothing changed: the focus and the nodes stay
    const had = document.activeElement;
    const focusedPair = had && this.list.contains(had) ? had.closest("li").dataset.pair : null;
    this.list.replaceChildren(...pairs.map((pair) => this.item(pair, key(pair))));
    if (focusedPair) {
      const same = this.list.querySelector(`[data-pair="${focusedPair}"] [data-key="${had.dataset.key}"]`);
      (same || this.findButton).focus();
    }
  }

  item(pair, key) {
    const side = (card, label) => h("div", { class: "merge-card" },
      h("p", { class: "merge-role muted", text: label }),
      h("p", { class: "merge-text", text: card.text }),
      h("p", {}, h("span", { class: "city-tag", text: card.city })));
    const earlier = excerpt(pair.card.text), later = excerpt(pair.other.text);
    const merge = h("button", {
      type: "button", class: "primary", text: t("merge"), "data-merge": "", "data-key": `merge-${key}`,
      "aria-label": t("merge.label", { earlier, later }),
    });
    const dismiss = h("button", {
      type: "button", text: t("dismiss"), "data-key": `dismiss-${key}`,
      "aria-label": t("dismiss.label", { earlier, later }),
    });
    const item = h("li", { class: "merge-pair", "data-pair": key },
      h("div", { class: "merge-sides" }, side(pair.card, t("earlier")), side(pair.other, t("later"))),
      h("p", { class: "muted merge-alike", text: t("alike", { percent: alike(pair.similarity) }) }),
      h("div", { class: "row-actions" }, merge, dismiss));
    merge.addEventListener("click", () => this.act(item, "merge_cards", { card_id: pair.other.id, into_id: pair.card.id }, "merged"));
    dismiss.addEventListener("click", () => this.act(item, "dismiss_merge",
      { board_id: this.panel.id, card_id: pair.card.id, other_card_id: pair.other.id }, "dismissed"));
    return item;
  }

  async act(item, event, payload, done) {
    const index = [...this.list.children].indexOf(item);
    const ack = await this.request(event, payload);
    await this.find(index);
    // After the refresh, which rewrote the status: the refusal, or what was done and what is left.
    this.showError(this.error, ack.ok ? "" : ack.error.message);
    if (ack.ok) announce(this.status, `${t(done)} ${this.status.textContent}`);
  }

  // Another facilitator said this pair is not the same.
  forget(cardId, otherCardId) {
    if (!this.pairs) return;
    this.pairs = this.pairs.filter((pair) => !(pair.card.id === cardId && pair.other.id === otherCardId));
    this.draw();
  }
}

/** Drops a pair from its board's list when another facilitator dismisses it. */
export function followDismissals(socket, suggestionsOf) {
  socket.on("merge_dismissed", ({ board_id: boardId, card_id: cardId, other_card_id: otherCardId }) => {
    const suggestions = suggestionsOf(boardId);
    if (suggestions) suggestions.forget(cardId, otherCardId);
  });
}
