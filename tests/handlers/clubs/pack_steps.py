"""Steps of paying in the chat: the next invoice the bot sends, and paying it."""

from __future__ import annotations

from telegram_emulator.driver import EmulatedUser
from telegram_emulator.world import Json


async def next_invoice(person: EmulatedUser) -> Json:
    """The next invoice the bot sends the person."""
    for _ in range(5):
        message = await person.expect("message")
        if "invoice" in message:
            return message
    raise AssertionError("no invoice came")


async def pay_invoice(person: EmulatedUser, invoice: Json) -> None:
    """The person pays the invoice in the emulator; /payments answers after the payment."""
    outcome = await person.pay(invoice)
    assert outcome.ok, outcome.error
    await person.send("/payments")  # answered after the payment: one person's updates in order
    await person.expect_reply(contains="Your payments")
