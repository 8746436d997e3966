"""Invoices and checkout, with the test acting as the bot while the person pays."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, Invoice, LabeledPrice, Message, Update
from telegram.error import BadRequest

from telegram_emulator import EmulatedUser, PaymentOutcome

STARS = [LabeledPrice("Session", 250)]
PROVIDER_TOKEN = "284685063:TEST:emulator"


async def next_update_with(bot: Bot, kind: str) -> Update:
    """Poll until an update of `kind` arrives; confirm everything read on the way."""
    while True:
        updates = await bot.get_updates(timeout=5)
        assert updates, f"no {kind} reached the bot"
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        for update in updates:
            if getattr(update, kind) is not None:
                return update


async def stars_invoice(bot: Bot, person: EmulatedUser) -> Message:
    return await bot.send_invoice(
        person.id, "Tennis session", "One hour with a coach", "booking:42", "XTR", STARS
    )


def pay(
    person: EmulatedUser, invoice: Message, timeout: float = 5.0
) -> asyncio.Task[PaymentOutcome]:
    """The person pays while the test goes on acting as the bot."""
    return asyncio.create_task(person.pay({"message_id": invoice.message_id}, timeout=timeout))


# --- invoices ------------------------------------------------------------------------------------


async def test_a_stars_invoice_needs_no_provider_token(bot: Bot, ana: EmulatedUser) -> None:
    sent = await stars_invoice(bot, ana)

    assert isinstance(sent.invoice, Invoice)
    assert sent.invoice.currency == "XTR"
    assert sent.invoice.total_amount == 250
    assert sent.invoice.title == "Tennis session"
    assert (await ana.expect("message"))["invoice"]["total_amount"] == 250


async def test_a_euro_invoice_with_a_provider_token_sums_its_prices(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_invoice(
        ana.id,
        "Camp",
        "Summer camp",
        "camp:7",
        "EUR",
        [LabeledPrice("Camp", 12000), LabeledPrice("Shirt", 1500)],
        provider_token=PROVIDER_TOKEN,
        need_name=True,
    )

    assert sent.invoice is not None
    assert (sent.invoice.currency, sent.invoice.total_amount) == ("EUR", 13500)


async def test_a_euro_invoice_without_a_provider_token_is_refused(
    bot: Bot, ana: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)payment_provider_invalid"):
        await bot.send_invoice(
            ana.id, "Camp", "Summer camp", "camp:7", "EUR", [LabeledPrice("Camp", 12000)]
        )


async def test_a_stars_invoice_with_a_provider_token_is_refused(
    bot: Bot, ana: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)stars_invoice_invalid"):
        await bot.send_invoice(
            ana.id, "Session", "One hour", "booking:1", "XTR", STARS, provider_token=PROVIDER_TOKEN
        )


async def test_an_invoice_link_is_a_telegram_link(bot: Bot) -> None:
    link = await bot.create_invoice_link(
        "Tennis session", "One hour with a coach", "booking:42", "XTR", STARS
    )

    assert isinstance(link, str)
    assert link.startswith("https://t.me/$")


# --- checkout ------------------------------------------------------------------------------------


async def test_an_approved_checkout_pays_and_tells_the_bot(bot: Bot, ana: EmulatedUser) -> None:
    invoice = await stars_invoice(bot, ana)
    paying = pay(ana, invoice)

    query = (await next_update_with(bot, "pre_checkout_query")).pre_checkout_query
    assert query is not None
    assert (query.currency, query.total_amount) == ("XTR", 250)
    assert query.invoice_payload == "booking:42" and query.from_user.id == ana.id
    assert await query.answer(ok=True) is True

    outcome = await paying
    assert outcome.ok and outcome.charge_id
    message = (await next_update_with(bot, "message")).message
    assert message is not None and message.successful_payment is not None
    assert message.successful_payment.telegram_payment_charge_id == outcome.charge_id
    assert message.successful_payment.invoice_payload == "booking:42"
    assert message.successful_payment.total_amount == 250


async def test_a_refused_checkout_tells_the_person_why(bot: Bot, ana: EmulatedUser) -> None:
    invoice = await stars_invoice(bot, ana)
    paying = pay(ana, invoice)

    query = (await next_update_with(bot, "pre_checkout_query")).pre_checkout_query
    assert query is not None
    await bot.answer_pre_checkout_query(
        query.id, ok=False, error_message="That slot was just taken"
    )

    outcome = await paying
    assert not outcome.ok
    assert outcome.error == "That slot was just taken"
    assert ana.events("payment_failed")[-1].data == {"error": "That slot was just taken"}


async def test_refusing_a_checkout_needs_an_error_message(bot: Bot, ana: EmulatedUser) -> None:
    paying = pay(ana, await stars_invoice(bot, ana))
    query = (await next_update_with(bot, "pre_checkout_query")).pre_checkout_query
    assert query is not None

    with pytest.raises(BadRequest, match=r"(?i)error_message is empty"):
        await bot.answer_pre_checkout_query(query.id, ok=False)

    await query.answer(ok=True)
    assert (await paying).ok


async def test_an_unanswered_checkout_fails_and_cannot_be_answered_later(
    bot: Bot, ana: EmulatedUser
) -> None:
    paying = pay(ana, await stars_invoice(bot, ana), timeout=0.5)
    query = (await next_update_with(bot, "pre_checkout_query")).pre_checkout_query
    assert query is not None

    outcome = await paying

    assert not outcome.ok and outcome.error
    with pytest.raises(BadRequest, match=r"(?i)query_id_invalid"):
        await query.answer(ok=True)
    assert ana.events("payment_failed")


async def test_an_invoice_can_be_forwarded_but_not_copied(bot: Bot, ana: EmulatedUser) -> None:
    invoice = await stars_invoice(bot, ana)

    with pytest.raises(BadRequest, match=r"(?i)^message can't be copied$"):
        await bot.copy_message(ana.id, ana.id, invoice.message_id)
    forwarded = await bot.forward_message(ana.id, ana.id, invoice.message_id)

    assert forwarded.invoice == invoice.invoice
    assert forwarded.forward_origin is not None


async def test_a_payment_service_message_cannot_be_copied_or_forwarded(
    bot: Bot, ana: EmulatedUser
) -> None:
    paying = pay(ana, await stars_invoice(bot, ana))
    query = (await next_update_with(bot, "pre_checkout_query")).pre_checkout_query
    assert query is not None
    await query.answer(ok=True)
    await paying
    receipt = (await next_update_with(bot, "message")).message
    assert receipt is not None

    with pytest.raises(BadRequest, match=r"(?i)^message can't be copied$"):
        await bot.copy_message(ana.id, ana.id, receipt.message_id)
    with pytest.raises(BadRequest, match=r"(?i)^message can't be forwarded$"):
        await bot.forward_message(ana.id, ana.id, receipt.message_id)


# --- refunds -------------------------------------------------------------------------------------


async def paid_charge(bot: Bot, person: EmulatedUser) -> str:
    paying = pay(person, await stars_invoice(bot, person))
    query = (await next_update_with(bot, "pre_checkout_query")).pre_checkout_query
    assert query is not None
    await query.answer(ok=True)
    outcome = await paying
    assert outcome.charge_id is not None
    return outcome.charge_id


async def test_a_star_payment_is_refunded_once(bot: Bot, ana: EmulatedUser) -> None:
    charge_id = await paid_charge(bot, ana)

    assert await bot.refund_star_payment(ana.id, charge_id) is True

    assert ana.events("refund")[-1].data["telegram_payment_charge_id"] == charge_id
    with pytest.raises(BadRequest, match=r"(?i)charge_already_refunded"):
        await bot.refund_star_payment(ana.id, charge_id)


async def test_a_refund_for_someone_elses_charge_is_not_found(bot: Bot, ana: EmulatedUser) -> None:
    charge_id = await paid_charge(bot, ana)

    with pytest.raises(BadRequest, match=r"(?i)charge_not_found"):
        await bot.refund_star_payment(ana.id + 1, charge_id)
    with pytest.raises(BadRequest, match=r"(?i)charge_not_found"):
        await bot.refund_star_payment(ana.id, "stxNOSUCHCHARGE")
