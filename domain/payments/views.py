"""What /payments shows: a payer's history, a coach's earnings by month, the admins' overview.

Money is summed per currency, never across: a coach paid in Stars and in euros sees two lines.
A refund counts against the payment it returns, in the month that payment came in, so a month's
net is what the coach kept of what was paid that month.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.orm import aliased

from domain.models import Athlete, Payment, PaymentStatus, TrainingSession, User
from domain.policy import Action, Actor, System, require
from domain.uow import Transaction, UnitOfWork

# Payments whose money arrived; of those, the ones given back or still to give back.
CAME_IN = (PaymentStatus.COMPLETED, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED)
RETURNED = (PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED)
HISTORY_LENGTH = 50


@dataclass(frozen=True)
class PaymentLine:
    """One payment as its payer sees it."""

    payment_id: uuid.UUID
    paid_at: datetime
    amount: Decimal
    currency: str
    status: str  # completed, refund_due, refunded, failed or pending
    session_id: uuid.UUID | None
    session_start: datetime | None
    coach_name: str
    athlete_name: str
    refunded_at: datetime | None


@dataclass(frozen=True)
class MonthTotal:
    """A coach's takings in one currency in one month (of their own calendar)."""

    month: date  # its first day
    currency: str
    received: Decimal
    refunded: Decimal
    payments: int

    @property
    def net(self) -> Decimal:
        """What the coach kept: received minus refunded."""
        return self.received - self.refunded


@dataclass(frozen=True)
class CurrencyTotal:
    """Everything paid in one currency, ever."""

    currency: str
    received: Decimal
    refunded: Decimal
    payments: int

    @property
    def net(self) -> Decimal:
        """What was kept: received minus refunded."""
        return self.received - self.refunded


@dataclass(frozen=True)
class RefundDue:
    """A provider payment an admin must return by hand (bots cannot refund card payments)."""

    payment_id: uuid.UUID
    session_id: uuid.UUID | None
    paid_at: datetime
    amount: Decimal
    currency: str
    payer_name: str
    coach_name: str
    telegram_charge_id: str | None
    provider_charge_id: str | None  # what the provider's dashboard finds the charge by


@dataclass(frozen=True)
class AdminOverview:
    """Totals by currency, the refunds waiting for an admin, and how many payments failed."""

    totals: list[CurrencyTotal]
    refunds_due: list[RefundDue]
    failed: int


async def payer_history(
    uow: UnitOfWork, *, actor: Actor, limit: int = HISTORY_LENGTH
) -> list[PaymentLine]:
    """The actor's own payments, newest first."""
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
        .where(Payment.payer_id == actor.user_id)
        .order_by(Payment.created_at.desc(), Payment.id)
        .limit(limit)
    )
    async with uow as tx:
        rows = (await tx.session.execute(query)).all()
    return [
        PaymentLine(
            payment_id=payment.id,
            paid_at=payment.created_at,
            amount=payment.amount,
            currency=payment.currency or "",
            status=payment.status or "",
            session_id=payment.session_id,
            session_start=start,
            coach_name=_name(first, last),
            athlete_name=athlete or "",
            refunded_at=payment.refunded_at,
        )
        for payment, start, first, last, athlete in rows
    ]


async def coach_earnings(uow: UnitOfWork, *, actor: Actor) -> list[MonthTotal]:
    """What the actor was paid as a coach, per month of their own time zone and currency."""
    async with uow as tx:
        zone = await tx.session.scalar(select(User.timezone).where(User.id == actor.user_id))
        local = func.timezone(zone or "UTC", Payment.created_at)
        month = cast(func.date_trunc("month", local), Date).label("month")
        query = (
            select(month, Payment.currency, *_sums())
            .where(Payment.recipient_id == actor.user_id, Payment.status.in_(CAME_IN))
            # By the label: the zone is a parameter, and Postgres cannot tell that two
            # parameters (one in the select list, one here) are the same expression.
            .group_by("month", Payment.currency)
            .order_by(month.desc(), Payment.currency)
        )
        rows = (await tx.session.execute(query)).all()
    return [
        MonthTotal(month=first_day, currency=currency, received=got, refunded=back, payments=n)
        for first_day, currency, got, back, n in rows
    ]


async def admin_overview(uow: UnitOfWork, *, admin: Actor) -> AdminOverview:
    """Totals by currency, refunds due (oldest first) and the failed count; admins only."""
    require(admin, Action.ADMIN_COMMAND, System())
    totals = (
        select(Payment.currency, *_sums())
        .where(Payment.status.in_(CAME_IN))
        .group_by(Payment.currency)
        .order_by(Payment.currency)
    )
    failed = select(func.count()).where(Payment.status == PaymentStatus.FAILED)
    async with uow as tx:
        total_rows = (await tx.session.execute(totals)).all()
        refunds = await _refunds_due(tx)
        failed_count = await tx.session.scalar(failed.select_from(Payment)) or 0
    return AdminOverview(
        totals=[CurrencyTotal(c, got, back, n) for c, got, back, n in total_rows],
        refunds_due=refunds,
        failed=failed_count,
    )


async def _refunds_due(tx: Transaction) -> list[RefundDue]:
    payer, coach = aliased(User), aliased(User)
    query = (
        select(Payment, payer.first_name, payer.last_name, coach.first_name, coach.last_name)
        .outerjoin(payer, payer.id == Payment.payer_id)
        .outerjoin(coach, coach.id == Payment.recipient_id)
        .where(Payment.status == PaymentStatus.REFUND_DUE)
        .order_by(Payment.created_at, Payment.id)
    )
    return [
        RefundDue(
            payment_id=payment.id,
            session_id=payment.session_id,
            paid_at=payment.created_at,
            amount=payment.amount,
            currency=payment.currency or "",
            payer_name=_name(payer_first, payer_last),
            coach_name=_name(coach_first, coach_last),
            telegram_charge_id=payment.transaction_id,
            provider_charge_id=payment.provider_charge_id,
        )
        for payment, payer_first, payer_last, coach_first, coach_last in (
            await tx.session.execute(query)
        )
    ]


def _sums() -> tuple[ColumnElement[Decimal], ColumnElement[Decimal], ColumnElement[int]]:
    zero = Decimal(0)
    return (
        func.coalesce(func.sum(Payment.amount), zero),
        func.coalesce(func.sum(Payment.amount).filter(Payment.status.in_(RETURNED)), zero),
        func.count(),
    )


def _name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)
