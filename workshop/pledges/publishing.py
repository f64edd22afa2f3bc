"""Who publishes a workshop's pledges, and how a city team agrees (or withdraws): the facilitators
publish or unpublish the workshop's page; each city team (its participants, or the facilitators in its
name) agrees that its final commitment appears there. Both are needed before anything is public
(`services.public_commitments`)."""
from flask_babel import lazy_gettext as _l

from ..access import require_runs
from ..commitments.services import commitment_of, require_editor
from ..errors import Refused
from ..extensions import db
from ..followup.services import final_commitments
from ..models import utcnow


def publish(actor, workshop):
    """Publish the workshop's pledges (facilitators only). Publishing again keeps the first date."""
    require_runs(actor, workshop)
    if workshop.pledges_published_at is None:
        workshop.pledges_published_at = utcnow()
        db.session.commit()


def unpublish(actor, workshop):
    """Take the public page down (facilitators only); the cities' agreements stay for a later publication."""
    require_runs(actor, workshop)
    if workshop.pledges_published_at is not None:
        workshop.pledges_published_at = None
        db.session.commit()


def set_agreement(actor, team, agree):
    """The city team agrees (`agree` True) that its final commitment is published, or withdraws. Only a final
    commitment can be agreed to: the team sees what it agrees to. Agreeing again keeps the first date."""
    require_editor(actor, team)
    commitment = commitment_of(team)
    if agree:
        if commitment is None or not commitment.is_final:
            raise Refused("not_final", _l("Only a final commitment can be published. Mark it final first."))
        if commitment.public_agreed_at is None:
            commitment.public_agreed_at = utcnow()
            db.session.commit()
    elif commitment is not None and commitment.public_agreed_at is not None:
        commitment.public_agreed_at = None
        db.session.commit()


def publishing_state(workshop):
    """What the console shows: whether and since when the pledges are published, and how many of the final
    commitments their city teams agreed to publish."""
    finals = final_commitments(workshop)
    return {"published_at": workshop.pledges_published_at, "final": len(finals),
            "agreed": sum(1 for commitment in finals if commitment.public_agreed_at is not None)}
