"""Paying for a pack or a team fee: the invoice (from /packs, or 💳 Pay under a fee's request or
reminder), Telegram's pre-checkout question, and the payment recorded once per charge; the
receipts follow through the outbox."""

from __future__ import annotations

import logging

from telegram import Bot, LabeledPrice, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
)

from bot.app import PRIORITY_GROUP, BotApplication, BotContext
from bot.callbacks import refuse
from domain.clubs.packs import purchase
from domain.clubs.packs.purchase import Invoice
from domain.errors import DomainError
from handlers.clubs import packs_render as render
from handlers.clubs.pack_callbacks import FeePay
from handlers.shared.acting import refusal_text
from handlers.shared.invoices import (
    CLUB_INVOICES,
    PaidInvoice,
    answer_checkout,
    record_paid_invoice,
)

log = logging.getLogger(__name__)
TITLE_LIMIT, DESCRIPTION_LIMIT = 32, 255


def register(application: BotApplication) -> None:
    """Add 💳 Pay under fee notices, the checkout check and the payment of packs and fees."""
    application.add_handler(CallbackQueryHandler(pay_fee, pattern=FeePay.pattern()))
    application.add_handler(
        PreCheckoutQueryHandler(check_checkout, pattern=f"^({'|'.join(CLUB_INVOICES)})")
    )
    application.add_handler(
        MessageHandler(PaidInvoice(CLUB_INVOICES), payment_received), group=PRIORITY_GROUP
    )


async def send_invoice(bot: Bot, chat_id: int, invoice: Invoice, lang: str | None) -> None:
    """sendInvoice for a pack or a fee, worded in the payer's language."""
    title, description, label = render.invoice_words(invoice, lang)
    await bot.send_invoice(
        chat_id,
        _fit(title, TITLE_LIMIT),
        _fit(description, DESCRIPTION_LIMIT),
        invoice.payload,
        invoice.currency,
        [LabeledPrice(label, invoice.amount)],
        provider_token=invoice.provider_token,
    )


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def pay_fee(update: Update, context: BotContext) -> None:
    """💳 Pay under a fee's request or reminder: its invoice, while it is unpaid."""
    press = FeePay.parse(update.callback_query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="fee pay: malformed or not signed up")
        return
    try:
        invoice = await purchase.fee_invoice(
            context.uow, actor=context.actor, due_id=press.due_id, config=context.services.payments
        )
    except DomainError as err:
        log.info("fee invoice refused for %s: %s", context.actor.user_id, err.message_key)
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return
    await update.callback_query.answer()
    await send_invoice(context.bot, update.effective_chat.id, invoice, context.lang)


async def check_checkout(update: Update, context: BotContext) -> None:
    """Telegram's last question before it charges for a pack or a fee: still as invoiced?"""
    await answer_checkout(update.pre_checkout_query, context, purchase.check_pre_checkout)


async def payment_received(update: Update, context: BotContext) -> None:
    """Record a pack's or a fee's payment once per charge; the receipt follows by the outbox."""
    message = update.effective_message
    recorded = await record_paid_invoice(message, context, purchase.record_payment)
    if recorded is not None and recorded.already_recorded:
        charge = message.successful_payment.telegram_payment_charge_id
        log.info("pack/fee payment %s delivered again", charge)
    raise ApplicationHandlerStop
