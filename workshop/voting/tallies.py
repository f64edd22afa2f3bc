"""Vote counts reach the room coalesced: a vote marks its card; a few times a second each board
with marked cards gets one `votes_changed` with the absolute counts of those cards. A storm of
votes costs the room a handful of messages, and a lost message is healed by the next one."""
from ..boards.visibility import audience
from ..boards.votes import counts
from ..extensions import db
from ..live import Coalescer
from ..models import Board
from ..publish import to_board, to_staff


def send_counts(board_id, card_ids):
    """The counts of the marked cards: to the room when counts are public, else to facilitators.
    Facilitators are in the room too, so their own room hears only what the room may not."""
    board = db.session.get(Board, board_id)
    if board is None:
        return
    if board.votes_public:
        # The room hears only of cards everyone may see: not even a hidden card's id goes out.
        visible = {card.id for card in board.cards if card.is_live and audience(card).everyone}
        _send(board, to_board, card_ids & visible)
        card_ids = card_ids - visible
    _send(board, to_staff, card_ids)


def _send(board, to, card_ids):
    """`votes_changed` with the counts of `card_ids`, through `to` (`to_board` or `to_staff`)."""
    if card_ids:
        tally = {str(card_id): count for card_id, count in counts(board, sorted(card_ids)).items()}
        to(board.id, "votes_changed", {"board_id": board.id, "counts": tally})


tallies = Coalescer(send_counts, "VOTE_FLUSH_INTERVAL", 0.25)
