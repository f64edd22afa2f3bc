"""Boards: the live space of one policy area, with lanes for problems, ideas and action plans."""
from flask import Blueprint

bp = Blueprint("boards", __name__)

from . import events, views  # noqa: E402,F401  (registers the routes on `bp` and the socket handlers)
