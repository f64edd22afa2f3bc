"""`flask --app workshop seed-demo`: the demo workshop, and the helper the run command uses on first start."""
from datetime import date

import click
from sqlalchemy import select

from ..extensions import db
from ..models import Facilitator, Workshop
from . import services
from .lab import DEMO_CITIES

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "social-innovation"
DEMO_TITLE = "Social Innovation Lab (demo)"


def seed_demo_workshop():
    """Create the demo facilitator (if missing) and the demo workshop; return the workshop."""
    facilitator = db.session.scalar(select(Facilitator).where(Facilitator.email == DEMO_EMAIL))
    if facilitator is None:
        facilitator = Facilitator(email=DEMO_EMAIL, name="Demo Facilitator")
        facilitator.set_password(DEMO_PASSWORD)
        db.session.add(facilitator)
    workshop = services.create_workshop(
        facilitator,
        use_lab_template=True,
        title=DEMO_TITLE,
        host_city="Ljubljana",
        starts_on=date(2025, 11, 5),
        ends_on=date(2025, 11, 7),
        description=(
            "Cities co-create actionable responses for children and young people: child poverty, "
            "violence against children, and physical health and wellbeing."
        ),
    )
    for name, country in DEMO_CITIES:
        workshop.find_or_add_city_team(name, country)
    db.session.commit()
    return workshop


def demo_login_works():
    facilitator = db.session.scalar(select(Facilitator).where(Facilitator.email == DEMO_EMAIL))
    return facilitator is not None and facilitator.check_password(DEMO_PASSWORD)


def database_is_empty():
    return db.session.scalar(select(Workshop.id).limit(1)) is None


@click.command("seed-demo")
def seed_demo():
    """Create the demo workshop and its facilitator."""
    workshop = seed_demo_workshop()
    click.echo(f'Created "{workshop.title}" with join code {workshop.join_code}.')
    click.echo(f"Demo facilitator: {DEMO_EMAIL} / {DEMO_PASSWORD}")
