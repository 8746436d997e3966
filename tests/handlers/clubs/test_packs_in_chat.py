"""Packs of lessons and team fees in the chat, through the emulator's Telegram Payments.

Cora defines a pack in /packs; Pia buys it for Kim (in Telegram Stars, or in euros through a
provider), books lessons with it (one session drawn each), and the booking is refused once the
pack is used up; /payments shows the balance. Cora sets a team fee in /fees; Pia is asked, and
reminded once the due date has come, pays it from the request's button, and Cora sees who paid.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.app import BotApplication, BotContext
from bot.jobs import queue_team_fees
from bot.outbox import send_due_notifications
from bot.wiring import Services
from domain.booking import book as booking
from domain.booking.book import BookingChoice
from domain.clubs.packs.fees import DUE_AFTER_DAYS
from domain.clubs.teams import teams
from domain.models import Payment, SessionPack, TeamMember, TrainingSession, User
from domain.payments.checkout import PaymentConfig
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from telegram_emulator.world import Json
from tests.handlers.booking.booking_steps import (
    BookingCast,
    actor_of,
    book_directly,
    book_until_summary,
    booking_cast,
    buttons,
    coach_instant,
    slot_label,
    weekday_ahead,
)
from tests.handlers.chat_steps import open_chats
from tests.handlers.clubs.pack_steps import next_invoice, pay_invoice

PROVIDER_TOKEN = "284685063:TEST:emulator"
BERLIN = "Europe/Berlin"


async def _cast(emulator: Emulator, uow: UnitOfWork) -> BookingCast:
    """The booking cast, quiet hours off, Kim trained by Cora once (so Pia sees her packs)."""
    cast = await booking_cast(emulator, uow)
    async with uow as tx:
        await tx.session.execute(update(User).values(quiet_from=time(0), quiet_until=time(0)))
        await tx.commit()
    return cast


async def _deliver(application: BotApplication, now: datetime | None = None) -> None:
    await send_due_notifications(BotContext(application), now=now)


def _texts(person: EmulatedUser, opening: str) -> list[str]:
    found = (message.get("text") or "" for message in person.messages())
    return [text for text in found if text.startswith(opening)]


async def _pack_left(uow: UnitOfWork) -> int:
    async with uow as tx:
        return await tx.session.scalar(select(SessionPack.sessions_left)) or 0


async def _define_and_buy(cast: BookingCast, application: BotApplication) -> Json:
    """Cora puts a pack of two lessons on sale; Pia buys it for Kim and pays; its invoice."""
    await cast.cora.send("/packs")
    await cast.cora.expect_reply(contains="You sell no packs yet")
    await cast.cora.press("➕ New pack")
    await cast.cora.expect("edit", contains="Send the pack in one line")
    await cast.cora.send("Spring pack, 2")
    await cast.cora.expect_reply(contains="four parts separated by commas")
    await cast.cora.send("Spring pack, 2, 80 EUR, 30")
    await cast.cora.expect_reply(contains="✅ On sale: • Spring pack: 2 lessons, €80.00")

    await cast.pia.send("/packs")
    await cast.pia.expect_reply(contains="Packs of lessons from your coaches")
    await cast.pia.press("Buy “Spring pack” for Kim")
    invoice = await next_invoice(cast.pia)
    await pay_invoice(cast.pia, invoice)
    await _deliver(application)
    # The outbox job of the running bot may be the one that sends them: waited for, not read.
    receipt = await cast.pia.expect("message", contains="🧾 Receipt: pack “Spring pack”")
    assert "2 lessons" in receipt["text"]
    await cast.cora.expect("message", contains="💰 Pack sold: “Spring pack”")
    return invoice


@pytest.mark.parametrize(
    ("token", "charged"),
    [(None, ("XTR", 4000)), (PROVIDER_TOKEN, ("EUR", 8000))],
    ids=["stars", "eur"],
)
async def test_a_pack_is_bought_drawn_per_lesson_and_refused_once_used_up(
    emulator: Emulator,
    run_bot,
    uow: UnitOfWork,
    services: Services,
    token: str | None,
    charged: tuple[str, int],
) -> None:
    services.payments = PaymentConfig(provider_token=token)
    cast = await _cast(emulator, uow)
    day = weekday_ahead(3)
    await book_directly(uow, services, cast, coach_instant(day + timedelta(days=7), 16))
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        invoice = (await _define_and_buy(cast, application))["invoice"]
        assert (invoice["currency"], invoice["total_amount"]) == charged

        # The first lesson, paid with the pack.
        first = coach_instant(day, 17)
        summary = await book_until_summary(cast.pia, day, slot_label(first, BERLIN))
        assert "You can pay with a pack" in summary["text"]
        assert "✅ Confirm and pay per session" in buttons(summary)
        await cast.pia.press("✅ Confirm with “Spring pack” (2 left)")
        booked = await cast.pia.expect("edit", contains="Request sent to Cora Klein for Kim")
        assert "🎟 Paid with your pack; sessions left: 1." in booked["text"]
        assert await _pack_left(uow) == 1

        # The second: the summary offers the last session, and meanwhile it is used elsewhere.
        second = coach_instant(day, 18)
        summary = await book_until_summary(cast.pia, day, slot_label(second, BERLIN))
        pack_id = await _pack_id(uow)
        assert pack_id is not None
        await _book_with_pack_elsewhere(uow, services, cast, coach_instant(day, 19), pack_id)
        await cast.pia.press("✅ Confirm with “Spring pack” (1 left)", summary)
        refused = await cast.pia.expect("edit", contains="no sessions left")
        assert "“Spring pack” has no sessions left (all 2 used)" in refused["text"]
        assert await _sessions_at(uow, second) == 0
        assert await _pack_left(uow) == 0

        # The same time paid per session instead, in one tap; a used-up pack is offered no more.
        await cast.pia.press("✅ Confirm and pay per session", refused)
        await cast.pia.expect("edit", contains="Request sent to Cora Klein for Kim")
        assert await _payment_status_at(uow, second) == "pending"
        third = coach_instant(day, 16)
        summary = await book_until_summary(cast.pia, day, slot_label(third, BERLIN))
        assert "✅ Confirm" in buttons(summary)
        assert not any("Spring pack" in label for label in buttons(summary))

        await cast.pia.send("/payments")
        balance = await cast.pia.expect_reply(contains="Your packs")
    assert "Kim: “Spring pack” with Cora Klein: 0 of 2 left" in balance["text"]
    async with uow as tx:
        (payment,) = (await tx.session.scalars(select(Payment))).all()
    assert (payment.payment_type, payment.currency) == ("pack", charged[0])


async def _pack_id(uow: UnitOfWork) -> uuid.UUID | None:
    async with uow as tx:
        return await tx.session.scalar(select(SessionPack.id))


async def _book_with_pack_elsewhere(
    uow: UnitOfWork, services: Services, cast: BookingCast, start: datetime, pack_id: uuid.UUID
) -> None:
    """Kim's last pack session taken by a booking from another device."""
    world = cast.world
    await booking.book(
        uow,
        actor=await actor_of(uow, world.parent),
        choice=BookingChoice(world.coach.id, world.child.id, start, 60, "individual", pack_id),
        now=datetime.now(UTC),
        slots=services.slots,
        packs=services.session_packs,
    )


async def _payment_status_at(uow: UnitOfWork, start: datetime) -> str | None:
    async with uow as tx:
        return await tx.session.scalar(
            select(TrainingSession.payment_status).where(TrainingSession.start_time == start)
        )


async def _sessions_at(uow: UnitOfWork, start: datetime) -> int:
    async with uow as tx:
        return (
            await tx.session.scalar(
                select(func.count())
                .select_from(TrainingSession)
                .where(TrainingSession.start_time == start)
            )
            or 0
        )


# --- team fees ---------------------------------------------------------------------------------


async def _tigers_with_kim(uow: UnitOfWork, cast: BookingCast) -> None:
    today = date.today()
    details = teams.TeamDetails(
        "Tigers", "tennis", "U12", today - timedelta(days=1), today + timedelta(days=200)
    )
    team_id = await teams.create_team(
        uow,
        actor=await actor_of(uow, cast.world.coach_user),
        details=details,
        now=datetime.now(UTC),
    )
    async with uow as tx:
        tx.session.add(TeamMember(team_id=team_id, athlete_id=cast.world.child.id))
        await tx.commit()


async def _fee_run(application: BotApplication, at: datetime) -> None:
    context = BotContext(application)
    await queue_team_fees(context, now=at)
    await send_due_notifications(context, now=at)


async def test_a_team_fee_is_requested_reminded_paid_and_shown_to_the_coach(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    services.payments = PaymentConfig(provider_token=PROVIDER_TOKEN)
    cast = await _cast(emulator, uow)
    await _tigers_with_kim(uow, cast)
    now = datetime.now(UTC)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        await cast.pia.send("/fees")
        await cast.pia.expect_reply(contains="Team fees are set by coaches")

        await cast.cora.send("/fees")
        await cast.cora.expect_reply(contains="Tigers: no fee")
        await cast.cora.press("💶 Set fee: Tigers")
        await cast.cora.expect("edit", contains="season or month")
        await cast.cora.send("yearly 120 EUR")
        await cast.cora.expect_reply(contains="Please start with season or month")
        await cast.cora.send("season 120 EUR")
        await cast.cora.expect_reply(contains="Fee set: €120.00 per season")

        await _fee_run(application, now)
        request = await cast.pia.expect("message", contains="💶 The season fee of Tigers for Kim")
        assert "€120.00" in request["text"] and "Please pay by" in request["text"]
        await _fee_run(application, now + timedelta(hours=1))

        due_day = now + timedelta(days=DUE_AFTER_DAYS)
        await _fee_run(application, due_day)
        reminder = await cast.pia.expect("message", contains="⏰ Reminder: the season fee")
        assert "is not paid yet" in reminder["text"]
        await _fee_run(application, due_day + timedelta(hours=2))
        assert len(_texts(cast.pia, "💶 The season fee of Tigers")) == 1
        assert len(_texts(cast.pia, "⏰ Reminder")) == 1

        await cast.pia.press("💳 Pay")
        invoice = await next_invoice(cast.pia)
        assert (invoice["invoice"]["currency"], invoice["invoice"]["total_amount"]) == (
            "EUR",
            12000,
        )
        assert invoice["invoice"]["title"] == "Team fee: Tigers"
        await pay_invoice(cast.pia, invoice)
        await _deliver(application)
        await cast.pia.expect("message", contains="🧾 Receipt: the season fee of Tigers for Kim")
        await cast.cora.expect("message", contains="💰 Fee paid: Kim, Tigers (season), €120.00")

        # Paid: no more reminders, and the Pay button is refused.
        await _fee_run(application, due_day + timedelta(days=7))
        assert len(_texts(cast.pia, "⏰ Reminder")) == 1
        await cast.pia.press("💳 Pay")
        answer = await cast.pia.expect("callback_answer")
        assert "already paid" in answer["text"]

        await cast.cora.send("/fees")
        await cast.cora.expect_reply(contains="€120.00 per season, 1 of 1 paid")
        await cast.cora.press("👀 Who has paid")
        paid = await cast.cora.expect_reply(contains="who has paid")
        assert "✅ Kim" in paid["text"]

        await cast.pia.send("/payments")
        family = await cast.pia.expect_reply(contains="Team fees")
    assert "✅ Kim, Tigers (season from" in family["text"]
    assert "€120.00 paid" in family["text"]
    async with uow as tx:
        (payment,) = (await tx.session.scalars(select(Payment))).all()
    assert (payment.payment_type, payment.amount, payment.currency) == ("team_fee", 120, "EUR")
