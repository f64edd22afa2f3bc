"""Layout checks any browser test can run on the page it has open: nothing scrolls sideways (WCAG
1.4.10 reflow) and every button's text reads against what is behind it (WCAG 1.4.3, 4.5:1).

Both are measured from what Chromium computed, not from the style sheet: a button's background is
found by walking up to the first opaque colour (compositing the translucent ones on the way)."""

# The widths a person meets: a common phone, and 320 CSS px (WCAG's reflow width, 1280 px at 400 %).
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
LAPTOP = {"width": 1366, "height": 768}

_OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  // An element may be wider than the page inside a box that scrolls (or clips) sideways on its own.
  const clippedByAncestor = (element) => {
    for (let node = element.parentElement; node && node !== document.body && node !== root; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow !== "visible") return true;
    }
    return false;
  };
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    const rect = element.getBoundingClientRect();
    if (!rect.width || !rect.height || rect.right <= width + 1) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.position === "fixed") continue;
    if (clippedByAncestor(element)) continue;
    const name = element.tagName.toLowerCase() + (element.id ? `#${element.id}` : "")
      + (element.classList.length ? `.${[...element.classList].join(".")}` : "");
    offenders.push(`${name} right edge at ${Math.round(rect.right)} px: ${(element.textContent || "").trim().slice(0, 60)}`);
  }
  return { scrollWidth: root.scrollWidth, clientWidth: width, offenders: offenders.slice(0, 10) };
}"""

_CONTRAST = """() => {
  const parse = (value) => {
    const match = value.match(/rgba?\\(([^)]+)\\)/);
    if (!match) return [0, 0, 0, 0];
    const parts = match[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) => {
    const alpha = top[3];
    return [0, 1, 2].map((i) => top[i] * alpha + bottom[i] * (1 - alpha)).concat(1);
  };
  const background = (element) => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let result = [255, 255, 255, 1]; // the canvas, when nothing is opaque
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const opacity = (element) => {
    let value = 1;
    for (let node = element; node; node = node.parentElement) value *= Number(getComputedStyle(node).opacity);
    return value;
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.slice(0, 3).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const selector = "button, [role=button], a.button, input[type=submit], input[type=button], input[type=reset]";
  const failures = [];
  for (const element of document.querySelectorAll(selector)) {
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (!rect.width || !rect.height || style.visibility === "hidden") continue;
    if (element.closest(".visually-hidden")) continue;
    // WCAG 1.4.3 exempts inactive controls; a disabled button must still say why beside it.
    if (element.disabled || element.getAttribute("aria-disabled") === "true") continue;
    const back = background(element);
    let fore = over(parse(style.color), back);
    const fade = opacity(element);
    if (fade < 1) fore = over([...fore.slice(0, 3), fade], back);
    const value = ratio(fore, back);
    if (value < 4.5) {
      const text = (element.innerText || element.value || element.getAttribute("aria-label") || "").trim().slice(0, 40);
      failures.push(`"${text}" ${value.toFixed(2)}:1 (text ${style.color} on ${back.slice(0, 3).join(",")})`);
    }
  }
  return failures;
}"""


def sideways_overflow(page):
    """What makes `page` scroll sideways: [] when nothing does."""
    found = page.evaluate(_OVERFLOW)
    problems = list(found["offenders"])
    if found["scrollWidth"] > found["clientWidth"]:
        problems.insert(0, f"the page is {found['scrollWidth']} px wide in a {found['clientWidth']} px window")
    return problems


def low_contrast_buttons(page):
    """Every visible, enabled button whose text has less than 4.5:1 contrast against its background."""
    return page.evaluate(_CONTRAST)


def layout_problems(page, sizes=(PHONE, NARROW)):
    """Sideways scrolling at each of `sizes` and low-contrast buttons, as readable lines ([] when fine).
    The viewport is put back as it was."""
    before = page.viewport_size
    problems = [f"contrast: {line}" for line in low_contrast_buttons(page)]
    for size in sizes:
        page.set_viewport_size(size)
        page.wait_for_timeout(50)  # a layout pass after the resize (media queries, tab switchers)
        problems += [f"at {size['width']} px: {line}" for line in sideways_overflow(page)]
        problems += [f"contrast at {size['width']} px: {line}" for line in low_contrast_buttons(page)]
    page.set_viewport_size(before)
    return sorted(set(problems), key=problems.index)
