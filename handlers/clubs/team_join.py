"""A team's links opened: `/start team-<code>` shows the team and a Join button per athlete
the opener may put on it (a parent's children, or an adult athlete themself; a parent may add
a child first), `/start teamcoach-<code>` makes a coach one of the team's coaches."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.clubs.teams import joining
from domain.errors import DomainError
from domain.models import Role
from handlers.clubs import teams_render as render
from handlers.clubs.callbacks import JoinPress
from handlers.shared.acting import refusal_text
from handlers.shared.edit_in_place import edit_pressed

log = logging.getLogger(__name__)
_LINK = rf"^/start(@\w+)?\s+({joining.FAMILY_LINK_PREFIX}|{joining.COACH_LINK_PREFIX})"
_OPENED = f.UpdateType.MESSAGE & f.ChatType.PRIVATE & f.Regex(_LINK)


def register(application: BotApplication) -> None:
    """Add the team links' /start and the Join buttons."""
    application.add_handler(CommandHandler("start", open_link, filters=_OPENED))
    application.add_handler(CallbackQueryHandler(join, pattern=JoinPress.pattern()))


async def open_link(update: Update, context: BotContext) -> None:
    """A family link shows the team and whom the opener may put on it; a co-coach link adds
    the opener to the team's coaches."""
    payload = (context.args or [""])[0]
    message, actor = update.effective_message, context.actor
    if actor is None:
        await message.reply_text(t("teams.join.sign_up_first", context.lang))
        return
    try:
        if payload.startswith(joining.COACH_LINK_PREFIX):
            code = payload.removeprefix(joining.COACH_LINK_PREFIX)
            joined = await joining.join_as_coach(
                context.uow, actor=actor, code=code, now=datetime.now(UTC)
            )
            key = "teams.coach_joined_already" if joined.already else "teams.coach_joined"
            await message.reply_text(t(key, context.lang, name=joined.team_name))
            return
        code = payload.removeprefix(joining.FAMILY_LINK_PREFIX)
        offer = await joining.open_team_link(context.uow, actor=actor, code=code)
    except DomainError as err:
        log.info("team link refused for %s: %s", actor.user_id, err.detail or err.message_key)
        await message.reply_text(refusal_text(err, context))
        return
    text, markup = render.join_offer(offer, context.lang, parent=actor.role == Role.PARENT)
    await message.reply_text(text, reply_markup=markup)


async def join(update: Update, context: BotContext) -> None:
    """Join: the athlete is put on the team the link named, if the presser may act for them."""
    press, actor = JoinPress.parse(update.callback_query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="team join: malformed or not signed up")
        return
    try:
        joined = await joining.join_team(
            context.uow,
            actor=actor,
            code=press.code,
            athlete_id=press.athlete_id,
            now=datetime.now(UTC),
        )
    except DomainError as err:
        log.info("team join refused for %s: %s", actor.user_id, err.detail or err.message_key)
        await refuse(update, context, reason=f"team join: {err.message_key}")
        return
    key = "teams.joined_already" if joined.already else "teams.joined"
    await update.callback_query.answer()
    await edit_pressed(
        update.callback_query,
        t(key, context.lang, name=joined.athlete_name, team=joined.team_name),
        None,
    )
