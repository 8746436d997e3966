"""Payments for sessions and programs."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Numeric, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, CreatedAt, UpdatedAt, UuidPk, one_of


class PaymentStatus(StrEnum):
    """What became of money paid: taken, or returned by the bot or (due) by an admin."""

    PENDING = "pending"
    COMPLETED = "completed"
    REFUND_DUE = "refund_due"
    REFUNDED = "refunded"
    FAILED = "failed"


# A payment holding its session's one place: the session counts as paid by it.
HOLDING_THE_SESSION = (PaymentStatus.COMPLETED, PaymentStatus.REFUND_DUE)


class Payment(Base):
    """Money moving from a payer to a recipient for a session or a program."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("idx_payments_payer", "payer_id"),
        Index("idx_payments_recipient", "recipient_id"),
        Index("idx_payments_status", "status"),
        CheckConstraint(one_of("status", PaymentStatus), name="status"),
        # A session is paid once: a second completed payment for it is refused by the database.
        Index(
            "uq_payments_session_completed",
            "session_id",
            unique=True,
            postgresql_where=text(one_of("status", HOLDING_THE_SESSION)),
        ),
    )

    id: Mapped[UuidPk]
    payer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id"))
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id")
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    currency: Mapped[str | None] = mapped_column(String(3), server_default=text("'USD'"))
    status: Mapped[str | None] = mapped_column(
        String(50), server_default=text(f"'{PaymentStatus.PENDING}'")
    )
    payment_type: Mapped[str | None] = mapped_column(String(50))
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_sessions.id")
    )
    program_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("training_programs.id")
    )
    # Telegram's telegram_payment_charge_id: unique, so a redelivered update adds no row.
    transaction_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_method_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    # The payment provider's own charge id (empty for Telegram Stars).
    provider_charge_id: Mapped[str | None] = mapped_column(String(255))
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The payment provider's reference of a refund an admin made by hand (issue 18).
    refund_reference: Mapped[str | None] = mapped_column(String(255))
