"""Boards and what is on them: cards, action plans, the event log, votes."""
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .workshops import TITLE_MAX, Participant, PolicyArea, utcnow  # noqa: F401

CARD_TEXT_MAX = 500
HIDE_REASON_MAX = 200
LANES = ("problem", "idea", "action")
# What a card may point to: an idea answers a problem, an action plan builds on an idea.
LINKABLE_LANE = {"idea": "problem", "action": "idea"}
PHASES = ("collect", "vote", "results", "closed")
PRIVATE_SCOPES = ("own", "team")
VOTE_MODES = ("person", "city")
DOTS_MAX = 20
PLAN_STATUSES = ("draft", "agreed")
PILLAR_PRINCIPLES = range(1, 21)  # the European Pillar of Social Rights


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
    # Voting goes in rounds: budgets, caps and counts are of the current round; earlier rounds'
    # votes stay, tagged with their round. Entering the vote phase after a round's results (which
    # `round_shown` remembers) starts the next round.
    vote_round: Mapped[int] = mapped_column(default=1)
    round_shown: Mapped[bool] = mapped_column(default=False)
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

    def is_run_by(self, person):
        """Whether `person` runs it: the workshop's facilitators run every board of it."""
        # Asking is_facilitator first spares every participant's event two lazy loads (area, workshop).
        return bool(person.is_authenticated and person.is_facilitator and self.workshop.is_run_by(person))

    def has_participant(self, person):
        """Whether `person` joined its workshop as a participant."""
        return bool(person.is_authenticated and not person.is_facilitator
                    and person.workshop_id == self.policy_area.workshop_id)

    def has_member(self, person):
        """Whether `person` is on its workshop (a facilitator or a participant of it)."""
        return self.has_participant(person) or self.is_run_by(person)

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
    plan: Mapped["ActionPlan | None"] = relationship(back_populates="card", cascade="all, delete-orphan", uselist=False)
    link: Mapped["Card | None"] = relationship(foreign_keys=[link_id], remote_side=[id])
    merged_into: Mapped["Card | None"] = relationship(
        foreign_keys=[merged_into_id], remote_side=[id], back_populates="merged"
    )
    merged: Mapped[list["Card"]] = relationship(
        foreign_keys=[merged_into_id], back_populates="merged_into", order_by="Card.id"
    )

    __table_args__ = (UniqueConstraint("board_id", "client_id"),)

    def is_by(self, person):
        """Whether `person` wrote it (a facilitator never does: facilitators do not post)."""
        return bool(person.is_authenticated and not person.is_facilitator and person.id == self.author_id)

    @property
    def is_live(self):
        """On the board: neither deleted nor merged into another card."""
        return self.deleted_at is None and self.merged_into_id is None

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class ActionPlan(db.Model):
    """What makes an action plan card a plan a city can commit to (lane "action" only)."""

    __tablename__ = "action_plans"
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    lead: Mapped[str] = mapped_column(String(TITLE_MAX), default="")  # department or role
    partners: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]  # the end, or the deadline
    resources: Mapped[str] = mapped_column(String(300), default="")  # resources or funding line
    indicators: Mapped[str] = mapped_column(String(300), default="")  # success indicators
    target: Mapped[str] = mapped_column(String(200), default="")
    baseline: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(8), default="draft")
    principles: Mapped[str] = mapped_column(String(60), default="")  # comma-separated principle numbers
    child_guarantee: Mapped[bool] = mapped_column(default=False)
    # The investment pledged, beside the free-text resources: a whole amount, its ISO 4217 currency, its period.
    investment_amount: Mapped[int | None] = mapped_column(BigInteger)
    investment_currency: Mapped[str] = mapped_column(String(3), default="", server_default="")
    investment_period: Mapped[str] = mapped_column(String(60), default="", server_default="")

    card: Mapped[Card] = relationship(back_populates="plan")

    @property
    def principle_numbers(self):
        return [int(number) for number in self.principles.split(",") if number]


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
    round: Mapped[int] = mapped_column(default=1)  # the board's voting round it was cast in
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant] = relationship()
