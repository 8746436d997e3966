"""/refunds (card refunds due, marked done with the provider's reference) and /csv (sessions,
payments or people of a date range as a CSV file)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.i18n.formats import money as money_words
from bot.sending import send_text
from domain.admin import money
from domain.errors import DomainError, InvalidAnswer, InvalidInput, NotAllowed, NotFound
from domain.payments import views
from handlers.admin import render
from handlers.admin.callbacks import RefundPress
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback, unknown_command

log = logging.getLogger(__name__)
REFERENCE = 0
END = ConversationHandler.END
REFUNDING = "admin_refunding"  # user_data: the refund whose reference is awaited
ROLE_COMMANDS = {
    "admin": [("refunds", "admin.command.refunds"), ("csv", "admin.command.csv")],
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /refunds with its Mark refunded conversation, and /csv."""
    application.add_handler(CommandHandler("refunds", show_refunds, filters=_PRIVATE))
    application.add_handler(CommandHandler("csv", export_csv, filters=_PRIVATE))
    application.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_reference, pattern=RefundPress.pattern())],
            states={
                REFERENCE: [
                    MessageHandler(_PRIVATE & f.TEXT & ~f.COMMAND, mark_refunded),
                    MessageHandler(_PRIVATE & ~f.COMMAND, reference_hint),
                ]
            },
            fallbacks=[cancel_fallback()],
            name="admin_refund",
            persistent=True,
            allow_reentry=True,
        )
    )


async def show_refunds(update: Update, context: BotContext) -> None:
    """/refunds: card payments to return by hand, oldest first."""
    actor = context.actor
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        overview = await views.admin_overview(context.uow, admin=actor)
    except NotAllowed:
        await unknown_command(update, context)
        return
    text, buttons = render.refunds(overview.refunds_due, context.lang, context.timezone)
    await send_text(context.bot, update.effective_chat.id, text, reply_markup=buttons)


async def ask_reference(update: Update, context: BotContext) -> int:
    """Mark refunded, first press: ask for the provider's reference."""
    press, actor = RefundPress.parse(update.callback_query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="mark refunded: malformed or unknown presser")
        return END
    try:
        await money.check_refund_due(context.uow, admin=actor, payment_id=press.payment_id)
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"mark refunded: {type(err).__name__}")
        return END
    except DomainError as err:  # done already, by this admin or another
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return END
    context.user_data[REFUNDING] = str(press.payment_id)
    await update.callback_query.answer()
    await send_text(context.bot, update.effective_chat.id, t("admin.ask_reference", context.lang))
    return REFERENCE


async def mark_refunded(update: Update, context: BotContext) -> int:
    """The reference: the refund is recorded as done (audited)."""
    actor, payment = context.actor, context.user_data.get(REFUNDING)
    message = update.effective_message
    try:
        if actor is None or not isinstance(payment, str):
            raise NotAllowed("no refund under way")
        done = await money.mark_refunded(
            context.uow,
            admin=actor,
            payment_id=uuid.UUID(payment),
            reference=message.text or "",
            now=datetime.now(UTC),
        )
    except money.BadReference as err:
        await message.reply_text(refusal_text(err, context))
        return REFERENCE
    except DomainError as err:
        log.warning("refund not marked done: %r", err)
        await message.reply_text(refusal_text(err, context))
        context.user_data.pop(REFUNDING, None)
        return END
    context.user_data.pop(REFUNDING, None)
    amount = money_words(done.amount, done.currency, context.lang)
    await message.reply_text(
        t("admin.refund_done", context.lang, amount=amount, reference=done.reference)
    )
    return END


async def reference_hint(update: Update, context: BotContext) -> int:
    """Not text: ask again."""
    await update.effective_message.reply_text(t("admin.reference_text_expected", context.lang))
    return REFERENCE


async def export_csv(update: Update, context: BotContext) -> None:
    """/csv <sessions|payments|people> <from YYYY-MM-DD> <to YYYY-MM-DD>: the CSV file."""
    actor, message = context.actor, update.effective_message
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        kind, first_day, last_day = _export_args(context.args or [])
        data = await money.export(
            context.uow,
            admin=actor,
            kind=kind,
            first_day=first_day,
            last_day=last_day,
            timezone=context.timezone,
        )
    except NotAllowed:
        await unknown_command(update, context)
        return
    except (InvalidInput, NotFound) as err:
        log.info("/csv refused: %r", err)
        await message.reply_text(refusal_text(err, context))
        return
    name = f"{kind.value}-{first_day.isoformat()}-{last_day.isoformat()}.csv"
    await message.reply_document(
        data,
        filename=name,
        caption=t(
            "admin.csv.caption", context.lang, kind=t(f"admin.csv.kind.{kind.value}", context.lang)
        ),
    )


def _export_args(args: list[str]) -> tuple[money.ExportKind, date, date]:
    """What /csv was given; InvalidInput (with the usage) for anything else."""
    try:
        kind = money.ExportKind(args[0].lower())
        first_day = date.fromisoformat(args[1])
        last_day = date.fromisoformat(args[2]) if len(args) > 2 else first_day
    except (IndexError, ValueError):
        raise InvalidAnswer("admin.csv.usage") from None
    return kind, first_day, last_day
