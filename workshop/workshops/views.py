"""HTTP for preparing a workshop and for its home page. Thin: forms validate, services decide."""
import io

import segno
from babel import dates
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import facilitator_required, join_link, load_area, load_team, load_workshop
from ..boards.messages import board_messages
from ..boards.snapshots import visible_cards
from ..commitments import services as commitments
from ..errors import Refused
from ..boards.broadcast import broadcast
from ..forms import show_refusal
from . import bp, services
from .forms import ButtonForm, CityTeamForm, InviteForm, NewWorkshopForm, PolicyAreaForm, WorkshopForm


@bp.route("/")
@facilitator_required
def dashboard():
    """The facilitator's workshops, newest first."""
    return render_template("workshops/dashboard.html", workshops=current_user.workshops)


@bp.route("/new", methods=["GET", "POST"])
@facilitator_required
def create():
    form = NewWorkshopForm()
    if form.validate_on_submit():
        try:
            workshop = services.create_workshop(current_user, **form.data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            flash(_("Workshop created. Share the join code when the room is ready."))
            return redirect(url_for("workshops.settings", workshop_id=workshop.id))
    return render_template("workshops/new.html", form=form), 400 if form.errors else 200


@bp.route("/<int:workshop_id>")
@login_required
def home(workshop_id):
    """The workshop's home: its boards, for its participants and facilitators."""
    workshop = load_workshop(workshop_id)
    return render_template(
        "workshops/home.html", workshop=workshop, boards=board_tiles(workshop, current_user),
        commitment=None if current_user.is_facilitator else commitment_call(workshop, current_user),
    )


def board_tiles(workshop, viewer):
    """Each board as the home lists it: its phase in words and how many cards `viewer` sees on it."""
    words = board_messages()
    return [
        {"area": area, "board": area.board, "phase": words[f"phase.{area.board.phase}"],
         "paused": area.board.paused, "cards": len(visible_cards(area.board, viewer))}
        for area in workshop.policy_areas
    ]


def commitment_call(workshop, participant):
    """The participant's city commitment, and whether it leads their home: it does once the
    facilitators open the commitment step, or remind this city to finish it."""
    team = participant.city_team
    commitment = commitments.commitment_of(team)
    reminded = commitment is not None and commitment.reminded_at is not None
    latest = commitment.latest_version if commitment is not None else None
    return {
        "team": team, "status": commitments.status_of(team), "reminded": reminded,
        "prominent": workshop.commitments_open or reminded, "version": latest.number if latest else None,
        "url": url_for("commitments.edit", workshop_id=workshop.id, team_id=team.id),
    }


@bp.route("/<int:workshop_id>/settings", methods=["GET", "POST"])
@facilitator_required
def settings(workshop_id):
    """Everything a facilitator prepares, on one page; each part posts to its own address."""
    workshop = load_workshop(workshop_id, run=True)
    form = WorkshopForm(obj=workshop)
    if form.validate_on_submit():
        try:
            services.update_workshop(current_user, workshop, **form.data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            flash(_("Workshop details saved."))
            return redirect(url_for("workshops.settings", workshop_id=workshop.id))
    return render_settings(workshop, details=form)


def render_settings(workshop, failed_area=None, failed_team=None, **forms):
    """The settings page, with any form that failed shown with its errors."""
    area_forms = {
        area.id: PolicyAreaForm(prefix=f"area-{area.id}", obj=area, formdata=None) for area in workshop.policy_areas
    }
    if failed_area:
        area_forms[failed_area[0]] = failed_area[1]
    team_forms = {team.id: CityTeamForm(prefix=f"team-{team.id}", obj=team, formdata=None) for team in workshop.city_teams}
    if failed_team:
        team_forms[failed_team[0]] = failed_team[1]
    forms = {
        "details": WorkshopForm(obj=workshop, formdata=None),
        "area_form": PolicyAreaForm(formdata=None),
        "city_form": CityTeamForm(formdata=None),
        "invite_form": InviteForm(formdata=None),
        "button": ButtonForm(formdata=None),
        **forms,
    }
    failed = any(form.errors or form.form_errors for form in [*forms.values(), *area_forms.values(), *team_forms.values()])
    return render_template(
        "workshops/settings.html", workshop=workshop, area_forms=area_forms, team_forms=team_forms,
        may_delete=services.may_delete(current_user, workshop), **forms
    ), 400 if failed else 200


def button_pressed():
    """Checks the CSRF token of a plain button form; CSRFProtect already refused a missing one."""
    return ButtonForm().validate_on_submit()


def back_to_settings(workshop, anchor=None):
    return redirect(url_for("workshops.settings", workshop_id=workshop.id, _anchor=anchor))


def press(workshop, service, message, anchor):
    """A settings button: its change (once its CSRF token checks), then back to its section."""
    if button_pressed():
        service(current_user, workshop)
        flash(message)
    return back_to_settings(workshop, anchor)


@bp.post("/<int:workshop_id>/policy-areas")
@facilitator_required
def add_policy_area(workshop_id):
    workshop = load_workshop(workshop_id, run=True)
    form = PolicyAreaForm()
    if not form.validate_on_submit():
        return render_settings(workshop, area_form=form)
    services.add_policy_area(current_user, workshop, form.title.data, form.description.data)
    flash(_("Policy area added."))
    return back_to_settings(workshop, "policy-areas")


@bp.post("/<int:workshop_id>/policy-areas/lab-template")
@facilitator_required
def apply_lab_template(workshop_id):
    workshop = load_workshop(workshop_id, run=True)
    if button_pressed():
        services.apply_lab_template(current_user, workshop)
        flash(_("The Social Innovation Lab's policy areas are in."))
    return back_to_settings(workshop, "policy-areas")


@bp.post("/<int:workshop_id>/policy-areas/<int:area_id>")
@facilitator_required
def rename_policy_area(workshop_id, area_id):
    area = load_area(workshop_id, area_id)
    form = PolicyAreaForm(prefix=f"area-{area.id}")
    if not form.validate_on_submit():
        return render_settings(area.workshop, failed_area=(area.id, form))
    services.rename_policy_area(current_user, area, form.title.data, form.description.data)
    flash(_("Policy area saved."))
    return back_to_settings(area.workshop, "policy-areas")


@bp.post("/<int:workshop_id>/policy-areas/<int:area_id>/move")
@facilitator_required
def move_policy_area(workshop_id, area_id):
    area = load_area(workshop_id, area_id)
    offset = {"up": -1, "down": 1}.get(request.form.get("direction"))
    if offset is None:
        abort(400)
    if button_pressed():
        services.move_policy_area(current_user, area, offset)
    return back_to_settings(area.workshop, "policy-areas")


@bp.post("/<int:workshop_id>/policy-areas/<int:area_id>/remove")
@facilitator_required
def remove_policy_area(workshop_id, area_id):
    area = load_area(workshop_id, area_id)
    workshop = area.workshop
    if button_pressed():
        services.remove_policy_area(current_user, area)
        flash(_("Policy area %(title)s removed.", title=area.title))
    return back_to_settings(workshop, "policy-areas")


@bp.post("/<int:workshop_id>/city-teams")
@facilitator_required
def add_city_team(workshop_id):
    workshop = load_workshop(workshop_id, run=True)
    form = CityTeamForm()
    if form.validate_on_submit():
        try:
            services.add_city_team(current_user, workshop, form.name.data, form.country.data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            flash(_("City team added."))
            return back_to_settings(workshop, "city-teams")
    return render_settings(workshop, city_form=form)


@bp.post("/<int:workshop_id>/city-teams/<int:team_id>")
@facilitator_required
def rename_city_team(workshop_id, team_id):
    """A city team's new name and country; open boards show the new name on its cards."""
    team = load_team(workshop_id, team_id, run=True)
    form = CityTeamForm(prefix=f"team-{team.id}")
    if form.validate_on_submit():
        try:
            broadcast(services.rename_city_team(current_user, team, form.name.data, form.country.data))
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            flash(_("City team %(name)s saved.", name=team.name))
            return back_to_settings(team.workshop, "city-teams")
    return render_settings(team.workshop, failed_team=(team.id, form))


@bp.post("/<int:workshop_id>/city-teams/<int:team_id>/remove")
@facilitator_required
def remove_city_team(workshop_id, team_id):
    """Remove a city team nobody has joined; one with participants stays, and the page says why."""
    team = load_team(workshop_id, team_id, run=True)
    workshop, name = team.workshop, team.name
    if button_pressed():
        try:
            services.remove_city_team(current_user, team)
        except Refused as refusal:
            form = CityTeamForm(prefix=f"team-{team.id}", obj=team, formdata=None)
            show_refusal(form, refusal)
            return render_settings(workshop, failed_team=(team.id, form))
        flash(_("City team %(name)s removed.", name=name))
    return back_to_settings(workshop, "city-teams")


@bp.post("/<int:workshop_id>/facilitators")
@facilitator_required
def invite_facilitator(workshop_id):
    workshop = load_workshop(workshop_id, run=True)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitee = services.invite_facilitator(current_user, workshop, form.email.data)
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            flash(_("%(name)s now co-facilitates this workshop.", name=invitee.name))
            return back_to_settings(workshop, "facilitators")
    return render_settings(workshop, invite_form=form)


@bp.post("/<int:workshop_id>/<any(close, reopen, 'new-code'):action>")
@facilitator_required
def change_state(workshop_id, action):
    """Close or reopen the workshop, or give it a new join code."""
    workshop = load_workshop(workshop_id, run=True)
    change = {
        "close": (services.close_workshop, _("Workshop closed: nobody new can join.")),
        "reopen": (services.reopen_workshop, _("Workshop open again.")),
        "new-code": (services.change_join_code, _("The workshop has a new join code.")),
    }
    return press(workshop, *change[action], "join")


@bp.post("/<int:workshop_id>/commitment-step/<any(open, close):action>")
@facilitator_required
def commitment_step(workshop_id, action):
    """Open the commitment step (every participant's home then leads with their city's
    commitment), or close it again."""
    workshop = load_workshop(workshop_id, run=True)
    change = {
        "open": (services.open_commitments, _("The commitment step is open: each participant's home now leads with their city's commitment.")),
        "close": (services.close_commitments, _("The commitment step is closed: participants' homes lead with the boards again.")),
    }
    return press(workshop, *change[action], "commitment-step")


@bp.route("/<int:workshop_id>/share")
@facilitator_required
def share(workshop_id):
    """The join link, the code in large type and a QR code, for the projector."""
    workshop = load_workshop(workshop_id, run=True)
    return render_template("workshops/share.html", workshop=workshop, join_link=join_link(workshop))


@bp.route("/<int:workshop_id>/qr.svg")
@facilitator_required
def qr_code(workshop_id):
    """The join link as a QR code in SVG, crisp at any size on a projector."""
    workshop = load_workshop(workshop_id, run=True)
    qr = segno.make(join_link(workshop), error="m")
    svg = io.BytesIO()
    qr.save(svg, kind="svg", scale=10, border=2, xmldecl=False, title=_("QR code of the join link"))
    return Response(svg.getvalue(), mimetype="image/svg+xml")


@bp.app_template_filter()
def format_dates(starts_on, ends_on=None):
    """A workshop's dates in the reader's locale: "5 Nov 2025" or "Nov 5 – 7, 2025"."""
    locale = get_locale()
    if not ends_on or ends_on == starts_on:
        return dates.format_date(starts_on, "medium", locale=locale)
    return dates.format_interval(starts_on, ends_on, "yMMMd", locale=locale)
