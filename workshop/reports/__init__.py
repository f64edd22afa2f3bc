"""Reports and exports: the city commitment report and the workshop summary as PDF (rendered by
WeasyPrint in worker processes, cached by content), and CSV/JSON of boards and commitments."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402,F401  (registers the routes on `bp`)
