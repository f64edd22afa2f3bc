"""The axe-core audit any browser test can run on the page it has open (WCAG 2.2 AA and what it
includes), and the browser contexts it needs.

axe-core comes from npm (tests/package.json, installed by `.ci/install --test`) and is injected from
disk: nothing is fetched at run time. Injecting a script is what the app's Content-Security-Policy
forbids, so audited pages live in contexts made with `bypass_csp=True`: the audit steps around the
policy instead of the app weakening it."""
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: axe tags each rule with the version that added it.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    nodes: rule.nodes.map((node) => ({target: node.target.map(String), summary: node.failureSummary})),
  }));
}"""


def violations(page, tags=TAGS):
    """axe-core's violations on `page` as it is now (a page opened with `new_page(bypass_csp=True)`):
    a list of dicts (id, impact, help, nodes)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `bash .ci/install --test` installs the tests' npm packages")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(_RUN, tags)


def describe(found):
    """Violations as lines a person can act on: rule, impact, help, then each target and why."""
    lines = []
    for rule in found:
        lines.append(f"{rule['id']} ({rule['impact']}): {rule['help']} <{rule['helpUrl']}>")
        for node in rule["nodes"]:
            lines.append(f"  at {' '.join(node['target'])}")
            lines += [f"    {line}" for line in (node["summary"] or "").splitlines() if line.strip()]
    return "\n".join(lines)


def assert_accessible(page):
    """Fail with axe's findings, described, when `page` has any violation."""
    found = violations(page)
    assert not found, f"{page.url}:\n{describe(found)}"


# WCAG 2.5.8 target size (minimum): every target at least 24 by 24 CSS px. A link inside a sentence
# is exempt (WCAG's "inline" exception); we use no other exception, the spacing one included.
_SMALL_TARGETS = """() => {
  const targets = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab], [tabindex]:not([tabindex='-1'])");
  const inSentence = (element) => {
    if (element.tagName !== "A") return false;
    const display = getComputedStyle(element).display;
    if (display !== "inline") return false;
    const block = element.parentElement;
    const text = [...block.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join("");
    return text.trim().length > 0;  // the link shares its line box with words around it
  };
  const small = [];
  for (const element of targets) {
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (!rect.width || !rect.height || style.visibility === "hidden" || element.closest("[aria-hidden=true], .visually-hidden")) continue;
    if (rect.width >= 23.99 && rect.height >= 23.99) continue;
    if (inSentence(element)) continue;
    const name = (element.getAttribute("aria-label") || element.textContent || element.name || element.type || "").trim().slice(0, 40);
    small.push(`${element.tagName.toLowerCase()} "${name}": ${rect.width.toFixed(1)}x${rect.height.toFixed(1)} px`);
  }
  return small;
}"""


def small_targets(page):
    """Every visible target on `page` smaller than 24 by 24 CSS px (save links inside sentences)."""
    return page.evaluate(_SMALL_TARGETS)


# WCAG 1.4.4 resize text: with the text doubled, no box that hides its overflow cuts words off.
_CLIPPED = """() => {
  const cut = [];
  for (const element of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(element);
    if (!['hidden', 'clip'].includes(style.overflowX) && !['hidden', 'clip'].includes(style.overflowY)) continue;
    if (element.clientWidth <= 2 || element.clientHeight <= 2 || !element.innerText.trim()) continue;  // visually hidden
    if (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1) {
      cut.push(`${element.tagName.toLowerCase()}.${element.className} cuts "${element.innerText.trim().slice(0, 40)}": ` +
               `${element.scrollWidth}x${element.scrollHeight} px in ${element.clientWidth}x${element.clientHeight}`);
    }
  }
  return cut;
}"""


def clipped_text(page):
    """Every box on `page` that hides part of its text (overflow hidden or clip, content larger)."""
    return page.evaluate(_CLIPPED)


# WCAG 2.4.11 focus not obscured: the focused element's centre is on screen and is the element.
_FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return {lost: true};
  const again = element.hasAttribute('data-focus-walked');
  element.setAttribute('data-focus-walked', '');
  const rect = element.getBoundingClientRect();
  const name = `${element.tagName.toLowerCase()} "${(element.getAttribute('aria-label') || element.textContent || '').trim().slice(0, 30)}"`;
  if (rect.width <= 2 || rect.height <= 2) return {name, again, tiny: true};
  // The middle of the part inside the window (a link in a strip that scrolls sideways may be cut by its edge).
  const left = Math.max(rect.left, 0), right = Math.min(rect.right, innerWidth);
  const top = Math.max(rect.top, 0), bottom = Math.min(rect.bottom, innerHeight);
  const hit = right > left && bottom > top ? document.elementFromPoint((left + right) / 2, (top + bottom) / 2) : null;
  const scrolled = window.scrollY > 0 || [...document.querySelectorAll('*')].some((node) => node.scrollTop > 0);
  const covered = !hit || !(element === hit || element.contains(hit) || hit.closest('label') === element.labels?.[0]);
  return {name, again, covered, by: hit ? `${hit.tagName.toLowerCase()}.${hit.className}` : 'nothing (off screen)', scrolled};
}"""


def focus_walk(page, steps):
    """Press Tab up to `steps` times (stopping where the page comes round again), then Shift+Tab back
    to the start: going back up is when something sticking to the top may cover what takes focus.
    {"seen": names focused, "covered": those hidden (and by what), "lost": how often focus fell to the
    body, "scrolled": whether anything had to scroll}."""
    walked = {"seen": [], "covered": [], "lost": 0, "scrolled": False}

    def press(key):
        page.keyboard.press(key)
        found = page.evaluate(_FOCUSED)
        if found.get("lost"):
            walked["lost"] += 1
            return found
        walked["seen"].append(found["name"])
        walked["scrolled"] = walked["scrolled"] or found.get("scrolled", False)
        if found.get("covered"):
            walked["covered"].append(f"{found['name']} under {found['by']}")
        return found

    forward = 0
    while forward < steps:
        found = press("Tab")
        forward += 1
        if found.get("again"):
            break
    for _ in range(forward):
        press("Shift+Tab")
    return walked
