"""The room's news (static/js/announce.js) has every string it asks for in the page's message table
(so each is translatable), counts have every plural form of the page's language, and the board and the projector each have
one polite region for it, apart from the page's own feedback, with the setting that quiets it."""
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from workshop.boards.messages import board_messages

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "js" / "announce.js"


def asked_for(kind):
    """The literal keys announce.js passes to `this.t(...)` or `this.count(...)`, and the lane
    templates it builds (`announce.added.${...}`) with each lane filled in."""
    keys = set()
    for key in re.findall(rf'this\.{kind}\(\s*[`"]([^`"]+)[`"]', SCRIPT.read_text()):
        keys |= {key.replace("${card.lane}", lane).replace("${lane}", lane) for lane in ("problem", "idea", "action")}
    return keys


@pytest.mark.parametrize("language, categories", [("en", {"one", "other"}), ("pl", {"one", "few", "many"}),
                                                  ("sl", {"one", "two", "few", "other"})])
def test_every_message_the_news_uses_is_in_the_table_and_counts_have_their_plural_forms(app, language, categories):
    with app.test_request_context(), force_locale(language):
        messages = board_messages()
    said, counted = asked_for("t"), asked_for("count")
    assert said and counted
    assert sorted(key for key in said | counted if "${" not in key and key not in messages) == []
    assert sorted(key for key in counted if {f"{key}.{category}" for category in categories} - set(messages)) == []


@pytest.mark.parametrize("page", ["board", "projector"])
def test_one_polite_region_for_the_room_and_the_setting_that_quiets_it(client, auth, room, page):
    auth.as_user(room.facilitator)
    path = f"/boards/{room.board.id}" + ("/projector" if page == "projector" else "")
    html = client.get(path).get_data(as_text=True)
    regions = re.findall(r'<div id="room-news"[^>]*>', html)
    assert len(regions) == 1 and 'aria-live="polite"' in regions[0] and 'aria-label="What others do"' in regions[0]
    assert re.search(r'<input type="checkbox" id="announce-others" checked> <label for="announce-others">Announce what others do</label>', html)
    if page == "projector":  # the screen redraws whole: it is not itself a live region
        assert html.count("aria-live") == 1
