"""Clubs (issue 19): a weekly series of sessions, and per occurrence the families' RSVPs and
the coach's attendance."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of

# A season longer than this is refused (issue 19, "Bad input"), by the domain and the database.
MAX_SEASON_DAYS = 731


class RsvpAnswer(StrEnum):
    """A family's answer to "Will Leo come?"."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class AttendanceStatus(StrEnum):
    """What the coach marked for an athlete at one occurrence."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"


class SessionSeries(Base):
    """A weekly series: days and a local time in the coach's zone, over a season, holidays out.

    Each occurrence is a `training_sessions` row pointing back here (`series_id`).
    """

    __tablename__ = "session_series"
    __table_args__ = (
        CheckConstraint("cardinality(weekdays) BETWEEN 1 AND 7", name="weekdays"),
        CheckConstraint("season_end >= season_start", name="season_order"),
        CheckConstraint(f"season_end - season_start <= {MAX_SEASON_DAYS}", name="season_length"),
        CheckConstraint("length_minutes BETWEEN 15 AND 480", name="length"),
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("rsvp_deadline_hours < rsvp_lead_hours", name="rsvp_windows"),
        Index("idx_session_series_coach_id", "coach_id"),
        Index("idx_session_series_team_id", "team_id"),
    )

    id: Mapped[UuidPk]
    coach_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("coaches.id", ondelete="CASCADE")
    )
    # A team's series (its members take part), or NULL for a private lesson.
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("teams.id", ondelete="CASCADE")
    )
    # A private lesson's one athlete; NULL for a team's series (its members take part).
    athlete_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(100))
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))  # 0 = Monday
    local_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    length_minutes: Mapped[int] = mapped_column(SmallInteger)
    capacity: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    location: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    season_start: Mapped[date] = mapped_column(Date)
    season_end: Mapped[date] = mapped_column(Date)
    holidays: Mapped[list[date]] = mapped_column(ARRAY(Date), server_default=text("'{}'"))
    # RSVP: asked this long before each occurrence, reminded, and closed (hours before start).
    rsvp_lead_hours: Mapped[int] = mapped_column(SmallInteger, server_default=text("48"))
    rsvp_reminder_hours: Mapped[int] = mapped_column(SmallInteger, server_default=text("24"))
    rsvp_deadline_hours: Mapped[int] = mapped_column(SmallInteger, server_default=text("3"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class SessionRsvp(Base):
    """A family's answer for one athlete and one occurrence; the newest answer stands."""

    __tablename__ = "session_rsvps"
    __table_args__ = (
        CheckConstraint(one_of("answer", RsvpAnswer), name="answer"),
        Index("idx_session_rsvps_athlete_id", "athlete_id"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(10))
    answered_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SessionAttendance(Base):
    """The coach's mark for one athlete at one occurrence."""

    __tablename__ = "session_attendance"
    __table_args__ = (
        CheckConstraint(one_of("status", AttendanceStatus), name="status"),
        Index("idx_session_attendance_athlete_id", "athlete_id"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10))
    marked_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
