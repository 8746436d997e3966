"""Charging for a session in chat: the invoice, and the answer to Telegram's pre-checkout query.

The invoice is built when it is sent, from the session as it is then. Pre-checkout checks the
session again as it is at that moment: Telegram asks seconds before it takes the money, and the
invoice may be days old (the price changed, the session was cancelled or already paid through
another invoice, the deadline passed). Telegram waits 10 s for the answer, so it is a handful
of reads and nothing is written.

With a provider token the coach's own currency is charged in its smallest unit; without one,
Telegram Stars: the price times `stars_per_unit`, rounded up to a whole star.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal

from domain.actors import actor_for_user
from domain.booking.payment_notices import is_payable
from domain.booking.sessions import GROUP, LoadedSession, SessionView, load_session
from domain.currencies import STARS, CurrencyError, to_minor
from domain.errors import DomainError, NotFound
from domain.models import SessionPaymentStatus, SessionStatus, User
from domain.policy import Action, AthleteTarget, may
from domain.short_ids import parse_id, short_id
from domain.uow import Transaction, UnitOfWork

PAYLOAD_PREFIX = "pay:"


@dataclass(frozen=True)
class PaymentConfig:
    """How sessions are charged: a provider's currency, or Telegram Stars without a token."""

    # A secret: kept out of the repr, so a logged config never shows it.
    provider_token: str | None = field(default=None, repr=False)
    stars_per_unit: Decimal = Decimal("50")  # Stars charged per 1 unit of the coach's currency


@dataclass(frozen=True)
class InvoiceTerms:
    """Everything sendInvoice needs for one session, already within Telegram's limits."""

    session_id: uuid.UUID
    chat_id: int
    payload: str
    currency: str
    amount: int  # in the currency's smallest unit
    provider_token: str | None = field(repr=False)
    # The session as it is now and the coach's sport (a specialization code, or None), for the
    # bot to word the invoice in the payer's language and zone.
    session: SessionView = field(repr=False)
    sport: str | None = None


class PaymentRefused(DomainError):
    """A payment the session cannot take; the message key (payment.error.*) says why."""

    def __init__(self, message_key: str, **params: object) -> None:
        super().__init__(message_key, **params)
        self.message_key = message_key


def payload_for(session_id: uuid.UUID) -> str:
    """The invoice payload naming a session (26 bytes of Telegram's 128)."""
    return f"{PAYLOAD_PREFIX}{short_id(session_id)}"


def session_of_payload(payload: str) -> uuid.UUID:
    """The session an invoice payload names; PaymentRefused for anything we did not issue."""
    session_id = parse_id(payload.removeprefix(PAYLOAD_PREFIX))
    if not payload.startswith(PAYLOAD_PREFIX) or session_id is None:
        raise PaymentRefused("payment.error.unknown_invoice")
    return session_id


def charge(view: SessionView, config: PaymentConfig) -> tuple[str, int]:
    """The currency and amount (smallest unit) the session costs now; CurrencyError if none."""
    price = view.price or Decimal(0)
    stars = stars_for(price, config)
    if stars is not None:
        return STARS, stars
    return view.currency.upper(), to_minor(price, view.currency)


def stars_for(price: Decimal, config: PaymentConfig) -> int | None:
    """The Stars a price is charged as; None when a provider charges it in its own currency."""
    if config.provider_token is not None:
        return None
    stars = (price * config.stars_per_unit).to_integral_value(rounding=ROUND_CEILING)
    return max(int(stars), 1)


async def invoice_for(
    uow: UnitOfWork, *, session_id: uuid.UUID, config: PaymentConfig, now: datetime | None = None
) -> InvoiceTerms | None:
    """The invoice for a session's payer, or None when it is no longer payable by anyone."""
    async with uow as tx:
        try:
            loaded = await load_session(tx, session_id)
        except NotFound:
            return None
        view = loaded.view()
        booked_by = loaded.session.booked_by
        payer = await tx.users.find(booked_by) if booked_by else None
    chat_id = (payer.telegram_chat_id or payer.telegram_user_id) if payer else None
    if not is_payable(view) or not chat_id or (now is not None and _too_late(loaded, now)):
        return None
    currency, amount = charge(view, config)
    return InvoiceTerms(
        session_id=view.id,
        chat_id=chat_id,
        payload=payload_for(view.id),
        currency=currency,
        amount=amount,
        provider_token=config.provider_token,
        session=view,
        sport=next(iter(loaded.coach.specializations or []), None),
    )


async def check_pre_checkout(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    invoice_payload: str,
    currency: str,
    total_amount: int,
    config: PaymentConfig,
    now: datetime,
) -> None:
    """Pass silently if this person may pay this invoice now; PaymentRefused says why not."""
    session_id = session_of_payload(invoice_payload)
    async with uow as tx:
        try:
            loaded = await load_session(tx, session_id)
        except NotFound:
            raise PaymentRefused("payment.error.unknown_invoice") from None
        # Before anything about the session: a stranger learns nothing about it.
        await _require_payer(tx, loaded, telegram_user_id)
    session = loaded.session
    if session.session_type == GROUP:
        raise PaymentRefused("payment.error.unknown_invoice")
    if session.status == SessionStatus.CANCELLED:
        raise PaymentRefused("payment.error.cancelled")
    if session.payment_status == SessionPaymentStatus.PAID:
        raise PaymentRefused("payment.error.already_paid")
    if _too_late(loaded, now):
        raise PaymentRefused("payment.error.too_late")
    if not is_payable(loaded.view()):
        # Waived, not required, not yet confirmed: an invoice we would not issue now.
        raise PaymentRefused("payment.error.unknown_invoice")
    require_amount_invoiced(lambda: charge(loaded.view(), config), currency, total_amount)


async def _require_payer(tx: Transaction, loaded: LoadedSession, telegram_user_id: int) -> None:
    await require_payer(tx, telegram_user_id, loaded.athlete_ids, Action.BOOK_FOR_ATHLETE)


def require_amount_invoiced(
    invoiced: Callable[[], tuple[str, int]], currency: str, total_amount: int
) -> None:
    """PaymentRefused unless Telegram is about to charge what the price gives today (the price
    changed since the invoice, or the currency can no longer express it: never invoiced so)."""
    try:
        expected: tuple[str, int] | None = invoiced()
    except CurrencyError:
        expected = None
    if (currency.upper(), total_amount) != expected:
        raise PaymentRefused("payment.error.amount_changed")


async def require_payer(
    tx: Transaction, telegram_user_id: int, athlete_ids: Iterable[uuid.UUID], action: Action
) -> User:
    """The Telegram user paying, if they may take `action` for one of these athletes (else
    PaymentRefused): what a session, a program, a pack or a fee is paid for."""
    user = await tx.users.by_telegram_id(telegram_user_id)
    if user is None:
        raise PaymentRefused("payment.error.not_payer")
    # Admins are no exception: paying is the family's business (policy.GRANTS).
    actor = await actor_for_user(tx, user)
    if not any(may(actor, action, AthleteTarget(athlete_id)) for athlete_id in athlete_ids):
        raise PaymentRefused("payment.error.not_payer")
    return user


def _too_late(loaded: LoadedSession, now: datetime) -> bool:
    session = loaded.session
    due = session.payment_due_at
    return session.start_time <= now or (due is not None and due <= now)
