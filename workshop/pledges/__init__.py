"""Public pledges: a workshop's published commitments and their progress, as a public page, open data
(JSON, CSV) and an Atom feed of progress updates, for a network such as Eurocities to follow and aggregate."""
from flask import Blueprint

bp = Blueprint("pledges", __name__)

from . import views  # noqa: E402,F401  (registers the routes on `bp`)
from . import opendata  # noqa: E402,F401  (the open data's routes, on `bp` too)
