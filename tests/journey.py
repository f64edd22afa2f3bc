"""The room of a journey test (tests/test_*_journey.py): one browser context per person, at their own size,
screenshots of each step with the layout checked on each screen."""
import os
import re
from pathlib import Path

from playwright.sync_api import expect

from .layout import LAPTOP, NARROW, PHONE, layout_problems
from .live import ROOT
from .live import card as live_card

PROJECTOR = {"width": 1920, "height": 1080}


def shots(name):
    """Where a journey keeps its screenshots: tests/screenshots/<name> (kept out of git), or under SCREENSHOTS_DIR."""
    return Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "tests" / "screenshots")) / name


class Room:
    """The people in the room: `page` opens one (a context of their own unless `context` is given);
    `shoot` keeps screenshots in `shots` and fails on sideways scrolling at a phone's width (also at
    320 px for the people named in `narrow`; the projector at its own size) or on unreadable buttons."""

    def __init__(self, browser, server, shots, narrow=()):
        self.browser, self.server, self.shots, self.narrow = browser, server, shots, narrow
        self.contexts, self.pages, self.step = [], [], 0
        shots.mkdir(parents=True, exist_ok=True)

    def page(self, who=None, viewport=LAPTOP, phone=False, context=None, timeout=15_000, **options):
        """A page for `who`; `options` go to a new context (e.g. `bypass_csp` for axe)."""
        if context is None:
            context = self.browser.new_context(base_url=self.server.url, viewport=viewport, is_mobile=phone,
                                               has_touch=phone, device_scale_factor=1, **options)
            context.set_default_timeout(timeout)
            self.contexts.append(context)
        page = context.new_page()
        page.set_viewport_size(viewport)
        page.who, page.errors = who, []
        page.on("pageerror", lambda error: page.errors.append(error))
        self.pages.append(page)
        return page

    def shoot(self, name, *pages):
        """Screenshots of `pages` (named by their `who`), then the layout check on each."""
        self.step += 1
        for page in pages:
            page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}-{page.who}.png"), full_page=page.who != "projector")
        for page in pages:
            sizes = (PROJECTOR,) if page.who == "projector" else (PHONE, NARROW) if page.who in self.narrow else (PHONE,)
            assert layout_problems(page, sizes) == [], (name, page.who)

    def close(self):
        for context in self.contexts:
            context.close()


def card(page, text):
    """The card that reads `text`, exactly."""
    return live_card(page, text, exact=True)


def show_lane(page, lane_name):
    """On a phone one lane shows at a time: pick it."""
    tab = page.get_by_role("tab", name=re.compile(f"^{lane_name}"))
    if tab.count() and tab.first.is_visible():
        tab.first.click()


def post(page, lane, text, link=None):
    """Post a card with the lane's composer (on a phone, the lane's tab first) and see it on the board."""
    show_lane(page, {"problem": "Problems", "idea": "Ideas", "action": "Action plans"}[lane])
    page.get_by_label({"problem": "New problem", "idea": "New idea", "action": "New action plan"}[lane]).fill(text)
    if link:
        page.get_by_label({"idea": "Answers the problem", "action": "Builds on the idea"}[lane]).select_option(label=link)
    page.get_by_role("button", name={"problem": "Add problem", "idea": "Add idea", "action": "Add action plan"}[lane]).click()
    expect(card(page, text)).to_be_visible()
