"""axe-core over every page and state a person meets (tests/page_states.py), as each role that meets
it (anonymous, participant, facilitator): no violation of WCAG 2.0, 2.1 or 2.2 at levels A and AA.
And the proof that the audit would see one (see tests/a11y.py for how axe gets into the page)."""
import pytest
from playwright.sync_api import expect

from .a11y import describe, violations
from .page_states import PAGES, SWITCHED, Room, open_as

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def room(live_server):
    return Room(live_server)


def audit_page(new_page):
    """A page the audit can run in (see tests/a11y.py)."""
    return lambda: new_page(bypass_csp=True)


@pytest.mark.parametrize("who, path, prepare", [pytest.param(*page[1:], id=page[0]) for page in PAGES + SWITCHED])
def test_no_page_violates_wcag_22_aa(new_page, room, who, path, prepare):
    page = open_as(audit_page(new_page), getattr(room, who) if who else None, path(room))
    prepare(page, room)
    found = violations(page)
    assert not found, f"{page.url}:\n{describe(found)}"
    assert page.errors == []


# What a careless change could bring in, and the rule of axe that must then speak up.
BROKEN = {
    "label": "const input = document.createElement('input'); document.querySelector('main').append(input);",
    "color-contrast": """const p = document.createElement('p'); p.textContent = 'Faint words';
        p.style.color = '#d0d0d0'; p.style.background = '#ffffff'; document.querySelector('main').append(p);""",
    "label-content-name-mismatch": """const b = document.createElement('button'); b.textContent = 'Revoke link';
        b.setAttribute('aria-label', 'Withdraw the address'); document.querySelector('main').append(b);""",
    "target-size": """const b = document.createElement('button'); b.textContent = 'x'; b.style.cssText =
        'width: 12px; height: 12px; padding: 0; margin: 0; border: 0; font-size: 8px';
        const c = b.cloneNode(true); document.querySelector('main').prepend(b, c);""",
}


@pytest.mark.parametrize("rule", BROKEN)
def test_the_audit_catches_a_violation(new_page, rule):
    page = new_page(bypass_csp=True)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations(page) == []
    page.evaluate(f"() => {{ {BROKEN[rule]} }}")
    found = violations(page)
    assert rule in [violation["id"] for violation in found], describe(found)
    assert rule in describe(found) and "at " in describe(found)  # the failure names the rule and where
