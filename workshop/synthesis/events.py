"""Socket.IO for synthesis: thin adapters over `services` (see docs/protocol.md, "Synthesis")."""
from concurrent.futures import BrokenExecutor

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import join_room

from .. import publish
from ..boards import services as boards_services
from ..boards.services import find_board, require_member
from ..errors import Refused
from ..live import LARGEST_NUMBER, handler, read
from ..models import CARD_TEXT_MAX
from ..models import LANES as CARD_LANES
from . import merges, services, themes_store


# Similar cards while writing -------------------------------------------------------------------------
# Cards shorter than this say too little to compare (a few words match everything): the answer is an
# empty list at once, and no worker is asked.
SIMILAR_TEXT_MIN = 12


@handler("similar_cards", limit="SIMILAR_LOOKUPS")
def similar_cards(data):
    """A person writing a card (`text`, in `lane` when given, editing `card_id` when given) asks which
    cards already on the board say much the same, in any language: up to three that they may see, never a
    hidden one, most similar first. Nothing changes and nobody else hears of it."""
    board = find_board(read(data, "board_id", int))
    require_member(current_user, board)
    text, lane = read(data, "text", str).strip(), read(data, "lane", str, required=False)
    card_id = read(data, "card_id", int, required=False)
    if lane is not None and lane not in CARD_LANES:
        raise Refused("bad_lane", _l("A card goes in the problems, ideas or action plans lane."))
    if len(text) > CARD_TEXT_MAX:
        raise Refused("text_too_long", _l("A card holds at most %(max)d characters.", max=CARD_TEXT_MAX))
    if len(text) < SIMILAR_TEXT_MIN:
        return {"cards": []}
    try:
        found = services.similar_cards(board, current_user, text, lane=lane, exclude_card_id=card_id)
    except (TimeoutError, BrokenExecutor) as error:
        current_app.logger.warning("similar_cards: no answer from the synthesis workers: %r", error)
        raise Refused("unavailable", _l("Similar cards cannot be looked up right now. Your card can be posted as it is.")) from None
    return {"cards": [{"id": card.id, "lane": card.lane, "text": card.text, "city": card.author.city_team.name,
                       "similarity": round(similarity, 2)} for card, similarity in found]}


# Suggested merges ------------------------------------------------------------------------------------

@handler("merge_suggestions")
def merge_suggestions(data):
    """A facilitator asks for the board's near-duplicates: pairs of live cards of one lane, most similar
    first, none a pair a facilitator dismissed. Only the asker hears the answer."""
    board = merges.board_of(current_user, read(data, "board_id", int))
    return {"pairs": [merges.pair_json(*pair) for pair in merges.suggestions(current_user, board)]}


@handler("dismiss_merge")
def dismiss_merge(data):
    """A facilitator says two cards are not the same: never suggested again; the board's other
    facilitators hear `merge_dismissed` and drop the pair."""
    board = merges.board_of(current_user, read(data, "board_id", int))
    pair = merges.dismiss(current_user, board, read(data, "card_id", int), read(data, "other_card_id", int))
    if pair is not None:
        publish.publish("merge_dismissed", {"board_id": board.id, "card_id": pair[0], "other_card_id": pair[1]},
                        publish.staff_room(board.id), skip_sid=request.sid)
    return {}



# Themes ----------------------------------------------------------------------------------------------

# The themes page's socket hears `themes_changed` in the board's facilitators' room, which `get_themes`
# puts it in; the consoles are there already.

def _theme_of(data, name="theme_id"):
    """The theme the payload names, if the current user is on its workshop."""
    theme = themes_store.find_theme(read(data, name, int))
    boards_services.require_member(current_user, theme.board)
    return theme


def _card_ids(data):
    """The payload's `card_ids`: a list of whole numbers."""
    card_ids = read(data, "card_ids", list)
    if not all(isinstance(card_id, int) and not isinstance(card_id, bool) and abs(card_id) <= LARGEST_NUMBER
               for card_id in card_ids):
        raise Refused("bad_field", _l("%(field)s has the wrong type.", field="card_ids"), field="card_ids")
    return card_ids


def _themes_changed(board_id):
    """The board's themes changed: tell its facilitators' other pages (the sender has them in its ack)."""
    publish.publish("themes_changed", {"board_id": board_id}, publish.staff_room(board_id), skip_sid=request.sid)
    return {"board_id": board_id, "themes": themes_store.themes_of(boards_services.find_board(board_id), current_user)}


@handler("get_themes")
def get_themes(data):
    """A facilitator's themes page opens a board's themes; from then on it hears `themes_changed`."""
    board = boards_services.find_board(read(data, "board_id", int))
    themes_store.require_edits(current_user, board)
    join_room(publish.staff_room(board.id))
    return {"board_id": board.id, "themes": themes_store.themes_of(board, current_user)}


@handler("refresh_themes")
def refresh_themes(data):
    """A facilitator asks the machine to group the board's cards again (seconds, in a worker); their edits stay."""
    board = boards_services.find_board(read(data, "board_id", int))
    board_id = board.id
    themes_store.refresh_themes(board, actor=current_user)
    return _themes_changed(board_id)


@handler("rename_theme")
def rename_theme(data):
    theme = _theme_of(data)
    board_id = theme.board_id
    themes_store.rename_theme(current_user, theme, read(data, "name", str))
    return _themes_changed(board_id)


@handler("merge_themes")
def merge_themes(data):
    """A facilitator puts every card of `theme_id` into `into_id`."""
    theme, into = _theme_of(data), _theme_of(data, "into_id")
    board_id = theme.board_id
    themes_store.merge_themes(current_user, theme, into)
    return _themes_changed(board_id)


@handler("split_theme")
def split_theme(data):
    """A facilitator moves some cards of a theme into a new one (the ack names it: `theme_id`)."""
    theme = _theme_of(data)
    board_id = theme.board_id
    new = themes_store.split_theme(current_user, theme, _card_ids(data), read(data, "name", str, required=False))
    return {**_themes_changed(board_id), "theme_id": new.id}


@handler("dismiss_theme")
def dismiss_theme(data):
    theme = _theme_of(data)
    themes_store.dismiss_theme(current_user, theme)
    return _themes_changed(theme.board_id)


@handler("restore_theme")
def restore_theme(data):
    theme = _theme_of(data)
    themes_store.restore_theme(current_user, theme)
    return _themes_changed(theme.board_id)




