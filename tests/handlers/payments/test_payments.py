"""Paying for a session in the chat, through the emulator's Telegram Payments.

A parent books a priced session with a coach who confirms automatically; the outbox job sends
the invoice; the parent pays it as in a Telegram app (pre-checkout answered by the bot, then
successful_payment). The bot runs on the real clock, so the session is placed three days ahead
with a coach bookable at any hour.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import BotApplication, BotContext
from bot.outbox import send_due_notifications
from bot.wiring import Services
from domain.actors import actor_for_user
from domain.adapters.cache.card_places import CardPlace
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking.availability import WEEKDAYS
from domain.booking.book import BookingChoice
from domain.models import Coach, Notification, Payment, TrainingSession, User
from domain.payments import checkout as domain_checkout
from domain.payments.checkout import PaymentConfig, invoice_for
from domain.policy import Actor
from domain.uow import UnitOfWork
from handlers.payments.callbacks import PayAgain
from handlers.payments.delivery import send_terms
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from telegram_emulator.methods.common import public
from telegram_emulator.world import Json
from tests.factories import BookingWorld, booking_world
from tests.handlers.chat_steps import open_chats

PROVIDER_TOKEN = "284685063:TEST:emulator"
PAID, RECEIPT, RECEIVED = "✅ Paid", "🧾 Receipt", "💰 Payment received"


@dataclass
class Payers:
    """The coach, the parent who booked Kim's session, another parent, and the session."""

    world: BookingWorld
    cora: EmulatedUser
    pia: EmulatedUser
    omar: EmulatedUser
    session_id: uuid.UUID


async def priced_world(
    emulator: Emulator,
    uow: UnitOfWork,
    *,
    currency: str = "EUR",
    rate: str = "40.00",
    auto_accept: bool = True,
) -> tuple[BookingWorld, EmulatedUser, EmulatedUser, EmulatedUser]:
    """A coach who confirms at once (unless not `auto_accept`), bookable at any hour in UTC,
    charging `rate` an hour."""
    cora, pia = emulator.user("Cora"), emulator.user("Pia")
    omar = emulator.user("Omar", language_code="es")
    all_day = {day: ["00:00-24:00"] for day in WEEKDAYS}
    rules = {
        "timezone": "UTC",
        "weekly": all_day,
        "min_notice_minutes": 0,
        "auto_accept": auto_accept,
    }
    world = await booking_world(
        uow, rules=rules, rate=rate, telegram_ids=iter([cora.id, pia.id, omar.id])
    )
    async with uow as tx:
        await tx.session.execute(update(User).values(quiet_from=time(0), quiet_until=time(0)))
        await tx.session.execute(
            update(Coach).where(Coach.id == world.coach.id).values(currency=currency)
        )
        await tx.commit()
    return world, cora, pia, omar


async def actor(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def booked(
    emulator: Emulator,
    uow: UnitOfWork,
    services: Services,
    *,
    auto_accept: bool = True,
    **prices: str,
) -> Payers:
    """Kim's hour three days ahead, booked by Pia and confirmed (or, unless `auto_accept`,
    requested from the coach): its invoice is queued once confirmed."""
    world, cora, pia, omar = await priced_world(emulator, uow, auto_accept=auto_accept, **prices)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    choice = BookingChoice(world.coach.id, world.child.id, start, 60, "individual")
    made = await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice,
        now=datetime.now(UTC),
        slots=services.slots,
    )
    assert made.needs_acceptance != auto_accept
    return Payers(world, cora, pia, omar, made.session.id)


async def deliver(application: BotApplication) -> None:
    """One run of the outbox job."""
    await send_due_notifications(BotContext(application))


def invoices(person: EmulatedUser) -> list[Json]:
    return [message for message in person.messages() if "invoice" in message]


async def invoice_of(application: BotApplication, person: EmulatedUser) -> Json:
    """Run the outbox job; the one invoice it sent to `person`."""
    await deliver(application)
    (invoice,) = invoices(person)
    return invoice


async def handled(person: EmulatedUser) -> None:
    """Wait until the bot has handled what `person` sent so far, their payment included.

    One person's updates are handled in order, so the answer to /payments comes after it.
    """
    await person.send("/payments")
    await person.expect_reply(contains="Your payments")


def payment_events(event: str) -> float:
    """How many payment events of this kind bot.metrics has counted so far."""
    return REGISTRY.get_sample_value("sportscenter_payments_total", {"event": event}) or 0.0


def texts(person: EmulatedUser, opening: str) -> list[str]:
    found = (message.get("text") or "" for message in person.messages())
    return [text for text in found if text.startswith(opening)]


async def payments(uow: UnitOfWork) -> list[Payment]:
    async with uow as tx:
        return list(await tx.session.scalars(select(Payment)))


async def payment_status(uow: UnitOfWork, session_id: uuid.UUID) -> str:
    async with uow as tx:
        return (await tx.session.get_one(TrainingSession, session_id)).payment_status


def successful_payments(emulator: Emulator, person: EmulatedUser) -> list[Json]:
    return [
        message
        for (chat_id, _), message in sorted(emulator.bot.messages.items())
        if chat_id == person.id and "successful_payment" in message
    ]


async def paid_after_checkout(
    emulator: Emulator, person: EmulatedUser, invoice: Json, *, payload: str | None = None
) -> str:
    """Telegram's report of a payment whose checkout passed; returns its charge id.

    As when Telegram takes the money between the bot's ok and a change to the session.
    """
    terms = emulator.bot.messages[(person.id, invoice["message_id"])]["_terms"]
    charge_id = f"stxEMU{secrets.token_hex(12)}"
    payment = {
        "currency": terms["currency"],
        "total_amount": terms["total_amount"],
        "invoice_payload": payload or terms["payload"],
        "telegram_payment_charge_id": charge_id,
        "provider_payment_charge_id": "" if terms["currency"] == "XTR" else "pi_emu_late",
    }
    emulator.bot.charges[charge_id] = {**payment, "user_id": person.id}
    await person.client._post(
        person.person, emulator.world.chats[person.id], {"successful_payment": payment}
    )
    return charge_id


async def cancel_by_coach(uow: UnitOfWork, services: Services, cast: Payers) -> None:
    await session_changes.cancel(
        uow,
        actor=await actor(uow, cast.world.coach_user),
        session_id=cast.session_id,
        now=datetime.now(UTC),
        slots=services.slots,
        refund=services.cancellation_refund,
    )


# --- book, invoice, pay --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "currency", "rate", "charged", "shown"),
    [
        (None, "EUR", "40.00", ("XTR", 2000), "⭐ 2,000"),
        (PROVIDER_TOKEN, "EUR", "40.00", ("EUR", 4000), "€40.00"),
        (PROVIDER_TOKEN, "JPY", "4500", ("JPY", 4500), "¥4,500"),
    ],
    ids=["stars", "eur", "jpy"],
)
async def test_a_booked_session_is_invoiced_paid_and_receipted(
    emulator: Emulator,
    run_bot,
    uow: UnitOfWork,
    services: Services,
    token: str | None,
    currency: str,
    rate: str,
    charged: tuple[str, int],
    shown: str,
) -> None:
    services.payments = PaymentConfig(provider_token=token)
    cast = await booked(emulator, uow, services, currency=currency, rate=rate)
    checked, recorded = payment_events("checkout_ok"), payment_events("recorded")
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)

        invoice = await invoice_of(application, cast.pia)
        assert (invoice["invoice"]["currency"], invoice["invoice"]["total_amount"]) == charged
        assert invoice["invoice"]["title"] == "Tennis · Cora Klein"
        # Worded for Pia (English, Berlin time): what, with whom, for whom, when.
        description = invoice["invoice"]["description"]
        assert description.startswith("Individual session with Cora Klein for Kim, ")
        # Stars say what they stand for; a charge in the coach's currency needs no word.
        stars_word = "The price, €40.00, paid in Telegram Stars."
        assert description.endswith(stars_word) == (token is None)

        outcome = await cast.pia.pay(invoice)
        assert outcome.ok, outcome.error
        await handled(cast.pia)
        assert payment_events("checkout_ok") == checked + 1
        assert payment_events("recorded") == recorded + 1

        await deliver(application)
        (receipt,) = texts(cast.pia, RECEIPT)
        (received,) = texts(cast.cora, RECEIVED)
    # One message says it was paid: the receipt (Telegram shows its own line for the charge).
    assert texts(cast.pia, PAID) == []
    assert receipt.startswith(f"🧾 Receipt: {shown} paid")
    assert "Cora Klein for Kim" in receipt
    assert received.startswith(f"💰 Payment received: {shown}")
    assert await payment_status(uow, cast.session_id) == "paid"
    (row,) = await payments(uow)
    assert (row.currency, row.status, row.transaction_id) == (
        charged[0],
        "completed",
        outcome.charge_id,
    )
    assert (row.provider_charge_id or "").startswith("" if token is None else "pi_emu_")


# --- the checkout refused ------------------------------------------------------------------------


async def test_a_cancelled_session_cannot_be_paid(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        invoice = await invoice_of(application, cast.pia)
        await cancel_by_coach(uow, services, cast)

        outcome = await cast.pia.pay(invoice)

    assert not outcome.ok
    assert outcome.error == "This session has been cancelled, so there is nothing to pay."
    assert await payments(uow) == []


async def test_an_invoice_whose_amount_changed_is_refused(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        invoice = await invoice_of(application, cast.pia)
        async with uow as tx:
            session = await tx.session.get_one(TrainingSession, cast.session_id)
            session.price = session.price + 5
            await tx.commit()
        refused = payment_events("checkout_refused")

        outcome = await cast.pia.pay(invoice)

    assert payment_events("checkout_refused") == refused + 1
    assert not outcome.ok
    assert outcome.error.startswith("The price of this session changed after this invoice")
    assert await payment_status(uow, cast.session_id) == "pending"


async def test_the_same_invoice_cannot_be_paid_twice(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        invoice = await invoice_of(application, cast.pia)
        assert (await cast.pia.pay(invoice)).ok
        await handled(cast.pia)

        again = await cast.pia.pay(invoice)

    assert not again.ok
    assert again.error == "This session is already paid, so there is nothing more to pay."
    assert len(await payments(uow)) == 1


async def test_someone_who_may_not_pay_is_refused_in_their_language(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.omar)
        terms = await invoice_for(
            services.uow, session_id=cast.session_id, config=services.payments
        )
        assert terms is not None
        # Pia's invoice, forwarded to the other family's parent.
        forwarded = replace(terms, chat_id=cast.omar.id)
        await send_terms(application.bot, forwarded, lang="es", timezone="UTC")
        (forwarded,) = invoices(cast.omar)

        outcome = await cast.omar.pay(forwarded)

    assert not outcome.ok
    assert outcome.error == (
        "Esta factura es para otra persona: solo el deportista o su madre, padre o tutor "
        "pueden pagarla."
    )
    assert await payments(uow) == []


# --- Telegram's side of a payment ----------------------------------------------------------------


async def test_a_redelivered_payment_is_recorded_and_confirmed_once(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        invoice = await invoice_of(application, cast.pia)
        assert (await cast.pia.pay(invoice)).ok
        await handled(cast.pia)

        # Telegram delivers the same successful_payment again (a webhook it thinks failed).
        (payment,) = successful_payments(emulator, cast.pia)
        await emulator.bot.push_update("message", public(payment))
        # One person's updates are handled in order: this answer comes after the repeat's.
        await cast.pia.send("/payments")
        history = await cast.pia.expect_reply(contains="Your payments")
        await deliver(application)

    assert texts(cast.pia, PAID) == []
    assert len(texts(cast.pia, RECEIPT)) == 1 and len(texts(cast.cora, RECEIVED)) == 1
    assert history["text"].count("⭐ 2,000") == 1
    assert len(await payments(uow)) == 1


async def test_stars_paid_for_a_session_cancelled_meanwhile_are_refunded_at_once(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        invoice = await invoice_of(application, cast.pia)
        await cancel_by_coach(uow, services, cast)

        charge_id = await paid_after_checkout(emulator, cast.pia, invoice)
        told = await cast.pia.expect_reply(contains="cancelled")
        await deliver(application)

    assert told["text"] == (
        "This session has been cancelled, so there is nothing to pay.\n"
        "Your ⭐ 2,000 is being refunded to you now."
    )
    assert emulator.bot.charges[charge_id].get("refunded") is True
    (row,) = await payments(uow)
    assert (row.status, row.transaction_id) == ("refunded", charge_id)
    async with uow as tx:
        refund = await tx.session.scalar(
            select(Notification).where(Notification.kind == "star_refund")
        )
    assert refund is not None and refund.sent_at is not None


async def test_money_taken_for_an_invoice_we_never_issued_is_reported_with_its_reference(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.pia)
        invoice = await invoice_of(application, cast.pia)

        charge_id = await paid_after_checkout(emulator, cast.pia, invoice, payload="camp:7")
        told = await cast.pia.expect_reply(contains="couldn't match")

    assert told["text"].endswith(f"your payment reference is {charge_id}.")
    assert await payments(uow) == []


async def test_a_paid_session_cancelled_in_the_free_window_gives_the_stars_back(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        outcome = await cast.pia.pay(await invoice_of(application, cast.pia))
        assert outcome.ok
        await handled(cast.pia)

        await session_changes.cancel(
            uow,
            actor=await actor(uow, cast.world.parent),
            session_id=cast.session_id,
            now=datetime.now(UTC),
            slots=services.slots,
            refund=services.cancellation_refund,
        )
        await deliver(application)

    assert emulator.bot.charges[outcome.charge_id].get("refunded") is True
    (row,) = await payments(uow)
    assert (row.status, row.refunded_at is not None) == ("refunded", True)
    assert await payment_status(uow, cast.session_id) == "refunded"


# --- /payments -----------------------------------------------------------------------------------


async def test_payments_shows_the_payer_history_and_the_coach_earnings(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        assert (await cast.pia.pay(await invoice_of(application, cast.pia))).ok

        await cast.pia.send("/payments")
        history = (await cast.pia.expect_reply(contains="Your payments"))["text"]
        await cast.cora.send("/payments")
        earnings = (await cast.cora.expect_reply(contains="Your earnings"))["text"]

    today = datetime.now(UTC)
    month = f"{today:%b} {today.year}"
    assert f"• {today.day} {month}: ⭐ 2,000, ✅ paid" in history
    assert "Cora Klein for Kim" in history
    assert earnings.splitlines()[1] == f"• {month}: ⭐ 2,000 (payments: 1)"


async def test_payments_for_someone_who_never_paid_says_so(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    _, cora, pia, _ = await priced_world(emulator, uow)
    async with run_bot(emulator):
        await pia.send("/payments")
        assert (await pia.expect_reply())["text"].startswith("No payments yet.")
        await cora.send("/payments")
        assert (await cora.expect_reply())["text"].startswith("No payments received yet.")


async def test_payments_shows_admins_totals_and_the_card_refunds_they_must_make(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    services.payments = PaymentConfig(provider_token=PROVIDER_TOKEN)
    cast = await booked(emulator, uow, services)
    ada = emulator.user("Ada")
    async with uow as tx:
        tx.users.add(User(role="admin", first_name="Ada", telegram_user_id=ada.id))
        await tx.commit()
    async with run_bot(emulator, admins=[ada.id]) as application:
        await open_chats(cast.cora, cast.pia)
        invoice = await invoice_of(application, cast.pia)
        await cancel_by_coach(uow, services, cast)
        await paid_after_checkout(emulator, cast.pia, invoice)
        told = await cast.pia.expect_reply(contains="cancelled")

        await ada.send("/payments")
        overview = (await ada.expect_reply(contains="Payments overview"))["text"]

    assert told["text"].endswith(
        "Your €40.00 will be refunded by our team; you don't need to do anything."
    )
    assert "• €0.00 net: €40.00 received, €40.00 refunded (payments: 1)" in overview
    assert "↩️ Refunds due (1)" in overview
    assert "• €40.00, Pia to Cora Klein" in overview and "charge pi_emu_late" in overview
    assert overview.endswith("⚠️ Failed payments: 0")


# --- the Pay button of a payment reminder --------------------------------------------------------


async def test_the_pay_button_sends_the_invoice_again_and_only_to_its_payer(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.pia, cast.omar)
        reminder = await application.bot.send_message(
            cast.pia.id, "Pay?", reply_markup=_pay_button(cast.session_id)
        )
        await cast.pia.press("💳 Pay", {"message_id": reminder.message_id})
        await cast.pia.expect("message")
        forged = await application.bot.send_message(
            cast.omar.id, "Pay?", reply_markup=_pay_button(cast.session_id)
        )
        await cast.omar.press("💳 Pay", {"message_id": forged.message_id})
        refusal = await cast.omar.expect("callback_answer")

    (again,) = invoices(cast.pia)
    assert again["invoice"]["total_amount"] == 2000
    assert invoices(cast.omar) == []
    assert refusal["show_alert"] is True


def _pay_button(session_id: uuid.UUID) -> InlineKeyboardMarkup:
    """The 💳 Pay button a payment reminder carries (domain.booking.payment_notices)."""
    button = InlineKeyboardButton("💳 Pay", callback_data=PayAgain(session_id).pack())
    return InlineKeyboardMarkup([[button]])


async def test_a_checkout_whose_check_fails_is_still_answered_in_time(
    emulator: Emulator,
    run_bot,
    uow: UnitOfWork,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def database_down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("Postgres is down")

    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.pia)
        invoice = await invoice_of(application, cast.pia)
        monkeypatch.setattr(domain_checkout, "check_pre_checkout", database_down)

        outcome = await cast.pia.pay(invoice, timeout=5)

    assert not outcome.ok
    assert outcome.error == (
        "We couldn't check this payment just now. "
        "Nothing was charged; please try again in a minute."
    )


async def test_a_payment_made_in_the_middle_of_another_flow_is_still_recorded(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.pia)
        invoice = await invoice_of(application, cast.pia)
        # Adding a second child: that flow now waits for a typed name, and says so to
        # anything else sent meanwhile.
        await cast.pia.send("/addchild")
        await cast.pia.expect_reply()

        assert (await cast.pia.pay(invoice)).ok

        await handled(cast.pia)
    assert await payment_status(uow, cast.session_id) == "paid"
    assert texts(cast.pia, "Please answer with a text message") == []


# --- the session, once paid ----------------------------------------------------------------------


async def test_a_session_paid_in_stars_shows_paid_and_the_stars_to_both_sides(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        assert (await cast.pia.pay(await invoice_of(application, cast.pia))).ok
        await handled(cast.pia)

        await cast.pia.send("/schedule")
        family = (await cast.pia.expect_reply(contains="Kim"))["text"]
        await cast.cora.send("/schedule")
        listed = await cast.cora.expect_reply(contains="Kim")
        (label, _), *_ = [
            (b["text"], b["callback_data"])
            for row in listed["reply_markup"]["inline_keyboard"]
            for b in row
        ]
        await cast.cora.press(label, listed)
        card = (await cast.cora.expect("edit", contains="Kim"))["text"]

    for text in (family, listed["text"], card):
        assert "€40.00 (paid ⭐ 2,000)" in text
        assert "pending" not in text


async def test_the_coach_card_a_request_became_says_paid_once_the_family_pays(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services, auto_accept=False)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        await deliver(application)
        request = await cast.cora.expect_reply(contains="New booking request")
        await cast.cora.press("✅ Accept", request)
        accepted = await cast.cora.expect("edit", contains="payment pending")

        assert (await cast.pia.pay(await invoice_of(application, cast.pia))).ok
        await handled(cast.pia)
        await deliver(application)
        assert len(texts(cast.cora, RECEIVED)) == 1

    (card,) = [m for m in cast.cora.messages() if m["message_id"] == request["message_id"]]
    assert accepted["text"].startswith(card["text"].split("€")[0])  # the same card, refreshed
    assert "€40.00 (paid ⭐ 2,000)" in card["text"]
    assert "pending" not in card["text"]
    assert "reply_markup" not in card  # a notice turned card keeps no buttons, as before


async def test_a_coach_card_opened_from_the_schedule_says_paid_and_keeps_its_buttons(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        await cast.cora.send("/schedule")
        listed = await cast.cora.expect_reply(contains="Kim")
        label = listed["reply_markup"]["inline_keyboard"][0][0]["text"]
        await cast.cora.press(label, listed)
        opened = await cast.cora.expect("edit", contains="payment pending")

        assert (await cast.pia.pay(await invoice_of(application, cast.pia))).ok
        await handled(cast.pia)
        await deliver(application)
        assert len(texts(cast.cora, RECEIVED)) == 1

    (card,) = [m for m in cast.cora.messages() if m["message_id"] == listed["message_id"]]
    assert "€40.00 (paid ⭐ 2,000)" in card["text"]
    assert "pending" not in card["text"]
    assert card["reply_markup"] == opened["reply_markup"]


@pytest.mark.parametrize(
    ("button", "shown_next"),
    [("« Back", "Your sessions"), ("❌ Cancel session", "Cancel this session?")],
    ids=["list", "cancel-question"],
)
async def test_a_card_the_coach_left_is_not_turned_back_into_the_card(
    emulator: Emulator,
    run_bot,
    uow: UnitOfWork,
    services: Services,
    button: str,
    shown_next: str,
) -> None:
    cast = await booked(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        await cast.cora.send("/schedule")
        listed = await cast.cora.expect_reply(contains="Kim")
        await cast.cora.press(listed["reply_markup"]["inline_keyboard"][0][0]["text"], listed)
        opened = await cast.cora.expect("edit", contains="payment pending")
        await cast.cora.press(button, opened)
        back = await cast.cora.expect("edit", contains=shown_next)

        assert (await cast.pia.pay(await invoice_of(application, cast.pia))).ok
        await handled(cast.pia)
        await deliver(application)
        assert len(texts(cast.cora, RECEIVED)) == 1

    (shown,) = [m for m in cast.cora.messages() if m["message_id"] == listed["message_id"]]
    assert shown["text"] == back["text"]


async def test_a_card_that_cannot_be_edited_any_more_leaves_the_notice_sent(
    emulator: Emulator,
    run_bot,
    uow: UnitOfWork,
    services: Services,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cast = await booked(emulator, uow, services)
    gone = CardPlace(10_000, buttons=True, caption=False)  # deleted, or never there
    end = datetime.now(UTC) + timedelta(days=3)
    await services.card_places.remember(cast.cora.id, cast.session_id, gone, ends=end)
    caplog.set_level(logging.DEBUG, logger="handlers.booking.card_refresh")
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        assert (await cast.pia.pay(await invoice_of(application, cast.pia))).ok
        await handled(cast.pia)
        await deliver(application)
        await deliver(application)
        assert len(texts(cast.cora, RECEIVED)) == 1

    async with uow as tx:
        query = select(Notification).where(Notification.kind == "payment_received")
        (notice,) = await tx.session.scalars(query)
    assert notice.sent_at is not None and notice.attempts == 1
    assert "could not refresh the card" in caplog.text


async def test_the_refreshed_card_speaks_the_coachs_language(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services, auto_accept=False)
    cast.cora.person.language_code = "es"  # Telegram's, for the chat; the row's, for notices
    async with uow as tx:
        await tx.session.execute(
            update(User).where(User.id == cast.world.coach_user.id).values(language_code="es")
        )
        await tx.commit()
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        await deliver(application)
        request = await cast.cora.expect_reply(contains="Nueva solicitud de reserva")
        await cast.cora.press("✅ Aceptar", request)
        await cast.cora.expect("edit", contains="pago pendiente")

        assert (await cast.pia.pay(await invoice_of(application, cast.pia))).ok
        await handled(cast.pia)
        await deliver(application)

    (card,) = [m for m in cast.cora.messages() if m["message_id"] == request["message_id"]]
    assert "(pagada con ⭐" in card["text"]
    assert "pendiente" not in card["text"]
