"""Cross-city synthesis: card vectors (cached by text), the themes of a board's cards, and the suggested
merges facilitators dismissed."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .boards import Board, Card
from .workshops import TITLE_MAX, utcnow

THEME_WORDS_MAX = 200


class CardVector(db.Model):
    """A text's embedding, computed once per text (not per card: a card edited back, or the same words on
    another board, reuse it) by the model named in `model`, so that a new model never reads an old vector."""

    __tablename__ = "card_vectors"
    text_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the normalised text
    model: Mapped[str] = mapped_column(String(60), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Theme(db.Model):
    """A group of a board's problems and ideas that say the same thing, across cities and languages: found
    by clustering, then named, merged, split or dismissed by facilitators. Their edits survive the next
    clustering: a facilitator's name stays, a dismissed theme stays dismissed, a card they placed stays."""

    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(TITLE_MAX))  # a facilitator's name, else the machine's label
    words: Mapped[str] = mapped_column(String(THEME_WORDS_MAX), default="")  # distinctive words, space-separated
    central_card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    dismissed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    board: Mapped[Board] = relationship()
    central_card: Mapped[Card | None] = relationship()
    members: Mapped[list["ThemeCard"]] = relationship(back_populates="theme", cascade="all, delete-orphan",
                                                     order_by="ThemeCard.card_id")


class ThemeCard(db.Model):
    """A card's theme: at most one. `pinned` when a facilitator put it there (a merge, a split, a move), so
    that clustering again does not take it out."""

    __tablename__ = "theme_cards"
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    pinned: Mapped[bool] = mapped_column(default=False)

    theme: Mapped[Theme] = relationship(back_populates="members")
    card: Mapped[Card] = relationship()


class MergeDismissal(db.Model):
    """A suggested merge of two cards that a facilitator dismissed: it is not suggested again. The pair is
    stored in id order."""

    __tablename__ = "merge_dismissals"
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    other_card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("card_id < other_card_id", name="merge_dismissal_in_id_order"),)
