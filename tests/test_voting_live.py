"""The budget and the cap hold under parallel votes: real clients firing at a real server, and
threads voting at once straight against PostgreSQL's row locks."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from workshop import create_app
from workshop.extensions import db
from workshop.models import Card, Participant, Vote
from workshop.voting import services as voting

from .live import Visitor


@pytest.fixture
def vote_room(live_server):
    """A board in the vote phase with three ideas, and a way to add participants' sockets."""
    facilitator = Visitor(live_server.url).sign_up("Fran")
    code, boards = facilitator.create_workshop("Vote storm")
    board = boards[0]
    staff = facilitator.socket()
    staff.call("join_board", {"board_id": board, "watch": True})
    sockets = [staff]

    def person(name, city):
        visitor = Visitor(live_server.url).join(code, name, city)
        tabs = [visitor.socket(), visitor.socket()]  # two tabs of one person
        sockets.extend(tabs)
        return tabs

    author = person("Author", "Ghent")[0]
    ideas = [author.call("add_card", {"board_id": board, "lane": "idea", "text": f"Idea {n}"})["card"]["id"] for n in range(3)]
    assert staff.call("set_phase", {"board_id": board, "phase": "vote"})["ok"]
    yield {"board": board, "ideas": ideas, "person": person, "staff": staff}
    for socket in sockets:
        socket.close()


def fire(calls):
    """Send every (socket, card) vote at once from its own thread; the acks, in any order."""
    barrier = threading.Barrier(len(calls))

    def one(call):
        socket, card = call
        barrier.wait()
        return socket.call("vote", {"card_id": card})

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def counts(staff, board):
    return staff.call("join_board", {"board_id": board, "watch": True})["snapshot"]["votes"]["counts"]


def test_two_tabs_firing_in_parallel_never_exceed_the_budget_or_the_cap(vote_room):
    tabs = vote_room["person"]("Ana", "Glasgow")
    first, second, _ = vote_room["ideas"]
    # 10 votes at once: twice the budget, and the most one person may send in 2 s (RATELIMIT_VOTES).
    acks = fire([(tabs[n % 2], first if n % 3 else second) for n in range(10)])
    accepted = [ack for ack in acks if ack["ok"]]
    refused = {ack["error"]["code"] for ack in acks if not ack["ok"]}
    assert len(accepted) == 5  # the budget
    assert refused <= {"no_dots_left", "card_cap_reached"} and refused
    tally = counts(vote_room["staff"], vote_room["board"])
    assert sum(tally.values()) == 5
    assert all(count <= 3 for count in tally.values())  # the cap
    assert max(ack["votes"]["spent"] for ack in accepted) == 5


def test_a_city_team_voting_in_parallel_shares_one_budget(vote_room, live_server):
    staff = vote_room["staff"]
    assert staff.call("configure_voting", {"board_id": vote_room["board"], "budget": 4, "cap": 4, "lanes": ["idea"],
                                           "mode": "city", "hidden": True})["ok"]
    team = [vote_room["person"](name, "Warsaw")[0] for name in ("Ola", "Piotr", "Zofia")]
    acks = fire([(team[n % 3], vote_room["ideas"][n % 3]) for n in range(12)])
    assert sum(ack["ok"] for ack in acks) == 4
    assert sum(counts(staff, vote_room["board"]).values()) == 4


def test_postgresql_row_locks_hold_the_budget_for_threads_voting_at_once(postgres_url, make_workshop_on):
    board_id, card_ids, voter_id = make_workshop_on(postgres_url)
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": postgres_url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20}})
    barrier = threading.Barrier(12)

    def one(n):
        with app.app_context():
            voter, card = db.session.get(Participant, voter_id), db.session.get(Card, card_ids[n % len(card_ids)])
            barrier.wait()
            try:
                voting.cast_vote(voter, card)
                return "ok"
            except voting.Refused as refusal:
                return refusal.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(one, range(12)))
    with app.app_context():
        stored = db.session.query(Vote).count()
        per_card = [db.session.query(Vote).filter_by(card_id=card_id).count() for card_id in card_ids]
        db.session.remove()
        db.engine.dispose()
    assert results.count("ok") == stored == 5
    assert set(results) - {"ok"} <= {"no_dots_left", "card_cap_reached"}
    assert max(per_card) <= 3


@pytest.fixture
def make_workshop_on():
    """A workshop in a migrated database at `url`, its first board voting: (board id, idea ids, voter id)."""
    from datetime import date

    from flask_migrate import upgrade

    from workshop.boards import services as boards
    from workshop.models import Facilitator
    from workshop.workshops import services as workshops

    apps = []

    def make(url):
        app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
        apps.append(app)
        with app.app_context():
            upgrade()
            facilitator = Facilitator(email="f@example.org", name="F")
            facilitator.set_password("long enough")
            workshop = workshops.create_workshop(facilitator, use_lab_template=True, title="PG lab", host_city="Ghent",
                                                 starts_on=date(2025, 11, 5))
            team = workshop.find_or_add_city_team("Ghent")
            voter = Participant(workshop=workshop, city_team=team, display_name="Voter")
            db.session.add(voter)
            db.session.commit()
            board = workshop.policy_areas[0].board
            ideas = [boards.add_card(voter, board, "idea", f"Idea {n}")[0].id for n in range(2)]
            board.phase = "vote"
            db.session.commit()
            result = (board.id, ideas, voter.id)
            db.session.remove()
            db.engine.dispose()
            return result

    yield make


def test_a_storm_of_votes_reaches_the_room_as_a_few_coalesced_tallies(vote_room):
    import time

    staff = vote_room["staff"]
    assert staff.call("configure_voting", {"board_id": vote_room["board"], "budget": 10, "cap": 10, "lanes": ["idea"],
                                           "mode": "person", "hidden": False})["ok"]
    voters = [vote_room["person"](f"Voter {n}", "Lyon")[0] for n in range(4)]
    staff.received.clear()
    started = time.monotonic()
    acks = fire([(voters[n % 4], vote_room["ideas"][n % 3]) for n in range(40)])
    took = time.monotonic() - started
    assert all(ack["ok"] for ack in acks)
    staff.wait_for(lambda received: _latest_total(received) == 40)
    tallies = [data for name, data in staff.received if name == "votes_changed"]
    # Absolute counts, a handful of messages: far fewer than one per vote.
    assert len(tallies) <= took / 0.25 + 3 and len(tallies) < 20
    print(f"40 votes in {took:.2f} s reached the facilitator as {len(tallies)} votes_changed messages")


def _latest_total(received):
    latest = {}
    for name, data in received:
        if name == "votes_changed":
            latest.update(data["counts"])
    return sum(latest.values())
