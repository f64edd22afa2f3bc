"""What the progress reports print, as plain data: a city's progress report ("one year on") and the
workshop's follow-up summary. The plans are those of the commitment's final version (followup.services);
where each stands and its dated updates come from the follow-up tables. The views turn these into PDFs."""
import calendar
from collections import Counter
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..errors import NotFound
from ..extensions import db
from ..followup import services as followup
from ..models import PROGRESS_STATUSES, CityTeam, ProgressUpdate, utcnow


def today():
    """The day a report is made (UTC; tests set it)."""
    return utcnow().date()


def one_year_after(day):
    """The same day a year later (29 February: 28 February)."""
    return date(day.year + 1, day.month, min(day.day, calendar.monthrange(day.year + 1, day.month)[1]))


def is_one_year_on(workshop, on):
    """Whether `on` is 12 months or more after the workshop ended (its start when it has no end date)."""
    return on >= one_year_after(workshop.ends_on or workshop.starts_on)


def require_final(commitment):
    """A refusal (404, with a page saying why) unless the commitment is final: only the plans of a final
    version are followed up, so a draft has no progress to report."""
    if commitment is None or not commitment.is_final or commitment.latest_version is None:
        raise NotFound("not_final", _l("This city's commitment is not final, so there is no progress to report yet."))


def written_by(update):
    """Who wrote an update, as the report names them: the name they gave, else the label of the link it came
    through, else the facilitator's or participant's name ("" when none of these is known any more)."""
    if update.author_name:
        return update.author_name
    if update.via_link is not None and update.via_link.label:
        return update.via_link.label
    if update.by_facilitator is not None:
        return update.by_facilitator.name
    if update.by_participant is not None:
        return update.by_participant.display_name
    return ""


def _update_data(update):
    return {"written_on": update.written_at.date(), "status": update.status, "percent": update.percent,
            "text": update.text, "indicator_value": update.indicator_value, "evidence_url": update.evidence_url or "",
            "author": written_by(update), "via_link": update.via_link_id is not None}


def _updates_by_plan(commitment):
    """{card_id: [update data, oldest first]} of the commitment's updates."""
    updates = db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.commitment_id == commitment.id)
                                 .order_by(ProgressUpdate.written_at, ProgressUpdate.id))
    by_plan = {}
    for update in updates:
        by_plan.setdefault(update.card_id, []).append(_update_data(update))
    return by_plan


def _standing(progress):
    """(status, percent) of a plan's PlanProgress, or of a plan that has had no update."""
    return (progress.status, progress.percent) if progress is not None else ("not_started", 0)


def city_progress(commitment):
    """A city's progress report: its final plans by policy area, each with its status and percent, its
    indicator (baseline, target, the latest value reported) and its updates, oldest first (the report tells
    the story in order); the counts by status; whether it is "one year on". 404 unless the commitment is final."""
    require_final(commitment)
    content = commitment.latest_version.content
    progress = followup.progress_of(commitment)
    updates = _updates_by_plan(commitment)
    # final_plans lists the version's plans in its order, area by area: each one's area, in the same order.
    area_titles = [area["title"] for area in content["policy_areas"] for _ in area["plans"]]
    areas, counts = [], Counter()
    for title, (card_id, plan) in zip(area_titles, followup.final_plans(commitment)):
        if not areas or areas[-1]["title"] != title:
            areas.append({"title": title, "plans": []})
        status, percent = _standing(progress.get(card_id))
        history = updates.get(card_id, [])
        values = [update for update in history if update["indicator_value"]]
        areas[-1]["plans"].append({"plan": plan, "status": status, "percent": percent, "updates": history,
                                   "latest_value": values[-1] if values else None})
        counts[status] += 1
    workshop = commitment.city_team.workshop
    made_on = today()
    return {"city": commitment.city_team.name, "workshop": workshop, "version": commitment.latest_version.number,
            "finalised_at": content["finalised_at"], "areas": areas, "counts": _in_order(counts),
            "made_on": made_on, "one_year_on": is_one_year_on(workshop, made_on)}


def _in_order(counts):
    """[(status, count)] in the statuses' order, every status listed (zeros too: a reader sees what is not)."""
    return [(status, counts.get(status, 0)) for status in PROGRESS_STATUSES]


def _last_updates(commitments):
    """{(commitment_id, card_id): datetime of the latest update} for these commitments."""
    ids = [commitment.id for commitment in commitments]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProgressUpdate.commitment_id, ProgressUpdate.card_id, func.max(ProgressUpdate.written_at))
        .where(ProgressUpdate.commitment_id.in_(ids)).group_by(ProgressUpdate.commitment_id, ProgressUpdate.card_id))
    return {(commitment_id, card_id): written_at for commitment_id, card_id, written_at in rows}


def follow_up(workshop):
    """The workshop's follow-up summary: per city with a final commitment (by name), its plans with status,
    percent and the date of their last update, and its counts by status; the workshop's totals; the city
    teams that have no final commitment."""
    commitments = followup.final_commitments(workshop)
    last = _last_updates(commitments)
    cities, totals, updated = [], Counter(), 0
    for commitment in commitments:
        progress = followup.progress_of(commitment)
        counts, plans = Counter(), []
        for card_id, plan in followup.final_plans(commitment):
            status, percent = _standing(progress.get(card_id))
            last_update = last.get((commitment.id, card_id))
            plans.append({"title": plan.get("title") or plan["text"], "status": status, "percent": percent,
                          "last_update": last_update.date() if last_update else None})
            counts[status] += 1
            updated += last_update is not None
        totals.update(counts)
        cities.append({"name": commitment.city_team.name, "plans": plans, "counts": _in_order(counts)})
    final_teams = {commitment.city_team_id for commitment in commitments}
    teams = db.session.scalars(select(CityTeam).where(CityTeam.workshop_id == workshop.id).order_by(CityTeam.name))
    return {"workshop": workshop, "cities": cities, "totals": _in_order(totals), "plans": sum(totals.values()),
            "updated": updated, "without": [team.name for team in teams if team.id not in final_teams],
            "made_on": today()}
