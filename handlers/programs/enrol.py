"""Enrolling in a program from its page: whom (oneself or a child), from when; a free program
enrols at once, a paid one sends its invoice, and the payment (checked before Telegram charges,
recorded once per charge) enrols the athlete. A coach assigns their program with /assign.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from telegram import Bot, LabeledPrice, Update
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
from bot.i18n.formats import money
from bot.sending import send_text
from domain.currencies import STARS
from domain.errors import DomainError
from domain.programs.following import enrolments, purchase
from domain.programs.following.purchase import Order, ProgramInvoice
from handlers.programs import following_render as render
from handlers.programs.following_callbacks import (
    AssignProgram,
    AssignTo,
    EnrolFor,
    EnrolFrom,
    EnrolStart,
)
from handlers.shared.acting import refusal_text
from handlers.shared.edit_in_place import edit_or_reply
from handlers.shared.invoices import PaidInvoice, answer_checkout, record_paid_invoice

log = logging.getLogger(__name__)
ROLE_COMMANDS = {"coach": [("assign", "training.command.assign")]}
TITLE_LIMIT, DESCRIPTION_LIMIT = 32, 255
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add the enrolment buttons, the program checkout and payment, and /assign."""
    for press, callback in (
        (EnrolStart, enrol_start),
        (EnrolFor, enrol_for),
        (EnrolFrom, enrol_from),
        (AssignProgram, assign_program),
        (AssignTo, assign_to),
    ):
        application.add_handler(CallbackQueryHandler(callback, pattern=press.pattern()))
    application.add_handler(
        PreCheckoutQueryHandler(check_checkout, pattern=f"^{purchase.PAYLOAD_PREFIX}")
    )
    application.add_handler(
        MessageHandler(PaidInvoice(purchase.PAYLOAD_PREFIX), payment_received),
        group=PRIORITY_GROUP,
    )
    application.add_handler(CommandHandler("assign", assign_start, filters=_PRIVATE))


def _today(context: BotContext) -> date:
    return enrolments.local_today(datetime.now(UTC), context.timezone)


def _as_date(key: int) -> date | None:
    try:
        return datetime.strptime(str(key), "%Y%m%d").date()
    except ValueError:
        return None


async def _refused(update: Update, context: BotContext, err: DomainError) -> None:
    log.info("program enrolment refused: %s", err.message_key)
    await edit_or_reply(update, refusal_text(err, context), None)


async def enrol_start(update: Update, context: BotContext) -> None:
    """📝 Enrol: whom (skipped when the person may enrol only themself)."""
    press = EnrolStart.parse(update.callback_query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="enrol: malformed or not signed up")
        return
    try:
        choices = await enrolments.enrol_choices(
            context.uow, actor=context.actor, program_id=press.program_id
        )
    except DomainError as err:
        await _refused(update, context, err)
        return
    if len(choices.athletes) == 1:
        athlete_id = choices.athletes[0][0]
        text, markup = render.enrol_when(
            press.program_id, athlete_id, _today(context), context.lang
        )
    else:
        text, markup = render.enrol_whom(choices, context.lang)
    await edit_or_reply(update, text, markup, edit=False)


async def enrol_for(update: Update, context: BotContext) -> None:
    """Whom was picked: now from when."""
    press = EnrolFor.parse(update.callback_query.data)
    if press is None:
        await refuse(update, context, reason="enrol for: malformed")
        return
    text, markup = render.enrol_when(
        press.program_id, press.athlete_id, _today(context), context.lang
    )
    await edit_or_reply(update, text, markup)


async def enrol_from(update: Update, context: BotContext) -> None:
    """The start was picked: a free program enrols now, a paid one sends its invoice."""
    press = EnrolFrom.parse(update.callback_query.data)
    start = _as_date(press.start) if press else None
    if press is None or start is None or context.actor is None:
        await refuse(update, context, reason="enrol from: malformed")
        return
    try:
        done = await purchase.enrol_or_invoice(
            context.uow,
            actor=context.actor,
            order=Order(press.program_id, press.athlete_id, start),
            config=context.services.payments,
            now=datetime.now(UTC),
        )
    except DomainError as err:
        await _refused(update, context, err)
        return
    if isinstance(done, enrolments.Enrolled):
        await edit_or_reply(update, render.enrolled(done, context.lang), None)
        return
    await update.callback_query.answer()
    await send_invoice(context.bot, update.effective_chat.id, done, context.lang)


async def send_invoice(bot: Bot, chat_id: int, terms: ProgramInvoice, lang: str | None) -> None:
    """sendInvoice for a program, worded in the payer's language."""
    title = t("training.invoice.title", lang, program=terms.title)
    description = t(
        "training.invoice.description",
        lang,
        program=terms.title,
        coach=terms.coach_name,
        weeks=terms.weeks,
    )
    if terms.currency == STARS:
        price = money(terms.price, terms.price_currency, lang)
        description += " " + t("payment.invoice.in_stars", lang, price=price)
    await bot.send_invoice(
        chat_id,
        _fit(title, TITLE_LIMIT),
        _fit(description, DESCRIPTION_LIMIT),
        terms.payload,
        terms.currency,
        [LabeledPrice(t("training.invoice.label", lang, weeks=terms.weeks), terms.amount)],
        provider_token=terms.provider_token,
    )


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def check_checkout(update: Update, context: BotContext) -> None:
    """Telegram's last question before it charges for a program: may this be bought as invoiced?"""
    await answer_checkout(update.pre_checkout_query, context, purchase.check_pre_checkout)


async def payment_received(update: Update, context: BotContext) -> None:
    """Record a program payment once per charge and enrol; the receipt follows by the outbox."""
    message = update.effective_message
    bought = await record_paid_invoice(message, context, purchase.record_payment)
    if bought is not None and bought.already_recorded:
        charge = message.successful_payment.telegram_payment_charge_id
        log.info("program payment %s delivered again", charge)
    raise ApplicationHandlerStop


async def assign_start(update: Update, context: BotContext) -> None:
    """/assign: a coach's published programs, to give one to an athlete they coach."""
    actor = context.actor
    if actor is None or actor.coach_id is None:
        await send_text(
            context.bot, update.effective_chat.id, t("training.assign.coaches", context.lang)
        )
        return
    choices = await enrolments.assignable(context.uow, actor=actor)
    text, markup = render.assign_programs(choices, context.lang)
    await send_text(context.bot, update.effective_chat.id, text, reply_markup=markup)


async def assign_program(update: Update, context: BotContext) -> None:
    """The program was picked: to whom."""
    press = AssignProgram.parse(update.callback_query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="assign: malformed")
        return
    choices = await enrolments.assignable(context.uow, actor=context.actor)
    text, markup = render.assign_athletes(press.program_id, choices, context.lang)
    await edit_or_reply(update, text, markup)


async def assign_to(update: Update, context: BotContext) -> None:
    """The athlete was picked: from when; then the assignment is made."""
    press = AssignTo.parse(update.callback_query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="assign to: malformed")
        return
    if press.start is None:
        text, markup = render.enrol_when(
            press.program_id, press.athlete_id, _today(context), context.lang, assign=True
        )
        await edit_or_reply(update, text, markup)
        return
    start = _as_date(press.start)
    if start is None:
        await refuse(update, context, reason="assign to: bad date")
        return
    try:
        done = await enrolments.assign(
            context.uow,
            actor=context.actor,
            program_id=press.program_id,
            athlete_id=press.athlete_id,
            start=start,
            now=datetime.now(UTC),
        )
    except DomainError as err:
        await _refused(update, context, err)
        return
    await edit_or_reply(update, render.enrolled(done, context.lang), None)
