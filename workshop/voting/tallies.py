"""Vote counts reach the room coalesced: a vote marks its card; a few times a second each board
with marked cards gets one `votes_changed` with the absolute counts of those cards. A storm of
votes costs the room a handful of messages, and a lost message is healed by the next one."""
import threading

from flask import current_app

from ..boards.broadcast import room, staff_room
from ..boards.snapshots import audience
from ..extensions import db, socketio
from ..models import Board
from .snapshots import counts

FLUSH_INTERVAL = 0.25  # seconds; the config key VOTE_FLUSH_INTERVAL overrides (0: send at once)


class Tallies:
    def __init__(self):
        self._dirty = {}  # board id -> card ids whose count changed
        self._lock = threading.Lock()
        self._flusher = None

    def touch(self, board_id, card_ids):
        """Mark cards whose counts changed; they are sent with the next flush."""
        with self._lock:
            self._dirty.setdefault(board_id, set()).update(card_ids)
        interval = current_app.config.get("VOTE_FLUSH_INTERVAL", FLUSH_INTERVAL)
        if not interval:
            self.flush()
        elif self._flusher is None:
            self._flusher = socketio.start_background_task(self._run, current_app._get_current_object(), interval)

    def _run(self, app, interval):
        while True:
            socketio.sleep(interval)
            with app.app_context():
                try:
                    self.flush()
                except Exception:  # a bad flush must not stop the counts for good
                    app.logger.exception("vote tally flush failed")
                finally:
                    db.session.remove()

    def flush(self):
        """Send the counts of every marked card: to the room when counts are public, else to facilitators."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
        for board_id, card_ids in dirty.items():
            board = db.session.get(Board, board_id)
            if board is None:
                continue
            if board.votes_public:
                # The room hears only of cards everyone may see: not even a hidden card's id goes out.
                visible = {card.id for card in board.cards if card.is_live and audience(card).everyone}
                self._send(board, room(board_id), card_ids & visible)
            self._send(board, staff_room(board_id), card_ids)

    @staticmethod
    def _send(board, to, card_ids):
        if card_ids:
            tally = {str(card_id): count for card_id, count in counts(board, sorted(card_ids)).items()}
            socketio.emit("votes_changed", {"board_id": board.id, "counts": tally}, to=to)


tallies = Tallies()
