"""Training sessions, programs and nutrition plans."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of

NO_OVERLAP_CONSTRAINT = "training_sessions_coach_no_overlap"


class SessionStatus(StrEnum):
    """Where a session stands: asked for, on the calendar, then held, missed or called off."""

    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class SessionPaymentStatus(StrEnum):
    """Whether a session is owed, paid or paid back (the payments themselves: PaymentStatus)."""

    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"
    WAIVED = "waived"
    NOT_REQUIRED = "not_required"


class TrainingSession(Base):
    """One booked block of a coach's time with an athlete."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint(one_of("status", SessionStatus), name="status"),
        CheckConstraint(one_of("payment_status", SessionPaymentStatus), name="payment_status"),
        # Group sessions: the count is what stops overbooking, checked by the database.
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint(
            "participant_count BETWEEN 0 AND capacity", name="participants_within_capacity"
        ),
        # The database is the last word on double booking: two live sessions of one coach
        # may touch ([) bounds) but never overlap, however many bot processes race.
        ExcludeConstraint(
            ("coach_id", "="),
            (func.tstzrange(text("start_time"), text("end_time"), text("'[)'")), "&&"),
            name=NO_OVERLAP_CONSTRAINT,
            using="gist",
            where=text(f"status <> '{SessionStatus.CANCELLED}'"),
        ),
        Index("idx_sessions_coach_id", "coach_id"),
        Index("idx_sessions_athlete_id", "athlete_id"),
        Index("idx_sessions_start_time", "start_time"),
        Index("idx_sessions_series_id", "series_id", "start_time"),
    )

    id: Mapped[UuidPk]
    coach_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("coaches.id"))
    athlete_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id")
    )
    session_type: Mapped[str] = mapped_column(String(50))
    # NOT NULL (the spec allows NULL): a NULL status would slip past the no-overlap predicate.
    status: Mapped[str] = mapped_column(
        String(50),
        default=SessionStatus.SCHEDULED.value,
        server_default=text(f"'{SessionStatus.SCHEDULED}'"),
    )
    start_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    # Who made the booking: the athlete, or a parent for a child.
    booked_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    payment_status: Mapped[str] = mapped_column(
        String(20),
        default=SessionPaymentStatus.PENDING.value,
        server_default=text(f"'{SessionPaymentStatus.PENDING}'"),
    )
    capacity: Mapped[int] = mapped_column(SmallInteger, default=1, server_default=text("1"))
    participant_count: Mapped[int] = mapped_column(
        SmallInteger, default=1, server_default=text("1")
    )
    coach_notes: Mapped[str | None] = mapped_column(Text)
    # The calendar file's SEQUENCE: raised on every reschedule and cancellation.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    cancel_reason: Mapped[str | None] = mapped_column(String(30))
    # An unpaid session is released at this moment (the coach's pay_before_hours).
    payment_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Issue 19: the weekly series this session is an occurrence of (NULL for a one-off booking).
    series_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("session_series.id", ondelete="SET NULL")
    )


class SessionParticipant(Base):
    """One athlete booked into a group session (individual sessions use `athlete_id`)."""

    __tablename__ = "session_participants"
    __table_args__ = (
        UniqueConstraint("session_id", "athlete_id"),
        Index("idx_session_participants_athlete_id", "athlete_id"),
    )

    id: Mapped[UuidPk]
    session_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_sessions.id", ondelete="CASCADE")
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    booked_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]


class SessionRating(Base):
    """One athlete's rating of a session (1–5) and the words with it, by them or a guardian.

    Keyed by session and athlete, so each family in a group session has its own, which only
    they and the coach see.
    """

    __tablename__ = "session_ratings"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    )
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True
    )
    rating: Mapped[int] = mapped_column(SmallInteger)
    feedback: Mapped[str | None] = mapped_column(Text)
    rated_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    rated_at: Mapped[CreatedAt]


class ProgramStatus(StrEnum):
    """Whether a program is being written, in the catalogue, or taken out of it."""

    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class TrainingProgram(Base):
    """A coach's multi-week program, sold or shared with athletes.

    `program_content` is the draft the author edits; what athletes receive is a published,
    immutable `ProgramVersion`, the newest of which is `current_version_id`.
    """

    __tablename__ = "training_programs"
    __table_args__ = (
        Index("idx_programs_coach_id", "coach_id"),
        Index("idx_programs_sport_type", "sport_type"),
        Index("idx_programs_catalogue", "sport_type", "difficulty_level", "status"),
        CheckConstraint(one_of("status", ProgramStatus), name="status"),
        CheckConstraint("duration_weeks BETWEEN 1 AND 52", name="duration_weeks"),
        CheckConstraint("price >= 0", name="price"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency"),
        # A program in (or once in) the catalogue has content athletes can receive.
        CheckConstraint(
            f"status = '{ProgramStatus.DRAFT}' OR current_version_id IS NOT NULL",
            name="published_has_version",
        ),
        # The current version is one of this program's own.
        ForeignKeyConstraint(
            ["current_version_id", "id"],
            ["program_versions.id", "program_versions.program_id"],
            name="fk_training_programs_current_version",
            use_alter=True,
        ),
    )

    id: Mapped[UuidPk]
    coach_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("coaches.id"))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    difficulty_level: Mapped[str | None] = mapped_column(String(50))
    duration_weeks: Mapped[int | None] = mapped_column(Integer)
    sport_type: Mapped[str | None] = mapped_column(String(100))
    target_skills: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    program_content: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    # Not in the spec (docs/schema.md): the price's currency, the catalogue status and the
    # version athletes enrol into.
    currency: Mapped[str] = mapped_column(String(3), server_default=text("'EUR'"))
    status: Mapped[str] = mapped_column(
        String(20),
        default=ProgramStatus.DRAFT.value,
        server_default=text(f"'{ProgramStatus.DRAFT}'"),
    )
    current_version_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NutritionPlanStatus(StrEnum):
    """A plan is written (draft), followed (published), or gave way to a newer one (replaced)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    REPLACED = "replaced"


NUTRITION_NO_OVERLAP = "nutrition_plans_no_overlap"


class NutritionPlan(Base):
    """A nutrition plan written for an athlete, or a coach's template (no athlete)."""

    __tablename__ = "nutrition_plans"
    __table_args__ = (
        Index("idx_nutrition_athlete_id", "athlete_id"),
        CheckConstraint(one_of("status", NutritionPlanStatus), name="status"),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        # A template is nobody's plan; a plan is somebody's.
        CheckConstraint("is_template = (athlete_id IS NULL)", name="template_has_no_athlete"),
        CheckConstraint("template_weight_kg > 0", name="template_weight"),
        # One published plan per athlete and day, whoever publishes and however they race.
        ExcludeConstraint(
            ("athlete_id", "="),
            (func.daterange(text("start_date"), text("end_date"), text("'[]'")), "&&"),
            name=NUTRITION_NO_OVERLAP,
            using="gist",
            where=text(f"status = '{NutritionPlanStatus.PUBLISHED}'"),
        ),
    )

    id: Mapped[UuidPk]
    athlete_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    plan_type: Mapped[str | None] = mapped_column(String(50))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    daily_plans: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    dietary_restrictions: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    goals: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    status: Mapped[str] = mapped_column(
        String(20),
        default=NutritionPlanStatus.DRAFT.value,
        server_default=text(f"'{NutritionPlanStatus.DRAFT}'"),
    )
    is_template: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    title: Mapped[str | None] = mapped_column(String(100))
    # The body weight a template's amounts were written for; applying scales by the athlete's.
    template_weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # Wall-clock time in the athlete's zone at which each day's plan is sent.
    breakfast_time: Mapped[time] = mapped_column(
        Time, default=time(7, 0), server_default=text("'07:00'")
    )
    meal_reminders: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
