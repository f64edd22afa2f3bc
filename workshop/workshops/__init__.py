"""Preparing and running an event: workshops, their policy areas, city teams and facilitators."""
from flask import Blueprint

bp = Blueprint("workshops", __name__)

from . import cli, views  # noqa: E402,F401  (registers the routes on `bp`)
