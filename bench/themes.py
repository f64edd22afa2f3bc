"""Themes per policy area (issue 16): what `refresh_themes` costs on a board of 1,000 cards (10 cities), with
the real worker pool and model, on a fresh SQLite database:

- cold: no vector stored yet, so the worker embeds every card, then clusters, then the themes are written;
- warm: the same board again (vectors from the database cache), clustering and reconciling only;
- after edits: facilitators renamed, split, merged and dismissed themes and 10 cards were added;
- `themes_of` for a facilitator (what the page and every ack carry), and the ack's size.

    .venv/bin/python bench/themes.py [cards]
"""
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import machine  # noqa: E402
from bench.synthesis import CARDS, synthetic  # noqa: E402
from workshop import create_app  # noqa: E402
from workshop.extensions import db  # noqa: E402
from workshop.models import Card, Facilitator, Participant  # noqa: E402
from workshop.synthesis import services, themes_store  # noqa: E402
from workshop.workers import shutdown_all  # noqa: E402
from workshop.workshops import services as workshops  # noqa: E402

CITIES = ["Lille", "Ljubljana", "Gdańsk", "Bologna", "Leipzig", "Barcelona", "Ghent", "Espoo", "Brno", "Nantes"]


def board_of(count):
    """A lab workshop whose first board holds `count` problems and ideas from ten cities."""
    facilitator = Facilitator(email="bench@example.org", name="Bench")
    facilitator.set_password("long enough")
    workshop = workshops.create_workshop(facilitator, use_lab_template=True, title="Bench lab", host_city="Ghent",
                                         starts_on=date(2026, 11, 5))
    people = [Participant(workshop=workshop, city_team=workshop.find_or_add_city_team(city), display_name=f"P{n}")
              for n, city in enumerate(CITIES)]
    db.session.add_all(people)
    db.session.flush()
    board = workshop.policy_areas[0].board
    db.session.add_all([Card(board_id=board.id, lane=CARDS[n % len(CARDS)]["lane"], text=text, author_id=people[n % len(people)].id) for n, text in enumerate(synthetic(count))])
    db.session.commit()
    return facilitator, board


def timed(label, function, *args):
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    print(f"{label}: {time.perf_counter() - started:.2f} s (server process CPU {time.process_time() - cpu:.2f} s)")
    return result


def edit(facilitator, board):
    """What facilitators do between two clusterings: 5 renames, 3 splits, 3 merges, 3 dismissals, 10 new cards."""
    found = [theme for theme in themes_store.themes_rows(board.id) if len(theme.members) >= 3]
    for theme in found[:5]:
        themes_store.rename_theme(facilitator, theme, f"Named {theme.id}")
    for theme in found[5:8]:
        themes_store.split_theme(facilitator, theme, [theme.members[0].card_id])
    for theme, into in zip(found[8:11], found[11:14]):
        themes_store.merge_themes(facilitator, theme, into)
    for theme in themes_store.themes_rows(board.id)[-3:]:
        themes_store.dismiss_theme(facilitator, theme)
    author = db.session.scalars(db.select(Participant)).first()
    db.session.add_all([Card(board_id=board.id, lane="problem", text=f"{CARDS[n]['text']} (Porto, {n})", author_id=author.id)
                        for n in range(10)])
    db.session.commit()


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"{machine()} · load average {os.getloadavg()[0]:.1f} · {count:,} cards")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                          "SYNTHESIS_EMBED_ON_WRITE": False})
        with app.app_context():
            db.create_all()
            facilitator, board = board_of(count)
            services.vectors_of(["warm-up"])  # the worker started and its model loaded, as on a running server
            themes = timed("refresh_themes, cold (every card embedded)", themes_store.refresh_themes, board)
            print(f"  {len(themes)} themes, {sum(len(theme.members) for theme in themes)} cards in one")
            timed("refresh_themes, warm (vectors cached)", themes_store.refresh_themes, board)
            groups = timed("  of which the machine's grouping (services.grouped_cards)", services.grouped_cards, board)
            print(f"  {len(groups)} groups")
            edit(facilitator, board)
            themes = timed("refresh_themes after edits and 10 new cards", themes_store.refresh_themes, board)
            print(f"  {len(themes)} themes, {sum(theme.dismissed for theme in themes)} dismissed, "
                  f"{sum(theme.name is not None for theme in themes)} named")
            shown = timed("themes_of for a facilitator", themes_store.themes_of, board, facilitator)
            print(f"  ack of get_themes: {len(json.dumps({'board_id': board.id, 'themes': shown}).encode()) / 1024:.0f} KiB")
            db.session.remove()
    shutdown_all()


if __name__ == "__main__":
    main()
