"""Who someone is: facilitator accounts, participants joining a workshop, and the session's user."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import Refused
from ..extensions import db, login_manager
from ..models import Facilitator, Participant, Workshop, normalise_join_code

PARTICIPANT_WITH_TEAM = (joinedload(Participant.city_team),)


@login_manager.user_loader
def load_user(user_id):
    """Turn the id Flask-Login stored ("f:3" or "p:42:<join time>") back into the facilitator or
    participant, or None when that person is gone."""
    kind, _, number = user_id.partition(":")
    number = number.partition(":")[0]
    model = {"f": Facilitator, "p": Participant}.get(kind)
    if model is None or not number.isdigit():
        return None
    # A participant comes with their city team: a card's author, presence and the team's rooms
    # name it, and its own query was one more at each of their events.
    user = db.session.get(model, int(number), options=PARTICIPANT_WITH_TEAM if model is Participant else ())
    if user is None or user.get_id() != user_id:
        return None  # a participant whose id now belongs to someone who joined later
    if getattr(user, "removed_at", None) is not None:
        return None  # removed by a facilitator: this identity is over
    return user


def find_facilitator(email):
    return db.session.scalar(select(Facilitator).where(func.lower(Facilitator.email) == email.strip().lower()))


def sign_up(email, name, password):
    """Create a facilitator account; an email can hold one account only."""
    email = email.strip().lower()
    if find_facilitator(email):
        raise Refused("email_taken", _l("An account with this email already exists. Log in instead."), field="email")
    facilitator = Facilitator(email=email, name=name.strip())
    facilitator.set_password(password)
    db.session.add(facilitator)
    db.session.commit()
    return facilitator


def authenticate(email, password):
    """The facilitator with this email and password, or None; never says which of the two was wrong."""
    facilitator = find_facilitator(email)
    if facilitator and facilitator.check_password(password):
        return facilitator
    return None


def find_open_workshop(typed_code):
    """The open workshop a typed join code leads to, or a refusal a participant can act on."""
    code = normalise_join_code(typed_code)
    workshop = db.session.scalar(select(Workshop).where(Workshop.join_code == code, Workshop.closed_at.is_(None)))
    if workshop is None:
        raise Refused("unknown_code", _l("No open workshop has this code. Check it with your facilitator."), field="code")
    return workshop


def join_workshop(workshop, display_name, city_team_id=None, new_city_team=None, new_city_country=""):
    """A new participant of `workshop` in an existing city team or, if the workshop allows, a new one."""
    if not workshop.is_open:
        raise Refused("workshop_closed", _l("This workshop is closed."), field="code")
    if city_team_id and new_city_team:
        raise Refused("city_team_twice", _l("Pick your city team or add a new one, not both."), field="new_city_team")
    for last_try in (False, True):
        participant = Participant(workshop=workshop, display_name=display_name.strip(),
                                  city_team=_city_team(workshop, city_team_id, new_city_team, new_city_country))
        db.session.add(participant)
        try:
            db.session.commit()
            return participant
        except IntegrityError:
            # Someone else added the same new city between this form and its save: the rollback
            # forgets the workshop's cities, so the second try reads them afresh and joins theirs.
            db.session.rollback()
            if last_try or not new_city_team:
                raise


def _city_team(workshop, city_team_id, new_city_team, new_city_country):
    if city_team_id:
        city_team = next((team for team in workshop.city_teams if team.id == city_team_id), None)
        if city_team is None:
            raise Refused("unknown_city_team", _l("Pick a city team from the list."), field="city_team")
        return city_team
    if new_city_team:
        if not workshop.allow_new_city_teams:
            raise Refused("new_city_teams_off", _l("Pick a city team from the list."), field="city_team")
        return workshop.find_or_add_city_team(new_city_team, new_city_country)
    raise Refused("city_team_missing", _l("City team is required."), field="city_team")
