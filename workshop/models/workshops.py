"""People and workshops: facilitators, workshops, policy areas, city teams, participants."""
import secrets
from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db

NAME_MAX = 80
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
EMAIL_MAX = 254
LANGUAGE_MAX = 16  # a language tag: "sl", "pt-BR"

# Six characters from an alphabet without look-alikes (0/O, 1/I/L), easy to read off a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def normalise_join_code(typed):
    """What a person typed ("abc-def ", "abc def") as the code we store ("ABCDEF")."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def new_join_code():
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


workshop_facilitators = db.Table(
    "workshop_facilitators",
    db.Column("workshop_id", ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    db.Column("facilitator_id", ForeignKey("facilitators.id", ondelete="CASCADE"), primary_key=True),
)


class Facilitator(UserMixin, db.Model):
    """An account with a password that prepares and runs workshops."""

    __tablename__ = "facilitators"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The language of their pages and of the summary report, once they chose one (see
    # `workshop.languages`); None follows their browser, then the workshop's default.
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workshops: Mapped[list["Workshop"]] = relationship(
        secondary=workshop_facilitators, back_populates="facilitators", order_by="Workshop.starts_on.desc()"
    )

    is_facilitator = True

    def get_id(self):
        return f"f:{self.id}"

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)


class Workshop(db.Model):
    """One event session, with its facilitators, policy areas, city teams and join code."""

    __tablename__ = "workshops"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    host_city: Mapped[str] = mapped_column(String(NAME_MAX))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    description: Mapped[str] = mapped_column(Text, default="")
    join_code: Mapped[str] = mapped_column(String(JOIN_CODE_LENGTH))
    allow_new_city_teams: Mapped[bool] = mapped_column(default=True)
    # The pages' language for a person whose browser asks for none of the shipped languages.
    default_language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), default="en", server_default="en")
    closed_at: Mapped[datetime | None]
    # When the facilitators opened the commitment step: from then on every participant's home
    # leads with their city's commitment. None while the room is still working on its boards.
    commitments_opened_at: Mapped[datetime | None]
    # When a facilitator published the workshop's pledges (its public page and open data); None: unpublished.
    pledges_published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    facilitators: Mapped[list[Facilitator]] = relationship(
        secondary=workshop_facilitators, back_populates="workshops", order_by="Facilitator.name"
    )
    created_by: Mapped[Facilitator | None] = relationship(foreign_keys=[created_by_id])
    policy_areas: Mapped[list["PolicyArea"]] = relationship(
        back_populates="workshop", order_by="PolicyArea.position", cascade="all, delete-orphan"
    )
    city_teams: Mapped[list["CityTeam"]] = relationship(
        back_populates="workshop", order_by="CityTeam.name", cascade="all, delete-orphan"
    )
    participants: Mapped[list["Participant"]] = relationship(back_populates="workshop", cascade="all, delete-orphan")

    # A code is unique among open workshops only: a closed workshop's code may come back.
    __table_args__ = (
        Index(
            "uq_workshops_open_join_code",
            "join_code",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def commitments_open(self):
        return self.commitments_opened_at is not None

    @property
    def participant_count(self):
        return db.session.scalar(select(func.count(Participant.id)).where(Participant.workshop_id == self.id))

    # Who is on it. `person` is anyone a request or socket may carry: a facilitator, a participant,
    # Flask-Login's anonymous user or the room (boards' THE_ROOM); ids are compared, not objects,
    # because `person` is often the `current_user` proxy.

    def is_run_by(self, person):
        """Whether `person` is one of its facilitators."""
        return bool(person.is_authenticated and person.is_facilitator
                    and any(facilitator.id == person.id for facilitator in self.facilitators))

    def has_participant(self, person):
        """Whether `person` joined it as a participant."""
        return bool(person.is_authenticated and not person.is_facilitator and person.workshop_id == self.id)

    def has_member(self, person):
        """Whether `person` is on it: its facilitators and its participants; nobody else."""
        return self.has_participant(person) or self.is_run_by(person)

    def find_or_add_city_team(self, name, country=""):
        """Its city team called `name` (any letter case), added if missing. Does not commit."""
        name = name.strip()
        existing = next((team for team in self.city_teams if team.name.casefold() == name.casefold()), None)
        if existing is not None:
            return existing
        team = CityTeam(name=name, country=(country or "").strip())
        self.city_teams.append(team)
        return team


class PolicyArea(db.Model):
    """A theme of a workshop; its board is the live space where the room works on it."""

    __tablename__ = "policy_areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="policy_areas")
    board: Mapped["Board"] = relationship(back_populates="policy_area", cascade="all, delete-orphan", uselist=False)


class CityTeam(db.Model):
    """The participants of one city in one workshop."""

    __tablename__ = "city_teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    country: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    # The language its city report is written in; None: its country's (see `workshop.languages`).
    report_language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX))

    workshop: Mapped[Workshop] = relationship(back_populates="city_teams")
    participants: Mapped[list["Participant"]] = relationship(back_populates="city_team")

    __table_args__ = (UniqueConstraint("workshop_id", "name"),)

    def has_member(self, person):
        """Whether `person` is one of its participants."""
        return bool(person.is_authenticated and not person.is_facilitator and person.city_team_id == self.id)

    def admits(self, person):
        """Whether `person` may work in its name (on its commitment): its participants and the
        workshop's facilitators."""
        return self.has_member(person) or self.workshop.is_run_by(person)


class Participant(UserMixin, db.Model):
    """Someone who joined one workshop with a name and a city team, no password."""

    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    city_team_id: Mapped[int] = mapped_column(ForeignKey("city_teams.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A removed participant's session ends and this identity can never sign in again.
    removed_at: Mapped[datetime | None]

    workshop: Mapped[Workshop] = relationship(back_populates="participants")
    city_team: Mapped[CityTeam] = relationship(back_populates="participants")

    is_facilitator = False

    def get_id(self):
        # With the join time: once a workshop is deleted SQLite hands its participants' ids out
        # again, and a cookie left in an old browser must not sign its holder in as the newcomer.
        return f"p:{self.id}:{self.joined_at:%Y%m%dT%H%M%S%f}"

    @property
    def name(self):
        return self.display_name
