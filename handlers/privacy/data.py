"""/mydata (a ZIP of everything held about the person) and /deleteme (confirm, 7 days' grace,
withdrawn by /start, then erased by the scheduled job in bot.jobs)."""

from __future__ import annotations

import asyncio
import logging
import shutil
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import PRIORITY_GROUP, BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.local_time import local_moment
from bot.sending import send_text
from domain.errors import DomainError, NotAllowed
from domain.models import Role
from domain.privacy import erasure
from domain.privacy.export import export_my_data
from handlers.privacy.callbacks import ErasureAnswer
from handlers.shared.acting import refusal_text
from handlers.shared.common import unknown_command

log = logging.getLogger(__name__)
# Everyone signed up has them, whatever their role; before sign-up there is nothing to export.
ROLE_COMMANDS = {
    role.value: [("mydata", "privacy.command.mydata"), ("deleteme", "privacy.command.deleteme")]
    for role in Role
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /mydata, /deleteme with its buttons, and /start's withdrawal of a pending erasure."""
    application.add_handler(CommandHandler("mydata", send_my_data, filters=_PRIVATE))
    application.add_handler(CommandHandler("deleteme", ask_erasure, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(answer_erasure, pattern=ErasureAnswer.pattern()))
    # Before the features, and without stopping the update: /start still greets or signs up.
    application.add_handler(
        CommandHandler("start", withdraw_on_start, filters=_PRIVATE), PRIORITY_GROUP
    )


async def send_my_data(update: Update, context: BotContext) -> None:
    """/mydata: the ZIP as a document, built off the event loop."""
    actor, chat_id = context.actor, update.effective_chat.id
    if actor is None:
        await unknown_command(update, context)
        return
    await send_text(context.bot, chat_id, t("privacy.export_started", context.lang))
    services = context.services
    try:
        export = await export_my_data(
            context.uow,
            actor=actor,
            storage=services.storage,
            box=services.secrets,
            now=datetime.now(UTC),
        )
    except NotAllowed as err:
        log.info("/mydata refused: %r", err)
        await send_text(context.bot, chat_id, t("common.not_available", context.lang))
        return
    try:
        with export.path.open("rb") as document:
            caption = t(
                "privacy.export_caption",
                context.lang,
                attached=export.videos_attached,
                linked=export.videos_linked,
            )
            await context.bot.send_document(
                chat_id, document, filename=export.filename, caption=caption
            )
    except TelegramError as err:
        log.warning("/mydata not sent: %r", err)
        await send_text(context.bot, chat_id, t("privacy.export_failed", context.lang))
    finally:
        await asyncio.to_thread(shutil.rmtree, export.path.parent, True)


async def ask_erasure(update: Update, context: BotContext) -> None:
    """/deleteme: what will happen, and Erase / Keep buttons."""
    if context.actor is None:
        await unknown_command(update, context)
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("privacy.erase_yes", context.lang),
                    callback_data=ErasureAnswer("yes").pack(),
                ),
                InlineKeyboardButton(
                    t("privacy.erase_no", context.lang), callback_data=ErasureAnswer("no").pack()
                ),
            ]
        ]
    )
    text = t("privacy.erase_question", context.lang)
    await send_text(context.bot, update.effective_chat.id, text, reply_markup=buttons)


async def answer_erasure(update: Update, context: BotContext) -> None:
    """Erase: the request is recorded and the person told the date and how to withdraw it."""
    query = update.callback_query
    press, actor = ErasureAnswer.parse(query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="erasure: malformed or unknown presser")
        return
    if press.answer == "no":
        await query.answer()
        await query.edit_message_text(t("privacy.erase_kept", context.lang))
        return
    try:
        due_at = await erasure.request_erasure(context.uow, actor=actor, now=datetime.now(UTC))
    except NotAllowed as err:
        await refuse(update, context, reason=f"erasure: {type(err).__name__}")
        return
    except DomainError as err:
        log.info("erasure refused: %r", err)
        await query.answer()
        await query.edit_message_text(refusal_text(err, context))
        return
    await query.answer()
    when = local_moment(due_at, context.timezone, context.lang)
    await query.edit_message_text(t("privacy.erase_scheduled", context.lang, when=when))


async def withdraw_on_start(update: Update, context: BotContext) -> None:
    """/start within the grace withdraws the erasure, and says so; /start goes on as usual."""
    actor = context.actor
    if actor is None:
        return
    try:
        withdrawn = await erasure.withdraw_erasure(context.uow, actor=actor)
    except NotAllowed:
        return
    if withdrawn:
        await send_text(
            context.bot, update.effective_chat.id, t("privacy.erase_withdrawn", context.lang)
        )
