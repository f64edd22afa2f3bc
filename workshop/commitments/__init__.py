"""City commitments: each city team picks the action plans it commits to, writes a statement,
adds signatories and marks it final; final versions are frozen and printed as reports."""
from flask import Blueprint

bp = Blueprint("commitments", __name__)

from . import views  # noqa: E402,F401  (registers the routes on `bp`)
