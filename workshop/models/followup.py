"""After the lab: how each committed action plan is going (its progress and dated updates), the private
links cities update through, the workshop's check-in dates and the reminders sent before them."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .boards import Card
from .commitments import Commitment
from .workshops import EMAIL_MAX, NAME_MAX, TITLE_MAX, Facilitator, Participant, Workshop, utcnow

# A plan's status after the lab, in the order a report lists them.
PROGRESS_STATUSES = ("not_started", "in_progress", "done", "changed", "dropped")
UPDATE_TEXT_MAX = 2000
INDICATOR_VALUE_MAX = 200
EVIDENCE_URL_MAX = 500
# The default check-ins: this many months after the workshop ends.
DEFAULT_CHECK_IN_MONTHS = (3, 6, 12)


class UpdateLink(db.Model):
    """A private link through which a city updates its plans' progress without an account: its own token,
    not the read-only share link's. Revoked, it stays (updates name the link they came through)."""

    __tablename__ = "update_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(TITLE_MAX), default="")  # whom it was given to, e.g. "Mayor's office"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    created_by_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    commitment: Mapped[Commitment] = relationship()

    @property
    def is_active(self):
        return self.revoked_at is None


class PlanProgress(db.Model):
    """Where one action plan of a final commitment stands now: the latest of its updates' status and percent."""

    __tablename__ = "plan_progress"
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="not_started")
    percent: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    commitment: Mapped[Commitment] = relationship()
    card: Mapped[Card] = relationship()


class ProgressUpdate(db.Model):
    """A dated update of one plan: what happened, the indicator's value then, an optional evidence link, the
    status and percent it set, and who wrote it (a facilitator, a participant of the team, or an update link
    with the name its holder gave)."""

    __tablename__ = "progress_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12))
    percent: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    indicator_value: Mapped[str] = mapped_column(String(INDICATOR_VALUE_MAX), default="")
    evidence_url: Mapped[str | None] = mapped_column(String(EVIDENCE_URL_MAX))
    author_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    via_link_id: Mapped[int | None] = mapped_column(ForeignKey("update_links.id", ondelete="SET NULL"))
    by_facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    by_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))

    commitment: Mapped[Commitment] = relationship()
    card: Mapped[Card] = relationship()
    via_link: Mapped[UpdateLink | None] = relationship()
    by_facilitator: Mapped[Facilitator | None] = relationship()
    by_participant: Mapped[Participant | None] = relationship()


class CheckIn(db.Model):
    """A date by which the workshop's cities report progress (the defaults: `DEFAULT_CHECK_IN_MONTHS`)."""

    __tablename__ = "check_ins"
    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date]

    workshop: Mapped[Workshop] = relationship()

    __table_args__ = (UniqueConstraint("workshop_id", "due_on"),)


class ProgressReminder(db.Model):
    """The reminder one city was sent before one check-in: at most one (its row is what makes sending idempotent)."""

    __tablename__ = "progress_reminders"
    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"))
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipient: Mapped[str] = mapped_column(String(EMAIL_MAX))

    check_in: Mapped[CheckIn] = relationship()
    commitment: Mapped[Commitment] = relationship()

    __table_args__ = (UniqueConstraint("check_in_id", "commitment_id"),)
