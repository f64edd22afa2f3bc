"""City commitments: the action plans a city team commits to, its statement and signatories, and
the frozen versions that the commitment reports print."""
import hashlib
import json
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .boards import Card
from .workshops import EMAIL_MAX, NAME_MAX, TITLE_MAX, CityTeam, utcnow

STATEMENT_MAX = 5000
SIGNATORIES_MAX = 20


class Commitment(db.Model):
    """One city team's pledge in its workshop. Final locks it; a change after that is a new version."""

    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(primary_key=True)
    city_team_id: Mapped[int] = mapped_column(ForeignKey("city_teams.id", ondelete="CASCADE"), unique=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(5), default="draft")  # draft or final
    # A long random token the team can hand to its mayor's office; None when revoked.
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    reminded_at: Mapped[datetime | None]
    # After the lab: where progress reminders go (the city's contact), and when the city's team agreed that
    # its commitment and progress appear on the workshop's public pledges page (None: not agreed, not shown).
    contact_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    public_agreed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    city_team: Mapped[CityTeam] = relationship()
    plans: Mapped[list["CommitmentPlan"]] = relationship(
        back_populates="commitment", order_by="CommitmentPlan.position", cascade="all, delete-orphan"
    )
    signatories: Mapped[list["Signatory"]] = relationship(
        back_populates="commitment", order_by="Signatory.position", cascade="all, delete-orphan"
    )
    versions: Mapped[list["CommitmentVersion"]] = relationship(
        back_populates="commitment", order_by="CommitmentVersion.number", cascade="all, delete-orphan"
    )

    @property
    def is_final(self):
        return self.status == "final"

    @property
    def latest_version(self):
        return self.versions[-1] if self.versions else None


class CommitmentPlan(db.Model):
    """An action plan a commitment includes, in the team's order."""

    __tablename__ = "commitment_plans"
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    commitment: Mapped[Commitment] = relationship(back_populates="plans")
    card: Mapped[Card] = relationship()


class Signatory(db.Model):
    __tablename__ = "signatories"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    role: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    organisation: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    position: Mapped[int] = mapped_column(default=0)

    commitment: Mapped[Commitment] = relationship(back_populates="signatories")


class CommitmentVersion(db.Model):
    """A commitment as it was marked final: its content frozen (what the report prints), numbered,
    dated, and fingerprinted with the SHA-256 of that content."""

    __tablename__ = "commitment_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    finalised_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))

    commitment: Mapped[Commitment] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("commitment_id", "number"),)

    @staticmethod
    def fingerprint(content):
        """The SHA-256 of the content in a canonical JSON form (sorted keys, no spaces)."""
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
