"""Money an admin handles by hand: card refunds marked done with the provider's reference, and
CSV exports of sessions, payments and people for a date range (formula-guarded cells)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import Row

from domain.adapters.csv_files import csv_bytes
from domain.admin import queries
from domain.admin.admins import full_name
from domain.errors import InvalidInput, NotFound
from domain.models import PaymentStatus, User
from domain.policy import Action, Actor, System, require
from domain.timezones import zone_of
from domain.uow import UnitOfWork

REFERENCE_LENGTH = (3, 255)
MAX_EXPORT_DAYS = 366


class ExportKind(StrEnum):
    """What an admin can export."""

    SESSIONS = "sessions"
    PAYMENTS = "payments"
    PEOPLE = "people"


@dataclass(frozen=True)
class RefundDone:
    """A refund due, now recorded as made."""

    payment_id: uuid.UUID
    amount: str
    currency: str
    reference: str


class NotDue(InvalidInput):
    """The payment is not (or no longer) a refund due: done already, or never was one."""

    message_key = "admin.error.refund_not_due"


class BadReference(InvalidInput):
    """The provider's reference is empty or too long."""

    message_key = "admin.error.bad_reference"


class BadRange(InvalidInput):
    """The dates are not a range we export."""

    message_key = "admin.error.bad_range"


async def check_refund_due(uow: UnitOfWork, *, admin: Actor, payment_id: uuid.UUID) -> None:
    """Raise unless the admin may mark this payment refunded now (NotDue once it is done)."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        payment = await tx.payments.find(payment_id)
    if payment is None:
        raise NotFound("payment")
    if payment.status != PaymentStatus.REFUND_DUE:
        raise NotDue("not due", status=payment.status)


async def mark_refunded(
    uow: UnitOfWork, *, admin: Actor, payment_id: uuid.UUID, reference: str, now: datetime
) -> RefundDone:
    """Record that an admin returned this card payment through the provider (audited)."""
    require(admin, Action.ADMIN_COMMAND, System())
    reference = " ".join(reference.split())
    if not REFERENCE_LENGTH[0] <= len(reference) <= REFERENCE_LENGTH[1]:
        raise BadReference("reference length", low=REFERENCE_LENGTH[0], high=REFERENCE_LENGTH[1])
    async with uow as tx:
        payment = await queries.payment_for_update(tx, payment_id)
        if payment is None:
            raise NotFound("payment")
        if payment.status != PaymentStatus.REFUND_DUE:
            raise NotDue("not due", status=payment.status)
        payment.status = PaymentStatus.REFUNDED
        payment.refunded_at = now
        payment.refund_reference = reference
        tx.audit.record(
            actor_id=admin.user_id,
            action="payment.refund_done",
            entity="payment",
            entity_id=payment.id,
            details={
                "reference": reference,
                "amount": str(payment.amount),
                "currency": payment.currency,
                "charge_id": payment.provider_charge_id or payment.transaction_id,
            },
        )
        await tx.commit()
    return RefundDone(payment.id, str(payment.amount), payment.currency or "", reference)


async def export(
    uow: UnitOfWork,
    *,
    admin: Actor,
    kind: ExportKind,
    first_day: date,
    last_day: date,
    timezone: str,
) -> bytes:
    """The rows of one kind in the admin's local days [first_day, last_day] as CSV (audited)."""
    require(admin, Action.ADMIN_COMMAND, System())
    if last_day < first_day or (last_day - first_day).days >= MAX_EXPORT_DAYS:
        raise BadRange("range", days=MAX_EXPORT_DAYS)
    zone = zone_of(timezone)
    since = datetime.combine(first_day, datetime.min.time(), zone)
    until = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone)
    async with uow as tx:
        if kind == ExportKind.SESSIONS:
            data = _sessions(await queries.sessions_between(tx, since, until), zone)
        elif kind == ExportKind.PAYMENTS:
            data = _payments(await queries.payments_between(tx, since, until), zone)
        else:
            data = _people(await queries.people_between(tx, since, until), zone)
        tx.audit.record(
            actor_id=admin.user_id,
            action="export.downloaded",
            entity="export",
            entity_id=None,
            details={"kind": kind.value, "from": first_day.isoformat(), "to": last_day.isoformat()},
        )
        await tx.commit()
    return data


def _when(at: datetime | None, zone: tzinfo) -> str:
    return at.astimezone(zone).isoformat(timespec="seconds") if at else ""


SESSION_HEADER = (
    "session_id",
    "starts_at",
    "ends_at",
    "status",
    "type",
    "coach",
    "athlete",
    "price",
    "currency",
    "payment_status",
    "cancel_reason",
)
PAYMENT_HEADER = (
    "payment_id",
    "paid_at",
    "status",
    "amount",
    "currency",
    "payer",
    "recipient",
    "session_id",
    "charge_id",
    "provider_charge_id",
    "refunded_at",
    "refund_reference",
)
PEOPLE_HEADER = (
    "user_id",
    "signed_up_at",
    "role",
    "status",
    "first_name",
    "last_name",
    "language",
    "timezone",
)


def _sessions(rows: Sequence[Row[Any]], zone: tzinfo) -> bytes:
    return csv_bytes(
        SESSION_HEADER,
        (
            (
                str(s.id),
                _when(s.start_time, zone),
                _when(s.end_time, zone),
                s.status,
                s.session_type,
                full_name(cf, cl),
                full_name(af, al),
                s.price if s.price is not None else "",
                currency or "",
                s.payment_status,
                s.cancel_reason or "",
            )
            for s, cf, cl, af, al, currency in rows
        ),
    )


def _payments(rows: Sequence[Row[Any]], zone: tzinfo) -> bytes:
    return csv_bytes(
        PAYMENT_HEADER,
        (
            (
                str(p.id),
                _when(p.created_at, zone),
                p.status,
                p.amount,
                p.currency or "",
                full_name(pf, pl),
                full_name(rf, rl),
                str(p.session_id or ""),
                p.transaction_id or "",
                p.provider_charge_id or "",
                _when(p.refunded_at, zone),
                p.refund_reference or "",
            )
            for p, pf, pl, rf, rl in rows
        ),
    )


def _people(users: Sequence[User], zone: tzinfo) -> bytes:
    return csv_bytes(
        PEOPLE_HEADER,
        (
            (
                str(u.id),
                _when(u.created_at, zone),
                u.role,
                u.status or "active",
                u.first_name,
                u.last_name,
                u.language_code or "",
                u.timezone,
            )
            for u in users
        ),
    )
