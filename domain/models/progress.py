"""Performance metrics and video analysis: the evidence of an athlete's progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk

METRICS_TABLE = "performance_metrics"


class PerformanceMetric(Base):
    """One measured value; the table is range-partitioned by month on `recorded_at`."""

    __tablename__ = METRICS_TABLE
    __table_args__ = (
        Index("idx_metrics_athlete_id", "athlete_id"),
        Index("idx_metrics_type", "metric_type"),
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


class VideoAnalysis(Base):
    """An uploaded training video, its processing status and the feedback on it."""

    __tablename__ = "video_analysis"
    __table_args__ = (
        Index("idx_video_athlete_id", "athlete_id"),
        Index("idx_video_session_id", "session_id"),
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
    status: Mapped[str | None] = mapped_column(String(50), server_default=text("'pending'"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
