"""Seats and a waitlist (issue 19, item 4): families waiting for a place in a full group
session, in the order they joined, and the time-limited offer of a freed place."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Identity, Index, String
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, UuidPk, one_of


class WaitlistStatus(StrEnum):
    """Where a place in line stands: waiting, offered the place (until a deadline), or done."""

    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    LEFT = "left"
    CLOSED = "closed"  # the session was called off or has begun


# In line: what holds a place in the queue (and, offered, a seat while the offer stands).
IN_LINE = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
_IN_LINE_SQL = "status IN ('waiting', 'offered')"


class WaitlistEntry(Base):
    """One athlete in line for one session; `line` (an identity) is the order they joined in."""

    __tablename__ = "session_waitlist"
    __table_args__ = (
        CheckConstraint(one_of("status", WaitlistStatus), name="status"),
        CheckConstraint(
            "status <> 'offered' OR (offered_at IS NOT NULL AND offer_expires_at IS NOT NULL)",
            name="offer_has_deadline",
        ),
        # One place in line per athlete and session at a time (left or expired ones may rejoin).
        Index(
            "uq_session_waitlist_in_line",
            "session_id",
            "athlete_id",
            unique=True,
            postgresql_where=sql(_IN_LINE_SQL),
        ),
        # The line of a session, first first; and the offers the job looks at.
        Index(
            "idx_session_waitlist_line", "session_id", "line", postgresql_where=sql(_IN_LINE_SQL)
        ),
        Index(
            "idx_session_waitlist_offers",
            "offer_expires_at",
            postgresql_where=sql("status = 'offered'"),
        ),
        Index("idx_session_waitlist_athlete_id", "athlete_id"),
    )

    id: Mapped[UuidPk]
    line: Mapped[int] = mapped_column(BigInteger, Identity(always=True))
    session_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_sessions.id", ondelete="CASCADE")
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    joined_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(10), server_default=sql("'waiting'"))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
