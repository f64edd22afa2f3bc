"""HTTP for boards."""
from flask import abort, render_template
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Board
from ..workshops.services import may_enter
from . import bp


@bp.route("/<int:board_id>")
@login_required
def show(board_id):
    """The board of one policy area, for the workshop's participants and facilitators."""
    board = db.get_or_404(Board, board_id)
    if not may_enter(current_user, board.workshop):
        abort(403)
    return render_template("boards/show.html", board=board, workshop=board.workshop)
