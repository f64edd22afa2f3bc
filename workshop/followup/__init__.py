"""After the lab: each city reports how its committed action plans are going (status, percent, dated
updates), through its team's page or a private update link; check-ins and the reminders before them; the
facilitators' follow-up view."""
from flask import Blueprint

bp = Blueprint("followup", __name__)

from . import views  # noqa: E402,F401  (registers the routes on `bp`)
