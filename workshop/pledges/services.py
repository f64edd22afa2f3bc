"""What becomes public, on whose decision: a workshop's pledges are public once a facilitator published
them, and of those only the final commitments whose city team agreed. The one home of that rule: the
public page, the open data and the feed all ask here."""
from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..boards.visibility import audience
from ..errors import NotFound, Refused
from ..extensions import db
from ..followup.services import final_commitments, final_plans, progress_of
from ..models import PILLAR_PRINCIPLES, PROGRESS_STATUSES, Card, Commitment, PlanProgress, ProgressUpdate, Workshop


def published_workshop(workshop_id):
    """The workshop whose pledges are published; a refusal (404) when there is none or they are not."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.pledges_published_at is None:
        raise NotFound("not_published", _l("These pledges are not published."))
    return workshop


def public_commitments(workshop):
    """The commitments the public sees: final, and agreed to by their city team; none while unpublished."""
    if workshop.pledges_published_at is None:
        return []
    return [commitment for commitment in final_commitments(workshop) if commitment.public_agreed_at is not None]


# The open data: what every public view renders from ----------------------------------------------------

SCHEMA = "workshop-pledges/1"


@dataclass
class PublicPlan:
    """One public action plan: its number ("city.plan", of the unfiltered data), its frozen content, its
    policy area's title (as frozen), its progress row (None: no update yet) and its updates, oldest first."""

    number: str
    card_id: int
    frozen: dict
    policy_area: str
    progress: PlanProgress | None
    updates: list


@dataclass
class PublicCity:
    """One public commitment: its latest final version's content and its public plans, in the version's order."""

    commitment: Commitment
    content: dict
    plans: list


def public_plans(commitment):
    """The plans of a public commitment the public sees: those of its latest final version (see
    `final_plans`) whose card is still on its board for everyone; a card hidden or deleted after the
    version was frozen leaves the public data, though its number stays its own. [(position, card_id, plan)]."""
    shown = []
    for position, (card_id, plan) in enumerate(final_plans(commitment), start=1):
        card = db.session.get(Card, card_id)
        if card is not None and card.deleted_at is None and audience(card).everyone:
            shown.append((position, card_id, plan))
    return shown


def public_cities(workshop):
    """The public commitments as `PublicCity`, by city name, each with its plans' progress and updates."""
    commitments = [(commitment, commitment.latest_version.content) for commitment in public_commitments(workshop)]
    commitments.sort(key=lambda pair: pair[1]["city"]["name"].casefold())  # the name it signed with, as shown
    cities = []
    for city_number, (commitment, content) in enumerate(commitments, start=1):
        area_of = {plan["card_id"]: area["title"] for area in content["policy_areas"] for plan in area["plans"]
                   if "card_id" in plan}
        progress = progress_of(commitment)
        updates = _updates_by_card(commitment)
        plans = [PublicPlan(f"{city_number}.{position}", card_id, plan, area_of.get(card_id) or _area_by_text(content, plan),
                            progress.get(card_id), updates.get(card_id, []))
                 for position, card_id, plan in public_plans(commitment)]
        cities.append(PublicCity(commitment, content, plans))
    return cities


def _area_by_text(content, frozen_plan):
    """The policy area a plan was frozen under, for versions frozen before plans carried their card's id."""
    return next(area["title"] for area in content["policy_areas"] if frozen_plan in area["plans"])


def _updates_by_card(commitment):
    """{card_id: [ProgressUpdate, oldest first]} of the commitment."""
    rows = db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.commitment_id == commitment.id)
                              .order_by(ProgressUpdate.written_at, ProgressUpdate.id))
    updates = {}
    for row in rows:
        updates.setdefault(row.card_id, []).append(row)
    return updates


def pledges_data(workshop, area=None, principle=None, city=None):
    """The workshop's public pledges as plain data, schema "workshop-pledges/1" (docs/open-data.md): what the
    public page, the JSON, the CSV and the feed all show. Filters: `area` a policy area's title, `principle`
    1 to 20 (an int or its digits), `city` a public city's name; None or "" is no filter. A bad filter is
    refused (400) with a message. Totals count the filtered plans."""
    return _data(workshop, *_shown(workshop, area, principle, city))


def pledges_feed(workshop, area=None, principle=None, city=None):
    """`pledges_data` and its updates newest first, each as (its id, city, plan, update) in the data's words:
    the feed names an update by its id, which nothing else in the data needs."""
    filters, shown = _shown(workshop, area, principle, city)
    data = _data(workshop, filters, shown)
    entries = [(row.id, city_data, plan_data, update)
               for (_, plans), city_data in zip(shown, data["cities"])
               for plan, plan_data in zip(plans, city_data["plans"])
               for row, update in zip(plan.updates, plan_data["updates"])]
    entries.sort(key=lambda entry: (entry[3]["written_at"], entry[0]), reverse=True)
    return data, entries


def _shown(workshop, area, principle, city):
    """The checked filters, and [(PublicCity, its plans that pass them)] of the cities with any."""
    cities = public_cities(workshop)
    filters = checked_filters(workshop, cities, area, principle, city)
    shown = [(public, [plan for plan in public.plans if _passes(public, plan, filters)]) for public in cities]
    return filters, [(public, plans) for public, plans in shown if plans]


def _data(workshop, filters, shown):
    cities = [_city_data(public, plans) for public, plans in shown]
    return {"schema": SCHEMA, "workshop": _workshop_data(workshop), "filters": filters,
            "totals": _totals([plan for city_data in cities for plan in city_data["plans"]], len(cities)),
            "cities": cities}


def checked_filters(workshop, cities, area, principle, city):
    """The filters as the data names them; a refusal (400) for a value that names nothing here."""
    area, city = area or None, city or None
    if area is not None:
        titles = {policy_area.title for policy_area in workshop.policy_areas}
        titles.update(plan.policy_area for public in cities for plan in public.plans)
        if area not in titles:
            raise Refused("bad_area", _l("There is no policy area of that title in these pledges."), field="area")
    if principle in (None, ""):
        principle = None
    else:
        number = principle if isinstance(principle, int) and not isinstance(principle, bool) else _digits(principle)
        if number not in PILLAR_PRINCIPLES:
            raise Refused("bad_principle", _l("Principles are numbers from 1 to 20."), field="principle")
        principle = number
    if city is not None and city not in {public.content["city"]["name"] for public in cities}:
        raise Refused("bad_city", _l("There is no city of that name in these pledges."), field="city")
    return {"area": area, "principle": principle, "city": city}


def _digits(text):
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 2 else None


def _passes(public, plan, filters):
    return ((filters["area"] is None or plan.policy_area == filters["area"])
            and (filters["principle"] is None or filters["principle"] in plan.frozen.get("principles", []))
            and (filters["city"] is None or public.content["city"]["name"] == filters["city"]))


def _workshop_data(workshop):
    return {"id": workshop.id, "title": workshop.title, "host_city": workshop.host_city,
            "starts_on": workshop.starts_on.isoformat(), "ends_on": workshop.ends_on.isoformat() if workshop.ends_on else None,
            "published_at": _timestamp(workshop.pledges_published_at), "url": public_page_url(workshop)}


def public_page_url(workshop):
    """The public page's address, GET /pledges/<id>: absolute when serving a request (or with SERVER_NAME
    set), else the path."""
    if not has_request_context() and not current_app.config.get("SERVER_NAME"):
        return f"/pledges/{workshop.id}"
    return url_for("pledges.page", workshop_id=workshop.id, _external=True)


def _city_data(public, plans):
    content = public.content
    return {"name": content["city"]["name"], "country": content["city"]["country"], "statement": content["statement"],
            "version": content["version"], "finalised_at": content["finalised_at"],
            "signatories": [{"name": person["name"], "role": person["role"], "organisation": person["organisation"]}
                            for person in content["signatories"]],
            "plans": [_plan_data(plan) for plan in plans]}


def _plan_data(plan):
    """One plan as the public sees it: never its author (a participant), only what the version froze."""
    frozen = plan.frozen
    return {"number": plan.number, "title": frozen.get("title") or "", "text": frozen["text"], "policy_area": plan.policy_area,
            "principles": list(frozen.get("principles", [])), "child_guarantee": bool(frozen.get("child_guarantee")),
            **{name: frozen.get(name) or "" for name in ("lead", "partners")},
            "starts_on": frozen.get("starts_on"), "ends_on": frozen.get("ends_on"),
            **{name: frozen.get(name) or "" for name in ("resources", "indicators", "baseline", "target")},
            "investment": _investment(frozen),
            "progress": {"status": plan.progress.status if plan.progress else "not_started",
                         "percent": plan.progress.percent if plan.progress else 0,
                         "updated_at": _timestamp(plan.progress.updated_at) if plan.progress else None},
            "updates": [{"written_at": _timestamp(update.written_at), "status": update.status, "percent": update.percent,
                         "text": update.text, "indicator_value": update.indicator_value, "evidence_url": _web_link(update.evidence_url)}
                        for update in plan.updates]}


def _web_link(url):
    """An http(s) link as written; anything else (which the update form refuses anyway) is not published, so
    no page or feed reader is handed a `javascript:` link."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _investment(frozen):
    """The investment the version froze; None when it had no amount (or was frozen before plans had one)."""
    amount = frozen.get("investment_amount")
    if amount is None:
        return None
    return {"amount": amount, "currency": frozen.get("investment_currency") or "", "period": frozen.get("investment_period") or ""}


def _totals(plans, cities):
    by_currency = {}
    for plan in plans:
        investment = plan["investment"]
        if investment is not None and investment["currency"]:
            by_currency[investment["currency"]] = by_currency.get(investment["currency"], 0) + investment["amount"]
    by_principle = {str(number): 0 for number in PILLAR_PRINCIPLES}
    for plan in plans:
        for number in plan["principles"]:
            by_principle[str(number)] += 1
    by_status = dict.fromkeys(PROGRESS_STATUSES, 0)
    for plan in plans:
        by_status[plan["progress"]["status"]] += 1
    return {"cities": cities, "plans": len(plans),
            "principles_covered": [number for number in PILLAR_PRINCIPLES if by_principle[str(number)]],
            "child_guarantee_plans": sum(1 for plan in plans if plan["child_guarantee"]),
            "investment": [{"currency": currency, "amount": amount} for currency, amount in sorted(by_currency.items())],
            "plans_by_status": by_status, "plans_by_principle": by_principle}


def _timestamp(moment):
    """A stored UTC time as the data writes it: ISO 8601 to the second, with "Z"; None stays None."""
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else None
