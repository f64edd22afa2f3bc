"""HTTP for privacy: export a workshop, delete it, anonymise oneself. Thin: services decide."""
from flask import current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import facilitator_required, load_workshop
from ..boards.broadcast import broadcast
from ..boards.snapshots import forget_board
from ..errors import Refused
from ..forms import show_refusal
from ..publish import board_room, participant_room, tell_and_close
from ..reports import jobs
from ..reports.services import cache_dir, slug
from ..workshops.forms import ButtonForm
from . import bp, services
from .forms import DeleteWorkshopForm


@bp.route("/workshops/<int:workshop_id>/export.json")
@facilitator_required
def export(workshop_id):
    """Everything the workshop holds, as one JSON download."""
    workshop = load_workshop(workshop_id, run=True)
    response = jsonify(services.export_workshop(current_user, workshop))
    response.headers["Content-Disposition"] = f'attachment; filename="workshop-{slug(workshop.title)}-export.json"'
    return response


@bp.route("/workshops/<int:workshop_id>/delete", methods=["GET", "POST"])
@facilitator_required
def delete(workshop_id):
    """Asks for the workshop's title, then deletes it with everything that belongs to it."""
    workshop = load_workshop(workshop_id, run=True)
    services.require_owner(current_user, workshop)
    form = DeleteWorkshopForm()
    if form.validate_on_submit():
        title = workshop.title
        try:
            boards, participants = services.delete_workshop(current_user, workshop, form.title.data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            clear_up(workshop_id, boards, participants)
            flash(_("%(title)s is deleted, with everything it held.", title=title))
            return redirect(url_for("workshops.dashboard"))
    return render_template("privacy/delete.html", workshop=workshop, form=form), 400 if form.errors else 200


def clear_up(workshop_id, board_ids, participant_ids):
    """What a deleted workshop left outside the database: cached reports, open sockets (told
    `workshop_deleted`, then closed), the cards kept in memory for its boards."""
    jobs.forget(cache_dir(), workshop_id)
    news = {"workshop_id": workshop_id}
    for board_id in board_ids:
        tell_and_close(board_room(board_id), "workshop_deleted", news)
        forget_board(board_id)
    for participant_id in participant_ids:  # those on no board, e.g. between two pages
        tell_and_close(participant_room(participant_id), "workshop_deleted", news)


@bp.route("/workshops/<int:workshop_id>/anonymise-me", methods=["GET", "POST"])
@login_required
def anonymise(workshop_id):
    """A participant removes their name from their cards; every open board shows the change."""
    workshop = load_workshop(workshop_id)
    services.require_participant(current_user, workshop)
    form = ButtonForm()
    if form.validate_on_submit():
        broadcast(services.anonymise(current_user, workshop))
        jobs.forget(cache_dir(), workshop.id)  # the summary report printed the name
        flash(_("Your name is gone from your cards. You now show as “%(name)s”.", name=services.ANONYMOUS_NAME))
        return redirect(url_for("workshops.home", workshop_id=workshop.id))
    return render_template("privacy/anonymise.html", workshop=workshop, form=form, anonymous_name=services.ANONYMOUS_NAME)


@bp.route("/privacy")
def about():
    """What the app stores about a participant, who sees it, for how long, and how to have it
    removed: for anyone about to join, so no sign-in. A signed-in participant also gets their own
    workshop's facilitators and the link to remove their name."""
    participant = current_user if current_user.is_authenticated and not current_user.is_facilitator else None
    return render_template(
        "privacy/about.html", participant=participant, anonymous_name=services.ANONYMOUS_NAME,
        remember_days=current_app.config["REMEMBER_COOKIE_DURATION"].days,
    )
