"""The authorisation matrix: every HTTP route and every Socket.IO event, against every role.

The matrix is built from the app's own lists (its URL map, the Socket.IO server's handlers): a
route or event without a rule in RULES fails `test_every_route_and_event_has_a_rule`, naming it.
Each cell starts from the same world, sends one request as one role, and checks
- the answer: status, redirect to the login page, connection refused, ack `ok` or error code;
- for an allowed change, that it happened (the rule's `effect`); for anything else, that not one
  row of any table changed and no PDF render started;
- that no answer, and nothing Ana's and Ben's sockets on the first board hear, carries the text of
  a card its receiver may not see (hidden, or written privately by another city team).

A rule is one line. For a route that deletes a workshop, say:

    Rule("POST /workshops/<workshop_id>/delete", FACILITATORS, effect=lambda w: get(Workshop, w.workshop) is None),

Default answers: allowed, 200 (GET), 302 (POST) or an `ok` ack; refused, for the signed out and
the removed a redirect to the login page or `not_signed_in` (no socket at all when signed out),
for the rest 403, or `not_member` (another workshop's people) and `not_facilitator` (this
workshop's). `answers` sets any cell that differs.
"""
import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, func, select
from werkzeug.routing.converters import AnyConverter

from workshop import create_app
from workshop.boards import services as boards
from workshop.boards import visibility
from workshop.commitments import services as commitments
from workshop.extensions import db, socketio
from workshop.followup import services as followup
from workshop.models import CheckIn  # reminders
from workshop.models import (
    Board, Card, CityTeam, Commitment, Facilitator, MergeDismissal, Participant, PolicyArea, Theme, ThemeCard, Vote, Workshop,
    utcnow,
)
from workshop.models import ProgressUpdate, UpdateLink  # followup
from workshop.reports import jobs
from workshop.room import services as room
from workshop.synthesis import services as synthesis
from workshop.voting import services as voting
from workshop.workshops import services as workshop_services

from .conftest import PASSWORD, Auth, running_app

# Roles ---------------------------------------------------------------------------------------
# In the world below, "participant" is Ana of Glasgow: she wrote the cards the events name, and
# the commitment the routes name is her city team's. "other-city-participant" is Ben of Bologna,
# in the same workshop. The "removed-participant" (Rae, Glasgow) signs in, then a facilitator
# removes her, and she goes on with the session (or the socket) she had.

ROLES = (
    "anonymous", "outside-participant", "participant", "other-city-participant", "removed-participant",
    "outside-facilitator", "co-facilitator", "facilitator",
)
ANONYMOUS, OUTSIDE_PARTICIPANT, PARTICIPANT, OTHER_CITY, REMOVED, OUTSIDE_FACILITATOR, CO_FACILITATOR, FACILITATOR = ROLES

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS, REMOVED}
FACILITATORS = frozenset({FACILITATOR, CO_FACILITATOR})  # the workshop's own
ANY_FACILITATOR = FACILITATORS | {OUTSIDE_FACILITATOR}
PARTICIPANTS = frozenset({PARTICIPANT, OTHER_CITY})  # the workshop's own
MEMBERS = FACILITATORS | PARTICIPANTS
NOT_MEMBERS = EVERYONE - MEMBERS
OWN = FACILITATORS | {PARTICIPANT}  # Ana's cards and her city team's commitment, and the facilitators

LOGIN = "302 to /login"
NO_SOCKET = "connection refused"
JSON_API = {ANONYMOUS: 401, REMOVED: 401}  # the JSON API answers 401 rather than a redirect
NOT_VOTERS = dict.fromkeys(FACILITATORS, "not_voter")
NOT_POSTERS = dict.fromkeys(FACILITATORS, "facilitators_do_not_post")


@dataclass(frozen=True)
class Rule:
    """Who may send one request (an HTTP route or a Socket.IO event), and how it is sent.

    `send`: the form, query string or event payload, or a function of the world that gives it;
    `at`: a function of the world giving path values other than the defaults (`path_of`);
    `given`: prepares what the request needs (see `change`);
    `effect`: true once an allowed request made its change (None for reads, which change nothing);
    `answers`: expected answers by role where they differ from the defaults; `ok`: the allowed
    answer when it is not the default; `case`: tells two rules of one route or event apart.
    """

    name: str
    allow: frozenset
    send: object = None
    at: Callable | None = None
    given: Callable | None = None
    effect: Callable | None = None
    answers: dict = field(default_factory=dict)
    ok: object = None
    case: str = ""

    @property
    def is_route(self):
        return " " in self.name

    def payload(self, world):
        return self.send(world) if callable(self.send) else self.send

    def expected(self, role):
        if role in self.answers:
            return self.answers[role]
        if role in self.allow:
            return self.ok or ({"GET": 200, "POST": 302}[self.name.split()[0]] if self.is_route else "ok")
        if self.is_route:
            return LOGIN if role in (ANONYMOUS, REMOVED) else 403
        return {ANONYMOUS: NO_SOCKET, REMOVED: "not_signed_in", OUTSIDE_PARTICIPANT: "not_member",
                OUTSIDE_FACILITATOR: "not_member"}.get(role, "not_facilitator")

    def cell_id(self, role):
        return f"{self.name}{f' ({self.case})' if self.case else ''}-as-{role}"


# What the requests need and change -----------------------------------------------------------

def get(model, id):
    return db.session.get(model, id, populate_existing=True)


def count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def commitment(world):
    return db.session.scalar(select(Commitment).filter_by(city_team_id=world.team).execution_options(populate_existing=True))


def empty_team():
    return db.session.scalar(select(CityTeam.id).filter_by(name="Tallinn"))


def change(function):
    """A `given` step: run `function(world)` on the database and commit."""

    def given(world):
        function(world)
        db.session.commit()

    return given


reopen_commitment = change(lambda w: setattr(commitment(w), "status", "draft"))
revoke_link = change(lambda w: setattr(commitment(w), "share_token", None))
close_workshop = change(lambda w: setattr(get(Workshop, w.workshop), "closed_at", utcnow()))
open_commitment_step = change(lambda w: setattr(get(Workshop, w.workshop), "commitments_opened_at", utcnow()))
add_empty_team = change(lambda w: db.session.add(CityTeam(workshop_id=w.workshop, name="Tallinn")))
start_voting = change(lambda w: setattr(get(Board, w.board), "phase", "vote"))
show_results = change(lambda w: setattr(get(Board, w.board), "phase", "results"))
close_board = change(lambda w: setattr(get(Board, w.board), "phase", "closed"))
rename_first_area = change(lambda w: setattr(get(PolicyArea, w.area), "title", "Housing"))
embed_first_board = change(lambda w: synthesis.vectors_of([card.text for card in synthesis.comparable_cards(get(Board, w.board))]))


def add_themes(world, dismissed=False):
    """Two themes on the first board (synthesis: themes): Ana's problem and idea, and her action plan
    (no theme would hold one: clustering again takes it out); Ben's idea, named. Another workshop's theme.
    They replace the world's own theme (peer cities'), which holds some of the same cards."""
    db.session.execute(delete(Theme).where(Theme.board_id == world.board))
    first = Theme(board_id=world.board, words="family desk", dismissed=dismissed)
    second = Theme(board_id=world.board, name="Mobile teams")
    elsewhere = Theme(board_id=get(PolicyArea, world.elsewhere_area).board.id, name="Elsewhere theme")
    db.session.add_all([first, second, elsewhere])
    db.session.flush()
    db.session.add_all([ThemeCard(card_id=card, theme_id=first.id) for card in (world.problem, world.idea, world.action)]
                       + [ThemeCard(card_id=world.others_idea, theme_id=second.id),
                          ThemeCard(card_id=world.elsewhere_card, theme_id=elsewhere.id)])


with_themes = change(add_themes)
with_a_dismissed_theme = change(lambda w: add_themes(w, dismissed=True))


def theme_id(**where):
    return db.session.scalar(select(Theme.id).filter_by(**where))
# synthesis: the vectors of the first board's cards, made (and stored) before a similar-cards lookup
embed_first_board = change(lambda w: synthesis.vectors_of([card.text for card in synthesis.comparable_cards(get(Board, w.board))]))

store_check_ins = change(lambda w: followup.check_ins_of(get(Workshop, w.workshop)))  # reminders: the defaults, stored

WORKSHOP_FORM = {"title": "Matrix lab", "host_city": "Porto", "starts_on": "2026-03-02", "ends_on": "2026-03-04"}
COMMITMENTS = "/workshops/<workshop_id>/commitments/<team_id>"

RULES = [
    # Accounts and joining: open to everyone; the workshop's own people go straight to it.
    Rule("GET /", EVERYONE),
    Rule("POST /", EVERYONE, send=lambda w: {"code": w.code}),
    Rule("GET /join/<code>", EVERYONE, answers=dict.fromkeys(MEMBERS, 302)),
    Rule("POST /join/<code>", NOT_MEMBERS, send=lambda w: {"display_name": "Zoe", "city_team": w.team},
         effect=lambda w: count(Participant, display_name="Zoe"), answers=dict.fromkeys(MEMBERS, 302)),
    Rule("GET /signup", EVERYONE),
    Rule("POST /signup", EVERYONE, send={"name": "Zoe", "email": "zoe@example.org", "password": PASSWORD, "confirm": PASSWORD},
         effect=lambda w: count(Facilitator, email="zoe@example.org")),
    Rule("GET /login", EVERYONE),
    Rule("POST /login", EVERYONE, send=lambda w: {"email": w.facilitator_email, "password": PASSWORD}),
    Rule("POST /logout", EVERYONE),
    # The language switch: a facilitator's account changes; anyone else gets a cookie, no row changes.
    Rule("POST /language", ANY_FACILITATOR, send={"language": "de", "next": "/"}, effect=lambda w: count(Facilitator, language="de") == 1,
         answers=dict.fromkeys(EVERYONE - ANY_FACILITATOR, 302)),
    Rule("POST /language", frozenset(), case="a language we do not speak", send={"language": "xx", "next": "/"},
         answers=dict.fromkeys(EVERYONE, 400)),
    # Workshops
    Rule("GET /workshops/", ANY_FACILITATOR),
    Rule("GET /workshops/new", ANY_FACILITATOR),
    Rule("POST /workshops/new", ANY_FACILITATOR, send=WORKSHOP_FORM, effect=lambda w: count(Workshop, title="Matrix lab")),
    Rule("GET /workshops/<workshop_id>", MEMBERS),
    Rule("GET /workshops/<workshop_id>/settings", FACILITATORS),
    Rule("POST /workshops/<workshop_id>/settings", FACILITATORS, send=WORKSHOP_FORM,
         effect=lambda w: get(Workshop, w.workshop).title == "Matrix lab"),
    Rule("POST /workshops/<workshop_id>/policy-areas", FACILITATORS, send={"title": "Housing"},
         effect=lambda w: count(PolicyArea, title="Housing")),
    Rule("POST /workshops/<workshop_id>/policy-areas/lab-template", FACILITATORS, given=rename_first_area,
         effect=lambda w: count(PolicyArea, workshop_id=w.workshop) == 4),
    Rule("POST /workshops/<workshop_id>/policy-areas/<area_id>", FACILITATORS, send=lambda w: {f"area-{w.area}-title": "Housing"},
         effect=lambda w: get(PolicyArea, w.area).title == "Housing"),
    Rule("POST /workshops/<workshop_id>/policy-areas/<area_id>/move", FACILITATORS, send={"direction": "down"},
         effect=lambda w: get(PolicyArea, w.area).position == 1),
    Rule("POST /workshops/<workshop_id>/policy-areas/<area_id>/remove", FACILITATORS,
         effect=lambda w: get(PolicyArea, w.area) is None),
    Rule("POST /workshops/<workshop_id>/city-teams", FACILITATORS, send={"name": "Porto"}, effect=lambda w: count(CityTeam, name="Porto")),
    Rule("POST /workshops/<workshop_id>/city-teams/<team_id>", FACILITATORS, send=lambda w: {f"team-{w.team}-name": "Glasgow City"},
         effect=lambda w: get(CityTeam, w.team).name == "Glasgow City"),
    Rule("POST /workshops/<workshop_id>/city-teams/<team_id>/remove", FACILITATORS, case="a team nobody joined",
         given=add_empty_team, at=lambda w: {"team_id": empty_team()}, effect=lambda w: empty_team() is None),
    Rule("POST /workshops/<workshop_id>/city-teams/<team_id>/remove", frozenset(), case="Glasgow, which has participants",
         answers=dict.fromkeys(FACILITATORS, 400)),
    Rule("POST /workshops/<workshop_id>/facilitators", FACILITATORS, send=lambda w: {"email": w.outside_facilitator_email},
         effect=lambda w: len(get(Workshop, w.workshop).facilitators) == 3),
    Rule("POST /workshops/<workshop_id>/close", FACILITATORS, effect=lambda w: get(Workshop, w.workshop).closed_at),
    Rule("POST /workshops/<workshop_id>/reopen", FACILITATORS, given=close_workshop,
         effect=lambda w: get(Workshop, w.workshop).closed_at is None),
    Rule("POST /workshops/<workshop_id>/new-code", FACILITATORS, effect=lambda w: get(Workshop, w.workshop).join_code != w.code),
    Rule("POST /workshops/<workshop_id>/commitment-step/open", FACILITATORS,
         effect=lambda w: get(Workshop, w.workshop).commitments_opened_at),
    Rule("POST /workshops/<workshop_id>/commitment-step/close", FACILITATORS, given=open_commitment_step,
         effect=lambda w: get(Workshop, w.workshop).commitments_opened_at is None),
    Rule("GET /workshops/<workshop_id>/share", FACILITATORS),
    Rule("GET /workshops/<workshop_id>/qr.svg", FACILITATORS),
    # Boards and running the room
    Rule("GET /boards/<board_id>", MEMBERS),
    Rule("GET /api/boards/<board_id>", MEMBERS, answers=JSON_API),
    Rule("GET /api/boards/<board_id>/events", MEMBERS, send={"since": 0}, answers=JSON_API),
    Rule("GET /workshops/<workshop_id>/console", FACILITATORS),
    Rule("GET /boards/<board_id>/projector", FACILITATORS),
    # Commitments (of Ana's city team, Glasgow)
    Rule(f"GET {COMMITMENTS}", OWN),
    Rule(f"POST {COMMITMENTS}", OWN, given=reopen_commitment,
         send=lambda w: {"plans": [w.action], "statement": "Matrix statement", "signatory-0-name": "Mhairi"},
         effect=lambda w: commitment(w).statement == "Matrix statement"),
    Rule(f"POST {COMMITMENTS}/final", OWN, given=reopen_commitment, effect=lambda w: len(commitment(w).versions) == 2),
    Rule(f"POST {COMMITMENTS}/reopen", OWN, effect=lambda w: commitment(w).status == "draft"),
    Rule(f"POST {COMMITMENTS}/share", OWN, given=revoke_link, effect=lambda w: commitment(w).share_token),
    Rule(f"POST {COMMITMENTS}/share/revoke", FACILITATORS, effect=lambda w: commitment(w).share_token is None),
    Rule(f"POST {COMMITMENTS}/remind", FACILITATORS, effect=lambda w: commitment(w).reminded_at),
    Rule("GET /shared/<token>", EVERYONE),
    # Reports and exports (a PDF answers 202 while it renders)
    Rule(f"GET {COMMITMENTS}/v<number>.pdf", OWN, ok=202),
    Rule(f"GET {COMMITMENTS}/v<number>.json", OWN),
    Rule("GET /shared/<token>/v<number>.pdf", EVERYONE, ok=202),
    Rule("GET /shared/<token>/v<number>.json", EVERYONE),
    Rule("GET /workshops/<workshop_id>/summary.pdf", FACILITATORS, ok=202),
    Rule("GET /boards/<board_id>/export.csv", FACILITATORS),
    Rule("GET /boards/<board_id>/export.json", FACILITATORS),
    Rule("GET /reports/<key>/status", EVERYONE),
    # Privacy: the facilitators export; only the creator deletes; participants anonymise themselves
    Rule("GET /workshops/<workshop_id>/export.json", FACILITATORS),
    Rule("GET /workshops/<workshop_id>/delete", frozenset({FACILITATOR})),
    Rule("POST /workshops/<workshop_id>/delete", frozenset({FACILITATOR}), send=lambda w: {"title": get(Workshop, w.workshop).title},
         effect=lambda w: get(Workshop, w.workshop) is None),
    Rule("GET /privacy", EVERYONE),
    Rule("GET /workshops/<workshop_id>/anonymise-me", PARTICIPANTS),
    Rule("POST /workshops/<workshop_id>/anonymise-me", PARTICIPANTS,
         effect=lambda w: count(Participant, display_name="Anonymous participant") == 1),
    # reminders: the check-ins page (its defaults stored first, as the page's first view does)
    Rule("GET /workshops/<workshop_id>/check-ins", FACILITATORS, given=store_check_ins),
    Rule("POST /workshops/<workshop_id>/check-ins", FACILITATORS, given=store_check_ins, send={"new-due_on": "2026-09-01"},
         effect=lambda w: count(CheckIn, workshop_id=w.workshop) == 4),
    Rule("POST /workshops/<workshop_id>/check-ins", frozenset(), case="a date before the workshop ended", given=store_check_ins,
         send={"new-due_on": "2025-01-01"}, answers=dict.fromkeys(FACILITATORS, 400)),
    # Socket.IO: the connection, then the events, on the first board unless said otherwise
    Rule("connect", SIGNED_IN, answers={REMOVED: NO_SOCKET}),
    Rule("join_board", MEMBERS, send=lambda w: {"board_id": w.board}),
    Rule("leave_board", SIGNED_IN, send=lambda w: {"board_id": w.board}),
    Rule("get_events", MEMBERS, send=lambda w: {"board_id": w.board, "since": 0}),
    Rule("add_card", PARTICIPANTS, send=lambda w: {"board_id": w.board, "lane": "problem", "text": "Matrix card"},
         effect=lambda w: count(Card, text="Matrix card"), answers=NOT_POSTERS),
    Rule("add_card", frozenset({PARTICIPANT}), case="sent again with the client id of her hidden card",
         send=lambda w: {"board_id": w.board, "lane": "problem", "text": "Matrix card", "client_id": "ana-hidden-card"},
         answers={**NOT_POSTERS, OTHER_CITY: "bad_client_id"}),
    Rule("add_card", frozenset({PARTICIPANT}), case="an idea answering her hidden problem",
         send=lambda w: {"board_id": w.board, "lane": "idea", "text": "Matrix idea", "link_id": w.hidden},
         effect=lambda w: count(Card, text="Matrix idea"), answers={**NOT_POSTERS, OTHER_CITY: "no_such_card"}),
    Rule("add_card", frozenset({PARTICIPANT}), case="an action plan on an idea private to Glasgow",
         send=lambda w: {"board_id": w.board, "lane": "action", "text": "Matrix plan", "link_id": w.private_idea},
         effect=lambda w: count(Card, text="Matrix plan"), answers={**NOT_POSTERS, OTHER_CITY: "no_such_card"}),
    Rule("edit_card", OWN, send=lambda w: {"card_id": w.problem, "text": "Matrix text"},
         effect=lambda w: get(Card, w.problem).text == "Matrix text", answers={OTHER_CITY: "not_author"}),
    Rule("edit_card", FACILITATORS, case="Ben's plan linked to an idea private to Glasgow",
         send=lambda w: {"card_id": w.bens_plan, "link_id": w.private_idea},
         effect=lambda w: get(Card, w.bens_plan).link_id == w.private_idea,
         answers={PARTICIPANT: "not_author", OTHER_CITY: "no_such_card"}),
    Rule("edit_action_plan", OWN, send=lambda w: {"card_id": w.action, "plan": {"title": "Matrix plan title"}},
         effect=lambda w: get(Card, w.action).plan.title == "Matrix plan title", answers={OTHER_CITY: "not_author"}),
    # Plan details are completed in results too (cities commit to them then), until the board closes.
    Rule("edit_action_plan", OWN, case="in results", given=show_results,
         send=lambda w: {"card_id": w.action, "plan": {"title": "Matrix plan title"}},
         effect=lambda w: get(Card, w.action).plan.title == "Matrix plan title", answers={OTHER_CITY: "not_author"}),
    Rule("edit_action_plan", frozenset(), case="on a closed board", given=close_board,
         send=lambda w: {"card_id": w.action, "plan": {"title": "Matrix plan title"}},
         answers={**dict.fromkeys(OWN, "board_closed"), OTHER_CITY: "not_author"}),
    Rule("delete_card", OWN, send=lambda w: {"card_id": w.problem}, effect=lambda w: get(Card, w.problem).deleted_at,
         answers={OTHER_CITY: "not_author"}),
    Rule("hide_card", FACILITATORS, send=lambda w: {"card_id": w.problem, "reason": "Off topic"},
         effect=lambda w: get(Card, w.problem).hidden_at),
    Rule("restore_card", FACILITATORS, send=lambda w: {"card_id": w.hidden}, effect=lambda w: get(Card, w.hidden).hidden_at is None),
    Rule("merge_cards", FACILITATORS, send=lambda w: {"card_id": w.idea, "into_id": w.others_idea},
         effect=lambda w: get(Card, w.idea).merged_into_id == w.others_idea),
    Rule("set_private_writing", FACILITATORS, send=lambda w: {"board_id": w.board, "enabled": False},
         effect=lambda w: not get(Card, w.private_idea).private),
    Rule("vote", PARTICIPANTS, send=lambda w: {"card_id": w.voted}, effect=lambda w: count(Vote, card_id=w.voted) == 3,
         answers=NOT_VOTERS),
    Rule("vote", frozenset({PARTICIPANT}), case="a card private to Glasgow", given=start_voting,
         send=lambda w: {"card_id": w.private_idea},
         effect=lambda w: count(Vote, card_id=w.private_idea) == 1, answers={**NOT_VOTERS, OTHER_CITY: "no_such_card"}),
    Rule("unvote", PARTICIPANTS, send=lambda w: {"card_id": w.voted}, effect=lambda w: count(Vote, card_id=w.voted) == 1,
         answers=NOT_VOTERS),
    Rule("configure_voting", FACILITATORS,
         send=lambda w: {"board_id": w.board, "budget": 9, "cap": 2, "lanes": ["idea"], "mode": "city", "hidden": False},
         effect=lambda w: get(Board, w.board).dots_per_person == 9),
    Rule("reveal_votes", FACILITATORS, send=lambda w: {"board_id": w.vote_board}, effect=lambda w: get(Board, w.vote_board).votes_revealed),
    Rule("start_round", FACILITATORS, send=lambda w: {"board_id": w.vote_board},
         effect=lambda w: get(Board, w.vote_board).vote_round == 2 and count(Vote, card_id=w.voted) == 2),
    Rule("set_phase", FACILITATORS, send=lambda w: {"board_id": w.board, "phase": "vote"}, effect=lambda w: get(Board, w.board).phase == "vote"),
    Rule("set_paused", FACILITATORS, send=lambda w: {"board_id": w.board, "paused": True}, effect=lambda w: get(Board, w.board).paused),
    Rule("start_timer", FACILITATORS, send=lambda w: {"board_id": w.board, "seconds": 3600},
         effect=lambda w: get(Board, w.board).timer_ends_at),
    Rule("pause_timer", FACILITATORS, send=lambda w: {"board_id": w.vote_board},
         effect=lambda w: get(Board, w.vote_board).timer_remaining),
    Rule("resume_timer", FACILITATORS, send=lambda w: {"board_id": w.third_board},
         effect=lambda w: get(Board, w.third_board).timer_ends_at),
    Rule("add_time", FACILITATORS, send=lambda w: {"board_id": w.vote_board},
         effect=lambda w: get(Board, w.vote_board).timer_ends_at > w.timer_ends_at),
    Rule("stop_timer", FACILITATORS, send=lambda w: {"board_id": w.vote_board},
         effect=lambda w: get(Board, w.vote_board).timer_ends_at is None),
    Rule("spotlight", FACILITATORS, send=lambda w: {"board_id": w.board, "card_id": w.problem},
         effect=lambda w: get(Board, w.board).spotlight_card_id == w.problem),
    Rule("remove_participant", FACILITATORS, send=lambda w: {"participant_id": w.dan},
         effect=lambda w: get(Participant, w.dan).removed_at,
         answers={OUTSIDE_PARTICIPANT: "not_facilitator", OUTSIDE_FACILITATOR: "not_facilitator"}),
    # synthesis: suggested merges (the board's vectors made first: a read must change no table)
    Rule("merge_suggestions", FACILITATORS, given=embed_first_board, send=lambda w: {"board_id": w.board}),
    Rule("dismiss_merge", FACILITATORS, send=lambda w: {"board_id": w.board, "card_id": w.others_idea, "other_card_id": w.idea},
         effect=lambda w: count(MergeDismissal, card_id=w.idea, other_card_id=w.others_idea, board_id=w.board) == 1),
    Rule("GET /workshops/<workshop_id>/areas/<area_id>/series", FACILITATORS),  # synthesis: peer cities and earlier labs
    # synthesis: themes
    Rule("GET /workshops/<workshop_id>/themes", FACILITATORS, given=with_themes),
    Rule("get_themes", FACILITATORS, given=with_themes, send=lambda w: {"board_id": w.board}),
    Rule("refresh_themes", FACILITATORS, given=with_themes, send=lambda w: {"board_id": w.board},
         effect=lambda w: count(ThemeCard, card_id=w.action) == 0),
    Rule("rename_theme", FACILITATORS, given=with_themes, send=lambda w: {"theme_id": theme_id(words="family desk"), "name": "Matrix theme"},
         effect=lambda w: count(Theme, name="Matrix theme")),
    Rule("merge_themes", FACILITATORS, given=with_themes,
         send=lambda w: {"theme_id": theme_id(words="family desk"), "into_id": theme_id(name="Mobile teams")},
         effect=lambda w: count(Theme, board_id=w.board) == 1 and count(ThemeCard, pinned=True) == 4),
    Rule("split_theme", FACILITATORS, given=with_themes, send=lambda w: {"theme_id": theme_id(words="family desk"), "card_ids": [w.idea]},
         effect=lambda w: count(Theme, board_id=w.board) == 3),
    Rule("dismiss_theme", FACILITATORS, given=with_themes, send=lambda w: {"theme_id": theme_id(words="family desk")},
         effect=lambda w: count(Theme, dismissed=True) == 1),
    Rule("restore_theme", FACILITATORS, given=with_a_dismissed_theme, send=lambda w: {"theme_id": theme_id(words="family desk")},
         effect=lambda w: count(Theme, dismissed=True) == 0),
    # synthesis: similar cards. A read: the board's vectors are made first, so that the lookup stores none
    # (no table changes); the words of Ana's hidden card and of Glasgow's private idea never come back to
    # anyone who may not see them (the matrix's secrets check).
    Rule("similar_cards", MEMBERS, given=embed_first_board, send=lambda w: {"board_id": w.board, "text": "Glasgow private idea"}),
    Rule("similar_cards", MEMBERS, case="the words of the hidden card", given=embed_first_board,
         send=lambda w: {"board_id": w.board, "text": "Ana hidden words", "lane": "problem"}),
]

# Another workshop's things, named by this workshop's people: not found, or not theirs, and untouched.
NOT_HERE = dict.fromkeys(SIGNED_IN, 404)
RULES += [
    Rule("POST /workshops/<workshop_id>/policy-areas/<area_id>", frozenset(), case="another workshop's area",
         at=lambda w: {"area_id": w.elsewhere_area}, send=lambda w: {f"area-{w.elsewhere_area}-title": "Housing"},
         answers=dict.fromkeys(FACILITATORS, 404)),
    Rule("POST /workshops/<workshop_id>/policy-areas/<area_id>/remove", frozenset(), case="another workshop's area",
         at=lambda w: {"area_id": w.elsewhere_area}, answers=dict.fromkeys(FACILITATORS, 404)),
    Rule("POST /workshops/<workshop_id>/city-teams/<team_id>", frozenset(), case="another workshop's city team",
         at=lambda w: {"team_id": w.elsewhere_team}, send=lambda w: {f"team-{w.elsewhere_team}-name": "Porto"},
         answers=dict.fromkeys(FACILITATORS, 404)),
    Rule(f"POST {COMMITMENTS}/share", frozenset(), case="another workshop's city team",
         at=lambda w: {"team_id": w.elsewhere_team}, answers=NOT_HERE),
    Rule(f"GET {COMMITMENTS}", frozenset(), case="Glasgow through another workshop",
         at=lambda w: {"workshop_id": w.elsewhere}, answers=NOT_HERE),
    Rule(f"GET {COMMITMENTS}/v<number>.json", frozenset(), case="Glasgow through another workshop",
         at=lambda w: {"workshop_id": w.elsewhere}, answers=NOT_HERE),
    Rule("add_card", frozenset(), case="an idea answering another workshop's problem",
         send=lambda w: {"board_id": w.board, "lane": "idea", "text": "Matrix idea", "link_id": w.elsewhere_card},
         answers={**NOT_POSTERS, **dict.fromkeys(PARTICIPANTS, "no_such_card")}),
    Rule("merge_cards", frozenset(), case="into another workshop's card", send=lambda w: {"card_id": w.idea, "into_id": w.elsewhere_card},
         answers=dict.fromkeys(MEMBERS, "not_member")),
    Rule("spotlight", frozenset(), case="another workshop's card", send=lambda w: {"board_id": w.board, "card_id": w.elsewhere_card},
         answers=dict.fromkeys(FACILITATORS, "no_such_card")),
    Rule("vote", frozenset(), case="another workshop's card, in its collect phase", send=lambda w: {"card_id": w.elsewhere_card},
         answers={OUTSIDE_PARTICIPANT: "voting_closed", OUTSIDE_FACILITATOR: "not_voter", **dict.fromkeys(MEMBERS, "not_member")}),
    # synthesis: themes
    Rule("rename_theme", frozenset({OUTSIDE_FACILITATOR}), case="another workshop's theme", given=with_themes,
         send=lambda w: {"theme_id": theme_id(name="Elsewhere theme"), "name": "Matrix theme"},
         effect=lambda w: count(Theme, name="Matrix theme"),
         answers={OUTSIDE_PARTICIPANT: "not_facilitator", **dict.fromkeys(MEMBERS, "not_member")}),
    Rule("merge_themes", frozenset(), case="into another workshop's theme", given=with_themes,
         send=lambda w: {"theme_id": theme_id(name="Mobile teams"), "into_id": theme_id(name="Elsewhere theme")},
         answers={OUTSIDE_PARTICIPANT: "not_member", **dict.fromkeys(MEMBERS, "not_member")}),
    Rule("remove_participant", frozenset({OUTSIDE_FACILITATOR}), case="another workshop's participant",
         send=lambda w: {"participant_id": w.sam}, effect=lambda w: get(Participant, w.sam).removed_at,
         answers={OUTSIDE_PARTICIPANT: "not_facilitator"}),
    # synthesis: suggested merges
    Rule("dismiss_merge", frozenset(), case="with another workshop's card",
         send=lambda w: {"board_id": w.board, "card_id": w.idea, "other_card_id": w.elsewhere_card},
         answers=dict.fromkeys(FACILITATORS, "no_such_card")),
    Rule("GET /workshops/<workshop_id>/areas/<area_id>/series", frozenset(), case="another workshop's area",
         at=lambda w: {"area_id": w.elsewhere_area}, answers=dict.fromkeys(FACILITATORS, 404)),  # synthesis: peer cities and earlier labs
    # synthesis: similar cards
    Rule("similar_cards", frozenset({OUTSIDE_PARTICIPANT, OUTSIDE_FACILITATOR}), case="another workshop's board",
         send=lambda w: {"board_id": get(PolicyArea, w.elsewhere_area).board.id, "text": "Long waiting lists for help"},
         given=change(lambda w: synthesis.vectors_of([get(Card, w.elsewhere_card).text])),
         answers=dict.fromkeys(MEMBERS, "not_member")),
    # pledges: publishing (facilitators), a city team's agreement (Glasgow's, final), the public page (anyone, once published)
    Rule("POST /workshops/<workshop_id>/pledges/publish", FACILITATORS, effect=lambda w: get(Workshop, w.workshop).pledges_published_at),
    Rule("POST /workshops/<workshop_id>/pledges/unpublish", FACILITATORS,
         given=change(lambda w: setattr(get(Workshop, w.workshop), "pledges_published_at", utcnow())),
         effect=lambda w: get(Workshop, w.workshop).pledges_published_at is None),
    Rule("POST /workshops/<workshop_id>/teams/<team_id>/commitment/public", OWN, send={"agree": "1"},
         effect=lambda w: commitment(w).public_agreed_at),
    Rule("POST /workshops/<workshop_id>/teams/<team_id>/commitment/public", OWN, case="withdraw", send={"agree": "0"},
         given=change(lambda w: setattr(commitment(w), "public_agreed_at", utcnow())), effect=lambda w: commitment(w).public_agreed_at is None),
    Rule("GET /pledges/<workshop_id>", frozenset(), case="unpublished", answers=dict.fromkeys(EVERYONE, 404)),
    Rule("GET /pledges/<workshop_id>", EVERYONE, case="published, Glasgow agreed",
         given=change(lambda w: (setattr(commitment(w), "public_agreed_at", utcnow()),
                                 setattr(get(Workshop, w.workshop), "pledges_published_at", utcnow())))),
]

# Open data of public pledges (workshop.pledges.opendata): public, no sign-in, once published and agreed;
# unpublished, every address is 404 for everyone; a bad filter is 400 for everyone.
publish_open_data = change(lambda w: (setattr(get(Workshop, w.workshop), "pledges_published_at", utcnow()),
                                      setattr(commitment(w), "public_agreed_at", utcnow())))
OPEN_DATA = ("GET /pledges/<workshop_id>.json", "GET /pledges/<workshop_id>.csv", "GET /pledges/<workshop_id>/updates.atom")
RULES += [rule for name in OPEN_DATA for rule in (
    Rule(name, EVERYONE, given=publish_open_data),
    Rule(name, frozenset(), case="unpublished", answers=dict.fromkeys(ROLES, 404)),
    Rule(name, frozenset(), case="a bad filter", given=publish_open_data, send={"principle": "21"},
         answers=dict.fromkeys(ROLES, 400)),
)]
# Progress reports (reports): a city's progress PDF for its team and facilitators (as its city report) and for
# the holder of an active update link; the follow-up summary for the facilitators. Not final, revoked: 404.
UPDATE_TOKEN = "matrix-update-link-token"


def add_update_link(world, revoked=False):
    """An update link for Glasgow's commitment, with the token UPDATE_TOKEN (revoked or not)."""
    from workshop.models import UpdateLink

    db.session.add(UpdateLink(commitment_id=commitment(world).id, token=UPDATE_TOKEN, label="Matrix link",
                              revoked_at=utcnow() if revoked else None))


with_update_link = change(add_update_link)
with_revoked_update_link = change(lambda w: add_update_link(w, revoked=True))
PROGRESS_PDF = "GET /workshops/<workshop_id>/teams/<team_id>/progress.pdf"
RULES += [
    Rule(PROGRESS_PDF, OWN, ok=202),
    Rule(PROGRESS_PDF, frozenset(), case="a commitment in draft", given=reopen_commitment, answers=dict.fromkeys(OWN, 404)),
    Rule(PROGRESS_PDF, frozenset(), case="Glasgow through another workshop", at=lambda w: {"workshop_id": w.elsewhere},
         answers=NOT_HERE),
    Rule("GET /progress/<token>/report.pdf", EVERYONE, ok=202, given=with_update_link, at=lambda w: {"token": UPDATE_TOKEN}),
    Rule("GET /progress/<token>/report.pdf", frozenset(), case="a revoked update link", given=with_revoked_update_link,
         at=lambda w: {"token": UPDATE_TOKEN}, answers=dict.fromkeys(EVERYONE, 404)),
    Rule("GET /progress/<token>/report.pdf", frozenset(), case="the share link's token",
         answers=dict.fromkeys(EVERYONE, 404)),
    Rule("GET /progress/<token>/report.pdf", frozenset(), case="an update link of a commitment in draft",
         given=lambda w: (with_update_link(w), reopen_commitment(w)), at=lambda w: {"token": UPDATE_TOKEN},
         answers=dict.fromkeys(EVERYONE, 404)),
    Rule("GET /workshops/<workshop_id>/follow-up.pdf", FACILITATORS, ok=202),
]

# followup: a city's progress page, the update link's page, the facilitators' follow-up view
UPDATE_TOKEN = "matrix-update-token"
PROGRESS = "/workshops/<workshop_id>/teams/<team_id>/progress"


def add_update_link(world, revoked=False):
    db.session.add(UpdateLink(commitment_id=commitment(world).id, token=UPDATE_TOKEN, label="Mayor's office",
                              revoked_at=utcnow() if revoked else None))


def progress_form(world, **extra):
    return {"action": "update", "card_id": world.action, f"plan{world.action}-status": "in_progress",
            f"plan{world.action}-percent": "20", f"plan{world.action}-text": "Matrix update", **extra}


with_update_link = change(add_update_link)
with_revoked_update_link = change(lambda w: add_update_link(w, revoked=True))
with_check_ins = change(lambda w: followup.check_ins_of(get(Workshop, w.workshop)))  # stored on first ask: a read then changes nothing
AT_UPDATE_TOKEN = {"at": lambda w: {"token": UPDATE_TOKEN}}
RULES += [
    Rule(f"GET {PROGRESS}", OWN),
    Rule(f"POST {PROGRESS}", OWN, send=progress_form, effect=lambda w: count(ProgressUpdate, text="Matrix update") == 1),
    Rule(f"POST {PROGRESS}", OWN, case="make an update link", send={"action": "link", "label": "Matrix office"},
         effect=lambda w: count(UpdateLink, label="Matrix office") == 1),
    Rule(f"POST {PROGRESS}", OWN, case="revoke an update link", given=with_update_link,
         send=lambda w: {"action": "revoke", "link_id": db.session.scalar(select(UpdateLink.id).filter_by(token=UPDATE_TOKEN))},
         effect=lambda w: not db.session.scalar(select(UpdateLink).filter_by(token=UPDATE_TOKEN)).is_active),
    Rule(f"POST {PROGRESS}", OWN, case="the reminder contact", send={"action": "contact", "email": "matrix@example.org"},
         effect=lambda w: commitment(w).contact_email == "matrix@example.org"),
    Rule(f"GET {PROGRESS}", frozenset(), case="Glasgow through another workshop", at=lambda w: {"workshop_id": w.elsewhere}, answers=NOT_HERE),
    Rule("GET /progress/<token>", EVERYONE, given=with_update_link, **AT_UPDATE_TOKEN),
    Rule("POST /progress/<token>", EVERYONE, given=with_update_link, **AT_UPDATE_TOKEN,
         send=lambda w: progress_form(w, **{f"plan{w.action}-author_name": "Matrix mayor"}),
         effect=lambda w: count(ProgressUpdate, author_name="Matrix mayor") == 1),
    Rule("GET /progress/<token>", frozenset(), case="a revoked link", given=with_revoked_update_link, **AT_UPDATE_TOKEN,
         answers=dict.fromkeys(EVERYONE, 404)),
    Rule("POST /progress/<token>", frozenset(), case="a revoked link", given=with_revoked_update_link, **AT_UPDATE_TOKEN,
         send=lambda w: progress_form(w, **{f"plan{w.action}-author_name": "Matrix mayor"}), answers=dict.fromkeys(EVERYONE, 404)),
    Rule("GET /progress/<token>", frozenset(), case="the share link's token", answers=dict.fromkeys(EVERYONE, 404)),
    Rule("GET /workshops/<workshop_id>/follow-up", FACILITATORS, given=with_check_ins),
]

# Socket.IO handlers that are not client requests.
NOT_REQUESTS = {"disconnect"}


# The app's own lists ----------------------------------------------------------------------------

def route_names(app):
    """Every route as "METHOD /path/<name>", one per value of an `any(...)` part."""
    names = set()
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static":
            continue
        paths = [re.sub(r"<(?:[^<>]*:)?(\w+)>", r"<\1>", url_rule.rule)]
        for name, converter in url_rule._converters.items():
            if isinstance(converter, AnyConverter):
                paths = [path.replace(f"<{name}>", item) for path in paths for item in sorted(converter.items)]
        names.update(f"{method} {path}" for method in url_rule.methods - {"HEAD", "OPTIONS"} for path in paths)
    return names


def event_names():
    """Every Socket.IO event the server handles, read from the server the app set up."""
    return set(socketio.server.handlers["/"]) - NOT_REQUESTS


def names_in_app():
    """The routes and events of an app built for the purpose at collection (it opens no database)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "matrix", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "SOCKETIO_ASYNC_MODE": "threading"})
    return sorted(route_names(app) | event_names())


APP_NAMES = names_in_app()


@pytest.mark.parametrize("name", APP_NAMES)
def test_every_route_and_event_has_a_rule(name):
    if not any(rule.name == name for rule in RULES):
        pytest.fail(f"{name} has no rule in the authorisation matrix: add one to RULES in {__name__}")


def test_every_rule_names_a_route_or_event_of_the_app():
    assert sorted({rule.name for rule in RULES} - set(APP_NAMES)) == []


def cells(of_routes):
    return [pytest.param(rule, role, id=rule.cell_id(role))
            for rule in RULES if rule.is_route == of_routes and rule.name in APP_NAMES for role in ROLES]


# The world every cell starts from -----------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for the whole matrix (some six hundred cells); `world` resets its database per cell."""
    with running_app(tmp_path_factory.mktemp("matrix")) as app:
        yield app


@pytest.fixture(scope="module")
def saved():
    """The world's ids and a copy of its database in memory, made by the first cell."""
    saved = {}
    yield saved
    if "database" in saved:
        saved["database"].close()


@dataclass
class World:
    """Ids of what the requests name (ids, not objects: every cell has a fresh session)."""

    users: dict  # role -> (model, id)
    workshop: int
    code: str
    team: int  # Glasgow
    area: int  # the first policy area; its board is `board`
    board: int  # collect phase, private writing per city team since the first five cards
    vote_board: int  # vote phase, timer running
    third_board: int  # timer paused
    problem: int  # Ana's, on `board`
    idea: int  # Ana's, answers `problem`
    action: int  # Ana's, builds on `idea`; in Glasgow's commitment
    others_idea: int  # Ben's
    hidden: int  # Ana's, hidden by the facilitator; its client id is "ana-hidden-card"
    voted: int  # Ben's idea on `vote_board`, one dot from Ana and one from Ben
    private_idea: int  # Ana's, on `board`, private to Glasgow
    bens_plan: int  # Ben's, on `board`, private to Bologna
    dan: int  # a participant the facilitators may remove
    sam: int  # the outside participant
    token: str  # Glasgow's share link
    timer_ends_at: object  # of `vote_board`
    facilitator_email: str
    outside_facilitator_email: str
    elsewhere: int  # another workshop, Sam's, run by the outside facilitator
    elsewhere_area: int
    elsewhere_team: int
    elsewhere_card: int  # Sam's problem, on the other workshop's first board (collect phase)
    renders: list = field(default_factory=list)  # PDFs asked for in this cell


def build_world(make_facilitator, make_workshop, make_participant):
    facilitator, co_facilitator = make_facilitator(), make_facilitator()
    workshop = make_workshop(facilitator)
    workshop_services.invite_facilitator(facilitator, workshop, co_facilitator.email)
    elsewhere = make_workshop()
    ana, ben = make_participant(workshop, "Ana", "Glasgow"), make_participant(workshop, "Ben", "Bologna")
    rae, dan = make_participant(workshop, "Rae", "Glasgow"), make_participant(workshop, "Dan", "Ljubljana")
    sam = make_participant(elsewhere, "Sam", "Ljubljana")
    board, vote_board, third_board = (area.board for area in workshop.policy_areas)

    problem, _ = boards.add_card(ana, board, "problem", "Families miss the support they are entitled to")
    idea, _ = boards.add_card(ana, board, "idea", "One family desk per district", link_id=problem.id)
    action, _ = boards.add_card(ana, board, "action", "Open family desks", link_id=idea.id)
    others_idea, _ = boards.add_card(ben, board, "idea", "Mobile family teams")
    hidden, _ = boards.add_card(ana, board, "problem", "Ana hidden words", client_id="ana-hidden-card")
    boards.hide_card(facilitator, hidden, "Off topic")
    boards.set_private_writing(facilitator, board, True, "team")
    private_idea, _ = boards.add_card(ana, board, "idea", "Glasgow private idea")
    bens_plan, _ = boards.add_card(ben, board, "action", "Bologna private plan")

    voted, _ = boards.add_card(ben, vote_board, "idea", "Free school meals")
    room.set_phase(facilitator, vote_board, "vote")
    room.start_timer(facilitator, vote_board, 3600)
    voting.cast_vote(ana, voted)
    voting.cast_vote(ben, voted)

    room.start_timer(facilitator, third_board, 3600)
    room.pause_timer(facilitator, third_board)

    elsewhere_card, _ = boards.add_card(sam, elsewhere.policy_areas[0].board, "problem", "Long waiting lists")

    # synthesis: peer cities and earlier labs. Glasgow and Bologna share a theme whose most central card is
    # private to Glasgow: the peers (the shared page, the frozen version) never name it by that card.
    db.session.add(Theme(board_id=board.id, words="", central_card_id=private_idea.id,
                         members=[ThemeCard(card_id=card.id) for card in (private_idea, others_idea, idea)]))
    db.session.commit()

    glasgow = ana.city_team
    commitments.save_draft(ana, glasgow, [action.id], "Glasgow commits.", [("Mhairi", "Provost", "Glasgow City Council")])
    commitments.finalise(ana, glasgow)
    token = commitments.share(ana, glasgow)

    people = {OUTSIDE_PARTICIPANT: sam, PARTICIPANT: ana, OTHER_CITY: ben, REMOVED: rae,
              OUTSIDE_FACILITATOR: elsewhere.facilitators[0], CO_FACILITATOR: co_facilitator, FACILITATOR: facilitator}
    return World(
        users={role: (type(person), person.id) for role, person in people.items()},
        workshop=workshop.id, code=workshop.join_code, team=glasgow.id, area=workshop.policy_areas[0].id,
        board=board.id, vote_board=vote_board.id, third_board=third_board.id, problem=problem.id, idea=idea.id,
        action=action.id, others_idea=others_idea.id, hidden=hidden.id, voted=voted.id, private_idea=private_idea.id,
        bens_plan=bens_plan.id, dan=dan.id, sam=sam.id, token=token, timer_ends_at=vote_board.timer_ends_at, facilitator_email=facilitator.email,
        outside_facilitator_email=elsewhere.facilitators[0].email, elsewhere=elsewhere.id,
        elsewhere_area=elsewhere.policy_areas[0].id, elsewhere_team=elsewhere.city_teams[0].id, elsewhere_card=elsewhere_card.id,
    )


@pytest.fixture
def world(app, saved, make_facilitator, make_workshop, make_participant, monkeypatch):
    """The world every cell starts from: built once, then restored from memory before each cell."""
    if "world" not in saved:
        saved["world"] = build_world(make_facilitator, make_workshop, make_participant)
    db.session.remove()
    with db.engine.connect() as connection:
        live = connection.connection.dbapi_connection
        live.execute("PRAGMA synchronous=OFF")  # a throwaway database need not wait for the disk
        if "database" in saved:
            saved["database"].backup(live)  # SQLite's backup API: page by page, WAL or not
        else:
            saved["database"] = sqlite3.connect(":memory:")
            live.backup(saved["database"])
    app.extensions["workshop.ratelimits"].storage.reset()  # and no tries counted against any limit
    world = saved["world"]
    world.renders = []
    # Which roles may have a PDF made is the question here; rendering is tested in test_reports.
    monkeypatch.setattr(jobs, "ensure_rendered", lambda html, language, *args: world.renders.append(html) or (jobs.key_of(html, language), "rendering"))
    return world


def user_of(world, role):
    if role == ANONYMOUS:
        return None
    model, id = world.users[role]
    return db.session.get(model, id)


def remove(world):
    """The facilitator removes Rae, who keeps the session (or the socket) she opened before."""
    get(Participant, world.users[REMOVED][1]).removed_at = utcnow()
    db.session.commit()


def fingerprint():
    """Every table's row count and a hash of its rows."""
    connection = db.session.connection()
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
        tables[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    db.session.commit()  # end the read, so the request starts from a fresh transaction
    return tables


def secrets_in(world, text, role):
    """The texts in `text` of cards that are not public (hidden, or written privately) and that
    `role` may not see: hidden means absent, in every answer and on every socket."""
    viewer = user_of(world, role) if role in MEMBERS else None
    cards = db.session.scalars(select(Card).where(Card.deleted_at.is_(None), Card.merged_into_id.is_(None)))
    return [card.text for card in cards if card.text in text and not visibility.audience(card).everyone
            and (viewer is None or not visibility.can_see(viewer, card))]


def check(world, rule, role, answer, before, received):
    """The answer is the expected one, with no secret the role may not see; an allowed change
    happened, anything else changed nothing."""
    assert answer == rule.expected(role)
    assert secrets_in(world, received, role) == []
    db.session.expire_all()
    after = fingerprint()
    if role in rule.allow and rule.effect is not None:
        assert rule.effect(world), f"{rule.name} as {role} answered {answer} but did not make its change"
        assert after != before
    else:
        assert [name for name in after if after[name] != before[name]] == [], "tables changed"
    if role not in rule.allow:
        assert world.renders == [], "a PDF render was started"


# The cells -----------------------------------------------------------------------------------

def answer_of(response):
    if response.status_code == 302 and urlsplit(response.location).path == "/login":
        return LOGIN
    return response.status_code


def path_of(name, world, at):
    values = {"workshop_id": world.workshop, "code": world.code, "area_id": world.area, "team_id": world.team,
              "board_id": world.board, "token": world.token, "number": 1, "key": "0" * 64, **(at(world) if at else {})}
    return re.sub(r"<(\w+)>", lambda match: str(values[match.group(1)]), name)


@pytest.mark.parametrize("rule, role", cells(of_routes=True))
def test_route(app, world, rule, role):
    if rule.given:
        rule.given(world)
    client = app.test_client()
    if role != ANONYMOUS:
        Auth(client).as_user(user_of(world, role))
    if role == REMOVED:
        remove(world)
    before = fingerprint()
    method, path = rule.name.split(" ", 1)
    send = rule.payload(world)
    response = client.open(path_of(path, world, rule.at), method=method,
                           data=send if method == "POST" else None, query_string=send if method == "GET" else None)
    check(world, rule, role, answer_of(response), before, response.get_data().decode(errors="replace"))


def acknowledgement(socket, event, payload):
    """The ack's "ok" or error code, and everything the socket received as text."""
    if not socket.is_connected():
        return NO_SOCKET, ""
    ack = socket.emit(event, payload, callback=True)
    return "ok" if ack["ok"] else ack["error"]["code"], json.dumps([ack, socket.get_received()], default=str)


def on_first_board(world, connect):
    """Ana's and Ben's sockets on the first board, to hear what the room hears: {role: socket}."""
    sockets = {role: connect(user_of(world, role)) for role in (PARTICIPANT, OTHER_CITY)}
    for socket in sockets.values():
        assert socket.emit("join_board", {"board_id": world.board}, callback=True)["ok"]
        socket.get_received()
    return sockets


@pytest.mark.parametrize("rule, role", cells(of_routes=False))
def test_event(world, connect, rule, role):
    if rule.given:
        rule.given(world)
    room = on_first_board(world, connect)
    user = user_of(world, role)
    if rule.name == "connect":
        if role == REMOVED:
            remove(world)
        before = fingerprint()
        answer, received = "ok" if connect(user).is_connected() else NO_SOCKET, ""
    else:
        socket = connect(user)
        if role == REMOVED:
            remove(world)
        before = fingerprint()
        answer, received = acknowledgement(socket, rule.name, rule.payload(world))
    check(world, rule, role, answer, before, received)
    for listener, socket in room.items():
        assert secrets_in(world, json.dumps(socket.get_received(), default=str), listener) == [], f"{listener} heard it"
