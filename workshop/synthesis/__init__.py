"""Cross-city synthesis (issue 16): similar cards and themes across cities and languages, computed on the
server itself with a bundled multilingual model. Everything CPU-heavy runs in worker processes, never in
the server process (see `services`)."""
from flask import Blueprint

bp = Blueprint("synthesis", __name__)

# services registers the listeners that embed cards as they are written; events and views, the handlers.
from . import events, services, views  # noqa: E402,F401
