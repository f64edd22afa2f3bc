"""Entities and their own small invariants. Rules that span entities live in the features' services."""
import secrets
from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

NAME_MAX = 80
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
EMAIL_MAX = 254

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

    def facilitates(self, workshop):
        return workshop is not None and self in workshop.facilitators


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
    closed_at: Mapped[datetime | None]
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
    def participant_count(self):
        return db.session.scalar(select(func.count(Participant.id)).where(Participant.workshop_id == self.id))


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


CARD_TEXT_MAX = 500
HIDE_REASON_MAX = 200
LANES = ("problem", "idea", "action")
# What a card may point to: an idea answers a problem, an action plan builds on an idea.
LINKABLE_LANE = {"idea": "problem", "action": "idea"}
PHASES = ("collect", "vote", "results", "closed")
PRIVATE_SCOPES = ("own", "team")
VOTE_MODES = ("person", "city")
DOTS_MAX = 20


class Board(db.Model):
    """The live space of one policy area: its cards, phase and event log hang from here."""

    __tablename__ = "boards"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_area_id: Mapped[int] = mapped_column(ForeignKey("policy_areas.id", ondelete="CASCADE"), unique=True)
    phase: Mapped[str] = mapped_column(String(10), default="collect")
    # Private writing: participants see only their own cards (or their city team's) until revealed.
    private_writing: Mapped[bool] = mapped_column(default=False)
    private_scope: Mapped[str] = mapped_column(String(4), default="own")
    # The sequence number of the board's newest event; every change takes the next one.
    last_seq: Mapped[int] = mapped_column(default=0)
    # A paused board takes no changes from participants, whatever its phase.
    paused: Mapped[bool] = mapped_column(default=False)
    keep_posting_open: Mapped[bool] = mapped_column(default=False)  # posting stays open while voting
    # Dot voting: a budget per person (or per city team), a cap per card, on some lanes.
    dots_per_person: Mapped[int] = mapped_column(default=5)
    dots_per_card: Mapped[int] = mapped_column(default=3)
    votable_lanes: Mapped[str] = mapped_column(String(30), default="idea")  # comma-separated lanes
    vote_mode: Mapped[str] = mapped_column(String(6), default="person")
    votes_hidden: Mapped[bool] = mapped_column(default=True)  # counts stay with facilitators until reveal
    votes_revealed: Mapped[bool] = mapped_column(default=False)
    # The timer runs (ends_at), is paused (remaining seconds) or is stopped (neither).
    timer_ends_at: Mapped[datetime | None]
    timer_remaining: Mapped[int | None]
    timer_advances: Mapped[bool] = mapped_column(default=False)  # at zero, move to the next phase
    # The card in focus on every screen (no foreign key: cards already point at boards).
    spotlight_card_id: Mapped[int | None]

    policy_area: Mapped[PolicyArea] = relationship(back_populates="board")
    cards: Mapped[list["Card"]] = relationship(back_populates="board", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def workshop(self):
        return self.policy_area.workshop

    @property
    def title(self):
        return self.policy_area.title

    @property
    def lanes_to_vote(self):
        return [lane for lane in self.votable_lanes.split(",") if lane]

    @property
    def votes_public(self):
        """Whether participants may see everyone's dot counts now."""
        return self.votes_revealed or not self.votes_hidden

    @property
    def accepts_cards(self):
        return not self.paused and (self.phase == "collect" or (self.phase == "vote" and self.keep_posting_open))


class CityTeam(db.Model):
    """The participants of one city in one workshop."""

    __tablename__ = "city_teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    country: Mapped[str] = mapped_column(String(NAME_MAX), default="")

    workshop: Mapped[Workshop] = relationship(back_populates="city_teams")
    participants: Mapped[list["Participant"]] = relationship(back_populates="city_team")

    __table_args__ = (UniqueConstraint("workshop_id", "name"),)


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
        return f"p:{self.id}"

    @property
    def name(self):
        return self.display_name

    def facilitates(self, workshop):
        return False


class Card(db.Model):
    """One problem, idea or action plan on a board.

    A card is never deleted outright: `deleted_at` keeps it out of every view while the event log
    can still name it. A card merged into another lives on inside it (`merged_into`).
    """

    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    lane: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    # Made by the browser, so that a card sent twice (a retry after a drop) is stored once.
    client_id: Mapped[str | None] = mapped_column(String(64))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    # Written while private writing was on and not yet revealed.
    private: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(HIDE_REASON_MAX))
    hidden_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    board: Mapped[Board] = relationship(back_populates="cards")
    author: Mapped[Participant] = relationship()
    link: Mapped["Card | None"] = relationship(foreign_keys=[link_id], remote_side=[id])
    merged_into: Mapped["Card | None"] = relationship(
        foreign_keys=[merged_into_id], remote_side=[id], back_populates="merged"
    )
    merged: Mapped[list["Card"]] = relationship(
        foreign_keys=[merged_into_id], back_populates="merged_into", order_by="Card.id"
    )

    __table_args__ = (UniqueConstraint("board_id", "client_id"),)

    @property
    def is_live(self):
        """On the board: neither deleted nor merged into another card."""
        return self.deleted_at is None and self.merged_into_id is None

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class BoardEvent(db.Model):
    """One change on a board, numbered in order. Payloads are rendered per viewer from the current
    state when sent, so the log never holds text that some viewer may not see."""

    __tablename__ = "board_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    board: Mapped[Board] = relationship()
    card: Mapped[Card | None] = relationship()

    __table_args__ = (UniqueConstraint("board_id", "seq"),)


class Vote(db.Model):
    """One dot a participant put on a card. The city team is kept for per-city budgets."""

    __tablename__ = "votes"
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    city_team_id: Mapped[int] = mapped_column(ForeignKey("city_teams.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant] = relationship()
