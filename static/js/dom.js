// Building DOM nodes without ever parsing text as HTML.

/** h("p", {class: "x", text: "shown as text", onclick: fn}, child, ...) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") element.textContent = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** Read `message` out from the live region `region`, emptied first so that the same message twice is read twice. */
export function announce(region, message) {
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}
