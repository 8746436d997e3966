"""Every SQL statement of the payments capability: payments by session or charge, the sessions
left unpaid, and the sums /payments shows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, Row, cast, func, select
from sqlalchemy.orm import aliased

from domain.booking.sessions import GROUP
from domain.models import (
    HOLDING_THE_SESSION,
    Athlete,
    Coach,
    Payment,
    PaymentStatus,
    SessionPaymentStatus,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.uow import Transaction

# Payments whose money arrived; of those, the ones given back or still to give back.
CAME_IN = (PaymentStatus.COMPLETED, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED)
RETURNED = (PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED)


async def completed_payment_of(tx: Transaction, session_id: uuid.UUID) -> Payment | None:
    """The session's completed payment, if it has one."""
    return await tx.session.scalar(
        select(Payment).where(
            Payment.session_id == session_id, Payment.status == PaymentStatus.COMPLETED
        )
    )


async def place_taken(tx: Transaction, session_id: uuid.UUID) -> bool:
    """Whether a payment already holds the session's one place (`HOLDING_THE_SESSION`)."""
    held = select(Payment.id).where(
        Payment.session_id == session_id, Payment.status.in_(HOLDING_THE_SESSION)
    )
    return await tx.session.scalar(held.exists().select()) or False


async def by_charge(tx: Transaction, telegram_charge_id: str) -> Payment | None:
    """The payment of one Telegram charge, if recorded."""
    return await tx.session.scalar(
        select(Payment).where(Payment.transaction_id == telegram_charge_id)
    )


async def next_unpaid_past_due(tx: Transaction, now: datetime) -> uuid.UUID | None:
    """The next unpaid session past its deadline and not started, locked; locked ones skipped."""
    return await tx.session.scalar(
        select(TrainingSession.id)
        .join(Coach, Coach.id == TrainingSession.coach_id)
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.payment_status == SessionPaymentStatus.PENDING,
            TrainingSession.payment_due_at <= now,
            TrainingSession.start_time > now,
            # Group places are not invoiced, so nobody could have paid them in time.
            TrainingSession.session_type != GROUP,
            Coach.user_id.is_not(None),  # load_session needs the coach's user
        )
        .order_by(TrainingSession.payment_due_at, TrainingSession.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=TrainingSession)
    )


async def payer_history(
    tx: Transaction, payer_id: uuid.UUID, limit: int
) -> Sequence[Row[tuple[Payment, datetime | None, str | None, str | None, str | None]]]:
    """A payer's payments, newest first: (payment, session start, coach's first and last
    name, athlete's first name)."""
    coach_user, athlete_user = aliased(User), aliased(User)
    query = (
        select(
            Payment,
            TrainingSession.start_time,
            coach_user.first_name,
            coach_user.last_name,
            athlete_user.first_name,
        )
        .outerjoin(TrainingSession, TrainingSession.id == Payment.session_id)
        .outerjoin(coach_user, coach_user.id == Payment.recipient_id)
        .outerjoin(Athlete, Athlete.id == TrainingSession.athlete_id)
        .outerjoin(athlete_user, athlete_user.id == Athlete.user_id)
        .where(Payment.payer_id == payer_id)
        .order_by(Payment.created_at.desc(), Payment.id)
        .limit(limit)
    )
    return (await tx.session.execute(query)).all()


async def earnings_by_month(
    tx: Transaction, recipient_id: uuid.UUID, zone: str
) -> Sequence[Row[tuple[date, str, Decimal, Decimal, int]]]:
    """(first day of the month in `zone`, currency, received, refunded, payments), newest first."""
    local = func.timezone(zone, Payment.created_at)
    month = cast(func.date_trunc("month", local), Date).label("month")
    query = (
        select(month, Payment.currency, *_sums())
        .where(Payment.recipient_id == recipient_id, Payment.status.in_(CAME_IN))
        # By the label: the zone is a parameter, and Postgres cannot tell that two
        # parameters (one in the select list, one here) are the same expression.
        .group_by("month", Payment.currency)
        .order_by(month.desc(), Payment.currency)
    )
    return (await tx.session.execute(query)).all()


async def totals_by_currency(
    tx: Transaction,
) -> Sequence[Row[tuple[str, Decimal, Decimal, int]]]:
    """(currency, received, refunded, payments) of everything that came in."""
    query = (
        select(Payment.currency, *_sums())
        .where(Payment.status.in_(CAME_IN))
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    )
    return (await tx.session.execute(query)).all()


async def failed_count(tx: Transaction) -> int:
    """How many payments failed."""
    failed = select(func.count()).where(Payment.status == PaymentStatus.FAILED)
    return await tx.session.scalar(failed.select_from(Payment)) or 0


async def refunds_due(
    tx: Transaction,
) -> Sequence[Row[tuple[Payment, str | None, str | None, str | None, str | None]]]:
    """Payments an admin must return, oldest first: (payment, payer's first and last name,
    coach's first and last name)."""
    payer, coach = aliased(User), aliased(User)
    query = (
        select(Payment, payer.first_name, payer.last_name, coach.first_name, coach.last_name)
        .outerjoin(payer, payer.id == Payment.payer_id)
        .outerjoin(coach, coach.id == Payment.recipient_id)
        .where(Payment.status == PaymentStatus.REFUND_DUE)
        .order_by(Payment.created_at, Payment.id)
    )
    return (await tx.session.execute(query)).all()


def _sums() -> tuple[ColumnElement[Decimal], ColumnElement[Decimal], ColumnElement[int]]:
    zero = Decimal(0)
    return (
        func.coalesce(func.sum(Payment.amount), zero),
        func.coalesce(func.sum(Payment.amount).filter(Payment.status.in_(RETURNED)), zero),
        func.count(),
    )
