"""/adherence: a coach's programs that athletes follow, and for each who keeps up with it
(done / partly / skipped per week), their newest result, and who is falling behind."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from domain.errors import DomainError
from domain.programs.following import adherence
from handlers.programs import following_render as render
from handlers.programs.following_callbacks import AdherencePress
from handlers.shared.acting import refusal_text
from handlers.shared.edit_in_place import edit_or_reply

ROLE_COMMANDS = {"coach": [("adherence", "training.command.adherence")]}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /adherence and its program buttons."""
    application.add_handler(CommandHandler("adherence", show_programs, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(show_program, pattern=AdherencePress.pattern()))


async def show_programs(update: Update, context: BotContext) -> None:
    """/adherence: the coach's followed programs, a button each."""
    actor = context.actor
    chat_id = update.effective_chat.id
    if actor is None or actor.coach_id is None:
        await send_text(context.bot, chat_id, t("training.adherence.coaches", context.lang))
        return
    programs = await adherence.followed_programs(context.uow, actor=actor)
    text, markup = render.coach_programs(programs, context.lang)
    await send_text(context.bot, chat_id, text, reply_markup=markup)


async def show_program(update: Update, context: BotContext) -> None:
    """One program: its athletes, the ones falling behind first."""
    press = AdherencePress.parse(update.callback_query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="adherence: malformed")
        return
    try:
        view = await adherence.program_adherence(
            context.uow, actor=context.actor, program_id=press.program_id, now=datetime.now(UTC)
        )
    except DomainError as err:
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return
    await edit_or_reply(update, render.adherence_text(view, context.lang), None, edit=False)
