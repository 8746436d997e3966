"""Money that moved: a successful payment recorded, and a payment returned on cancellation.

Both run with the session row locked (`load_session(lock=True)`, also taken by every change to
a session), so a payment and a cancellation of one session never interleave: a payment either
arrives before the cancellation, which then refunds it, or after, when it finds the session off.

Telegram has taken the money by the time `successful_payment` arrives, so a payment is always
recorded, even one the session can no longer take (paid already through a second invoice,
cancelled or released a moment after the pre-checkout). Such a payment is returned at once:
Stars by the bot (`refundStarPayment`, queued as a STAR_REFUND row of the outbox and made when
that row is "sent"), provider payments by an admin (bots cannot refund card payments), who finds
them as refunds due. The payer is told why and how: PaymentRefused with the key
`payment.error.already_paid` or `payment.error.cancelled`, and the params `refund` (`refunded`:
Stars on their way back; `refund_due`: an admin refunds) and `amount` ("45.00 EUR").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.booking.notices import payload
from domain.booking.payment_notices import drop_payment_prompts
from domain.booking.queries.notice_queue import (
    COACH,
    PAYER,
    Notice,
    enqueue_params,
    enqueue_statement,
)
from domain.booking.sessions import LoadedSession, SessionView, load_session
from domain.currencies import STARS, from_minor, money_value
from domain.errors import AlreadyExists
from domain.models import (
    NotificationKind,
    Payment,
    PaymentStatus,
    SessionPaymentStatus,
    SessionStatus,
    User,
)
from domain.payments import queries
from domain.payments.checkout import PaymentRefused, session_of_payload
from domain.policy import Actor
from domain.uow import Transaction, UnitOfWork

STAR_REFUND = NotificationKind.STAR_REFUND
RECEIPT = NotificationKind.PAYMENT_RECEIPT
RECEIVED = NotificationKind.PAYMENT_RECEIVED
# The database allows one payment HOLDING_THE_SESSION per session: this index.
ONE_PER_SESSION = "uq_payments_session_completed"


@dataclass(frozen=True)
class PaymentRecorded:
    """A recorded payment and its session; `already_recorded` for a redelivered update."""

    payment_id: uuid.UUID
    session: SessionView
    already_recorded: bool


@dataclass(frozen=True)
class _Charge:
    """What Telegram's successful_payment says was paid, by whom."""

    telegram_user_id: int
    currency: str
    total_amount: int
    telegram_charge_id: str
    provider_charge_id: str | None


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
) -> PaymentRecorded:
    """Record a successful payment once per Telegram charge id and mark its session paid."""
    session_id = session_of_payload(invoice_payload)
    charge = _Charge(
        telegram_user_id, currency.upper(), total_amount, telegram_charge_id, provider_charge_id
    )
    try:
        return await _record(uow, session_id, charge, now)
    except AlreadyExists as clash:
        if clash.detail != ONE_PER_SESSION:
            return await _recorded_meanwhile(uow, clash, telegram_charge_id)
    # Paid meanwhile through a path that did not take the session lock: the database said no.
    return await _record(uow, session_id, charge, now, place=False)


async def _record(
    uow: UnitOfWork, session_id: uuid.UUID, charge: _Charge, now: datetime, *, place: bool = True
) -> PaymentRecorded:
    async with uow as tx:
        loaded = await load_session(tx, session_id, lock=True)
        if (known := await queries.by_charge(tx, charge.telegram_charge_id)) is not None:
            # Handled before (whatever became of it): nothing new to record or to say.
            return PaymentRecorded(known.id, loaded.view(), already_recorded=True)
        payer = await tx.users.by_telegram_id(charge.telegram_user_id)
        payment = _payment_row(loaded, charge, payer, now)
        if not place or loaded.session.payment_status != SessionPaymentStatus.PENDING:
            raise await _send_back(tx, loaded, payment, payer, now)
        tx.payments.add(payment)
        loaded.session.payment_status = SessionPaymentStatus.PAID
        _audit(tx, payment, "payment.completed")
        await drop_payment_prompts(tx, session_id)
        await _send_receipts(tx, loaded, payment, now)
        await tx.commit()
    return PaymentRecorded(payment.id, loaded.view(), already_recorded=False)


def _payment_row(
    loaded: LoadedSession, charge: _Charge, payer: User | None, now: datetime
) -> Payment:
    return Payment(
        id=uuid.uuid4(),
        payer_id=payer.id if payer else None,
        recipient_id=loaded.coach_user.id,
        # Exact in major units: 45.00 (EUR), 4500 (JPY), the star count (XTR).
        amount=from_minor(charge.total_amount, charge.currency),
        currency=charge.currency,
        status=PaymentStatus.COMPLETED,
        payment_type="session",
        session_id=loaded.session.id,
        transaction_id=charge.telegram_charge_id,
        provider_charge_id=charge.provider_charge_id or None,
        created_at=now,
    )


async def refund_for_cancellation(
    tx: Transaction, *, loaded: LoadedSession, late: bool, actor: Actor, now: datetime
) -> PaymentStatus | None:
    """Inside a cancellation: refund the session's payment unless the fee stays due."""
    if late and not loaded.is_coach(actor):
        return None  # the coach's policy: a late cancellation by the family keeps the fee
    payment = await queries.completed_payment_of(tx, loaded.session.id)
    if payment is None:
        return None
    payer = await tx.users.find(payment.payer_id) if payment.payer_id else None
    outcome = await give_back(tx, payment, payer, now)
    loaded.session.payment_status = SessionPaymentStatus.REFUNDED
    _audit(tx, payment, f"payment.{outcome}", actor_id=actor.user_id, reason="cancelled")
    return outcome


async def _send_back(
    tx: Transaction, loaded: LoadedSession, payment: Payment, payer: User | None, now: datetime
) -> PaymentRefused:
    """Record a payment the session cannot take as returned; the refusal tells the payer why."""
    outcome = await give_back(tx, payment, payer, now)
    if outcome == PaymentStatus.REFUND_DUE and await queries.place_taken(tx, loaded.session.id):
        # The session's own payment holds its one place in ONE_PER_SESSION; this one is
        # kept apart from the session, which its audit entry still names.
        payment.session_id = None
    tx.payments.add(payment)
    session = loaded.session
    reason = "cancelled" if session.status == SessionStatus.CANCELLED else "already_paid"
    _audit(
        tx,
        payment,
        f"payment.{outcome}",
        reason=reason,
        session_id=str(session.id),
        session_payment_status=session.payment_status,
    )
    await tx.commit()
    # The payer has paid already: besides why, they need to hear how the money comes back.
    return PaymentRefused(
        f"payment.error.{reason}",
        refund=outcome,
        amount=money_value(payment.amount, payment.currency),
    )


async def give_back(
    tx: Transaction, payment: Payment, payer: User | None, now: datetime
) -> PaymentStatus:
    """Return a payment (a session's or a program's): Stars by the bot, when it can address the
    payer; else by an admin."""
    if payment.currency != STARS or payer is None or not payer.telegram_user_id:
        payment.status = PaymentStatus.REFUND_DUE
        return PaymentStatus.REFUND_DUE
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = now
    await tx.outbox.enqueue(
        recipient_id=payer.id,
        kind=STAR_REFUND,
        # One refund per charge, however often a cancellation or an update is repeated.
        dedup_key=f"{STAR_REFUND}:{payment.transaction_id}",
        payload={
            "charge_id": payment.transaction_id,
            "telegram_user_id": payer.telegram_user_id,
            "session_id": str(payment.session_id) if payment.session_id else None,
            "program_id": str(payment.program_id) if payment.program_id else None,
            "amount": money_value(payment.amount, payment.currency),
        },
        due_at=now,
    )
    return PaymentStatus.REFUNDED


async def _send_receipts(
    tx: Transaction, loaded: LoadedSession, payment: Payment, now: datetime
) -> None:
    """The payer's receipt and the coach's notice, in one statement like every session notice."""
    facts = payload(loaded.view(), amount=money_value(payment.amount, payment.currency))
    notices = [Notice((PAYER,), RECEIPT, facts), Notice((COACH,), RECEIVED, facts)]
    # Addressed to who actually paid (a second guardian, say), not to who booked.
    params = enqueue_params(
        loaded.view(),
        notices,
        coach_user_id=loaded.coach_user.id,
        athlete_ids=[],
        now=now,
        payer_user_id=payment.payer_id,
    )
    await tx.session.execute(enqueue_statement(), params)


async def _recorded_meanwhile(
    uow: UnitOfWork, clash: AlreadyExists, telegram_charge_id: str
) -> PaymentRecorded:
    """The same charge, recorded by a concurrent delivery of the same update."""
    async with uow as tx:
        known = await queries.by_charge(tx, telegram_charge_id)
        if known is None or known.session_id is None:
            raise clash
        loaded = await load_session(tx, known.session_id)
    return PaymentRecorded(known.id, loaded.view(), already_recorded=True)


def _audit(
    tx: Transaction,
    payment: Payment,
    action: str,
    *,
    actor_id: uuid.UUID | None = None,
    **more: Any,
) -> None:
    tx.audit.record(
        actor_id=actor_id or payment.payer_id,
        action=action,
        entity="payment",
        entity_id=payment.id,
        details={
            "session_id": str(payment.session_id) if payment.session_id else None,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "charge_id": payment.transaction_id,
            **more,
        },
    )
