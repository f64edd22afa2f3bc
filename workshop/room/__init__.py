"""Running the room: phases, pause, timer and spotlight per board, the facilitator's console,
the projector view, and removing a participant."""
from flask import Blueprint

bp = Blueprint("room", __name__)

from . import events, views  # noqa: E402,F401  (registers the routes and socket handlers)
