"""Clubs (issue 19): packs of private lessons a coach sells, the packs families bought and the
sessions drawn from them, and team fees with what each athlete owes per period."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UuidPk, one_of, utcnow

# The bounds a coach's pack is refused outside of, by the domain and the database alike.
MAX_PACK_SESSIONS = 100
MAX_PACK_DAYS = 730


class FeePeriod(StrEnum):
    """What one team fee pays for: the whole season, or one calendar month of it."""

    SEASON = "season"
    MONTH = "month"


class PackOffer(Base):
    """A pack a coach sells: so many private lessons, at a price, valid so many days."""

    __tablename__ = "pack_offers"
    __table_args__ = (
        CheckConstraint(f"sessions BETWEEN 1 AND {MAX_PACK_SESSIONS}", name="sessions"),
        CheckConstraint("price > 0", name="price"),
        CheckConstraint(f"valid_days BETWEEN 1 AND {MAX_PACK_DAYS}", name="valid_days"),
        Index("idx_pack_offers_coach_id", "coach_id"),
    )

    id: Mapped[UuidPk]
    coach_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("coaches.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    sessions: Mapped[int] = mapped_column(SmallInteger)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3))
    valid_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[CreatedAt]
    # No longer sold; packs bought before stay usable.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SessionPack(Base):
    """A pack bought for one athlete: its balance is drawn one session per private lesson."""

    __tablename__ = "session_packs"
    __table_args__ = (
        # The balance never goes below zero: the last line against an overdraw.
        CheckConstraint("sessions_left >= 0", name="left_not_negative"),
        CheckConstraint("sessions_left <= sessions_total", name="left_within_total"),
        Index("idx_session_packs_athlete_coach", "athlete_id", "coach_id"),
    )

    id: Mapped[UuidPk]
    offer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("pack_offers.id"))
    coach_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("coaches.id", ondelete="CASCADE")
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    payer_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    # The payment that bought it: one pack per charge, however often Telegram reports it.
    payment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payments.id"), unique=True
    )
    name: Mapped[str] = mapped_column(String(100))
    sessions_total: Mapped[int] = mapped_column(SmallInteger)
    sessions_left: Mapped[int] = mapped_column(SmallInteger)
    bought_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PackDraw(Base):
    """A private lesson paid with a pack's session; `returned_at` once given back on a free
    cancellation."""

    __tablename__ = "pack_draws"
    __table_args__ = (Index("idx_pack_draws_pack_id", "pack_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    )
    pack_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("session_packs.id", ondelete="CASCADE")
    )
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TeamFee(Base):
    """A team's fee, per season or per month; one live fee per team."""

    __tablename__ = "team_fees"
    __table_args__ = (
        CheckConstraint(one_of("period", FeePeriod), name="period"),
        CheckConstraint("price > 0", name="price"),
        Index(
            "uq_team_fees_live",
            "team_id",
            unique=True,
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    id: Mapped[UuidPk]
    team_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("teams.id", ondelete="CASCADE")
    )
    period: Mapped[str] = mapped_column(String(10))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3))
    set_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TeamFeeDue(Base):
    """What one athlete owes under a team fee for one period, and the payment that settled it."""

    __tablename__ = "team_fee_dues"
    __table_args__ = (
        UniqueConstraint("fee_id", "athlete_id", "period_start"),
        CheckConstraint("amount > 0", name="amount"),
        Index("idx_team_fee_dues_athlete_id", "athlete_id"),
    )

    id: Mapped[UuidPk]
    fee_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("team_fees.id", ondelete="CASCADE")
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    period_start: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payments.id"), unique=True
    )
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[CreatedAt]
