"""Accounts and joining: facilitators sign up and log in; participants join with a code, no password."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import cli, sockets, views  # noqa: E402,F401  (registers the routes on `bp`)
