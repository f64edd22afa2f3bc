"""HTTP for city commitments: the team's commitment page, the facilitator's overview, and the
private share link. Reports and exports are in `workshop.reports`."""
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..access import load_team
from ..errors import Refused
from ..forms import show_refusal, text_field
from ..languages import LANGUAGES
from ..models import SIGNATORIES_MAX, STATEMENT_MAX
from ..publish import to_participant
from . import bp, services


class StatementForm(FlaskForm):
    statement = text_field("Commitment statement", STATEMENT_MAX, required=False, area=True)


def statement_form(team, **options):
    """The statement form starting from what is stored, so the page shows the saved draft (a posted
    form still takes what was typed)."""
    commitment = services.commitment_of(team)
    return StatementForm(data={"statement": commitment.statement if commitment else ""}, **options)


def chosen_plans(form):
    """The ticked plans, in the order the team numbered them (ties keep the page's order)."""
    ticked = [value for value in form.getlist("plans") if value.isdigit()]
    if len(ticked) != len(form.getlist("plans")):
        raise Refused("bad_plans", _("Pick action plans from the list."), field="plans")

    def order(item):
        index, card_id = item
        typed = form.get(f"order-{card_id}", "")
        return (int(typed) if typed.isdigit() else 10_000, index)

    return [int(card_id) for _, card_id in sorted(enumerate(ticked), key=order)]


def typed_signatories(form):
    return [
        (form.get(f"signatory-{n}-name", ""), form.get(f"signatory-{n}-role", ""), form.get(f"signatory-{n}-organisation", ""))
        for n in range(SIGNATORIES_MAX + 1)
    ]


@bp.route("/workshops/<int:workshop_id>/commitments/<int:team_id>", methods=["GET", "POST"])
@login_required
def edit(workshop_id, team_id):
    """The city team's commitment: pick plans, write the statement, add signatories, mark final."""
    team = load_team(workshop_id, team_id)
    form = statement_form(team)
    if form.validate_on_submit():
        try:
            services.save_draft(current_user, team, chosen_plans(request.form), form.statement.data, typed_signatories(request.form),
                                request.form.get("report_language"))
        except Refused as refusal:
            if refusal.status != 400:
                raise
            show_refusal(form, refusal)
        else:
            flash(_("Draft saved."))
            return redirect(url_for("commitments.edit", workshop_id=workshop_id, team_id=team_id))
    return render_commitment(team, form, typed=request.form if form.is_submitted() else None)


def as_typed(form):
    """The ticked plans (card id -> position), the signatories and the report's language of a
    refused post, so the page shows them again as typed rather than as last stored."""
    chosen = {}
    for index, value in enumerate(form.getlist("plans")):
        if value.isdigit():
            order = form.get(f"order-{value}", "")
            chosen[int(value)] = int(order) - 1 if order.isdigit() and int(order) > 0 else index
    people = [SimpleNamespace(name=n, role=r, organisation=o) for n, r, o in typed_signatories(form) if n or r or o]
    return chosen, people, form.get("report_language")


def render_commitment(team, form, typed=None):
    """The commitment page showing what is stored, or what was typed when a post was refused."""
    commitment = services.commitment_of(team)
    language = services.report_language(team)
    if typed is not None:
        chosen, signatories, typed_language = as_typed(typed)
        language = typed_language if typed_language in LANGUAGES else language  # an unknown one: as stored
    else:
        chosen = {item.card_id: item.position for item in commitment.plans} if commitment else {}
        signatories = list(commitment.signatories) if commitment else []
    failed = bool(form.errors or form.form_errors)
    return render_template(
        "commitments/edit.html", team=team, workshop=team.workshop, commitment=commitment, form=form,
        plans=services.available_plans(team), chosen=chosen, signatories=signatories, blank_rows=3,
        languages=LANGUAGES, language=language, peers=services.shown_peers(team),
    ), 400 if failed else 200


def act(workshop_id, team_id, change, message, anchor=None, to_console=False):
    """Run a button's change and go back to the page it came from; a refusal is shown on the
    commitment page as an error."""
    team = load_team(workshop_id, team_id)
    try:
        change(current_user, team)
    except Refused as refusal:
        if refusal.status != 400:
            raise  # 403 and 404 are pages of their own
        form = statement_form(team, formdata=None)
        show_refusal(form, refusal)
        return render_commitment(team, form)
    flash(message)
    if to_console:
        return redirect(url_for("room.console", workshop_id=workshop_id, _anchor="commitments"))
    return redirect(url_for("commitments.edit", workshop_id=workshop_id, team_id=team_id, _anchor=anchor))


def from_console():
    return current_user.is_facilitator and request.form.get("back") == "console"


@bp.post("/workshops/<int:workshop_id>/commitments/<int:team_id>/final")
@login_required
def finalise(workshop_id, team_id):
    return act(workshop_id, team_id, services.finalise, _("Final. The report is ready to download."), anchor="versions")


@bp.post("/workshops/<int:workshop_id>/commitments/<int:team_id>/reopen")
@login_required
def reopen(workshop_id, team_id):
    message = _("Open for changes: marking it final again makes a new version.")
    return act(workshop_id, team_id, services.reopen, message, to_console=from_console())


@bp.post("/workshops/<int:workshop_id>/commitments/<int:team_id>/share")
@login_required
def share(workshop_id, team_id):
    return act(workshop_id, team_id, services.share, _("Here is the private link for your mayor's office."), anchor="share")


@bp.post("/workshops/<int:workshop_id>/commitments/<int:team_id>/share/revoke")
@login_required
def revoke(workshop_id, team_id):
    return act(workshop_id, team_id, services.revoke_share, _("The private link no longer works."), to_console=from_console())


def remind_team(actor, team):
    """Record the reminder, and show it on the open pages of the team's members."""
    services.remind(actor, team)
    link = url_for("commitments.edit", workshop_id=team.workshop_id, team_id=team.id)
    for person in team.participants:
        to_participant(person.id, "commitment_reminder", {"city": team.name, "url": link})


@bp.post("/workshops/<int:workshop_id>/commitments/<int:team_id>/remind")
@login_required
def remind(workshop_id, team_id):
    return act(workshop_id, team_id, remind_team, _("Reminder sent."), to_console=True)


@bp.context_processor
def report_languages():
    """For the pages that list final versions: the language each one's report is written in."""
    return {"report_languages": LANGUAGES, "report_language_of": services.language_of_version}


@bp.route("/shared/<token>")
def shared(token):
    """What the share link opens, without an account: the city's final versions, to download."""
    commitment = services.by_share_token(token)
    return render_template("commitments/shared.html", commitment=commitment, team=commitment.city_team, token=token,
                           peers=services.shown_peers(commitment.city_team))
