"""Tables the service itself needs: the audit trail and the notifications outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of


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
    BROADCAST = "broadcast"
    # Issue 19: a team's coaches told who joined; a coach's message to the families (with Seen
    # and Reply) and to the linked group (rendered when sent, `handlers.clubs.delivery`); a
    # family's reply, to the coach who wrote.
    TEAM_MEMBER_JOINED = "team_member_joined"
    TEAM_COACH_JOINED = "team_coach_joined"
    TEAM_MESSAGE = "team_message"
    TEAM_GROUP_POST = "team_group_post"
    TEAM_REPLY = "team_reply"
    # Issue 19: "Will Leo come?" before each occurrence of a series, its reminder, and news of
    # an occurrence skipped or moved or of the series changed from a date.
    RSVP_REQUEST = "rsvp_request"
    RSVP_REMINDER = "rsvp_reminder"
    SERIES_SKIPPED = "series_skipped"
    SERIES_MOVED = "series_moved"
    SERIES_CHANGED = "series_changed"
    # Issue 19: a freed place in a full group session offered to the first in line, with
    # Accept / Decline and a deadline (`domain.booking.waitlist`).
    SEAT_OFFER = "seat_offer"
    # ... and, to those still in line, news that the session was called off.
    SEAT_LINE_CLOSED = "seat_line_closed"
    # Issue 19: packs bought (the payer's receipt, the coach's notice) and team fees asked
    # for, reminded of until paid, paid.
    PACK_RECEIPT = "pack_receipt"
    PACK_SOLD = "pack_sold"
    TEAM_FEE_REQUEST = "team_fee_request"
    TEAM_FEE_REMINDER = "team_fee_reminder"
    TEAM_FEE_RECEIPT = "team_fee_receipt"
    TEAM_FEE_PAID = "team_fee_paid"
    # Issue 17: the day's nutrition plan (rendered when sent, `handlers.nutrition.delivery`), a
    # meal's reminder, and the week's adherence with its chart.
    NUTRITION_DAY = "nutrition_day"
    NUTRITION_MEAL = "nutrition_meal"
    NUTRITION_WEEK = "nutrition_week"


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
        # A broadcast's progress counts its rows, and a cancel drops the unsent ones.
        Index(
            "idx_notifications_broadcast",
            text("(payload ->> 'broadcast_id')"),
            postgresql_where=text("kind = 'broadcast'"),
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


class BroadcastAudience(StrEnum):
    """broadcasts.audience: everyone, a role, the coaches of a sport, the families of a coach
    or of a team."""

    EVERYONE = "everyone"
    ROLE = "role"
    SPORT = "sport"
    COACH = "coach"
    TEAM = "team"


class BroadcastStatus(StrEnum):
    """broadcasts.status: a draft until confirmed, then sending until done or cancelled."""

    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Base):
    """An admin's message to many; each recipient's copy is an outbox row (kind `broadcast`)."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(one_of("audience", BroadcastAudience), name="audience"),
        CheckConstraint(one_of("status", BroadcastStatus), name="status"),
        # The progress job looks only at broadcasts still sending.
        Index("idx_broadcasts_sending", "id", postgresql_where=text("status = 'sending'")),
    )

    id: Mapped[UuidPk]
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    audience: Mapped[str] = mapped_column(String(10))
    # The role, the sport or the coach's id (as text) the audience names; NULL for everyone.
    audience_value: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'draft'"))
    recipients: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    skipped_blocked: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The admin's progress message, edited as the broadcast goes.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
