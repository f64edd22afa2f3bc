"""The fuzz tests' world and tools (tests/test_fuzz.py, tests/test_fuzz_http.py): the app on SQLite and
on PostgreSQL, a workshop with a card of every kind, what a database holds, and numbers and words a
hostile client sends."""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.conftest import running_app
from workshop.boards import services as board_services
from workshop.extensions import db
from workshop.models import LANES, PHASES, PLAN_STATUSES, PRIVATE_SCOPES, VOTE_MODES
from workshop.room import services as room_services
from workshop.voting import services as voting_services

# The world is built once per test and kept across its examples (each example checks the database
# against its own "before"), so function-scoped fixtures are what we want here.
fuzz_settings = settings(
    max_examples=500, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def examples(full):
    """How many cases a fuzz test tries: `full`, what CI runs, unless the loaded hypothesis profile
    asks for fewer than the "ci" one (the "dev" profile outside CI: see tests/conftest.py)."""
    loaded = settings.default.max_examples
    return full if loaded >= settings.get_profile("ci").max_examples else min(full, loaded)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):
    return request.param


@pytest.fixture
def app(database, request, tmp_path):
    """The app of every test here, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("postgres_url") if database == "postgresql" else f"sqlite:///{tmp_path / 'fuzz.sqlite'}"
    with running_app(tmp_path, url) as app:
        yield app


@pytest.fixture
def world(make_workshop, make_participant, make_facilitator):
    """A workshop with a board collecting cards (a problem, an idea answering it, an action plan
    with details, a hidden card, a deleted one), a board voting, a board in results with private
    writing; and another workshop with its own board, card and participant."""

    class World:
        workshop = make_workshop(cities=("Glasgow", "Bologna"))
        collect, vote, results = (area.board for area in workshop.policy_areas)
        facilitator = workshop.facilitators[0]
        ana = make_participant(workshop, "Ana", "Glasgow")
        ben = make_participant(workshop, "Ben", "Bologna")
        cleo = make_participant(workshop, "Cleo", "Glasgow")
        elsewhere = make_workshop(cities=("Lille",))
        stranger = make_participant(elsewhere, "Sam", "Lille")

    w = World()
    post = board_services.add_card
    problem, _ = post(w.ana, w.collect, "problem", "Families do not know which support they can claim")
    idea, _ = post(w.ben, w.collect, "idea", "One desk for every benefit", link_id=problem.id)
    action, _ = post(w.ana, w.collect, "action", "Open family desks", link_id=idea.id)
    hidden, _ = post(w.ben, w.collect, "idea", "Off topic")
    board_services.hide_card(w.facilitator, hidden, "Off topic")
    gone, _ = post(w.cleo, w.collect, "problem", "Typo")
    board_services.delete_card(w.cleo, gone)
    votable = [post(person, w.vote, "idea", f"Idea of {person.display_name}")[0] for person in (w.ana, w.ben)]
    room_services.set_phase(w.facilitator, w.vote, "vote")
    voting_services.cast_vote(w.ben, votable[0])
    private, _ = post(w.ben, w.results, "problem", "Said in confidence")
    board_services.set_private_writing(w.facilitator, w.results, True, "team")
    room_services.set_phase(w.facilitator, w.results, "results")
    far_card, _ = post(w.stranger, w.elsewhere.policy_areas[0].board, "idea", "Elsewhere")
    w.ids = sorted({
        w.workshop.id, w.elsewhere.id, w.collect.id, w.vote.id, w.results.id, w.elsewhere.policy_areas[0].board.id,
        problem.id, idea.id, action.id, hidden.id, gone.id, private.id, far_card.id, *(card.id for card in votable),
        w.ana.id, w.ben.id, w.cleo.id, w.stranger.id, w.facilitator.id,
    })
    return w


def fingerprint():
    """Every row of every table. Plain DB-API on a connection of its own: it runs twice per case,
    and through the ORM it would cost more than the event under test."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        rows = {}
        for table in db.metadata.sorted_tables:
            order = ", ".join(column.name for column in table.primary_key.columns)
            cursor.execute(f"SELECT * FROM {table.name} ORDER BY {order}")
            rows[table.name] = cursor.fetchall()
        return rows
    finally:
        connection.close()


WORDS = sorted({*LANES, *PHASES, *VOTE_MODES, *PRIVATE_SCOPES, *PLAN_STATUSES, "2026-03-31", "2026-02-30", "", " ", "\ud800",
                "A card that could be real", "<script>window.__xss=1</script>"})


EDGE_NUMBERS = [0, -1, -2**31, 2**31, 2**53 - 1, 2**53, -2**53, 2**63, 2**64, 10**30, -10**30]


def numbers(ids):
    """Whole numbers: real ids (of these boards, cards and people, and of another workshop's), small
    ones, edges of every integer size, anything."""
    return st.sampled_from(ids) | st.sampled_from(EDGE_NUMBERS) | st.integers(min_value=-3, max_value=50) | st.integers()
