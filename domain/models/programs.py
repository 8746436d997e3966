"""Training programs beyond the spec's table: published versions, materials, enrolments and the
athletes' log of each program day (issue 16)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of, utcnow

# Telegram bots may send files up to 50 MB; a material must be sendable.
MATERIAL_MAX_BYTES = 50 * 1024 * 1024
MATERIALS_PREFIX = "training-materials"


class ProgramVersion(Base):
    """A published program's content, frozen: enrolments point here, so later edits of the
    program never change what an enrolled athlete receives (a trigger refuses any UPDATE)."""

    __tablename__ = "program_versions"
    __table_args__ = (
        UniqueConstraint("program_id", "number"),
        # The target of composite foreign keys that tie a version to its own program.
        UniqueConstraint("id", "program_id"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("duration_weeks BETWEEN 1 AND 52", name="duration_weeks"),
        CheckConstraint("schema_version >= 1", name="schema_version"),
    )

    id: Mapped[UuidPk]
    program_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_programs.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(SmallInteger)
    # domain.programs.content.ProgramContent as JSON, `schema_version` copied out for queries.
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    schema_version: Mapped[int] = mapped_column(SmallInteger)
    duration_weeks: Mapped[int] = mapped_column(SmallInteger)
    published_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]


class MaterialKind(StrEnum):
    """What a program's attached file is, by its bytes (never by its name)."""

    PDF = "pdf"
    IMAGE = "image"
    VIDEO = "video"


class ProgramMaterial(Base):
    """A file attached to a program, stored under `training-materials/{programId}/`."""

    __tablename__ = "program_materials"
    __table_args__ = (
        Index("idx_program_materials_program_id", "program_id"),
        CheckConstraint(one_of("kind", MaterialKind), name="kind"),
        CheckConstraint(f"size_bytes BETWEEN 1 AND {MATERIAL_MAX_BYTES}", name="size_bytes"),
        CheckConstraint(
            f"storage_key LIKE '{MATERIALS_PREFIX}/' || program_id::text || '/%'",
            name="storage_key_under_program",
        ),
    )

    id: Mapped[UuidPk]
    program_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_programs.id", ondelete="CASCADE")
    )
    storage_key: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # The name the author gave it, shown to readers; the type comes from the bytes.
    title: Mapped[str] = mapped_column(String(255))
    telegram_file_id: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]


class EnrolmentHow(StrEnum):
    """How an athlete came to follow a program."""

    SELF = "self"
    PARENT = "parent"
    COACH_ASSIGNED = "coach_assigned"
    PAID = "paid"


class EnrolmentStatus(StrEnum):
    """An enrolment runs, is finished, or was ended early (cancelled, refunded)."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProgramEnrolment(Base):
    """An athlete following one published version of a program from a start date."""

    __tablename__ = "program_enrolments"
    __table_args__ = (
        # The version enrolled into belongs to the program named.
        ForeignKeyConstraint(
            ["program_version_id", "program_id"],
            ["program_versions.id", "program_versions.program_id"],
            name="fk_program_enrolments_version_of_program",
        ),
        CheckConstraint(one_of("how", EnrolmentHow), name="how"),
        CheckConstraint(one_of("status", EnrolmentStatus), name="status"),
        # Paid enrolments name their payment, and only they do.
        CheckConstraint(
            f"(how = '{EnrolmentHow.PAID}') = (payment_id IS NOT NULL)", name="paid_has_payment"
        ),
        # One running enrolment per athlete and program.
        Index(
            "uq_program_enrolments_active",
            "athlete_id",
            "program_id",
            unique=True,
            postgresql_where=text(f"status = '{EnrolmentStatus.ACTIVE}'"),
        ),
        Index("idx_program_enrolments_program_id", "program_id"),
        # The delivery planner reads running, unpaused enrolments.
        Index(
            "idx_program_enrolments_deliverable",
            "delivery_time",
            postgresql_where=text(f"status = '{EnrolmentStatus.ACTIVE}' AND paused_at IS NULL"),
        ),
    )

    id: Mapped[UuidPk]
    program_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_programs.id")
    )
    program_version_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    athlete_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id", ondelete="CASCADE")
    )
    start_date: Mapped[date] = mapped_column(Date)
    # Wall-clock time in the athlete's zone (users.timezone) at which each day is sent.
    delivery_time: Mapped[time] = mapped_column(
        Time, default=time(7, 0), server_default=text("'07:00'")
    )
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Guardians get a copy of each day's workout too.
    guardians_copy: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    enrolled_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    how: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("payments.id"), unique=True
    )
    status: Mapped[str] = mapped_column(
        String(20),
        default=EnrolmentStatus.ACTIVE.value,
        server_default=text(f"'{EnrolmentStatus.ACTIVE}'"),
    )
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class WorkoutStatus(StrEnum):
    """What the athlete made of a program day."""

    DONE = "done"
    PARTLY = "partly"
    SKIPPED = "skipped"


class ProgramWorkoutLog(Base):
    """An athlete's answer to one program day: done, partly or skipped, with a note."""

    __tablename__ = "program_workout_logs"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "week", "day"),
        CheckConstraint("week BETWEEN 1 AND 52", name="week"),
        CheckConstraint("day BETWEEN 1 AND 7", name="day"),
        CheckConstraint(one_of("status", WorkoutStatus), name="status"),
    )

    id: Mapped[UuidPk]
    enrolment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("program_enrolments.id", ondelete="CASCADE")
    )
    week: Mapped[int] = mapped_column(SmallInteger)
    day: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    logged_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    logged_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[UpdatedAt]
