"""Buying a pack, and paying a team fee, through the payments flow programs use: an invoice
(Telegram Stars, or the price's currency with a provider token), the pre-checkout check, and
the payment recorded once per Telegram charge (`payments.transaction_id` is unique) with what
it buys, in one transaction: a `session_packs` row, or the fee due marked paid.

Payloads: `pck:<offer>:<athlete>` (a pack for that athlete), `fee:<due>` (one athlete's fee
for one period). Pre-checkout checks again as things are then: the pack still on sale at the
invoiced price, the due still unpaid, the payer still the athlete's side. Money taken for a due
paid meanwhile by another invoice is recorded and given back (`payments.records.give_back`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain import policy
from domain.clubs.packs import queries
from domain.currencies import STARS, from_minor, money_value, to_minor
from domain.errors import AlreadyExists, NotFound
from domain.models import NotificationKind, Payment, PaymentStatus, SessionPack, User
from domain.payments.checkout import (
    PaymentConfig,
    PaymentRefused,
    require_amount_invoiced,
    require_payer,
    stars_for,
)
from domain.payments.records import give_back
from domain.people.queries import first_names
from domain.policy import Action, Actor, AthleteTarget
from domain.short_ids import parse_id, short_id
from domain.uow import Transaction, UnitOfWork

PACK_PREFIX, FEE_PREFIX = "pck:", "fee:"
PACK, TEAM_FEE = "pack", "team_fee"  # payments.payment_type


@dataclass(frozen=True)
class Invoice:
    """What sendInvoice needs for a pack or a fee, for the bot to word in the payer's language."""

    kind: str  # PACK or TEAM_FEE
    payload: str
    name: str  # the pack's name, or the team's
    sessions: int  # a pack's sessions (0 for a fee)
    period: str  # a fee's period (season, month); "" for a pack
    currency: str
    amount: int  # smallest unit
    price: Decimal
    price_currency: str
    provider_token: str | None = field(repr=False)


@dataclass(frozen=True)
class Paid:
    """A payment recorded (or found recorded, for a redelivered update)."""

    payment_id: uuid.UUID
    kind: str
    already_recorded: bool


def is_ours(payload: str) -> bool:
    """Whether an invoice payload is a pack's or a fee's."""
    return payload.startswith((PACK_PREFIX, FEE_PREFIX))


def charge(price: Decimal, currency: str, config: PaymentConfig) -> tuple[str, int]:
    """The currency and amount (smallest unit) a price is charged as now."""
    stars = stars_for(price, config)
    if stars is not None:
        return STARS, stars
    return currency.upper(), to_minor(price, currency)


def _pack_order(payload: str) -> tuple[uuid.UUID, uuid.UUID]:
    parts = payload.removeprefix(PACK_PREFIX).split(":")
    ids = [parse_id(part) for part in parts]
    if not payload.startswith(PACK_PREFIX) or len(ids) != 2 or None in ids:
        raise PaymentRefused("payment.error.unknown_invoice")
    return ids[0], ids[1]  # type: ignore[return-value]


def _due_of(payload: str) -> uuid.UUID:
    due_id = parse_id(payload.removeprefix(FEE_PREFIX))
    if not payload.startswith(FEE_PREFIX) or due_id is None:
        raise PaymentRefused("payment.error.unknown_invoice")
    return due_id


async def pack_invoice(
    uow: UnitOfWork,
    *,
    actor: Actor,
    offer_id: uuid.UUID,
    athlete_id: uuid.UUID,
    config: PaymentConfig,
) -> Invoice:
    """The invoice for a pack for one of the actor's athletes."""
    policy.require(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(athlete_id))
    async with uow as tx:
        found = await queries.offer_with_coach(tx, offer_id)
    if found is None:
        raise NotFound("no such pack")
    offer = found[0]
    currency, amount = charge(offer.price, offer.currency, config)
    return Invoice(
        kind=PACK,
        payload=f"{PACK_PREFIX}{short_id(offer.id)}:{short_id(athlete_id)}",
        name=offer.name,
        sessions=offer.sessions,
        period="",
        currency=currency,
        amount=amount,
        price=offer.price,
        price_currency=offer.currency,
        provider_token=config.provider_token,
    )


async def fee_invoice(
    uow: UnitOfWork, *, actor: Actor, due_id: uuid.UUID, config: PaymentConfig
) -> Invoice:
    """The invoice for one athlete's fee; PaymentRefused once it is paid."""
    async with uow as tx:
        found = await queries.due_with_fee(tx, due_id)
    if found is None:
        raise NotFound("no such fee")
    due, fee, team = found
    policy.require(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(due.athlete_id))
    if due.payment_id is not None:
        raise PaymentRefused("fees.error.already_paid")
    currency, amount = charge(due.amount, due.currency, config)
    return Invoice(
        kind=TEAM_FEE,
        payload=f"{FEE_PREFIX}{short_id(due.id)}",
        name=team.name,
        sessions=0,
        period=fee.period,
        currency=currency,
        amount=amount,
        price=due.amount,
        price_currency=due.currency,
        provider_token=config.provider_token,
    )


async def check_pre_checkout(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    invoice_payload: str,
    currency: str,
    total_amount: int,
    config: PaymentConfig,
) -> None:
    """Pass silently if this person may pay this pack or fee now, as invoiced."""
    async with uow as tx:
        if invoice_payload.startswith(PACK_PREFIX):
            offer_id, athlete_id = _pack_order(invoice_payload)
            await require_payer(tx, telegram_user_id, [athlete_id], Action.BOOK_FOR_ATHLETE)
            found = await queries.offer_with_coach(tx, offer_id)
            if found is None:
                raise PaymentRefused("packs.error.not_on_sale")
            price, price_currency = found[0].price, found[0].currency
        else:
            row = await queries.due_with_fee(tx, _due_of(invoice_payload))
            if row is None:
                raise PaymentRefused("payment.error.unknown_invoice")
            await require_payer(tx, telegram_user_id, [row[0].athlete_id], Action.BOOK_FOR_ATHLETE)
            if row[0].payment_id is not None:
                raise PaymentRefused("fees.error.already_paid")
            price, price_currency = row[0].amount, row[0].currency
    require_amount_invoiced(lambda: charge(price, price_currency, config), currency, total_amount)


async def record_payment(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    invoice_payload: str,
    currency: str,
    total_amount: int,
    telegram_charge_id: str,
    provider_charge_id: str | None,
    now: datetime,
) -> Paid:
    """Record a pack's or a fee's payment once per Telegram charge, with what it buys."""
    charge_row = {
        "currency": currency.upper(),
        "amount": from_minor(total_amount, currency.upper()),
        "transaction_id": telegram_charge_id,
        "provider_charge_id": provider_charge_id or None,
    }
    try:
        async with uow as tx:
            known = await queries.payment_by_charge(tx, telegram_charge_id)
            if known is not None:
                return Paid(known.id, known.payment_type or "", already_recorded=True)
            payer = await tx.users.by_telegram_id(telegram_user_id)
            if invoice_payload.startswith(PACK_PREFIX):
                payment = await _buy_pack(tx, invoice_payload, payer, charge_row, now)
            else:
                payment = await _pay_fee(tx, _due_of(invoice_payload), payer, charge_row, now)
            await tx.commit()
    except AlreadyExists:
        # A concurrent delivery of the same update recorded this charge a moment ago.
        async with uow as tx:
            known = await queries.payment_by_charge(tx, telegram_charge_id)
        if known is None:
            raise
        return Paid(known.id, known.payment_type or "", already_recorded=True)
    return Paid(payment.id, payment.payment_type or "", already_recorded=False)


def _payment(
    payer: User | None, recipient: uuid.UUID, kind: str, row: dict[str, Any], now: datetime
) -> Payment:
    return Payment(
        id=uuid.uuid4(),
        payer_id=payer.id if payer else None,
        recipient_id=recipient,
        status=PaymentStatus.COMPLETED,
        payment_type=kind,
        created_at=now,
        **row,
    )


async def _buy_pack(
    tx: Transaction, payload: str, payer: User | None, row: dict[str, Any], now: datetime
) -> Payment:
    offer_id, athlete_id = _pack_order(payload)
    # Bought as invoiced, even if withdrawn in the seconds since the checkout.
    found = await queries.offer_with_coach(tx, offer_id, on_sale=False)
    if found is None:
        raise PaymentRefused("payment.error.unknown_invoice")
    offer, coach, coach_user = found
    payment = _payment(payer, coach_user.id, PACK, row, now)
    tx.payments.add(payment)
    await tx.flush()
    tx.session.add(
        SessionPack(
            id=uuid.uuid4(),
            offer_id=offer.id,
            coach_id=coach.id,
            athlete_id=athlete_id,
            payer_id=payment.payer_id,
            payment_id=payment.id,
            name=offer.name,
            sessions_total=offer.sessions,
            sessions_left=offer.sessions,
            bought_at=now,
            expires_at=now + timedelta(days=offer.valid_days),
        )
    )
    facts = {
        "pack": offer.name,
        "sessions": offer.sessions,
        "expires_date": (now + timedelta(days=offer.valid_days)).date().isoformat(),
        "amount": money_value(payment.amount, payment.currency or ""),
    }
    _audit(tx, payment, "payment.completed")
    await _receipts(tx, payment, coach_user.id, facts, PACK, now)
    return payment


async def _pay_fee(
    tx: Transaction, due_id: uuid.UUID, payer: User | None, row: dict[str, Any], now: datetime
) -> Payment:
    found = await queries.due_with_fee(tx, due_id, lock=True)
    if found is None:
        raise PaymentRefused("payment.error.unknown_invoice")
    due, fee, team = found
    coach_user = await queries.head_coach_user(tx, team.id)
    payment = _payment(payer, coach_user, TEAM_FEE, row, now)  # type: ignore[arg-type]
    if due.payment_id is not None:
        # Paid meanwhile through another invoice: recorded, and given back.
        outcome = await give_back(tx, payment, payer, now)
        tx.payments.add(payment)
        _audit(tx, payment, f"payment.{outcome}", reason="already_paid", due_id=str(due.id))
        await tx.commit()
        raise PaymentRefused(
            "fees.error.already_paid",
            refund=outcome,
            amount=money_value(payment.amount, payment.currency or ""),
        )
    tx.payments.add(payment)
    await tx.flush()
    due.payment_id, due.paid_at = payment.id, now
    await queries.drop_fee_notices(tx, due.id)
    facts = {
        "team": team.name,
        "period": fee.period,
        "period_date": due.period_start.isoformat(),
        "athlete": (await first_names(tx, [due.athlete_id])).get(due.athlete_id, ""),
        "amount": money_value(payment.amount, payment.currency or ""),
    }
    _audit(tx, payment, "payment.completed", due_id=str(due.id))
    if coach_user is not None:
        await _receipts(tx, payment, coach_user, facts, TEAM_FEE, now)
    return payment


_RECEIPTS = {
    PACK: (NotificationKind.PACK_RECEIPT, NotificationKind.PACK_SOLD),
    TEAM_FEE: (NotificationKind.TEAM_FEE_RECEIPT, NotificationKind.TEAM_FEE_PAID),
}


async def _receipts(
    tx: Transaction,
    payment: Payment,
    coach_user_id: uuid.UUID,
    facts: dict[str, object],
    kind: str,
    now: datetime,
) -> None:
    receipt, sold = _RECEIPTS[kind]
    if payment.payer_id is not None:
        await tx.outbox.enqueue(
            recipient_id=payment.payer_id,
            kind=receipt,
            dedup_key=f"{receipt}:{payment.id}",
            payload=facts,
            due_at=now,
        )
    await tx.outbox.enqueue(
        recipient_id=coach_user_id,
        kind=sold,
        dedup_key=f"{sold}:{payment.id}",
        payload=facts,
        due_at=now,
    )


def _audit(tx: Transaction, payment: Payment, action: str, **more: object) -> None:
    tx.audit.record(
        actor_id=payment.payer_id,
        action=action,
        entity="payment",
        entity_id=payment.id,
        details={
            "payment_type": payment.payment_type,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "charge_id": payment.transaction_id,
            **more,
        },
    )
