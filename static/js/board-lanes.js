// The board's lanes: each with its compact composer and its card list, and, on a phone, the tabs
// that show one lane at a time. Cards get the space: a composer is one line until it is used.
import { h } from "./dom.js";

const PHONE = "(max-width: 43.74rem)"; // below 700 CSS px: one lane at a time
const TYPING = "input, textarea, select, [contenteditable], [role=tab]";
const pointer = { down: false };
addEventListener("pointerdown", () => { pointer.down = true; }, true);
addEventListener("pointerup", () => { pointer.down = false; }, true);

// The lanes of `view`'s board, built into #lanes: { lanes: { lane: { section, list, count, form, ... } },
// switcher }.
export function buildLanes(view) {
  const container = document.getElementById("lanes");
  const lanes = {};
  for (const lane of view.state.board.lanes) {
    lanes[lane] = composerLane(view, lane);
    container.append(lanes[lane].section);
  }
  return { lanes, switcher: new LaneSwitcher(view, lanes, container) };
}

function composerLane(view, lane) {
  const { t, limits } = view;
  const headingId = `lane-${lane}-heading`;
  const count = h("span", { class: "count" });
  const hintId = `new-${lane}-hint`;
  const textarea = h("textarea", {
    id: `new-${lane}`, name: "text", rows: 1, maxlength: limits.text, placeholder: t(`compose.${lane}`),
    "aria-describedby": `new-${lane}-counter ${hintId}`, "aria-keyshortcuts": "n",
  });
  const counter = h("p", { id: `new-${lane}-counter`, class: "counter" });
  const hint = h("p", { id: hintId, class: "counter composer-hint", text: t("compose.hint") });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const linkSelect = view.linkTarget(lane) ? h("select", { id: `new-${lane}-link` }) : null;
  const button = h("button", { type: "submit", class: "primary", text: t(`add.${lane}`) });
  const cancel = h("button", { type: "button", class: "composer-close", text: t("cancel") });
  const form = h("form", { class: "add-card composer", novalidate: true },
    h("label", { for: textarea.id, class: "composer-label", text: t(`new.${lane}`) }), textarea,
    h("div", { class: "composer-more" }, counter,
      linkSelect && h("label", { for: linkSelect.id, text: t(`link.${lane}`) }), linkSelect,
      h("div", { class: "composer-buttons" }, button, cancel), hint),
    error);
  const list = h("ul", { class: "cards", "aria-labelledby": headingId });
  const section = h("section", { id: `lane-${lane}`, class: `lane lane-${lane}`, "aria-labelledby": headingId, tabindex: "-1" },
    h("h2", { id: headingId, tabindex: "-1" }, t(`lane.${lane}`), " ", count), form, list);

  const updateCounter = () => {
    counter.textContent = view.tCount("left", limits.text - textarea.value.length);
  };
  const setOpen = (open) => form.classList.toggle("is-open", open);
  const openComposer = () => {
    setOpen(true);
    textarea.focus();
  };
  const close = () => {
    setOpen(false);
    section.focus();
  };
  updateCounter();
  textarea.addEventListener("input", updateCounter);
  textarea.addEventListener("focus", () => setOpen(true));
  // It folds back to one line once focus leaves it empty; a draft keeps it open. Not while a mouse
  // button or finger is down: the page would move under the pointer and the click land elsewhere.
  const fold = () => {
    if (!form.contains(document.activeElement) && !textarea.value.trim()) setOpen(false);
  };
  form.addEventListener("focusout", () => {
    if (pointer.down) addEventListener("pointerup", () => setTimeout(fold), { once: true });
    else fold();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  cancel.addEventListener("click", () => {
    textarea.value = "";
    updateCounter();
    close();
  });
  // "n" writes a new card in this lane, from anywhere in the lane that is not a text field (only while
  // the lane has focus, so that speech input elsewhere on the page cannot set it off: WCAG 2.1.4).
  section.addEventListener("keydown", (event) => {
    if (event.key !== "n" || event.ctrlKey || event.metaKey || event.altKey || form.hidden) return;
    if (event.target.closest(TYPING)) return;
    event.preventDefault();
    openComposer();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return textarea.focus();
    error.hidden = true;
    view.actions.addCard(lane, text, linkSelect && linkSelect.value ? Number(linkSelect.value) : null);
    textarea.value = "";
    if (linkSelect) linkSelect.value = "";
    updateCounter();
    textarea.focus();
  });
  return { section, list, count, form, textarea, error, linkSelect, button, openComposer };
}

// On a phone, tabs above the lanes show one lane at a time, each with its card count. On wider
// screens the tabs are not shown and the lanes are plain regions side by side.
class LaneSwitcher {
  constructor(view, lanes, container) {
    this.lanes = lanes;
    this.names = view.state.board.lanes;
    this.active = this.names[0];
    this.tabs = {};
    this.counts = {};
    for (const lane of this.names) {
      this.counts[lane] = h("span", { class: "tab-count" });
      this.tabs[lane] = h("button", {
        type: "button", role: "tab", id: `lane-${lane}-tab`, class: `lane-tab lane-${lane}`, "aria-controls": `lane-${lane}`,
        onclick: () => this.select(lane, true),
      }, view.t(`lane.${lane}`), " ", this.counts[lane]);
    }
    this.list = h("div", { class: "lane-tabs", role: "tablist", "aria-label": view.t("lanes") }, ...Object.values(this.tabs));
    this.list.addEventListener("keydown", (event) => this.key(event));
    container.before(this.list);
    this.phone = matchMedia(PHONE);
    // Turning a tablet or narrowing the window keeps the lane one is working in.
    this.phone.addEventListener("change", () => this.reveal(document.activeElement) || this.apply());
    this.apply();
  }

  key(event) {
    const index = this.names.indexOf(this.active);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: this.names.length - 1 }[event.key];
    if (event.key === "n" && !event.ctrlKey && !event.metaKey && !event.altKey && !this.lanes[this.active].form.hidden) {
      event.preventDefault();
      this.lanes[this.active].openComposer();
      return;
    }
    if (next === undefined) return;
    event.preventDefault();
    this.select(this.names[(next + this.names.length) % this.names.length], true);
  }

  select(lane, focus = false) {
    this.active = lane;
    this.apply();
    if (focus) this.tabs[lane].focus();
  }

  // Roles follow the layout: a tab panel only while there are tabs.
  apply() {
    const phone = this.phone.matches;
    for (const lane of this.names) {
      const { section } = this.lanes[lane];
      const active = lane === this.active;
      section.classList.toggle("is-active", active);
      this.tabs[lane].setAttribute("aria-selected", String(active));
      this.tabs[lane].tabIndex = active ? 0 : -1;
      if (phone) {
        section.setAttribute("role", "tabpanel");
        section.setAttribute("aria-labelledby", this.tabs[lane].id);
      } else {
        section.removeAttribute("role");
        section.setAttribute("aria-labelledby", `lane-${lane}-heading`);
      }
    }
  }

  // Which lane holds `element` (a card about to be shown): its tab is selected.
  reveal(element) {
    const lane = this.names.find((name) => this.lanes[name].section.contains(element));
    if (!lane || lane === this.active) return false;
    this.select(lane);
    return true;
  }

  // Voting and results happen in the lanes that are voted on: a phone shows the first of them when
  // the board enters such a phase (or opens in it); the person's own choice stands otherwise.
  followPhase(board) {
    if (board.phase === this.phase) return;
    this.phase = board.phase;
    const voted = board.voting.lanes;
    if ((board.phase === "vote" || board.phase === "results") && voted.length && !voted.includes(this.active)) {
      this.select(voted[0]);
    }
  }

  setCount(lane, text) {
    if (this.counts[lane].textContent !== text) this.counts[lane].textContent = text;
  }
}
