"""Buying a program in chat, through the payments flow sessions use: an invoice (Telegram Stars,
or the program's currency with a provider token), the pre-checkout check, and the payment
recorded once per Telegram charge with the enrolment it buys, in one transaction.

The invoice payload names the program, the athlete and the start date
(`prg:<program>:<athlete>:<yyyymmdd>`, 58 bytes of Telegram's 128), so the payment alone says
what to enrol. Pre-checkout checks again as things are then: the program still published at the
invoiced price, the payer still the athlete's side, the athlete not already following it.
Money Telegram took for an enrolment that cannot be made any more (enrolled meanwhile by a
second invoice, the program unpublished in the seconds between) is recorded and given back, as
for sessions (`domain.payments.records.give_back`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain import policy
from domain.currencies import STARS, from_minor, money_value, to_minor
from domain.errors import AlreadyExists, DomainError, NotFound
from domain.models import (
    EnrolmentHow,
    NotificationKind,
    Payment,
    PaymentStatus,
    ProgramStatus,
    TrainingProgram,
    User,
)
from domain.payments.checkout import (
    PaymentConfig,
    PaymentRefused,
    require_amount_invoiced,
    require_payer,
    stars_for,
)
from domain.payments.records import give_back
from domain.policy import Action, Actor, AthleteTarget
from domain.programs.following import queries
from domain.programs.following.enrolments import (
    AlreadyEnrolled,
    Enrolled,
    NotEnrollable,
    enrol,
    is_paid,
    local_today,
    require_start,
    start_enrolment,
)
from domain.short_ids import parse_id, short_id
from domain.uow import Transaction, UnitOfWork

PAYLOAD_PREFIX = "prg:"
PAYMENT_TYPE = "program"
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ProgramInvoice:
    """What sendInvoice needs for one program, for one athlete, from one date."""

    payload: str
    title: str
    coach_name: str
    weeks: int
    currency: str
    amount: int  # smallest unit
    price: Decimal
    price_currency: str
    provider_token: str | None = field(repr=False)


@dataclass(frozen=True)
class Order:
    """What an invoice payload names."""

    program_id: uuid.UUID
    athlete_id: uuid.UUID
    start: date


@dataclass(frozen=True)
class Bought:
    """A recorded program payment and its enrolment; `already_recorded` for a redelivery."""

    payment_id: uuid.UUID
    enrolment_id: uuid.UUID | None
    program_title: str
    start: date
    already_recorded: bool


def payload_for(order: Order) -> str:
    """The invoice payload naming a program, an athlete and a start date."""
    day = order.start.strftime("%Y%m%d")
    return f"{PAYLOAD_PREFIX}{short_id(order.program_id)}:{short_id(order.athlete_id)}:{day}"


def is_program_payload(payload: str) -> bool:
    """Whether an invoice payload is a program's (else a session's, or not ours)."""
    return payload.startswith(PAYLOAD_PREFIX)


def order_of(payload: str) -> Order:
    """The order a payload names; PaymentRefused for anything we did not issue."""
    parts = payload.removeprefix(PAYLOAD_PREFIX).split(":")
    if not is_program_payload(payload) or len(parts) != 3:
        raise PaymentRefused("payment.error.unknown_invoice")
    program_id, athlete_id = parse_id(parts[0]), parse_id(parts[1])
    try:
        start = datetime.strptime(parts[2], "%Y%m%d").date()
    except ValueError:
        start = None
    if program_id is None or athlete_id is None or start is None:
        raise PaymentRefused("payment.error.unknown_invoice")
    return Order(program_id, athlete_id, start)


def charge(program: TrainingProgram, config: PaymentConfig) -> tuple[str, int]:
    """The currency and amount (smallest unit) the program costs now."""
    price = program.price or Decimal(0)
    stars = stars_for(price, config)
    if stars is not None:
        return STARS, stars
    return program.currency.upper(), to_minor(price, program.currency)


async def invoice(
    uow: UnitOfWork, *, actor: Actor, order: Order, config: PaymentConfig, now: datetime
) -> ProgramInvoice:
    """The invoice for enrolling an athlete in a priced program (checked as for a free one)."""
    policy.require(actor, Action.ENROL_IN_PROGRAM, AthleteTarget(order.athlete_id))
    require_start(order.start, local_today(now, actor.timezone) - _ONE_DAY)
    async with uow as tx:
        program, coach_user = await _sellable(tx, order)
    currency, amount = charge(program, config)
    return ProgramInvoice(
        payload=payload_for(order),
        title=program.title,
        coach_name=coach_user.first_name,
        weeks=program.duration_weeks or 1,
        currency=currency,
        amount=amount,
        price=program.price or Decimal(0),
        price_currency=program.currency,
        provider_token=config.provider_token,
    )


async def enrol_or_invoice(
    uow: UnitOfWork,
    *,
    actor: Actor,
    order: Order,
    config: PaymentConfig,
    now: datetime,
) -> Enrolled | ProgramInvoice:
    """A free program enrols the athlete now; a priced one gives the invoice to pay first."""
    async with uow as tx:
        found = await queries.program_with_coach(tx, order.program_id)
    if found is not None and is_paid(found[0]):
        return await invoice(uow, actor=actor, order=order, config=config, now=now)
    return await enrol(
        uow,
        actor=actor,
        program_id=order.program_id,
        athlete_id=order.athlete_id,
        start=order.start,
        now=now,
    )


async def _sellable(tx: Transaction, order: Order) -> tuple[TrainingProgram, User]:
    found = await queries.program_with_coach(tx, order.program_id)
    if found is None:
        raise NotFound("no such program")
    program, _coach, coach_user = found
    if program.status != ProgramStatus.PUBLISHED or program.current_version_id is None:
        raise NotEnrollable("not published")
    if not program.price:
        raise NotEnrollable("free program")
    if await queries.running_enrolment(tx, order.athlete_id, order.program_id) is not None:
        raise AlreadyEnrolled("enrolled already")
    return program, coach_user


async def check_pre_checkout(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    invoice_payload: str,
    currency: str,
    total_amount: int,
    config: PaymentConfig,
) -> None:
    """Pass silently if this person may buy this program for this athlete now, as invoiced."""
    order = order_of(invoice_payload)
    async with uow as tx:
        await require_payer(tx, telegram_user_id, [order.athlete_id], Action.ENROL_IN_PROGRAM)
        try:
            program, _coach_user = await _sellable(tx, order)
        except AlreadyEnrolled:
            raise PaymentRefused("training.error.already_enrolled") from None
        except (NotEnrollable, NotFound):
            raise PaymentRefused("training.error.not_enrollable") from None
    require_amount_invoiced(lambda: charge(program, config), currency, total_amount)


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
) -> Bought:
    """Record a program payment once per Telegram charge and enrol the athlete it names."""
    order = order_of(invoice_payload)
    try:
        return await _record(
            uow,
            order,
            telegram_user_id,
            currency,
            total_amount,
            telegram_charge_id,
            provider_charge_id,
            now,
        )
    except AlreadyExists:
        # A concurrent delivery of the same update recorded this charge a moment ago.
        async with uow as tx:
            known = await queries.payment_by_charge(tx, telegram_charge_id)
            if known is None:
                raise
            enrolment = await queries.enrolment_of_payment(tx, known.id)
        return Bought(known.id, enrolment.id if enrolment else None, "", order.start, True)


async def _record(
    uow: UnitOfWork,
    order: Order,
    telegram_user_id: int,
    currency: str,
    total_amount: int,
    charge_id: str,
    provider_charge_id: str | None,
    now: datetime,
) -> Bought:
    async with uow as tx:
        if (known := await queries.payment_by_charge(tx, charge_id)) is not None:
            enrolment = await queries.enrolment_of_payment(tx, known.id)
            return Bought(known.id, enrolment.id if enrolment else None, "", order.start, True)
        found = await queries.program_with_coach(tx, order.program_id)
        if found is None:
            raise PaymentRefused("payment.error.unknown_invoice")
        program, _coach, coach_user = found
        payer = await tx.users.by_telegram_id(telegram_user_id)
        payment = Payment(
            id=uuid.uuid4(),
            payer_id=payer.id if payer else None,
            recipient_id=coach_user.id,
            amount=from_minor(total_amount, currency.upper()),
            currency=currency.upper(),
            status=PaymentStatus.COMPLETED,
            payment_type=PAYMENT_TYPE,
            program_id=program.id,
            transaction_id=charge_id,
            provider_charge_id=provider_charge_id or None,
            created_at=now,
        )
        tx.payments.add(payment)
        await tx.flush()
        try:
            if program.status != ProgramStatus.PUBLISHED:
                raise NotEnrollable("unpublished meanwhile")
            async with tx.session.begin_nested():
                enrolment = await start_enrolment(
                    tx,
                    program=program,
                    athlete_id=order.athlete_id,
                    start=order.start,
                    by=payer.id if payer else None,
                    how=EnrolmentHow.PAID,
                    payment_id=payment.id,
                )
        except (AlreadyEnrolled, NotEnrollable, AlreadyExists) as err:
            raise await _send_back(tx, payment, payer, now, err) from None
        _audit(tx, payment, "payment.completed")
        await _receipts(tx, payment, program, coach_user.id, now)
        await tx.commit()
    return Bought(payment.id, enrolment.id, program.title, order.start, False)


async def _send_back(
    tx: Transaction, payment: Payment, payer: User | None, now: datetime, err: DomainError
) -> PaymentRefused:
    outcome = await give_back(tx, payment, payer, now)
    _audit(tx, payment, f"payment.{outcome}", reason=err.message_key)
    await tx.commit()
    return PaymentRefused(
        err.message_key, refund=outcome, amount=money_value(payment.amount, payment.currency)
    )


async def _receipts(
    tx: Transaction,
    payment: Payment,
    program: TrainingProgram,
    coach_user_id: uuid.UUID,
    now: datetime,
) -> None:
    facts = {
        "program": program.title,
        "amount": money_value(payment.amount, payment.currency or ""),
    }
    if payment.payer_id is not None:
        await tx.outbox.enqueue(
            recipient_id=payment.payer_id,
            kind=NotificationKind.PROGRAM_RECEIPT,
            dedup_key=f"{NotificationKind.PROGRAM_RECEIPT}:{payment.id}",
            payload=facts,
            due_at=now,
        )
    await tx.outbox.enqueue(
        recipient_id=coach_user_id,
        kind=NotificationKind.PROGRAM_SOLD,
        dedup_key=f"{NotificationKind.PROGRAM_SOLD}:{payment.id}",
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
            "program_id": str(payment.program_id),
            "amount": str(payment.amount),
            "currency": payment.currency,
            "charge_id": payment.transaction_id,
            **more,
        },
    )
