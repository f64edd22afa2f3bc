"""Every page a person sees, in the states they see it in, at phone width and at 320 CSS px: nothing
scrolls sideways, and every button's text has 4.5:1 contrast against its background (see layout.py)."""
import pytest
from playwright.sync_api import expect

from .layout import PHONE, layout_problems
from .page_states import PAGES, Room, open_as

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def room(live_server):
    return Room(live_server)


@pytest.mark.parametrize("who, path, prepare", [pytest.param(*page[1:], id=page[0]) for page in PAGES])
def test_no_page_scrolls_sideways_and_every_button_reads(new_page, room, who, path, prepare):
    page = open_as(new_page, getattr(room, who) if who else None, path(room))
    opened = prepare(page, room)
    problems = layout_problems(page)
    assert not problems, "\n".join(problems)
    if opened is not None:  # what was open is still there on a phone (its lane is the one shown)
        page.set_viewport_size(PHONE)
        expect(opened).to_be_visible()
    assert page.errors == []
