// The facilitators' themes page: per policy area, the themes the machine found on its board and the
// facilitators' edits (rename, split, merge, dismiss, restore), over the socket. Each area is drawn from
// its themes (the page's data, then every ack and every `get_themes` after `themes_changed`), keeping
// what the facilitator was typing, ticking and focusing across a redraw.
import { announce, h } from "./dom.js";
import { excerpt, translator } from "./messages.js";
import { requester } from "./request.js";
import { openSocket } from "./socket.js";

const data = JSON.parse(document.getElementById("themes-data").textContent);
const { t, count } = translator(data.messages);
const socket = openSocket(t);
const request = requester(socket, t);
const announcer = document.getElementById("themes-announce");
const FIND_TIMEOUT_MS = 180000; // clustering a large board, its first time, embeds every card

class Area {
  constructor(entry) {
    this.boardId = entry.board_id;
    this.title = entry.title;
    this.themes = entry.themes;
    this.element = document.getElementById(`themes-area-${this.boardId}`);
    this.status = this.element.querySelector("[data-status]");
    this.error = this.element.querySelector("[data-error]");
    this.findButton = this.element.querySelector('[data-action="refresh"]');
    this.findButton.addEventListener("click", () => this.find());
    this.render();
  }

  part(selector) {
    return this.element.querySelector(selector);
  }

  byKey(key) {
    return this.element.querySelector(`[data-key="${CSS.escape(key)}"]`);
  }

  showError(message) {
    this.error.textContent = message ? t("error", { message }) : "";
    this.error.hidden = !message;
    if (message) announce(announcer, this.error.textContent);
  }

  // Draw -------------------------------------------------------------------------------------------

  render(focusKey = null) {
    const kept = this.typed();
    const active = this.element.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const shown = this.themes.filter((theme) => !theme.dismissed);
    const dismissed = this.themes.filter((theme) => theme.dismissed);
    this.part('[data-list="themes"]').replaceChildren(...shown.map((theme) => this.themeItem(theme, shown)));
    this.part('[data-list="dismissed"]').replaceChildren(...dismissed.map((theme) => this.dismissedItem(theme)));
    if (!shown.length) this.part('[data-list="themes"]').append(h("li", { class: "muted themes-none", text: t("none") }));
    if (!dismissed.length) this.part('[data-list="dismissed"]').append(h("li", { class: "muted themes-none", text: t("none.dismissed") }));
    this.restore(kept);
    const target = (focusKey && this.byKey(focusKey)) || (active && this.byKey(active));
    if (target) target.focus();
  }

  /** What the facilitator typed or ticked, by key, so that a redraw keeps it. */
  typed() {
    const kept = new Map();
    for (const field of this.element.querySelectorAll("input[data-key], select[data-key]")) {
      kept.set(field.dataset.key, field.type === "checkbox" ? field.checked : field.value);
    }
    return kept;
  }

  restore(kept) {
    for (const [key, value] of kept) {
      const field = this.byKey(key);
      if (!field) continue;
      if (field.type === "checkbox") field.checked = value;
      else if (field.tagName !== "SELECT" || [...field.options].some((option) => option.value === value)) field.value = value;
    }
    for (const theme of this.themes) this.showSplit(theme.id);
  }

  facts(theme) {
    const parts = [theme.cities.length ? t("cities", { cities: theme.cities.join(", ") }) : t("cities.none"),
      count("cards", theme.cards.length)];
    if (theme.dots !== null) parts.push(count("dots", theme.dots));
    return h("p", { class: "theme-facts", text: parts.join(" · ") });
  }

  heading(theme, level) {
    return h(level, { id: `theme-${theme.id}-title`, class: "theme-title", tabindex: "-1", "data-key": `title-${theme.id}`, text: theme.name });
  }

  themeItem(theme, shown) {
    const id = `theme-${theme.id}`;
    const nameField = h("input", {
      id: `${id}-name`, type: "text", maxlength: data.limits.name, "data-key": `name-${theme.id}`,
      value: theme.named ? theme.name : "", placeholder: theme.label, "aria-describedby": `${id}-name-hint`, autocomplete: "off",
    });
    const rename = h("form", { class: "theme-inline", onsubmit: (event) => { event.preventDefault(); this.rename(theme, nameField.value); } },
      h("label", { for: nameField.id, text: t("name") }), nameField,
      h("button", { type: "submit", "data-key": `save-${theme.id}`, text: t("save") }));
    const others = shown.filter((other) => other.id !== theme.id);
    const article = h("article", { class: "theme", "aria-labelledby": `${id}-title` },
      this.heading(theme, "h3"),
      this.facts(theme),
      theme.named ? h("p", { class: "hint", text: t("machine", { label: theme.label }) }) : null,
      rename,
      h("p", { class: "hint", id: `${id}-name-hint`, text: t("name.hint") }),
      h("ul", { class: "theme-cards", "aria-label": t("cards.heading") }, ...theme.cards.map((card) => this.cardItem(theme, card, true))),
      this.splitForm(theme),
      others.length ? this.mergeForm(theme, others) : null,
      h("div", { class: "theme-actions" },
        h("button", { type: "button", class: "danger", "data-key": `dismiss-${theme.id}`, onclick: () => this.dismiss(theme) },
          t("dismiss"), h("span", { class: "visually-hidden", text: ` ${theme.name}` }))));
    return h("li", { class: "theme-item", "data-theme-id": theme.id }, article);
  }

  dismissedItem(theme) {
    const article = h("article", { class: "theme theme-dismissed", "aria-labelledby": `theme-${theme.id}-title` },
      this.heading(theme, "h4"),
      this.facts(theme),
      h("ul", { class: "theme-cards", "aria-label": t("cards.heading") }, ...theme.cards.map((card) => this.cardItem(theme, card, false))),
      h("button", { type: "button", "data-key": `restore-${theme.id}`, onclick: () => this.restoreTheme(theme) },
        t("restore"), h("span", { class: "visually-hidden", text: ` ${theme.name}` })));
    return h("li", { class: "theme-item", "data-theme-id": theme.id }, article);
  }

  cardItem(theme, card, movable) {
    const textId = `theme-${theme.id}-card-${card.id}-text`;
    const meta = [t(`lane.${card.lane}`), card.city];
    if (card.dots !== null) meta.push(count("dots", card.dots));
    if (card.pinned) meta.push(t("placed"));
    const item = h("li", { class: `console-card lane-${card.lane}`, "aria-labelledby": textId },
      h("p", { class: "console-card-text", id: textId, text: card.text }),
      h("p", { class: "console-card-meta", text: meta.join(" · ") }));
    if (movable && theme.cards.length > 1) {
      const box = h("input", { type: "checkbox", id: `theme-${theme.id}-move-${card.id}`, "data-key": `move-${theme.id}-${card.id}`,
        "data-card-id": card.id, onchange: () => this.showSplit(theme.id) });
      item.append(h("div", { class: "field check theme-move" }, box,
        h("label", { for: box.id }, t("move"), h("span", { class: "visually-hidden", text: `: ${excerpt(card.text)}` }))));
    }
    return item;
  }

  splitForm(theme) {
    const id = `theme-${theme.id}-split`;
    const nameField = h("input", { id: `${id}-name`, type: "text", maxlength: data.limits.name, "data-key": `split-name-${theme.id}`, autocomplete: "off" });
    return h("form", { class: "theme-inline theme-split", id, hidden: true,
      onsubmit: (event) => { event.preventDefault(); this.split(theme, nameField.value); } },
      h("label", { for: nameField.id, text: t("split.name") }), nameField,
      h("button", { type: "submit", "data-key": `split-${theme.id}`, text: t("split") }));
  }

  mergeForm(theme, others) {
    const select = h("select", { id: `theme-${theme.id}-merge`, "data-key": `merge-target-${theme.id}` },
      ...others.map((other) => h("option", { value: other.id, text: excerpt(other.name, 80) })));
    return h("form", { class: "theme-inline theme-merge", onsubmit: (event) => { event.preventDefault(); this.merge(theme, Number(select.value)); } },
      h("label", { for: select.id, text: t("merge.target") }), select,
      h("button", { type: "submit", "data-key": `merge-${theme.id}` }, t("merge"), h("span", { class: "visually-hidden", text: ` ${theme.name}` })));
  }

  chosen(themeId) {
    return [...this.element.querySelectorAll(`[data-key^="move-${themeId}-"]:checked`)].map((box) => Number(box.dataset.cardId));
  }

  /** The split controls show once a card is ticked. */
  showSplit(themeId) {
    const form = this.element.querySelector(`#theme-${themeId}-split`);
    if (form) form.hidden = this.chosen(themeId).length === 0;
  }

  // Act --------------------------------------------------------------------------------------------

  async send(event, payload, { done, focus } = {}) {
    this.showError("");
    const ack = await request(event, payload);
    if (!ack.ok) {
      this.showError(ack.error.message);
      return null;
    }
    this.themes = ack.themes;
    this.render(typeof focus === "function" ? focus(ack) : focus);
    if (done) this.say(done);
    return ack;
  }

  say(message) {
    this.status.textContent = message;
  }

  find() {
    this.showError("");
    this.findButton.disabled = true;
    this.say(t("finding"));
    socket.timeout(FIND_TIMEOUT_MS).emit("refresh_themes", { board_id: this.boardId }, (error, ack) => {
      this.findButton.disabled = false;
      if (error || !ack.ok) {
        this.say("");
        this.showError(error ? t("finding.slow") : ack.error.message);
      } else {
        this.themes = ack.themes;
        this.render();
        this.say(`${t("found")} ${count("count", this.themes.filter((theme) => !theme.dismissed).length)}`);
      }
      this.findButton.focus();
    });
  }

  rename(theme, name) {
    return this.send("rename_theme", { theme_id: theme.id, name }, { done: t("saved"), focus: `save-${theme.id}` });
  }

  split(theme, name) {
    const payload = { theme_id: theme.id, card_ids: this.chosen(theme.id) };
    if (name.trim()) payload.name = name;
    return this.send("split_theme", payload, { done: t("split.done"), focus: (ack) => `title-${ack.theme_id}` })
      .then((ack) => {
        const field = ack && this.byKey(`split-name-${theme.id}`);
        if (field) field.value = "";
      });
  }

  merge(theme, intoId) {
    return this.send("merge_themes", { theme_id: theme.id, into_id: intoId }, { done: t("merge.done"), focus: `title-${intoId}` });
  }

  dismiss(theme) {
    return this.send("dismiss_theme", { theme_id: theme.id }, { done: t("dismissed"), focus: `restore-${theme.id}` });
  }

  restoreTheme(theme) {
    return this.send("restore_theme", { theme_id: theme.id }, { done: t("restored"), focus: `dismiss-${theme.id}` });
  }

  /** Fetch the themes again (another facilitator changed them, or the socket reconnected); also puts the
   * socket in the board's facilitators' room, where `themes_changed` is heard. */
  async reload(news = false) {
    const ack = await request("get_themes", { board_id: this.boardId });
    if (!ack.ok) return;
    this.themes = ack.themes;
    this.render();
    if (news) announce(announcer, t("changed", { area: this.title }));
  }
}

const areas = new Map(data.areas.map((entry) => [entry.board_id, new Area(entry)]));
socket.on("connect", () => areas.forEach((area) => area.reload()));
socket.on("themes_changed", (news) => areas.get(news.board_id)?.reload(true));
