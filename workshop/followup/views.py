"""Follow-up pages: a city's progress (its team and facilitators), the update link's page, the console's
follow-up view. Thin: each post runs one service and shows its refusal by the field it concerns."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..access import load_team, load_workshop
from ..commitments.services import commitment_of
from ..forms import tried
from . import bp, services
from .forms import ContactForm, LinkForm, LinkUpdateForm, UpdateForm


def update_forms(commitment, form_class, posted=None):
    """One form per plan of the final version, showing the plan's current status and percent (and an empty
    "what happened", so that saving a form again as shown adds nothing); `posted` (card id, form) as typed."""
    forms = {}
    progress = services.progress_of(commitment)
    for card_id, _plan in services.final_plans(commitment):
        if posted is not None and posted[0] == card_id:
            forms[card_id] = posted[1]
            continue
        current = progress.get(card_id)
        forms[card_id] = form_class(formdata=None, prefix=f"plan{card_id}",
                                    data={"status": current.status if current else "not_started",
                                          "percent": str(current.percent) if current else "0"})
    return forms


def posted_card_id(commitment):
    """The plan a posted update is for: 400 for anything that is not a number; the service refuses a plan
    that is not in the final version."""
    value = request.form.get("card_id", "")
    if not services.whole_number(value):
        abort(400)
    return int(value)


def record(commitment, form_class, **who):
    """Record the posted update; (card id, form) on a refusal, None once saved."""
    card_id = posted_card_id(commitment)
    form = form_class(prefix=f"plan{card_id}")
    if not form.validate_on_submit():
        form.form_errors.append(_("The form had expired. Reload the page and try again."))
        return card_id, form
    recorded = tried(form, lambda: services.record_update(
        commitment, card_id, status=form.status.data, percent=form.percent.data or None, text=form.text.data,
        indicator_value=form.indicator_value.data, evidence_url=form.evidence_url.data,
        author_name=form.author_name.data if "author_name" in form else "", **who))
    return None if recorded else (card_id, form)


# The team page's other forms: {action: (form class, the change it makes, what to say, where to go back)}.
TEAM_FORMS = {
    "link": (LinkForm, lambda commitment, form: services.create_update_link(current_user, commitment, form.label.data),
             _l("Here is the update link. Anyone who has it can add updates."), "links"),
    "contact": (ContactForm, lambda commitment, form: services.set_contact(current_user, commitment, form.email.data),
                _l("Reminder contact saved."), "contact"),
}


@bp.route("/workshops/<int:workshop_id>/teams/<int:team_id>/progress", methods=["GET", "POST"])
@login_required
def team_progress(workshop_id, team_id):
    """The city team's and facilitators' page: each plan's progress and updates, a form per plan, the update
    links and the reminder contact. A post names its form in `action`."""
    team = load_team(workshop_id, team_id)
    commitment = commitment_of(team)

    def back(message, anchor):
        flash(message)
        return redirect(url_for("followup.team_progress", workshop_id=workshop_id, team_id=team_id, _anchor=anchor))

    posted, typed = None, {}
    action = request.form.get("action")
    if request.method == "POST" and commitment is None:
        abort(404)
    if request.method == "POST" and action == "update":
        who = {"facilitator": current_user} if current_user.is_facilitator else {"participant": current_user}
        posted = record(commitment, UpdateForm, **who)
        if posted is None:
            return back(_("Update saved."), "plans")
    elif request.method == "POST" and action == "revoke":
        link_id = request.form.get("link_id", "")
        services.revoke_update_link(current_user, commitment, int(link_id) if services.whole_number(link_id) else None)
        return back(_("The update link no longer works."), "links")
    elif request.method == "POST" and action in TEAM_FORMS:
        form_class, change, message, anchor = TEAM_FORMS[action]
        form = typed[action] = form_class()
        if form.validate_on_submit() and tried(form, lambda: change(commitment, form)):
            return back(message, anchor)
    elif request.method == "POST":
        abort(400)
    link_form = typed.get("link") or LinkForm(formdata=None)
    contact_form = typed.get("contact") or ContactForm(formdata=None, data={"email": commitment.contact_email if commitment else ""})
    return render_progress(team, commitment, UpdateForm, posted, link=None, link_form=link_form, contact_form=contact_form)


def render_progress(team, commitment, form_class, posted, link, **forms):
    final = commitment is not None and commitment.is_final
    forms_of_plans = update_forms(commitment, form_class, posted) if final else {}
    # A refused post about a plan the page does not show (not in the final version): its message at the top.
    stray = [str(message) for message in posted[1].form_errors + [m for f in posted[1] for m in f.errors]] \
        if posted is not None and posted[0] not in forms_of_plans else []
    failed = posted is not None or any(form.errors or form.form_errors for form in forms.values() if form is not None)
    return render_template(
        "followup/progress.html", workshop=team.workshop, team=team, commitment=commitment, final=final, link=link,
        plans=services.plans_with_progress(commitment) if final else [],
        forms=forms_of_plans, stray_errors=stray, statuses=services.STATUS_NAMES,
        links=services.update_links_of(commitment) if commitment is not None and link is None else [], **forms,
    ), 400 if failed else 200


@bp.route("/progress/<token>", methods=["GET", "POST"])
def update_by_link(token):
    """The update link's page, without an account: the same update forms, no links and no team names."""
    link = services.by_update_token(token)
    commitment = link.commitment
    posted = None
    if request.method == "POST":
        posted = record(commitment, LinkUpdateForm, link=link)
        if posted is None:
            flash(_("Update saved. Thank you."))
            return redirect(url_for("followup.update_by_link", token=token, _anchor="plans"))
    body, status = render_progress(commitment.city_team, commitment, LinkUpdateForm, posted, link=link)
    # The token is in this page's address: an evidence link clicked here must not carry it to another site.
    return body, status, {"Referrer-Policy": "no-referrer"}


@bp.route("/workshops/<int:workshop_id>/follow-up")
@login_required
def follow_up(workshop_id):
    """Facilitators only: per city its plans' status and last update, and who is due or overdue."""
    workshop = load_workshop(workshop_id, run=True)
    return render_template("followup/follow_up.html", workshop=workshop, cities=services.follow_up(workshop, date.today()),
                           statuses=services.STATUS_NAMES)
