"""Who is on which board right now, counted per person and per city; the room hears of it at
most twice a second (`presence_news`), so 500 people arriving cost 500 x 2 messages, not 500^2.

Kept in this process's memory: with several server processes each counts only its own sockets
(the scale-out issue moves this to Redis)."""
from collections import Counter, defaultdict

from ..extensions import socketio
from ..live import Coalescer
from .broadcast import room


class Presence:
    def __init__(self):
        self._boards = defaultdict(dict)  # board id -> socket id -> (person key, city or None)

    def enter(self, board_id, sid, person_key, city):
        self._boards[board_id][sid] = (person_key, city)

    def leave(self, board_id, sid):
        """Forget one socket on one board; True if it was there."""
        return self._boards.get(board_id, {}).pop(sid, None) is not None

    def leave_all(self, sid):
        """Forget a socket everywhere; the boards it was on."""
        return [board_id for board_id in list(self._boards) if self.leave(board_id, sid)]

    def summary(self, board_id):
        """How many people are on the board (two tabs count once), and from which cities."""
        people = dict(self._boards.get(board_id, {}).values())
        cities = Counter(city for city in people.values() if city)
        return {
            "board_id": board_id,
            "count": len(people),
            "cities": [{"name": name, "count": count} for name, count in sorted(cities.items())],
        }


presence = Presence()


def _send_presence(board_id, _):
    socketio.emit("presence_changed", presence.summary(board_id), to=room(board_id))


presence_news = Coalescer(_send_presence, "PRESENCE_FLUSH_INTERVAL", 0.5)
