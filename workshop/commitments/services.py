"""Rules and changes for city commitments. Who may: the city team's own participants and the
workshop's facilitators; holders of the share link may only read."""
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..access import require_runs
from ..boards.plans import plan_json
from ..boards.visibility import audience
from ..boards.votes import card_rounds, standings_by_round
from ..errors import Forbidden, NotFound, Refused
from ..extensions import db
from ..languages import DEFAULT_LANGUAGE, LANGUAGES, language_of_country
from ..models import (
    NAME_MAX, SIGNATORIES_MAX, STATEMENT_MAX, TITLE_MAX, Commitment, CommitmentPlan, CommitmentVersion, Signatory,
    utcnow,
)
from ..synthesis.peers import peers_of


def require_editor(actor, team):
    if not team.admits(actor):
        raise Forbidden("not_team", _l("Only this city team and the workshop's facilitators can do that."))


def commitment_of(team, create=False):
    commitment = db.session.scalar(select(Commitment).where(Commitment.city_team_id == team.id))
    if commitment is None and create:
        commitment = Commitment(city_team=team)
        db.session.add(commitment)
    return commitment


def status_of(team):
    """"none", "draft" or "final"."""
    commitment = commitment_of(team)
    return commitment.status if commitment is not None else "none"


def available_plans(team):
    """The action plans a team may commit to: every action plan the whole room can see in the
    workshop, the team's own city's first, then by policy area."""
    workshop = team.workshop
    cards = [
        card
        for area in workshop.policy_areas
        for card in area.board.cards
        if card.lane == "action" and card.is_live and audience(card).everyone
    ]
    return sorted(cards, key=lambda card: (card.author.city_team_id != team.id, card.board.policy_area.position, card.id))


def report_language(team):
    """The language the team's report is written in: the one it chose, else its country's, else
    the workshop's default language."""
    chosen = team.report_language or language_of_country(team.country, team.workshop.default_language)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def language_of_version(content):
    """The language a frozen version is printed in: the one it was finalised in. Versions frozen
    before reports had a language were printed in English, so they still are (a frozen report
    never changes)."""
    language = content.get("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def save_draft(actor, team, card_ids, statement, signatories, language=None):
    """Save the team's choice of plans (in order), statement, signatories and report language as
    the draft (`language` None: as it is). A language left as shown keeps what is stored, so a team
    that never chose one goes on following its country."""
    require_editor(actor, team)
    existing = commitment_of(team)
    if existing is not None and existing.is_final:
        raise Refused("commitment_final", _l("This commitment is final. Choose “Make changes” to start a new version."))
    if language is not None and language not in LANGUAGES:
        raise Refused("bad_language", _l("Pick the report's language from the list."), field="report_language")
    allowed = {card.id: card for card in available_plans(team)}
    if len(set(card_ids)) != len(card_ids) or any(card_id not in allowed for card_id in card_ids):
        raise Refused("bad_plans", _l("Pick action plans from the list."), field="plans")
    statement = (statement or "").strip()
    if len(statement) > STATEMENT_MAX:
        raise Refused("statement_too_long", _l("The statement must be %(max)d characters or fewer.", max=STATEMENT_MAX), field="statement")
    people = [tuple((part or "").strip() for part in person) for person in signatories]
    people = [person for person in people if any(person)]
    if len(people) > SIGNATORIES_MAX:
        raise Refused("too_many_signatories", _l("At most %(max)d signatories.", max=SIGNATORIES_MAX), field="signatories")
    for name, role, organisation in people:
        if not name:
            raise Refused("signatory_name_missing", _l("Each signatory needs a name."), field="signatories")
        if len(name) > NAME_MAX or len(role) > TITLE_MAX or len(organisation) > TITLE_MAX:
            raise Refused("signatory_too_long", _l("A signatory's name, role or organisation is too long."), field="signatories")
    commitment = existing or commitment_of(team, create=True)  # created only once the input is valid
    commitment.plans = [CommitmentPlan(card=allowed[card_id], position=n) for n, card_id in enumerate(card_ids)]
    commitment.statement = statement
    commitment.signatories = [Signatory(name=n, role=r, organisation=o, position=i) for i, (n, r, o) in enumerate(people)]
    if language is not None and language != report_language(team):
        team.report_language = language
    commitment.updated_at = utcnow()
    db.session.commit()
    return commitment


def finalise(actor, team):
    """Freeze the draft as the next version: its content, number, date and SHA-256 fingerprint."""
    require_editor(actor, team)
    commitment = commitment_of(team)
    if commitment is None or not commitment.plans:
        raise Refused("no_plans", _l("Pick at least one action plan first."), field="plans")
    if commitment.is_final:
        raise Refused("commitment_final", _l("This commitment is already final."))
    if not commitment.statement:
        raise Refused("statement_missing", _l("Write the commitment statement first."), field="statement")
    if not commitment.signatories:
        raise Refused("no_signatories", _l("Add at least one signatory first."), field="signatories")
    number = (commitment.latest_version.number if commitment.latest_version else 0) + 1
    finalised_at = utcnow()
    content = frozen_content(commitment, number, finalised_at)
    version = CommitmentVersion(number=number, finalised_at=finalised_at, content=content,
                                content_hash=CommitmentVersion.fingerprint(content))
    commitment.versions.append(version)
    commitment.status = "final"
    db.session.commit()
    return version


def reopen(actor, team):
    """Back to draft (the team's “Make changes”, or the facilitator's reopen); versions stay."""
    require_editor(actor, team)
    commitment = commitment_of(team)
    if commitment is None or not commitment.is_final:
        raise Refused("not_final", _l("This commitment is not final."))
    commitment.status = "draft"
    db.session.commit()


def remind(actor, team):
    require_runs(actor, team.workshop)
    commitment = commitment_of(team, create=True)
    commitment.reminded_at = utcnow()
    db.session.commit()


def share(actor, team):
    """A private link for the city's mayor's office: a long random token (made once, until revoked)."""
    require_editor(actor, team)
    commitment = commitment_of(team, create=True)
    commitment.share_token = commitment.share_token or secrets.token_urlsafe(32)
    db.session.commit()
    return commitment.share_token


def revoke_share(actor, team):
    require_runs(actor, team.workshop)
    commitment = commitment_of(team)
    if commitment is not None:
        commitment.share_token = None
        db.session.commit()


def shown_peers(team):
    """The cities working on the same problems, as a commitment page shows them: while the commitment is
    final, those frozen with its version (what was signed does not change); else as they are now."""
    commitment = commitment_of(team)
    version = commitment.latest_version if commitment is not None and commitment.is_final else None
    if version is not None and "peers" in version.content:
        return version.content["peers"]
    return peers_of(team)


def by_share_token(token):
    commitment = db.session.scalar(select(Commitment).where(Commitment.share_token == token)) if token else None
    if commitment is None:
        raise NotFound("no_such_link", _l("This link does not work (any more)."))
    return commitment


# The frozen content ---------------------------------------------------------------------------

def frozen_content(commitment, number, finalised_at):
    """Everything the report prints, as plain data: later edits to cards or votes cannot change it."""
    team = commitment.city_team
    workshop = team.workshop
    areas = []
    by_area = {}
    rankings = {}
    for item in commitment.plans:
        card = item.card
        board = card.board
        if board.id not in rankings:
            rankings[board.id] = standings_by_round(board)
        area = by_area.get(board.id)
        if area is None:
            area = by_area[board.id] = {"title": board.policy_area.title, "plans": []}
            areas.append(area)
        area["plans"].append(_plan_content(card, rankings[board.id]))
    return {
        "workshop": {"title": workshop.title, "host_city": workshop.host_city,
                     "starts_on": workshop.starts_on.isoformat(),
                     "ends_on": workshop.ends_on.isoformat() if workshop.ends_on else None},
        "city": {"name": team.name, "country": team.country},
        "language": report_language(team),
        "statement": commitment.statement,
        "policy_areas": areas,
        "signatories": [{"name": s.name, "role": s.role, "organisation": s.organisation} for s in commitment.signatories],
        "peers": peers_of(team),
        "version": number,
        "finalised_at": finalised_at.isoformat(timespec="seconds") + "Z",
    }


def _plan_content(card, ranking):
    idea = card.link if card.link is not None and card.link.is_live else None
    problem = idea.link if idea is not None and idea.link is not None and idea.link.is_live else None
    return {
        "card_id": card.id,  # which plan progress after the lab is about (see followup.services.final_plans)
        "text": card.text,
        "author": {"name": card.author.display_name, "city": card.author.city_team.name},
        **plan_json(card.plan),
        "idea": _linked(idea, ranking),
        "problem": _linked(problem, ranking),
    }


def _linked(card, rounds):
    """The card a plan builds on, with its dots and rank in the room in the last voting round and,
    when the board voted more than once, in each round (`rounds`: `standings_by_round`)."""
    if card is None:
        return None
    ranked = rounds[-1][1]
    dots, rank = ranked.get(card.id, (0, None))
    # Out of how many cards of its lane the room ranked, so a report can say "2nd of 9 ideas".
    out_of = sum(1 for other in card.board.cards if other.lane == card.lane and ranked.get(other.id, (0, None))[1] is not None)
    linked = {"text": card.text, "dots": dots, "rank": rank, "out_of": out_of}
    if len(rounds) > 1:
        linked["rounds"] = card_rounds(card.id, rounds)
    return linked

