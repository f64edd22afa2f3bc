// One card on the board, with its actions and the inline forms they open (edit, delete, hide,
// merge). Text goes in through textContent only.
import { h } from "./dom.js";
import { excerpt, pageLanguage, writtenDates, writtenMoment } from "./messages.js";

export function cardElement(card, view) {
  const { t, state } = view;
  const textId = `card-${card.id}-text`;
  const spotlit = state.board.spotlight_card_id === card.id;
  const element = h("li", {
    id: `card-${card.id}`, class: `card lane-${card.lane}${card.hidden ? " is-hidden" : ""}${spotlit ? " spotlight" : ""}`,
    tabindex: "-1", "aria-labelledby": textId, "data-card-id": card.id,
  });
  if (spotlit) element.append(h("p", { class: "badge spotlight-badge", text: t("spotlight.on") }));
  const rank = view.ranks.get(card.id);
  if (rank) element.append(h("p", { class: "rank", text: t(rank.tie ? "rank.tie" : "rank", { n: rank.rank }) }));
  element.append(h("p", { class: "card-text", id: textId, text: card.text }));

  const link = card.link_id && state.cards.get(card.link_id);
  if (link) {
    element.append(h("p", { class: "card-link" }, `${t(`links.${card.lane}`)} `,
      h("a", { href: `#card-${link.id}`, text: excerpt(link.text), onclick: (event) => { event.preventDefault(); view.jumpTo(link.id); } })));
  }
  if (card.merged.length) {
    element.append(h("ul", { class: "card-merged", "aria-label": t("merged.from") },
      ...card.merged.map((part) => h("li", {},
        h("span", { text: part.text }), " ",
        h("span", { class: "card-by", text: t("card.by", { name: part.author.name, city: part.author.city }) })))));
  }
  element.append(h("p", { class: "card-meta" },
    h("span", { class: "author", text: view.isMine(card) ? `${card.author.name} (${t("me")})` : card.author.name }), " ",
    h("span", { class: "city-tag", text: card.author.city }), " · ",
    h("time", { datetime: card.created_at, title: writtenMoment(card.created_at), text: view.ago(card.created_at) })));
  if (card.private) element.append(h("p", { class: "badge", text: t("private") }));
  if (card.hidden) element.append(h("p", { class: "card-hidden-note", text: t("hidden.note", { reason: card.hidden.reason }) }));

  if (card.plan) element.append(...planSummary(card, view));
  if (view.votable(card)) element.append(...voteLine(card, view));

  const mode = view.open && view.open.cardId === card.id ? view.open.mode : null;
  if (mode) element.append(inlineForm(card, mode, view));
  else if (view.mayChange(card) || view.mayCompletePlan(card)) element.append(actionButtons(card, view));
  return element;
}

// The card's dots: the room's count (once public), this person's (or city team's) dots on it as
// filled and empty dots with the same in words, the buttons, why "Add a dot" cannot be pressed
// (beside it, and tied to it by aria-describedby), and a refusal the server gave, shown here too.
function voteLine(card, view) {
  const { t, state } = view;
  const parts = [];
  const count = view.count(card);
  if (count !== null && (state.board.phase !== "collect")) {
    parts.push(h("p", { class: "dot-count", text: view.tCount("dots.count", count) }));
  }
  if (state.me.role !== "participant" || state.board.phase === "collect") return parts;
  const { mine, team, onCard } = view.myDots(card);
  const { cap, mode } = state.board.voting;
  const voting = view.canVote(card);
  if (!voting && !onCard) return parts;
  const words = mode === "city" ? t("dots.team.card", { city: state.me.city, n: onCard, cap }) : t("dots.mine.card", { n: onCard, cap });
  parts.push(h("p", { class: "my-dots" },
    h("span", { class: "dot-marks", "aria-hidden": "true", text: "●".repeat(Math.min(onCard, cap)) + "○".repeat(Math.max(cap - onCard, 0)) }),
    " ", h("span", { text: words })));
  if (mode === "city" && team.length) {
    parts.push(h("p", { class: "my-dots", text: t("dots.team", { city: state.me.city, people: team.map((dot) => `${dot.name} ${dot.count}`).join(", ") }) }));
  }
  if (!voting) return parts;
  const left = state.votes.mine ? state.votes.mine.left : 0;
  const reason = left <= 0 ? t("dot.reason.left") : onCard >= cap ? t("dot.reason.cap", { cap }) : null;
  const textId = `card-${card.id}-text`;
  const reasonId = `card-${card.id}-vote-reason`;
  parts.push(h("div", { class: "vote-controls", role: "group", "aria-label": words },
    h("button", { type: "button", class: "dot-button", "data-focus-key": "vote", "aria-describedby": reason ? `${textId} ${reasonId}` : textId,
      text: t("dot.add"), disabled: Boolean(reason), onclick: () => view.vote(card.id, "vote") }),
    h("button", { type: "button", class: "dot-button", "data-focus-key": "unvote", "aria-describedby": textId, text: t("dot.remove"),
      disabled: mine <= 0, onclick: () => view.vote(card.id, "unvote") })));
  if (reason) parts.push(h("p", { id: reasonId, class: "vote-reason", text: reason }));
  const refusal = view.voteErrors.get(card.id);
  if (refusal) parts.push(h("p", { class: "vote-error", text: refusal }));
  return parts;
}

function actionButtons(card, view) {
  const { t, state } = view;
  const describedBy = `card-${card.id}-text`;
  const button = (label, onclick, extra = {}) => h("button", { type: "button", "aria-describedby": describedBy, text: label, onclick, ...extra });
  const changes = view.mayChange(card);
  const buttons = [
    changes ? button(t("edit"), () => view.setOpen(card.id, "edit")) : null,
    view.mayCompletePlan(card) ? button(t("plan.details"), () => view.setOpen(card.id, "plan")) : null,
    changes ? button(t("delete"), () => view.setOpen(card.id, "delete"), { class: "danger" }) : null,
  ];
  if (state.me.role === "facilitator") {
    const spotlit = state.board.spotlight_card_id === card.id;
    if (!card.hidden && !card.private) {
      buttons.push(button(spotlit ? t("spotlight.release") : t("spotlight"),
        () => act(view, card, view.actions.spotlight(spotlit ? null : card.id))));
    }
    buttons.push(card.hidden
      ? button(t("restore"), () => act(view, card, view.actions.restoreCard(card.id)))
      : button(t("hide"), () => view.setOpen(card.id, "hide")));
    const others = [...state.cards.values()].filter((other) => other.lane === card.lane && other.id !== card.id);
    if (others.length) buttons.push(button(t("merge"), () => view.setOpen(card.id, "merge")));
  }
  return h("div", { class: "card-actions", role: "group", "aria-label": t("card.actions") }, ...buttons.filter(Boolean));
}

async function act(view, card, pending) {
  const ack = await pending;
  if (!ack.ok) {
    view.announce(view.t("announce.error", { message: ack.error.message }));
    return;
  }
  if (ack.card) view.state.cards.set(ack.card.id, ack.card);
  view.setOpen(card.id, null);
}

function inlineForm(card, mode, view) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const cancel = h("button", { type: "button", text: view.t("cancel"), onclick: () => view.setOpen(card.id, null) });
  const form = h("form", { class: `card-form card-form-${mode}`, novalidate: true });
  const submit = (pending) => async (event) => {
    event.preventDefault();
    const ack = await pending();
    if (!ack.ok) {
      error.textContent = ack.error.message;
      error.hidden = false;
      return;
    }
    if (ack.card) view.state.cards.set(ack.card.id, ack.card);
    view.setOpen(card.id, null);
  };
  const id = `card-${card.id}-${mode}`;
  if (mode === "edit") {
    const text = h("textarea", { id, rows: 3, maxlength: view.limits.text });
    text.value = card.text;
    form.append(h("label", { for: id, text: view.t("edit.label") }), text);
    let link = null;
    const targetLane = view.linkTarget(card.lane);
    if (targetLane) {
      link = h("select", { id: `${id}-link` });
      link.append(h("option", { value: "", text: view.t("link.none") }),
        ...[...view.state.cards.values()].filter((other) => other.lane === targetLane)
          .map((other) => h("option", { value: other.id, text: excerpt(other.text, 70) })));
      link.value = card.link_id ? String(card.link_id) : "";
      form.append(h("label", { for: link.id, text: view.t(`link.${card.lane}`) }), link);
    }
    form.addEventListener("submit", submit(() => view.actions.editCard(card.id, text.value, link && link.value ? Number(link.value) : null)));
    form.append(error, buttons(h("button", { type: "submit", class: "primary", text: view.t("save") }), cancel));
  } else if (mode === "delete") {
    form.addEventListener("submit", submit(() => view.actions.deleteCard(card.id)));
    form.append(h("p", { text: view.t("delete.confirm") }), error,
      buttons(h("button", { type: "submit", class: "danger", text: view.t("delete.yes") }), cancel));
  } else if (mode === "hide") {
    const reason = h("input", { id, type: "text", maxlength: view.limits.reason });
    form.addEventListener("submit", submit(() => view.actions.hideCard(card.id, reason.value)));
    form.append(h("label", { for: id, text: view.t("hide.reason") }), reason, error,
      buttons(h("button", { type: "submit", class: "primary", text: view.t("hide.submit") }), cancel));
  } else if (mode === "plan") {
    const inputs = planInputs(card.plan, id, view);
    form.addEventListener("submit", submit(() => view.actions.editPlan(card.id, readPlan(inputs))));
    form.append(...Object.values(inputs).flatMap((input) => input.parts), error,
      buttons(h("button", { type: "submit", class: "primary", text: view.t("plan.save") }), cancel));
  } else if (mode === "merge") {
    const target = h("select", { id });
    target.append(...[...view.state.cards.values()].filter((other) => other.lane === card.lane && other.id !== card.id)
      .map((other) => h("option", { value: other.id, text: excerpt(other.text, 70) })));
    form.addEventListener("submit", submit(() => view.actions.mergeCards(card.id, Number(target.value))));
    form.append(h("label", { for: id, text: view.t("merge.target") }), target, error,
      buttons(h("button", { type: "submit", class: "primary", text: view.t("merge.submit") }), cancel));
  }
  return form;
}

const buttons = (...children) => h("div", { class: "form-buttons" }, ...children);

const PLAN_TEXT = ["title", "lead", "partners", "resources", "indicators", "target", "baseline"];
const PLAN_LONG = new Set(["partners", "resources", "indicators", "target", "baseline"]); // text areas

// The Pillar's principles as the server names them (messages "principle.1" ... in the page's data).
function principles(t) {
  const list = [];
  for (let n = 1; t(`principle.${n}`) !== `principle.${n}`; n += 1) list.push({ n, name: t(`principle.${n}`) });
  return list;
}

// An action plan on the card: its title, status, lead and dates at a glance; everything else
// behind a native disclosure (keyboard and screen-reader friendly). Principles show by name.
function planSummary(card, view) {
  const { t } = view;
  const plan = card.plan;
  const glance = [plan.lead, writtenDates(plan.starts_on, plan.ends_on)].filter(Boolean).join(" · ");
  const parts = [h("p", { class: "plan-line" },
    plan.title ? h("strong", { text: plan.title }) : null, " ",
    h("span", { class: `badge status-${plan.status}`, text: t(`plan.status.${plan.status}`) }),
    glance ? ` ${glance}` : null)];
  const rows = [...PLAN_TEXT.slice(1), "investment", "principles", "child_guarantee"].flatMap((name) => {
    const value = name === "investment" ? writtenInvestment(plan) : plan[name];
    if (!value || (Array.isArray(value) && !value.length)) return [];
    let shown = value;
    if (name === "principles") {
      shown = h("ul", { class: "plan-principles" },
        ...value.map((n) => h("li", { text: t("plan.principle", { n, name: t(`principle.${n}`) }) })));
    } else if (name === "child_guarantee") shown = "✓";
    return [h("dt", { text: t(`plan.${name}`) }), typeof shown === "string" ? h("dd", { text: shown }) : h("dd", {}, shown)];
  });
  if (rows.length) parts.push(h("details", { class: "plan-details" }, h("summary", { text: t("plan.more") }), h("dl", {}, ...rows)));
  return parts;
}

// A plan's investment in the page's language, whole units: "€4,000,000 (2025-2030)"; "" when none.
// (The reports write it with Babel the same way: `plans.written_investment`.)
function writtenInvestment(plan) {
  if (plan.investment_amount === null || plan.investment_amount === undefined) return "";
  const amount = plan.investment_currency
    ? new Intl.NumberFormat(pageLanguage(), { style: "currency", currency: plan.investment_currency, minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(plan.investment_amount)
    : new Intl.NumberFormat(pageLanguage()).format(plan.investment_amount);
  return plan.investment_period ? `${amount} (${plan.investment_period})` : amount;
}

// The investment's three fields, side by side: the amount as stored (plain digits, so that saving
// it again as shown changes nothing), the currency from the server's list, the period.
function investmentInputs(plan, id, view) {
  const { t } = view;
  const amount = h("input", { id: `${id}-investment_amount`, type: "text", inputmode: "numeric", autocomplete: "off" });
  amount.value = plan.investment_amount === null || plan.investment_amount === undefined ? "" : String(plan.investment_amount);
  const currency = h("select", { id: `${id}-investment_currency` },
    h("option", { value: "", text: t("plan.investment_currency.none") }),
    ...view.limits.currencies.map(({ code, name }) => h("option", { value: code, text: t("plan.investment_currency.option", { name, code }) })));
  currency.value = plan.investment_currency || "";
  const hintId = `${id}-investment_period-hint`;
  const period = h("input", { id: `${id}-investment_period`, type: "text", maxlength: view.limits.plan.investment_period, "aria-describedby": hintId });
  period.value = plan.investment_period || "";
  const field = (input, ...after) => h("div", { class: "plan-investment-field" },
    h("label", { for: input.id, text: t(`plan.${input.id.slice(id.length + 1)}`) }), input, ...after);
  return {
    investment_amount: { input: amount, parts: [] },
    investment_currency: { input: currency, parts: [] },
    investment_period: {
      input: period,
      parts: [h("div", { class: "plan-investment" }, field(amount), field(currency),
        field(period, h("p", { class: "hint", id: hintId, text: t("plan.investment_period.hint") })))],
    },
  };
}

// The plan's fields, each showing what is stored, with the server's limits (`limits.plan`).
function planInputs(plan, id, view) {
  const { t } = view;
  const labelled = (name, input) => ({ input, parts: [h("label", { for: input.id, text: t(`plan.${name}`) }), input] });
  const inputs = {};
  for (const name of PLAN_TEXT) {
    const input = PLAN_LONG.has(name)
      ? h("textarea", { id: `${id}-${name}`, rows: 2, maxlength: view.limits.plan[name] })
      : h("input", { id: `${id}-${name}`, type: "text", maxlength: view.limits.plan[name] });
    input.value = plan[name];
    inputs[name] = labelled(name, input);
    if (name === "resources") Object.assign(inputs, investmentInputs(plan, id, view)); // beside the free-text resources
  }
  const dates = [];
  for (const name of ["starts_on", "ends_on"]) {
    const input = h("input", { id: `${id}-${name}`, type: "date" });
    input.value = plan[name] || "";
    inputs[name] = { input, parts: [] };
    dates.push(h("div", { class: "plan-date" }, h("label", { for: input.id, text: t(`plan.${name}`) }), input));
  }
  inputs.ends_on.parts = [h("div", { class: "plan-dates" }, ...dates)];
  const status = h("select", { id: `${id}-status` },
    ...["draft", "agreed"].map((value) => h("option", { value, text: t(`plan.status.${value}`) })));
  status.value = plan.status;
  inputs.status = labelled("status", status);
  const boxes = principles(t).map(({ n, name }) => {
    const box = h("input", { id: `${id}-principle-${n}`, type: "checkbox", value: n });
    box.checked = plan.principles.includes(n);
    return { box, item: h("li", {}, box, h("label", { for: box.id, text: t("plan.principle", { n, name }) })) };
  });
  inputs.principles = {
    input: boxes.map(({ box }) => box),
    parts: [h("fieldset", { class: "plan-principles-choice" }, h("legend", { text: t("plan.principles") }),
      h("ul", {}, ...boxes.map(({ item }) => item)))],
  };
  const guarantee = h("input", { id: `${id}-child_guarantee`, type: "checkbox" });
  guarantee.checked = plan.child_guarantee;
  inputs.child_guarantee = { input: guarantee, parts: [h("div", { class: "field check" }, guarantee, " ", h("label", { for: guarantee.id, text: t("plan.child_guarantee") }))] };
  return inputs;
}

function readPlan(inputs) {
  const plan = {};
  for (const name of PLAN_TEXT) plan[name] = inputs[name].input.value;
  for (const name of ["starts_on", "ends_on"]) plan[name] = inputs[name].input.value || null;
  plan.status = inputs.status.input.value;
  plan.principles = inputs.principles.input.filter((box) => box.checked).map((box) => Number(box.value));
  plan.child_guarantee = inputs.child_guarantee.input.checked;
  // The amount as typed (the server reads "4000000", "4 000 000" or "4,000,000"); empty is none.
  plan.investment_amount = inputs.investment_amount.input.value.trim() || null;
  plan.investment_currency = inputs.investment_currency.input.value;
  plan.investment_period = inputs.investment_period.input.value;
  return plan;
}
