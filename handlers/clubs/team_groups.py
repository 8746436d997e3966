"""A team's Telegram group: the bot added to a group says how a coach links it; a coach sends
`/linkteam <code>` there (the code is on the team's page); the bot removed, the team loses its
group. Nothing said in a group names anyone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.i18n import t
from domain.clubs.teams import groups
from domain.errors import DomainError
from handlers.shared.acting import refusal_text

log = logging.getLogger(__name__)
GROUP_COMMANDS = ("linkteam",)
_IN = frozenset({ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR})
_OUT = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})


def register(application: BotApplication) -> None:
    """Add the bot's own membership changes in groups and /linkteam."""
    application.add_handler(
        ChatMemberHandler(membership_changed, chat_member_types=ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(
        CommandHandler("linkteam", link_team, filters=f.ChatType.GROUPS & f.UpdateType.MESSAGE)
    )


async def membership_changed(update: Update, context: BotContext) -> None:
    """Added to a group: say how to link it; removed: unlink the team it served."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    before, after = change.old_chat_member.status, change.new_chat_member.status
    if after in _IN and before not in _IN:
        try:
            await context.bot.send_message(change.chat.id, t("teams.group.hello", context.lang))
        except TelegramError as err:  # e.g. a group where members may not write
            log.warning("could not greet group %s: %r", change.chat.id, err)
    elif (
        after in _OUT
        and before in _IN
        and await groups.bot_left_group(context.uow, chat_id=change.chat.id)
    ):
        log.info("bot removed from group %s: its team is unlinked", change.chat.id)


async def link_team(update: Update, context: BotContext) -> None:
    """/linkteam <code> in a group: a coach of that team links this group to it."""
    message = update.effective_message
    code = (context.args or [""])[0]
    if not code:
        await message.reply_text(t("teams.group.code_missing", context.lang))
        return
    try:
        name = await groups.link_group(
            context.uow,
            actor=context.actor,
            code=code,
            chat_id=message.chat_id,
            now=datetime.now(UTC),
        )
    except DomainError as err:
        log.info("linkteam refused in %s: %s", message.chat_id, err.detail or err.message_key)
        await message.reply_text(refusal_text(err, context))
        return
    await message.reply_text(t("teams.group.now_linked", context.lang, name=name))
