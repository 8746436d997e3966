"""Paying for a session: invoice, pre-checkout, recording, refunds and views, on real Postgres."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlalchemy import ColumnElement, select

from domain.actors import actor_for_user
from domain.booking.changes import cancellation_terms
from domain.booking.payment_notices import INVOICE, PAYMENT_PROMPT
from domain.booking.sessions import load_session
from domain.errors import NotAllowed
from domain.models import AuditEntry, Notification, Payment, TrainingSession, User
from domain.payments.checkout import (
    PaymentConfig,
    PaymentRefused,
    check_pre_checkout,
    invoice_for,
    payload_for,
)
from domain.payments.records import (
    STAR_REFUND,
    PaymentRecorded,
    record_payment,
    refund_for_cancellation,
)
from domain.payments.views import admin_overview, coach_earnings, payer_history
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import BOOKING_NOW, BookingWorld, booking_world, session_at

M = TypeVar("M")
PROVIDER = PaymentConfig(provider_token="284685063:TEST:provider")
STARS = PaymentConfig()
# Thursday 16:00 in Berlin: well outside the coach's 24 h free-cancellation window.
THURSDAY_4PM = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
NOW = BOOKING_NOW


async def priced_session(
    uow: UnitOfWork,
    world: BookingWorld,
    *,
    price: str | None = "45.00",
    currency: str = "EUR",
    start: datetime = THURSDAY_4PM,
    session_type: str = "individual",
    **extra: object,
) -> TrainingSession:
    """A confirmed individual session the parent booked for their child."""
    fields: dict[str, object] = {"booked_by": world.parent.id, "status": "scheduled", **extra}
    async with uow as tx:
        coach = await tx.coaches.get(world.coach.id)
        coach.currency = currency
        session = tx.sessions.add(
            session_at(
                world.coach,
                world.child,
                start,
                price=Decimal(price) if price else None,
                **fields,
            )
        )
        session.session_type = session_type
        await tx.commit()
    return session


async def pay(
    uow: UnitOfWork,
    world: BookingWorld,
    session: TrainingSession,
    *,
    charge: str = "tg-charge-1",
    currency: str = "EUR",
    amount: int = 4500,
    payer: User | None = None,
    provider_charge: str | None = "pi_1",
    now: datetime = NOW,
    in_stars: bool = False,
) -> PaymentRecorded:
    """successful_payment for the session: 45.00 EUR by card, or 2250 Stars."""
    if in_stars:
        currency, amount, provider_charge = "XTR", 2250, None
    return await record_payment(
        uow,
        telegram_user_id=(payer or world.parent).telegram_user_id or 0,
        invoice_payload=payload_for(session.id),
        currency=currency,
        total_amount=amount,
        telegram_charge_id=charge,
        provider_charge_id=provider_charge,
        now=now,
    )


async def pre_checkout(
    uow: UnitOfWork,
    world: BookingWorld,
    session: TrainingSession,
    *,
    config: PaymentConfig = PROVIDER,
    currency: str = "EUR",
    amount: int = 4500,
    payer: User | None = None,
    payload: str | None = None,
    now: datetime = NOW,
) -> None:
    await check_pre_checkout(
        uow,
        telegram_user_id=(payer or world.parent).telegram_user_id or 0,
        invoice_payload=payload_for(session.id) if payload is None else payload,
        currency=currency,
        total_amount=amount,
        config=config,
        now=now,
    )


async def actor(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def rows(uow: UnitOfWork, model: type[M], *where: ColumnElement[bool]) -> list[M]:
    async with uow as tx:
        return list((await tx.session.scalars(select(model).where(*where))).all())


async def notices(uow: UnitOfWork, kind: str) -> list[Notification]:
    return await rows(uow, Notification, Notification.kind == kind)


async def all_payments(uow: UnitOfWork) -> list[Payment]:
    """Every payment row, completed first."""
    async with uow as tx:
        return list((await tx.session.scalars(select(Payment).order_by(Payment.status))).all())


async def session_row(uow: UnitOfWork, session: TrainingSession) -> TrainingSession:
    async with uow as tx:
        return await tx.sessions.get(session.id)


async def cancel_and_refund(
    uow: UnitOfWork, session: TrainingSession, by: User, now: datetime = NOW
) -> str | None:
    """What session_changes.cancel does around the refund: one transaction, the row locked."""
    who = await actor(uow, by)
    async with uow as tx:
        loaded = await load_session(tx, session.id, lock=True)
        _, late = cancellation_terms(loaded, who, now)
        loaded.session.status = "cancelled"
        outcome = await refund_for_cancellation(tx, loaded=loaded, late=late, actor=who, now=now)
        await tx.commit()
    return outcome


# --- invoices ---------------------------------------------------------------------------------


async def test_a_provider_invoice_charges_the_coachs_currency_in_cents(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)

    terms = await invoice_for(uow, session_id=session.id, config=PROVIDER)

    assert terms is not None
    assert (terms.currency, terms.amount) == ("EUR", 4500)
    assert terms.provider_token == PROVIDER.provider_token
    assert terms.chat_id == world.parent.telegram_user_id
    assert terms.sport == "tennis" and terms.session.coach_name == "Cora Klein"
    assert terms.session.athlete_names == ("Kim",) and terms.session.minutes == 60
    assert terms.payload == payload_for(session.id) and len(terms.payload.encode()) <= 128


@pytest.mark.parametrize(
    ("price", "currency", "amount"), [("4500.00", "JPY", 4500), ("12.50", "KWD", 12500)]
)
async def test_currencies_without_cents_or_with_thousandths_keep_their_exponent(
    uow: UnitOfWork, price: str, currency: str, amount: int
) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world, price=price, currency=currency)

    terms = await invoice_for(uow, session_id=session.id, config=PROVIDER)

    assert terms is not None and (terms.currency, terms.amount) == (currency, amount)


@pytest.mark.parametrize(("price", "stars"), [("45.00", 2250), ("0.01", 1), ("0.33", 17)])
async def test_without_a_provider_token_sessions_are_paid_in_whole_stars_rounded_up(
    uow: UnitOfWork, price: str, stars: int
) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world, price=price)

    terms = await invoice_for(uow, session_id=session.id, config=STARS)

    assert terms is not None
    assert (terms.currency, terms.amount, terms.provider_token) == ("XTR", stars, None)


async def test_no_invoice_for_what_nobody_can_pay_now(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    day = timedelta(days=1)
    paid = await priced_session(uow, world, payment_status="paid")
    cancelled = await priced_session(uow, world, start=THURSDAY_4PM + day, status="cancelled")
    free = await priced_session(uow, world, start=THURSDAY_4PM + 2 * day, price=None)
    group = await priced_session(
        uow, world, start=THURSDAY_4PM + 3 * day, session_type="group", capacity=4
    )
    no_telegram = await priced_session(
        uow, world, start=THURSDAY_4PM + 4 * day, booked_by=world.child_user.id
    )
    started = await priced_session(uow, world, start=NOW - timedelta(minutes=5))

    for session in (paid, cancelled, free, group, no_telegram):
        assert await invoice_for(uow, session_id=session.id, config=PROVIDER) is None
    assert await invoice_for(uow, session_id=started.id, config=PROVIDER, now=NOW) is None
    assert await invoice_for(uow, session_id=world.coach.id, config=PROVIDER) is None


# --- pre-checkout -----------------------------------------------------------------------------


async def test_the_payer_may_pay_exactly_what_was_invoiced(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)

    await pre_checkout(uow, world, session)
    await pre_checkout(uow, world, session, config=STARS, currency="XTR", amount=2250)


async def refusal(
    uow: UnitOfWork, world: BookingWorld, session: TrainingSession, **kw: object
) -> str:
    with pytest.raises(PaymentRefused) as refused:
        await pre_checkout(uow, world, session, **kw)  # type: ignore[arg-type]
    return refused.value.message_key


async def test_pre_checkout_refuses_a_cancelled_session(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world, status="cancelled")

    assert await refusal(uow, world, session) == "payment.error.cancelled"


async def test_pre_checkout_refuses_an_amount_changed_after_the_invoice(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    terms = await invoice_for(uow, session_id=session.id, config=PROVIDER)
    assert terms is not None
    async with uow as tx:
        (await tx.sessions.get(session.id)).price = Decimal("50.00")
        await tx.commit()

    key = await refusal(uow, world, session, amount=terms.amount, currency=terms.currency)

    assert key == "payment.error.amount_changed"
    assert await refusal(uow, world, session, amount=5000, currency="USD") == key
    async with uow as tx:  # a price the currency cannot charge as it is: half a yen
        (await tx.sessions.get(session.id)).price = Decimal("4500.50")
        (await tx.coaches.get(world.coach.id)).currency = "JPY"
        await tx.commit()
    assert await refusal(uow, world, session, amount=4500, currency="JPY") == key


async def test_pre_checkout_refuses_a_session_already_paid(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    await pay(uow, world, session)

    assert await refusal(uow, world, session) == "payment.error.already_paid"


async def test_pre_checkout_refuses_someone_who_may_not_pay_for_the_athlete(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world, status="cancelled")
    stranger = User(role="parent", first_name="Sam", telegram_user_id=99_999_001)

    # Before anything else: a stranger does not even learn that the session is cancelled.
    assert await refusal(uow, world, session, payer=world.other_parent) == "payment.error.not_payer"
    assert await refusal(uow, world, session, payer=stranger) == "payment.error.not_payer"


async def test_pre_checkout_refuses_an_invoice_we_did_not_issue(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)

    for payload in ("", "pay:nonsense", "prog:" + payload_for(session.id)[4:]):
        assert (
            await refusal(uow, world, session, payload=payload) == "payment.error.unknown_invoice"
        )
    gone = payload_for(world.coach.id)
    assert await refusal(uow, world, session, payload=gone) == "payment.error.unknown_invoice"


async def test_pre_checkout_refuses_after_the_start_or_the_payment_deadline(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    deadline = THURSDAY_4PM - timedelta(hours=12)
    session = await priced_session(uow, world, payment_due_at=deadline)

    assert await refusal(uow, world, session, now=deadline) == "payment.error.too_late"
    assert await refusal(uow, world, session, now=THURSDAY_4PM) == "payment.error.too_late"
    await pre_checkout(uow, world, session, now=deadline - timedelta(minutes=1))


# --- recording --------------------------------------------------------------------------------


async def test_a_payment_is_recorded_the_session_paid_and_both_sides_get_a_receipt(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    async with uow as tx:  # an invoice still waiting in the outbox
        await tx.outbox.enqueue(
            recipient_id=world.parent.id,
            kind=PAYMENT_PROMPT,
            dedup_key="prompt",
            payload={"session_id": str(session.id)},
            due_at=NOW + timedelta(hours=1),
        )
        await tx.commit()

    recorded = await pay(uow, world, session)

    assert not recorded.already_recorded and recorded.session.payment_status == "paid"
    (payment,) = await all_payments(uow)
    assert payment.id == recorded.payment_id
    assert (payment.amount, payment.currency, payment.status) == (
        Decimal("45.00"),
        "EUR",
        "completed",
    )
    assert (payment.payer_id, payment.recipient_id) == (world.parent.id, world.coach_user.id)
    assert (payment.transaction_id, payment.provider_charge_id) == ("tg-charge-1", "pi_1")
    assert payment.payment_type == "session" and payment.session_id == session.id
    assert (await session_row(uow, session)).payment_status == "paid"
    (receipt,) = await notices(uow, "payment_receipt")
    (received,) = await notices(uow, "payment_received")
    assert receipt.recipient_id == world.parent.id and received.recipient_id == world.coach_user.id
    assert (
        receipt.payload["amount"] == {"amount": "45.00", "currency": "EUR"}
        and receipt.payload["athlete"] == "Kim"
    )
    assert await notices(uow, PAYMENT_PROMPT) == [] and await notices(uow, INVOICE) == []
    (audit,) = await rows(uow, AuditEntry, AuditEntry.action == "payment.completed")
    assert audit.entity_id == payment.id and audit.actor_id == world.parent.id


async def test_a_redelivered_payment_adds_no_row_and_no_second_receipt(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)

    first = await pay(uow, world, session, in_stars=True)
    again = await pay(uow, world, session, in_stars=True)

    assert again.already_recorded and again.payment_id == first.payment_id
    (payment,) = await all_payments(uow)
    assert (payment.amount, payment.currency, payment.provider_charge_id) == (2250, "XTR", None)
    assert len(await notices(uow, "payment_receipt")) == 1
    (received,) = await notices(uow, "payment_received")
    assert received.payload["amount"] == {"amount": "2250", "currency": "XTR"}


async def test_the_receipt_goes_to_whoever_paid(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world, booked_by=world.other_parent.id)

    await pay(uow, world, session)

    (receipt,) = await notices(uow, "payment_receipt")
    assert receipt.recipient_id == world.parent.id


async def test_two_payments_for_one_session_at_once_complete_one_and_return_the_other(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)

    outcomes = await asyncio.gather(
        pay(uow, world, session, charge="tg-a", in_stars=True),
        pay(uow, world, session, charge="tg-b", in_stars=True),
        return_exceptions=True,
    )

    recorded = [o for o in outcomes if isinstance(o, PaymentRecorded)]
    refused = [o for o in outcomes if isinstance(o, PaymentRefused)]
    assert len(recorded) == 1 and len(refused) == 1, outcomes
    assert refused[0].message_key == "payment.error.already_paid"
    assert refused[0].params == {
        "refund": "refunded",
        "amount": {"amount": "2250", "currency": "XTR"},
    }
    completed, returned = await all_payments(uow)
    assert (completed.status, returned.status) == ("completed", "refunded")
    (refund,) = await notices(uow, STAR_REFUND)
    assert refund.payload["charge_id"] == returned.transaction_id
    assert len(await notices(uow, "payment_receipt")) == 1


async def test_the_database_refuses_a_second_completed_payment_and_it_is_returned(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    async with uow as tx:  # paid by a path that left the session's status alone
        tx.payments.add(
            Payment(
                amount=Decimal("45.00"),
                currency="EUR",
                status="completed",
                session_id=session.id,
                transaction_id="elsewhere",
            )
        )
        await tx.commit()

    with pytest.raises(PaymentRefused) as refused:
        await pay(uow, world, session)

    assert refused.value.message_key == "payment.error.already_paid"
    assert refused.value.params == {
        "refund": "refund_due",
        "amount": {"amount": "45.00", "currency": "EUR"},
    }
    completed, due = await all_payments(uow)
    assert (completed.transaction_id, due.transaction_id) == ("elsewhere", "tg-charge-1")
    # The session's one completed-or-due place is taken, so the returned one stands apart.
    assert due.status == "refund_due" and due.session_id is None
    assert await notices(uow, "payment_receipt") == []


async def test_stars_paid_for_a_session_released_meanwhile_are_sent_back(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    session = await priced_session(
        uow, world, status="cancelled", payment_status="not_required", cancel_reason="unpaid"
    )

    with pytest.raises(PaymentRefused) as refused:
        await pay(uow, world, session, in_stars=True)

    assert refused.value.message_key == "payment.error.cancelled"
    assert refused.value.params == {
        "refund": "refunded",
        "amount": {"amount": "2250", "currency": "XTR"},
    }
    (payment,) = await all_payments(uow)
    assert payment.status == "refunded" and payment.refunded_at == NOW
    (refund,) = await notices(uow, STAR_REFUND)
    assert refund.recipient_id == world.parent.id
    assert refund.payload["telegram_user_id"] == world.parent.telegram_user_id
    assert (await session_row(uow, session)).payment_status == "not_required"


async def test_a_fee_kept_by_a_late_cancellation_can_still_be_paid(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world, status="cancelled", cancel_reason="late")

    recorded = await pay(uow, world, session)

    assert recorded.session.payment_status == "paid"


# --- refunds ----------------------------------------------------------------------------------


async def test_a_free_cancellation_refunds_stars_through_the_outbox(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    await pay(uow, world, session, charge="tg-stars", in_stars=True)

    assert await cancel_and_refund(uow, session, world.parent) == "refunded"

    (payment,) = await all_payments(uow)
    assert (payment.status, payment.refunded_at) == ("refunded", NOW)
    assert (await session_row(uow, session)).payment_status == "refunded"
    (refund,) = await notices(uow, STAR_REFUND)
    assert refund.recipient_id == world.parent.id
    assert refund.payload["charge_id"] == "tg-stars"
    assert refund.payload["telegram_user_id"] == world.parent.telegram_user_id
    (audit,) = await rows(uow, AuditEntry, AuditEntry.action == "payment.refunded")
    assert audit.entity_id == payment.id and audit.actor_id == world.parent.id


async def test_a_free_cancellation_of_a_card_payment_leaves_a_refund_due(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    await pay(uow, world, session)

    assert await cancel_and_refund(uow, session, world.parent) == "refund_due"

    (payment,) = await all_payments(uow)
    assert (payment.status, payment.refunded_at) == ("refund_due", None)
    assert (await session_row(uow, session)).payment_status == "refunded"
    assert await notices(uow, STAR_REFUND) == []
    assert await rows(uow, AuditEntry, AuditEntry.action == "payment.refund_due")


async def test_a_late_cancellation_by_the_family_keeps_the_fee(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    await pay(uow, world, session, in_stars=True)
    inside_window = THURSDAY_4PM - timedelta(hours=3)

    assert await cancel_and_refund(uow, session, world.parent, now=inside_window) is None

    (payment,) = await all_payments(uow)
    assert payment.status == "completed"
    assert (await session_row(uow, session)).payment_status == "paid"
    assert await notices(uow, STAR_REFUND) == []


async def test_the_coach_cancelling_late_still_refunds(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    await pay(uow, world, session, in_stars=True)
    inside_window = THURSDAY_4PM - timedelta(hours=3)

    assert await cancel_and_refund(uow, session, world.coach_user, now=inside_window) == "refunded"
    assert len(await notices(uow, STAR_REFUND)) == 1


async def test_cancelling_an_unpaid_session_refunds_nothing(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)

    assert await cancel_and_refund(uow, session, world.parent) is None


# --- views ------------------------------------------------------------------------------------


async def test_a_payer_sees_their_own_payments_newest_first(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    first = await priced_session(uow, world)
    second = await priced_session(uow, world, start=THURSDAY_4PM + timedelta(days=1))
    await pay(uow, world, first, charge="one")
    await pay(uow, world, second, charge="two", now=NOW + timedelta(hours=1))
    await cancel_and_refund(uow, first, world.parent)

    lines = await payer_history(uow, actor=await actor(uow, world.parent))

    assert [(line.session_id, line.status) for line in lines] == [
        (second.id, "completed"),
        (first.id, "refund_due"),
    ]
    assert lines[0].coach_name == "Cora Klein" and lines[0].athlete_name == "Kim"
    assert (lines[0].amount, lines[0].currency) == (Decimal("45.00"), "EUR")
    assert lines[0].session_start == THURSDAY_4PM + timedelta(days=1)
    assert await payer_history(uow, actor=await actor(uow, world.other_parent)) == []


async def test_a_coach_sees_earnings_per_month_and_currency_net_of_refunds(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    day = timedelta(days=1)
    sessions = [await priced_session(uow, world, start=THURSDAY_4PM + n * day) for n in range(4)]
    # 23:30 UTC on 30 November is already December in Berlin, the coach's zone.
    november_night = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    await pay(uow, world, sessions[0], charge="a", now=november_night)
    await pay(uow, world, sessions[1], charge="b", now=datetime(2026, 11, 20, tzinfo=UTC))
    await pay(uow, world, sessions[2], charge="c")
    await pay(uow, world, sessions[3], charge="d", in_stars=True)
    await cancel_and_refund(uow, sessions[2], world.parent)

    months = await coach_earnings(uow, actor=await actor(uow, world.coach_user))

    assert [(m.month.isoformat(), m.currency, m.received, m.refunded, m.net) for m in months] == [
        ("2026-12-01", "EUR", Decimal("90.00"), Decimal("45.00"), Decimal("45.00")),
        ("2026-12-01", "XTR", Decimal("2250"), Decimal("0"), Decimal("2250")),
        ("2026-11-01", "EUR", Decimal("45.00"), Decimal("0"), Decimal("45.00")),
    ]
    assert (months[1].net, months[1].currency) == (Decimal("2250"), "XTR")


async def test_admins_see_totals_refunds_due_and_failures_and_nobody_else_does(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    paid = await priced_session(uow, world)
    refunded = await priced_session(uow, world, start=THURSDAY_4PM + timedelta(days=1))
    await pay(uow, world, paid, charge="kept")
    await pay(uow, world, refunded, charge="back", provider_charge="pi_back")
    await cancel_and_refund(uow, refunded, world.coach_user)
    async with uow as tx:
        tx.payments.add(Payment(amount=Decimal("45.00"), currency="EUR", status="failed"))
        await tx.commit()
    admin = Actor(user_id=world.coach_user.id, role="admin", is_admin=True)

    overview = await admin_overview(uow, admin=admin)

    (eur,) = overview.totals
    assert (eur.currency, eur.received, eur.refunded, eur.net, eur.payments) == (
        "EUR",
        Decimal("90.00"),
        Decimal("45.00"),
        Decimal("45.00"),
        2,
    )
    (due,) = overview.refunds_due
    assert (due.session_id, due.provider_charge_id, due.payer_name) == (
        refunded.id,
        "pi_back",
        "Pia",
    )
    assert (due.amount, due.currency) == (
        Decimal("45.00"),
        "EUR",
    ) and due.coach_name == "Cora Klein"
    assert overview.failed == 1
    with pytest.raises(NotAllowed):
        await admin_overview(uow, admin=await actor(uow, world.coach_user))
