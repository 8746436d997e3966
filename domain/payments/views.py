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

from domain.payments import queries
from domain.people.queries import timezone_and_units
from domain.policy import Action, Actor, System, require
from domain.uow import Transaction, UnitOfWork

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
    payment_type: str = ""  # session, program, pack or team_fee


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
    async with uow as tx:
        return await history_in(tx, actor.user_id, limit)


async def history_in(
    tx: Transaction, payer_id: uuid.UUID, limit: int = HISTORY_LENGTH
) -> list[PaymentLine]:
    """A payer's payments, newest first, inside the caller's transaction."""
    rows = await queries.payer_history(tx, payer_id, limit)
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
            payment_type=payment.payment_type or "",
        )
        for payment, start, first, last, athlete in rows
    ]


async def coach_earnings(uow: UnitOfWork, *, actor: Actor) -> list[MonthTotal]:
    """What the actor was paid as a coach, per month of their own time zone and currency."""
    async with uow as tx:
        zone, _ = await timezone_and_units(tx, actor.user_id)
        rows = await queries.earnings_by_month(tx, actor.user_id, zone or "UTC")
    return [
        MonthTotal(month=first_day, currency=currency, received=got, refunded=back, payments=n)
        for first_day, currency, got, back, n in rows
    ]


async def admin_overview(uow: UnitOfWork, *, admin: Actor) -> AdminOverview:
    """Totals by currency, refunds due (oldest first) and the failed count; admins only."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        total_rows = await queries.totals_by_currency(tx)
        refunds = await _refunds_due(tx)
        failed_count = await queries.failed_count(tx)
    return AdminOverview(
        totals=[CurrencyTotal(c, got, back, n) for c, got, back, n in total_rows],
        refunds_due=refunds,
        failed=failed_count,
    )


async def _refunds_due(tx: Transaction) -> list[RefundDue]:
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
            await queries.refunds_due(tx)
        )
    ]


def _name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)
