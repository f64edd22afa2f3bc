"""The public pledges page and its open data; the facilitators' publish and unpublish, and a city team's
agreement to be published."""
from babel.numbers import format_decimal
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..access import load_team, load_workshop
from ..boards.plans import PILLAR_PRINCIPLE_NAMES, written_investment
from ..errors import Refused
from ..followup.services import STATUS_NAMES
from ..models import PROGRESS_STATUSES
from . import bp, publishing, services


# The other open data routes (the opendata work), by endpoint, with the path they answer on.
OPEN_DATA = (("pledges.open_data_json", "/pledges/{id}.json", "JSON"), ("pledges.open_data_csv", "/pledges/{id}.csv", "CSV"),
             ("pledges.updates_feed", "/pledges/{id}/updates.atom", "Atom"))


@bp.post("/workshops/<int:workshop_id>/pledges/publish")
@login_required
def publish(workshop_id):
    workshop = load_workshop(workshop_id, run=True)
    publishing.publish(current_user, workshop)
    flash(_("The pledges are public at %(url)s.", url=url_for("pledges.page", workshop_id=workshop.id, _external=True)))
    return redirect(url_for("room.console", workshop_id=workshop.id, _anchor="pledges"))


@bp.post("/workshops/<int:workshop_id>/pledges/unpublish")
@login_required
def unpublish(workshop_id):
    workshop = load_workshop(workshop_id, run=True)
    publishing.unpublish(current_user, workshop)
    flash(_("The pledges are no longer public."))
    return redirect(url_for("room.console", workshop_id=workshop.id, _anchor="pledges"))


@bp.post("/workshops/<int:workshop_id>/teams/<int:team_id>/commitment/public")
@login_required
def agree(workshop_id, team_id):
    """The city team agrees (agree=1) that its final commitment is published, or withdraws (agree=0)."""
    team = load_team(workshop_id, team_id)
    choice = request.form.get("agree")
    if choice not in ("0", "1"):
        raise Refused("bad_agree", _l("Choose whether to agree (1) or withdraw (0)."))
    publishing.set_agreement(current_user, team, choice == "1")
    flash(_("Your city agreed: its commitment appears on the public page once the facilitators publish it.")
          if choice == "1" else _("Your city's commitment is no longer public."))
    return redirect(url_for("commitments.edit", workshop_id=workshop_id, team_id=team_id, _anchor="public"))


@bp.route("/pledges/<int:workshop_id>")
def page(workshop_id):
    """The published pledges, for anyone: totals, two charts with their figures, filters, each city's
    commitment and progress. 404 while the workshop's pledges are not published."""
    workshop = services.published_workshop(workshop_id)
    g.default_language = workshop.default_language  # the page speaks the workshop's language unless asked otherwise
    everything = services.pledges_data(workshop)
    choices = filter_choices(everything)
    chosen = chosen_filters(request.args, choices)
    data = services.pledges_data(workshop, **chosen) if any(value is not None for value in chosen.values()) else everything
    return render_template("pledges/page.html", workshop=workshop, data=data, choices=choices, chosen=chosen,
                           open_data=open_data_links(workshop))


def filter_choices(data):
    """What each filter offers: the policy areas, principles and cities of the published plans."""
    plans = [plan for city in data["cities"] for plan in city["plans"]]
    return {"area": sorted({plan["policy_area"] for plan in plans}),
            "principle": sorted({number for plan in plans for number in plan["principles"]}),
            "city": [city["name"] for city in data["cities"]]}


def chosen_filters(args, choices):
    """The filters asked for in the query string ("" or absent: all); a value not offered is a 400."""
    chosen = {name: args.get(name, "").strip() or None for name in ("area", "principle", "city")}
    if chosen["principle"] is not None:
        chosen["principle"] = int(chosen["principle"]) if chosen["principle"].isdigit() else chosen["principle"]
    messages = {"area": _l("Pick a policy area from the list."), "principle": _l("Pick a principle from the list."),
                "city": _l("Pick a city from the list.")}
    for name, value in chosen.items():
        if value is not None and value not in choices[name]:
            raise Refused(f"bad_{name}", messages[name], field=name)
    return chosen


def open_data_links(workshop):
    """[(label, address)] of the open data; the paths themselves while those routes are not there."""
    links = []
    for endpoint, path, label in OPEN_DATA:
        try:
            links.append((label, url_for(endpoint, workshop_id=workshop.id)))
        except BuildError:
            links.append((label, path.format(id=workshop.id)))
    return links


@bp.context_processor
def page_words():
    """For the pledges templates: money and numbers in the page's locale, names of principles and statuses."""
    # Money as the plans write it everywhere else: whole amounts, "€1,200,000" (pledges carry no cents).
    return {"money": lambda amount, currency: written_investment({"investment_amount": amount, "investment_currency": currency}),
            "number": lambda value: format_decimal(value, locale=get_locale()),
            "principle_names": PILLAR_PRINCIPLE_NAMES, "status_names": STATUS_NAMES, "statuses": PROGRESS_STATUSES}


@bp.app_context_processor
def publishing_words():
    """For the console's publishing panel (a room template): the state of the workshop's publication."""
    return {"pledges_publishing": publishing.publishing_state}
