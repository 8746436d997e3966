"""A family's answers under a team message: 👍 Seen (counted once, the coach sees the count on
the team's page) and ↩️ Reply to the coach (their next message goes to the coach privately,
saying who sent it)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.clubs.teams import messages
from domain.errors import DomainError
from handlers.clubs.callbacks import TeamReply, TeamSeen
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback

log = logging.getLogger(__name__)
END = ConversationHandler.END
REPLYING = 0
ANSWERING = "team_reply"  # user_data: the message id being answered
_TEXT = f.ChatType.PRIVATE & f.UpdateType.MESSAGE & f.TEXT & ~f.COMMAND


def register(application: BotApplication) -> None:
    """Add Seen and the reply conversation."""
    application.add_handler(CallbackQueryHandler(seen, pattern=TeamSeen.pattern()))
    application.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(start_reply, pattern=TeamReply.pattern())],
            states={REPLYING: [MessageHandler(_TEXT, send_reply)]},
            fallbacks=[cancel_fallback()],
            name="team_reply",
            persistent=True,
            allow_reentry=True,
        )
    )


async def seen(update: Update, context: BotContext) -> None:
    """👍 Seen: counted once per person."""
    press, actor = TeamSeen.parse(update.callback_query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="team seen: malformed or not signed up")
        return
    try:
        await messages.mark_seen(
            context.uow, actor=actor, message_id=press.message_id, now=datetime.now(UTC)
        )
    except DomainError as err:
        await refuse(update, context, reason=f"team seen: {err.message_key}")
        return
    await update.callback_query.answer(t("teams.seen_thanks", context.lang))


async def start_reply(update: Update, context: BotContext) -> int:
    """↩️ Reply to the coach: ask for the words."""
    press, actor = TeamReply.parse(update.callback_query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="team reply: malformed or not signed up")
        return END
    try:
        target = await messages.reply_target(context.uow, actor=actor, message_id=press.message_id)
    except DomainError as err:
        await refuse(update, context, reason=f"team reply: {err.message_key}")
        return END
    context.user_data[ANSWERING] = str(press.message_id)
    await update.callback_query.answer()
    await update.effective_message.reply_text(
        t("teams.reply.ask", context.lang, team=target.team_name, excerpt=target.excerpt)
    )
    return REPLYING


async def send_reply(update: Update, context: BotContext) -> int:
    """The family's words, to the coach who wrote the message."""
    actor, message = context.actor, update.effective_message
    answering = context.user_data.get(ANSWERING)
    if actor is None or not isinstance(answering, str):
        return END
    try:
        target = await messages.reply_to_coach(
            context.uow,
            actor=actor,
            message_id=uuid.UUID(answering),
            text=message.text,
            reference=message.message_id,
            now=datetime.now(UTC),
        )
    except DomainError as err:
        log.info("team reply refused for %s: %s", actor.user_id, err.message_key)
        await message.reply_text(refusal_text(err, context))
        return REPLYING if err.message_key == "teams.error.reply_length" else END
    context.user_data.pop(ANSWERING, None)
    await message.reply_text(t("teams.reply.sent", context.lang, team=target.team_name))
    return END
