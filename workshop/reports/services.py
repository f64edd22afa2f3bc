"""What the reports and exports show: each board's cards ranked as the room saw them, the
workshop summary, and where rendered reports are kept. The views turn these into PDFs, JSON and CSV."""
import re
import unicodedata
from pathlib import Path

from flask import current_app

from ..boards.snapshots import live_cards
from ..boards.votes import card_rounds, standings_by_round
from ..commitments import services as commitments
from ..models import LANES
from ..synthesis.peers import shared_themes


def cache_dir():
    return current_app.config.get("REPORTS_CACHE") or str(Path(current_app.instance_path) / "reports")


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
