"""Tables the service itself needs: the audit trail and the notifications outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk


class AuditEntry(Base):
    """Who did what to which record, for sensitive operations."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("idx_audit_entity", "entity", "entity_id"),
        Index("idx_audit_actor_at", "actor_id", "at"),
    )

    id: Mapped[UuidPk]
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NotificationKind(StrEnum):
    """What a notification is: each is worded by `notification.<kind>` in the catalogue, or
    sent by a Bot API call of its own (an invoice, a Stars refund, a video)."""

    BOOKING_REQUEST = "booking_request"
    BOOKING_REQUESTED = "booking_requested"
    BOOKING_NEW = "booking_new"
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_ACCEPTED = "booking_accepted"
    BOOKING_DECLINED = "booking_declined"
    CALENDAR_FILE = "calendar_file"
    GROUP_JOINED = "group_joined"
    GROUP_LEFT = "group_left"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_RESCHEDULED = "session_rescheduled"
    SESSION_RELEASED = "session_released"
    REMINDER_24H = "reminder_24h"
    REMINDER_1H = "reminder_1h"
    SESSION_FOLLOWUP = "session_followup"
    SESSION_FOLLOWUP_COACH = "session_followup_coach"
    DIGEST = "digest"
    INVOICE = "invoice"
    PAYMENT_PROMPT = "payment_prompt"
    PAYMENT_PROMPT_LAST = "payment_prompt_last"
    PAYMENT_RECEIPT = "payment_receipt"
    PAYMENT_RECEIVED = "payment_received"
    STAR_REFUND = "star_refund"
    PERSONAL_BEST = "personal_best"
    PERSONAL_BEST_COACH = "personal_best_coach"
    PERSONAL_BEST_WITHDRAWN = "personal_best_withdrawn"
    PERSONAL_BEST_WITHDRAWN_LAST = "personal_best_withdrawn_last"
    WEEKLY_SUMMARY = "weekly_summary"
    VIDEO_ANALYZED = "video_analyzed"
    VIDEO_FAILED = "video_failed"
    VIDEO_REVIEW = "video_review"
    VIDEO_FEEDBACK = "video_feedback"
    MENTOR_REQUEST = "mentor_request"
    MENTOR_APPROVED = "mentor_approved"
    MENTOR_APPROVED_VIDEOS = "mentor_approved_videos"
    MENTOR_DECLINED = "mentor_declined"
    VIDEO_CONSENT_REQUEST = "video_consent_request"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_RESTORED = "account_restored"
    # Issue 16: a program day (rendered when sent, `handlers.programs.delivery`), the receipts
    # of a program bought, and a program's weekly digest to its coach.
    PROGRAM_DAY = "program_day"
    PROGRAM_RECEIPT = "program_receipt"
    PROGRAM_SOLD = "program_sold"
    PROGRAM_DIGEST = "program_digest"
    PROGRAM_NOTE = "program_note"


class Notification(Base):
    """A message to send later (reminder, prompt, notice); `dedup_key` makes it idempotent."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The sender only ever scans what is still unsent, oldest due first.
        Index("idx_notifications_due", "due_at", postgresql_where=text("sent_at IS NULL")),
        Index("idx_notifications_recipient", "recipient_id"),
        # A session that moves or is cancelled drops its unsent reminders by this key.
        Index(
            "idx_notifications_unsent_session",
            text("(payload ->> 'session_id')"),
            postgresql_where=text("sent_at IS NULL"),
        ),
        # An undone value's personal-best notices: the unsent to drop, the sent to correct.
        Index(
            "idx_notifications_best_metric",
            text("(payload ->> 'metric_id')"),
            postgresql_where=text("kind IN ('personal_best', 'personal_best_coach')"),
        ),
    )

    id: Mapped[UuidPk]
    recipient_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
