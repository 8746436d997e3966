"""Writing to a team from its page: the coach's words, then where they go (the families'
private chats, the linked group, or both)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import ConversationHandler

from bot.app import BotContext
from bot.i18n import t
from domain.clubs.teams import messages, teams
from domain.policy import Actor
from handlers.clubs import teams_render as render
from handlers.clubs.callbacks import MessageWhere
from handlers.clubs.team_states import IDLE, MESSAGE_TEXT, MESSAGE_WHERE, WRITING, managed_page
from handlers.shared.edit_in_place import edit_or_reply

END = ConversationHandler.END


async def ask_message(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    """📣 Message the team: ask for the words."""
    page = await managed_page(context, actor, team_id)
    context.user_data[WRITING] = {"team": str(team_id), "group": page.group_linked}
    await edit_or_reply(
        update,
        t("teams.message.ask", context.lang, name=page.name),
        render.cancel_markup(context.lang),
    )
    return MESSAGE_TEXT


async def got_message(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    """The words: ask where they go."""
    writing = context.user_data.get(WRITING) or {}
    if "team" not in writing:
        return END
    writing["body"] = text
    context.user_data[WRITING] = writing
    markup = render.where_markup(context.lang, group_linked=bool(writing.get("group")))
    await update.effective_message.reply_text(
        t("teams.message.where", context.lang), reply_markup=markup
    )
    return MESSAGE_WHERE


async def send_message(
    update: Update, context: BotContext, actor: Actor, press: MessageWhere
) -> int:
    """Where: send, and show the team page again."""
    writing = context.user_data.get(WRITING) or {}
    if press.where == "cancel" or "body" not in writing:
        context.user_data.pop(WRITING, None)
        await edit_or_reply(update, t("teams.message.cancelled", context.lang), None)
        return IDLE
    team_id = uuid.UUID(writing["team"])
    sent = await messages.send_team_message(
        context.uow,
        actor=actor,
        team_id=team_id,
        body=writing["body"],
        to_families=press.where in ("families", "both"),
        to_group=press.where in ("group", "both"),
        now=datetime.now(UTC),
    )
    context.user_data.pop(WRITING, None)
    key = "teams.message.sent_group" if sent.to_group else "teams.message.sent"
    await edit_or_reply(update, t(key, context.lang, families=sent.recipients), None)
    page = await teams.team_page(context.uow, actor=actor, team_id=team_id)
    await edit_or_reply(update, *render.team_page(page, context.lang), edit=False)
    return IDLE
