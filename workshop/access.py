"""Who may open what: the refusal every feature raises when someone who does not run a workshop
asks to change it, and, for the views, one loader per kind of thing (in the style of flaskr's
`get_post`): it answers 404 when the thing does not exist and 403 when the signed-in person may
not have it, so a view starts from something it may use.

Who is on a workshop, a city team or a board, and who runs it, are facts of the domain: the
models' `has_member`, `has_participant` and `is_run_by`. This module only applies them."""
from functools import wraps

from flask import abort, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .errors import Forbidden
from .extensions import db
from .models import Board, CityTeam, PolicyArea, Workshop


def require_runs(actor, workshop):
    """Only the workshop's own facilitators prepare and run it (`workshop` may be one of its boards)."""
    if not workshop.is_run_by(actor):
        raise Forbidden("not_facilitator", _l("Only this workshop's facilitators can do that."))


def facilitator_required(view):
    """Facilitator pages: strangers are sent to log in, participants get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_facilitator:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _load(model, id, run):
    """The workshop or board `id`: 404 when it does not exist; 403 unless the current user runs it
    (`run`) or, without `run`, is on it."""
    found = db.get_or_404(model, id)
    g.default_language = (found if model is Workshop else found.workshop).default_language  # see workshop.languages
    if run:
        require_runs(current_user, found)
    elif not found.has_member(current_user):
        abort(403)
    return found


def load_workshop(workshop_id, run=False):
    """The workshop, for its facilitators (`run`) or for everyone on it."""
    return _load(Workshop, workshop_id, run)


def _load_part(model, workshop_id, part_id):
    """A policy area or city team of a workshop the current user runs: 404 unless it is one of its own."""
    workshop = load_workshop(workshop_id, run=True)
    part = db.session.get(model, part_id)
    if part is None or part.workshop_id != workshop.id:
        abort(404)
    return part


def load_area(workshop_id, area_id):
    """A policy area, for the facilitators of its workshop."""
    return _load_part(PolicyArea, workshop_id, area_id)


def load_team(workshop_id, team_id, run=False):
    """A city team of the workshop: for the facilitators (`run`), or, without `run`, for its own
    participants too (who work on its commitment). 404 unless the team is the workshop's."""
    if run:
        return _load_part(CityTeam, workshop_id, team_id)
    team = db.get_or_404(CityTeam, team_id)
    if team.workshop_id != workshop_id:
        abort(404)
    if not team.admits(current_user):
        abort(403)
    return team


def load_board(board_id, run=False):
    """The board, for its workshop's facilitators (`run`) or for everyone on its workshop."""
    return _load(Board, board_id, run)


def join_link(workshop):
    """The address that lets a person into `workshop` (shown as a link, a code and a QR code)."""
    return url_for("auth.join", code=workshop.join_code, _external=True)
