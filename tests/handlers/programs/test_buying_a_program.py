"""Buying a program for a child in the chat: the invoice (Telegram Stars, or the program's
currency with a provider token), the checkout checked again, the payment recorded once with its
enrolment, receipts, the guardian's copy of each day for a child without Telegram, and the
refund policy when the family ends it."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Notification, Payment, ProgramEnrolment
from domain.payments.checkout import PaymentConfig
from domain.uow import UnitOfWork
from tests.handlers.chat_steps import open_chats
from tests.handlers.programs.program_world import (
    enrolments,
    program_cast,
    run_day,
    show_page,
    start_on,
    texts,
)
from tests.handlers.programs.test_following_a_program import _labels, berlin

PROVIDER_TOKEN = "284685063:TEST:emulator"


async def _buy_for_kim(application, cast) -> dict:  # type: ignore[no-untyped-def]
    await show_page(application, cast.pia, cast.program_id)
    await cast.pia.press("📝 Enrol")
    await cast.pia.expect_reply(contains="From when?")
    await cast.pia.press(next(b for b in _labels(cast.pia) if b.startswith("Tomorrow")))
    invoice = await cast.pia.expect_reply()
    assert "invoice" in invoice, invoice
    return invoice


async def _payments(uow: UnitOfWork) -> list[Payment]:
    async with uow as tx:
        return list(await tx.session.scalars(select(Payment)))


@pytest.mark.parametrize(
    ("token", "charged", "refund"),
    [(None, ("XTR", 1250), "refunded"), (PROVIDER_TOKEN, ("EUR", 2500), "refund_due")],
    ids=["stars", "provider"],
)
async def test_a_parent_buys_a_program_for_her_child_and_ends_it_with_a_refund(
    emulator, run_bot, uow: UnitOfWork, services, token, charged, refund
) -> None:
    services.payments = PaymentConfig(provider_token=token)
    cast = await program_cast(emulator, uow, price="25.00")
    async with run_bot(emulator) as application:
        await open_chats(cast.pia, cast.cora)
        invoice = await _buy_for_kim(application, cast)
        assert (invoice["invoice"]["currency"], invoice["invoice"]["total_amount"]) == charged
        assert invoice["invoice"]["title"] == "Strength base"

        outcome = await cast.pia.pay(invoice)
        assert outcome.ok, outcome.error
        await cast.pia.send("/training")
        listed = await cast.pia.expect_reply(contains="Your training programs")
        assert "Strength base — Kim" in listed["text"]
        await send_due_notifications(BotContext(application))
        assert len(texts(cast.pia, "🧾 Receipt: “Strength base”")) == 1
        assert len(texts(cast.cora, "💰 “Strength base” was bought")) == 1

        (enrolment,) = await enrolments(uow)
        (payment,) = await _payments(uow)
        assert (enrolment.how, enrolment.athlete_id, enrolment.payment_id) == (
            "paid",
            cast.world.child.id,
            payment.id,
        )
        assert (payment.payment_type, payment.program_id, payment.status) == (
            "program",
            cast.program_id,
            "completed",
        )
        assert (payment.currency, payment.transaction_id) == (charged[0], outcome.charge_id)

        # Kim has no Telegram: her mother gets each day, naming her.
        start = date(2026, 3, 2)
        await start_on(uow, enrolment.id, start, time(7, 0))
        await run_day(application, berlin(start, time(7, 0)))
        (day,) = texts(cast.pia, "🏋️ Strength base")
        assert "Workout for Kim" in day

        # Ended within 7 days of its start (the policy): refunded.
        await start_on(uow, enrolment.id, date.today(), time(7, 0))
        await cast.pia.press("1 ✖ End")
        await cast.pia.expect_reply(contains="refunded in full")
        await cast.pia.press("Yes, end it")
        ended = await cast.pia.expect_reply(contains="has ended")
    assert ("refunded to you now" in ended["text"]) == (refund == "refunded")
    (payment,) = await _payments(uow)
    assert payment.status == refund
    async with uow as tx:
        row = await tx.session.get_one(ProgramEnrolment, enrolment.id)
        star_refunds = list(
            await tx.session.scalars(select(Notification).where(Notification.kind == "star_refund"))
        )
    assert row.status == "cancelled"
    assert len(star_refunds) == (1 if refund == "refunded" else 0)


async def test_a_program_ended_long_after_its_start_keeps_its_payment(
    emulator, run_bot, uow: UnitOfWork, services
) -> None:
    services.payments = PaymentConfig()
    cast = await program_cast(emulator, uow, price="25.00")
    async with run_bot(emulator) as application:
        await open_chats(cast.pia)
        assert (await cast.pia.pay(await _buy_for_kim(application, cast))).ok
        await cast.pia.send("/training")
        await cast.pia.expect_reply(contains="Your training programs")
        (enrolment,) = await enrolments(uow)
        await start_on(uow, enrolment.id, date(2026, 1, 5), time(7, 0))
        await cast.pia.press("1 ✖ End")
        await cast.pia.expect_reply(contains="End this program?")
        await cast.pia.press("Yes, end it")
        ended = await cast.pia.expect_reply(contains="has ended")
    assert "refund" not in ended["text"]
    (payment,) = await _payments(uow)
    assert payment.status == "completed"


async def test_a_second_payment_for_a_program_already_followed_is_refused_and_returned(
    emulator, run_bot, uow: UnitOfWork, services
) -> None:
    services.payments = PaymentConfig()
    cast = await program_cast(emulator, uow, price="25.00")
    async with run_bot(emulator) as application:
        await open_chats(cast.pia)
        first = await _buy_for_kim(application, cast)
        second = await _buy_for_kim(application, cast)
        assert (await cast.pia.pay(first)).ok
        await cast.pia.send("/training")
        await cast.pia.expect_reply(contains="Your training programs")
        # The checkout of the second invoice is refused: Kim follows it already.
        refused = await cast.pia.pay(second)
    assert not refused.ok
    assert "Already following" in (refused.error or "")
    assert len(await _payments(uow)) == 1
