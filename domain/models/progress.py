"""Performance metrics and video analysis: the evidence of an athlete's progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of

METRICS_TABLE = "performance_metrics"


class PerformanceMetric(Base):
    """One measured value; the table is range-partitioned by month on `recorded_at`."""

    __tablename__ = METRICS_TABLE
    __table_args__ = (
        Index("idx_metrics_athlete_id", "athlete_id"),
        Index("idx_metrics_type", "metric_type"),
        # One athlete's one metric over a range: charts, bests, latest values.
        Index("idx_metrics_athlete_type_time", "athlete_id", "metric_type", "recorded_at"),
        # What no measurement can be (domain.metrics.possible): nothing is negative, only a
        # share, count or level may be zero, a share is at most 100 and a count is whole.
        CheckConstraint(
            "metric_value > 0 OR (metric_value = 0 AND unit IN ('%', 'reps', 'level'))",
            name="possible_value",
        ),
        CheckConstraint("unit <> '%' OR metric_value <= 100", name="share_at_most_100"),
        CheckConstraint("unit <> 'reps' OR metric_value = trunc(metric_value)", name="whole_count"),
        # A value logged from a program day names the enrolment, week and day (issue 16).
        CheckConstraint(
            "(program_enrolment_id IS NULL) = (program_week IS NULL)"
            " AND (program_enrolment_id IS NULL) = (program_day IS NULL)"
            " AND (program_exercise IS NULL OR program_enrolment_id IS NOT NULL)",
            name="program_day_whole",
        ),
        CheckConstraint(
            "program_week BETWEEN 1 AND 52 AND program_day BETWEEN 1 AND 7"
            " AND program_exercise BETWEEN 1 AND 50",
            name="program_day_bounds",
        ),
        Index(
            "idx_metrics_program_day",
            "program_enrolment_id",
            "program_week",
            "program_day",
            postgresql_where=text("program_enrolment_id IS NOT NULL"),
        ),
        {"postgresql_partition_by": "RANGE (recorded_at)"},
    )

    # A partitioned table's primary key must contain the partition key.
    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True),
        primary_key=True,
        default=uuid.uuid4,
        server_default=text("uuid_generate_v4()"),
    )
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    athlete_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id")
    )
    metric_type: Mapped[str] = mapped_column(String(100))
    value: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id")
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_sessions.id")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    # The value in the metric's canonical unit, as a number the database can order and chart;
    # `value` keeps the whole entry as typed (original unit, reps, ...).
    metric_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    unit: Mapped[str | None] = mapped_column(String(16))
    # The program day (and which exercise of it, 1-based) this value was logged from.
    program_enrolment_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("program_enrolments.id")
    )
    program_week: Mapped[int | None] = mapped_column(SmallInteger)
    program_day: Mapped[int | None] = mapped_column(SmallInteger)
    program_exercise: Mapped[int | None] = mapped_column(SmallInteger)


class MetricType(Base):
    """A measurable thing: its canonical unit, which way is better, plausible bounds.

    The built-in catalogue is seeded by a migration (`coach_id` NULL); a coach may add their
    own for the athletes they coach.
    """

    __tablename__ = "metric_types"
    __table_args__ = (
        # 'neither' for what is no achievement either way (body weight, height): no bests.
        CheckConstraint("better IN ('higher', 'lower', 'neither')", name="better"),
        CheckConstraint(
            "category IN ('speed', 'strength', 'endurance', 'body', 'technique')", name="category"
        ),
        CheckConstraint("min_value < max_value", name="bounds"),
        # Built-in keys are unique; a coach's own keys are unique per coach.
        Index(
            "uq_metric_types_builtin_key",
            "key",
            unique=True,
            postgresql_where=text("coach_id IS NULL"),
        ),
        UniqueConstraint("coach_id", "key"),
    )

    id: Mapped[UuidPk]
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    sport: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(16))
    better: Mapped[str] = mapped_column(String(10))
    min_value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    max_value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    aliases: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    coach_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("coaches.id", ondelete="CASCADE")
    )
    created_at: Mapped[CreatedAt]


class VideoStatus(StrEnum):
    """Where a video is on its way from upload to analysis."""

    PENDING = "pending"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    ANALYZED = "analyzed"
    FAILED = "failed"


class VideoAnalysis(Base):
    """An uploaded training video, its processing status and the feedback on it.

    `video_url`, `thumbnail_url` and `processed_url` hold storage keys, not links: a link is
    made (and expires) when someone is shown the file.
    """

    __tablename__ = "video_analysis"
    __table_args__ = (
        Index("idx_video_athlete_id", "athlete_id"),
        Index("idx_video_session_id", "session_id"),
        CheckConstraint(one_of("status", VideoStatus), name="ck_video_analysis_status"),
        # A video sent from a program day names the enrolment, week and day (issue 16).
        CheckConstraint(
            "(program_enrolment_id IS NULL) = (program_week IS NULL)"
            " AND (program_enrolment_id IS NULL) = (program_day IS NULL)",
            name="program_day_whole",
        ),
        CheckConstraint(
            "program_week BETWEEN 1 AND 52 AND program_day BETWEEN 1 AND 7",
            name="program_day_bounds",
        ),
        Index(
            "idx_video_program_enrolment",
            "program_enrolment_id",
            postgresql_where=text("program_enrolment_id IS NOT NULL"),
        ),
    )

    id: Mapped[UuidPk]
    athlete_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("athletes.id")
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_sessions.id")
    )
    video_url: Mapped[str] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    duration: Mapped[int | None] = mapped_column(Integer)
    analysis_results: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ai_feedback: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    coach_feedback: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(
        String(50), server_default=text(f"'{VideoStatus.PENDING}'")
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    # Not in the spec (docs/schema.md): who sent it, Telegram's file, the web rendition, why it
    # failed, and feedback given as voice or video.
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    telegram_file_id: Mapped[str | None] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(20))
    caption: Mapped[str | None] = mapped_column(Text)
    processed_url: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # When the sender said which session (or none) it is from; until then coaches wait a little.
    session_chosen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    feedback_media: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    # Retention (issue 18): when the raw file went to colder storage (`video_url` then names
    # where it is), and when the processed rendition was deleted (`processed_url` then NULL).
    raw_archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rendition_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Issue 16: the program day a video was sent from; the program's author reviews it.
    program_enrolment_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("program_enrolments.id")
    )
    program_week: Mapped[int | None] = mapped_column(SmallInteger)
    program_day: Mapped[int | None] = mapped_column(SmallInteger)


class VideoReviewMessage(Base):
    """A message that showed a coach a video: a reply to it is feedback on that video."""

    __tablename__ = "video_review_messages"
    __table_args__ = (Index("idx_video_review_messages_video", "video_id"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    video_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("video_analysis.id", ondelete="CASCADE")
    )
    coach_user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    created_at: Mapped[CreatedAt]


class MetricArchive(Base):
    """A month of performance_metrics detached from the table and kept as a file in storage."""

    __tablename__ = "metric_archives"

    partition_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    storage_key: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(BigInteger)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set by `sportscenter restore-metrics`; the retention job leaves it attached a while.
    restored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
