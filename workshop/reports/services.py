"""What the reports and exports show: each board's cards ranked as the room saw them, the
workshop summary, and where rendered reports are kept. The views turn these into PDFs, JSON and CSV."""
import re
import unicodedata
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..boards.plans import PILLAR_PRINCIPLE_NAMES
from ..boards.snapshots import live_cards
from ..boards.votes import card_rounds, standings_by_round
from ..commitments import services as commitments
from ..models import LANES, CommitmentVersion
from ..synthesis.peers import shared_themes
from . import jobs


def cache_dir():
    return current_app.config.get("REPORTS_CACHE") or str(Path(current_app.instance_path) / "reports")


def report_html(template, language, **context):
    """A report's HTML written entirely in `language` (words, dates, ordinals, plurals, principle
    names, `<html lang>`): the worker that makes the PDF gets finished HTML and has no locale."""
    with force_locale(language):
        return render_template(template, **context)


def version_report_html(content, content_hash):
    """A final version's report (from its frozen content), in the language it was made final in
    (whatever the team chose since): its HTML and that language."""
    language = commitments.language_of_version(content)
    html = report_html("reports/commitment.html", language, content=content, content_hash=content_hash,
                       principles=PILLAR_PRINCIPLE_NAMES)
    return html, language


# A version made final is rendered at once: the city downloads its report moments later (30 cities
# in the same minute at the end of the day), and finds it made or being made rather than queued
# behind the others then (docs/performance.md). Noted at the flush, started after the commit.
FINALISED = "workshop.finalised_versions"


@event.listens_for(Session, "after_flush")
def _note_finalised_versions(session, flush_context):
    for version in session.new:
        if isinstance(version, CommitmentVersion):
            session.info.setdefault(FINALISED, []).append(
                (version.content, version.content_hash, version.commitment.city_team.workshop_id))


@event.listens_for(Session, "after_commit")
def _prepare_finalised_reports(session):
    finalised = session.info.pop(FINALISED, [])
    # Only for a person finalising through the app: a script's commit (a seed, a benchmark) has no
    # request for the report's page to be rendered in, and asks for its reports itself.
    if finalised and has_request_context() and current_app.config["REPORT_PREPARE_ON_FINALISE"]:
        for content, content_hash, workshop_id in finalised:
            prepare(*version_report_html(content, content_hash), workshop_id)


@event.listens_for(Session, "after_rollback")
def _forget_finalised_versions(session):
    session.info.pop(FINALISED, None)


def prepare(html, language, workshop_id):
    """Make sure the PDF of `html` is made or being made, filed under its workshop: its key and state."""
    config = current_app.config
    key, state = jobs.ensure_rendered(html, language, cache_dir(), config["REPORT_WORKERS"], config["REPORT_TIME_LIMIT"])
    jobs.file_under(cache_dir(), workshop_id, key)
    return key, state


def slug(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "report"


def ranked_cards(board):
    """Every live card of `board`, in posting order, with its dots and rank in the current round and
    in every round (`rounds`, the current one last): [{"card", "dots", "rank", "rounds"}]. Only
    cards the whole room saw have a rank; the others' rank is None (`boards.votes.standings`)."""
    rounds = standings_by_round(board)
    entries = []
    for card in live_cards(board):
        per_round = card_rounds(card.id, rounds)
        entries.append({"card": card, "dots": per_round[-1]["dots"], "rank": per_round[-1]["rank"], "rounds": per_round})
    return entries


def summary(workshop):
    """The workshop summary: every board with the cards the room saw, by lane, ranked by dots (of
    the last round, with the dots of each earlier round), its themes with their cities and dots
    (cards the room saw only), and every city's commitment status."""
    boards = []
    for area in workshop.policy_areas:
        ranked = [entry for entry in ranked_cards(area.board) if entry["rank"] is not None]
        lanes = {lane: sorted((entry for entry in ranked if entry["card"].lane == lane),
                              key=lambda entry: (entry["rank"], entry["card"].id))
                 for lane in LANES}
        themes = [{"name": theme["name"], "cities": theme["cities"], "dots": theme["dots"], "cards": len(theme["cards"])}
                  for theme in shared_themes(area.board)]
        boards.append({"title": area.title, "phase": area.board.phase, "lanes": lanes, "rounds": area.board.vote_round,
                       "themes": themes})
    cities = [{"name": team.name, "status": commitments.status_of(team)} for team in workshop.city_teams]
    return boards, cities
