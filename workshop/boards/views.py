"""HTTP for boards: the board page and the JSON API that serves snapshots and missed events."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import load_board
from ..errors import Refused
from . import bp, services
from .messages import board_messages, page_limits
from .snapshots import catch_up, snapshot


@bp.route("/boards/<int:board_id>")
@login_required
def show(board_id):
    """The board of one policy area, live, for the workshop's participants and facilitators."""
    board = load_board(board_id)
    return render_template(
        "boards/show.html",
        board=board,
        workshop=board.workshop,
        initial=snapshot(board, current_user),
        limits=page_limits(),
        messages=board_messages(),
    )


def api_board(board_id):
    """The board, if the signed-in person is on its workshop; refusals as JSON."""
    if not current_user.is_authenticated:
        raise Refused("not_signed_in", _("Sign in to see this board."))
    board = services.find_board(board_id)
    services.require_member(current_user, board)
    return board


@bp.errorhandler(Refused)
def refused_as_json(refusal):
    """The API answers in JSON, with the status that fits (401, 403, 404 or 400)."""
    status = 401 if refusal.code == "not_signed_in" else refusal.status
    return jsonify(refusal.as_ack()), status


@bp.route("/api/boards/<int:board_id>")
def api_snapshot(board_id):
    """Every card the signed-in person may see, the board's phase and its last sequence number."""
    board = api_board(board_id)
    return jsonify({"ok": True, **snapshot(board, current_user)})


@bp.route("/api/boards/<int:board_id>/events")
def api_events(board_id):
    """The events after `since` as the signed-in person may see them, or a snapshot if too many."""
    board = api_board(board_id)
    since = request.args.get("since", "")
    if not (since.isascii() and since.isdigit()):  # isdigit alone takes "²", which int() refuses
        raise Refused("bad_since", _("since must be a whole number, 0 or more."))
    return jsonify({"ok": True, **catch_up(board, current_user, int(since))})
