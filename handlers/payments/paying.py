"""Paying in chat: the Pay button, the checkout's last check, the payment itself, /payments.

The invoice reaches the payer through the outbox (`handlers.payments.delivery`), and again from the
💳 Pay button of a payment reminder (`pay:again:<session>`). When they pay, Telegram first asks
the bot (`pre_checkout_query`) and waits at most 10 s: the answer is ok only if the session may
still be paid exactly as invoiced, otherwise it carries the reason in the payer's language.
Then `successful_payment` arrives as a message. It is recorded once per Telegram charge id, so
a redelivered update adds no row and confirms nothing twice; the receipt to the payer and the
notice to the coach go through the outbox, and the receipt is the payer's one confirmation.
Money the session can no longer take is recorded all the same and returned, and the payer is
told so at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
)
from telegram.ext import filters as f

from bot.app import PRIORITY_GROUP, BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.metrics import count_payment
from bot.sending import send_text
from domain.clubs.packs import balances
from domain.errors import DomainError, NotAllowed
from domain.payments import checkout, records, views
from domain.policy import Actor
from handlers.payments import render
from handlers.payments.callbacks import PayAgain
from handlers.payments.delivery import send_terms
from handlers.shared.acting import refusal_text
from handlers.shared.invoices import (
    CLAIMED,
    UNCLAIMED_INVOICES,
    PaidInvoice,
    answer_checkout,
    charge_of,
)

log = logging.getLogger(__name__)
ROLE_COMMANDS = {
    role: [("payments", "payment.command")] for role in ("athlete", "parent", "coach", "admin")
}
# Telegram gives up on a checkout after 10 s. Answering a little before leaves room for the
# answer's own round trip, and "try again" says more than Telegram's generic failure.
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add the checkout check, the payment itself, the Pay button and /payments."""
    # Programs and clubs check and record their own invoices (`handlers.programs.enrol`,
    # `handlers.clubs.pack_payments`).
    application.add_handler(PreCheckoutQueryHandler(check_checkout, pattern=UNCLAIMED_INVOICES))
    # A flow waiting for a typed answer takes any message: the payment must not reach it.
    application.add_handler(
        MessageHandler(f.SUCCESSFUL_PAYMENT & ~PaidInvoice(CLAIMED), payment_received),
        group=PRIORITY_GROUP,
    )
    application.add_handler(CallbackQueryHandler(pay_again, pattern=PayAgain.pattern()))
    application.add_handler(CommandHandler("payments", show_payments, filters=_PRIVATE))


async def check_checkout(update: Update, context: BotContext) -> None:
    """Answer Telegram's last question before it charges: may this be paid as invoiced?"""
    answered = await answer_checkout(
        update.pre_checkout_query, context, checkout.check_pre_checkout, now=datetime.now(UTC)
    )
    count_payment("checkout_ok" if answered else "checkout_refused")


async def payment_received(update: Update, context: BotContext) -> None:
    """Record a payment Telegram made (once per charge); its receipt follows by the outbox."""
    await _record(update, context)
    raise ApplicationHandlerStop  # no flow of group 0 sees the payment message


async def _record(update: Update, context: BotContext) -> None:
    message = update.effective_message
    paid = message.successful_payment
    try:
        recorded = await records.record_payment(
            context.uow,
            telegram_user_id=update.effective_user.id,
            now=datetime.now(UTC),
            **charge_of(paid),
        )
    except DomainError as err:
        await message.reply_text(
            _refused_after_paying(err, paid.telegram_payment_charge_id, context)
        )
        return
    if recorded.already_recorded:
        log.info("payment %s delivered again: already recorded", paid.telegram_payment_charge_id)
    count_payment("redelivered" if recorded.already_recorded else "recorded")
    # Nothing more to say here: Telegram shows the charge in the chat, and the receipt queued
    # with the payment (the outbox, seconds later) is the one message that confirms it.


def _refused_after_paying(err: DomainError, charge_id: str, context: BotContext) -> str:
    refund = err.params.get("refund")
    if refund is None:
        # Telegram took money we could not book against anything: a person must look at it.
        log.error("payment %s not recorded: %r", charge_id, err)
        count_payment("unmatched")
        return t("payment.unmatched", context.lang, charge=charge_id)
    log.warning("payment %s returned (%s): %s", charge_id, refund, err.message_key)
    count_payment("returned")
    reason = t(err.message_key, context.lang)
    return f"{reason}\n{render.returned(refund, err.params.get('amount'), context.lang)}"


async def pay_again(update: Update, context: BotContext) -> None:
    """💳 Pay on a reminder: the session's invoice again, as it stands now."""
    query = update.callback_query
    press = PayAgain.parse(query.data)
    if press is None:
        await refuse(update, context, reason="pay again: malformed")
        return
    terms = await checkout.invoice_for(
        context.uow,
        session_id=press.session_id,
        config=context.services.payments,
        now=datetime.now(UTC),
    )
    if terms is None:
        await query.answer(t("payment.no_longer_payable", context.lang), show_alert=True)
        return
    # An invoice only ever goes to its payer's chat; a press from any other chat is forged.
    if terms.chat_id != update.effective_chat.id:
        await refuse(update, context, reason="pay again: not the payer's chat")
        return
    await query.answer()
    timezone = context.timezone
    await send_terms(context.bot, terms, lang=context.lang, timezone=timezone)


async def show_payments(update: Update, context: BotContext) -> None:
    """/payments: an admin's overview, a coach's earnings by month, or a payer's history."""
    actor = context.actor
    chat_id = update.effective_chat.id
    if actor is None:
        await send_text(context.bot, chat_id, t("payment.not_signed_up", context.lang))
        return
    timezone = context.timezone
    try:
        text = await _payments_text(context, actor, timezone)
    except NotAllowed as err:
        text = refusal_text(err, context)
    await send_text(context.bot, chat_id, text)


async def _payments_text(context: BotContext, actor: Actor, timezone: str) -> str:
    lang = context.lang
    if actor.is_admin:
        overview = await views.admin_overview(context.uow, admin=actor)
        return render.admin_overview(overview, timezone=timezone, lang=lang)
    if actor.coach_id is not None:
        months = await views.coach_earnings(context.uow, actor=actor)
        return render.earnings(months, lang=lang)
    money = await balances.family_money(context.uow, actor=actor, now=datetime.now(UTC))
    return render.family(money, timezone=timezone, lang=lang)
