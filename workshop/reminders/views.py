"""HTTP for check-ins: the facilitators' page of a workshop's check-in dates (add, move, remove) and of the
reminders sent before each. Thin: forms read dates, services decide."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired

from ..access import facilitator_required, load_workshop
from ..errors import Refused
from ..followup.services import check_ins_of
from ..forms import DateField, tried
from . import bp, services


class CheckInForm(FlaskForm):
    due_on = DateField(_l("Check-in date"), validators=[InputRequired(_l("Check-in date is required."))])


def form_of(check_in):
    """A check-in's date form, showing its stored date."""
    return CheckInForm(prefix=f"check-in-{check_in.id}", formdata=None, data={"due_on": check_in.due_on})


def _id(value):
    return int(value) if value.isdigit() else None


@bp.route("/workshops/<int:workshop_id>/check-ins", methods=["GET", "POST"])
@facilitator_required
def check_ins(workshop_id):
    """The check-in dates, each with the reminders sent before it. A post adds a date (`new-due_on`), moves
    one (`check_in` and its `check-in-<id>-due_on`) or removes one (`remove`: its id)."""
    workshop = load_workshop(workshop_id, run=True)
    if request.method != "POST":
        return render_check_ins(workshop)
    named = request.form.get("remove", request.form.get("check_in"))
    try:
        check_in = None if named is None else services.check_in_of(workshop, _id(named))
    except Refused as refusal:
        return render_check_ins(workshop, errors=[refusal.message])
    if "remove" in request.form:
        key, form = check_in.id, form_of(check_in)
        change, done = lambda: services.remove_check_in(current_user, check_in), _("Check-in removed.")
    elif check_in is not None:
        key, form = check_in.id, CheckInForm(prefix=f"check-in-{check_in.id}")
        change, done = lambda: services.move_check_in(current_user, check_in, form.due_on.data), _("Check-in date saved.")
    else:
        key, form = "new", CheckInForm(prefix="new")
        change, done = lambda: services.add_check_in(current_user, workshop, form.due_on.data), _("Check-in added.")
    if "remove" in request.form or form.validate():
        if tried(form, change):
            flash(done)
            return redirect(url_for("reminders.check_ins", workshop_id=workshop.id))
    return render_check_ins(workshop, failed=(key, form))


def render_check_ins(workshop, failed=None, errors=()):
    """The page as stored, with the form of a refused post (`failed`: its key, "new" or a check-in's id, and
    the form) showing what was typed and why not; `errors`: refusals about no check-in on the page."""
    refused = failed is not None or bool(errors)
    rows = [(check_in, form_of(check_in), services.reminders_of(check_in))
            for check_in in check_ins_of(workshop, store=not refused)]
    new_form = CheckInForm(prefix="new", formdata=None)
    if failed is not None:
        key, form = failed
        if key == "new":
            new_form = form
        rows = [(check_in, form if check_in.id == key else shown, sent) for check_in, shown, sent in rows]
    for number, (_check_in, form, _sent) in enumerate(rows, start=1):
        form.due_on.label.text = _("Check-in %(number)d", number=number)  # each date field named apart
    return render_template(
        "reminders/check_ins.html", workshop=workshop, rows=rows, new_form=new_form, errors=errors,
        end=services.workshop_end(workshop), lead_days=services.LEAD_DAYS,
    ), 400 if failed is not None or errors else 200
