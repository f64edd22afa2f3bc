"""Privacy: a workshop's facilitators export everything it holds, its creator deletes it with all
its personal data, and a participant removes their own name from their cards."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views  # noqa: E402,F401  (registers the routes on `bp`)
