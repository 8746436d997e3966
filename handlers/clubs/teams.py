"""/teams: one's teams; a coach creates one (name, sport, age group, season), opens its page
(roster with guardians, invite links, the linked group) and writes to the team. Families see
their teams and take a child off one."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.clubs.teams import groups, joining, teams
from domain.errors import DomainError
from domain.policy import Actor
from handlers.clubs import team_create, team_messages
from handlers.clubs import teams_render as render
from handlers.clubs.callbacks import (
    TEAMS_FLOW,
    MemberAction,
    MemberPress,
    MessageWhere,
    NewTeamPress,
    TeamAction,
    TeamNew,
    TeamPress,
    TeamsHome,
)
from handlers.clubs.team_states import (
    AGE,
    IDLE,
    MESSAGE_TEXT,
    MESSAGE_WHERE,
    NAME,
    SEASON,
    SPORT,
    home,
    managed_page,
)
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)
END = ConversationHandler.END
_TEAMS = [("teams", "teams.command")]
ROLE_COMMANDS = {"athlete": _TEAMS, "parent": _TEAMS, "coach": _TEAMS, "admin": _TEAMS}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
_PRESSES = (TeamsHome, TeamNew, TeamPress, MemberPress, NewTeamPress, MessageWhere)
Typed = Callable[[Update, BotContext, Actor, str], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add the /teams conversation."""
    press = CallbackQueryHandler(on_press, pattern=flow_pattern(TEAMS_FLOW))
    states: dict[object, list[Any]] = {IDLE: [press], MESSAGE_WHERE: [press]}
    for state, step in _TYPED.items():
        states[state] = [press, MessageHandler(_TEXT, _typed(state, step))]
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("teams", start, filters=_PRIVATE), press],
            states=states,
            fallbacks=[cancel_fallback()],
            name="teams",
            persistent=True,
            allow_reentry=True,
        )
    )


async def start(update: Update, context: BotContext) -> int:
    """/teams: the teams one coaches or one's family is on."""
    actor = context.actor
    if actor is None:
        await update.effective_message.reply_text(t("teams.sign_up_first", context.lang))
        return END
    return await home(update, context, actor)


async def on_press(update: Update, context: BotContext) -> int:
    """Any button of /teams: re-check the presser, then do what it names."""
    press = parse_any(update.callback_query.data, _PRESSES)
    actor = context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="teams button: malformed or not signed up")
        return IDLE
    try:
        return await _act(update, context, actor, press)
    except DomainError as err:
        log.info("teams button refused for %s: %s", actor.user_id, err.detail or err.message_key)
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return IDLE


async def _act(update: Update, context: BotContext, actor: Actor, press: object) -> int:
    if isinstance(press, TeamsHome):
        return await home(update, context, actor)
    if isinstance(press, TeamNew):
        return await team_create.new(update, context, actor)
    if isinstance(press, NewTeamPress):
        return await team_create.new_press(update, context, actor, press)
    if isinstance(press, MessageWhere):
        return await team_messages.send_message(update, context, actor, press)
    if isinstance(press, MemberPress):
        return await _member(update, context, actor, press)
    assert isinstance(press, TeamPress)
    return await _TEAM_STEPS[press.action](update, context, actor, press.team_id)


# A team's page and its buttons.


async def _open(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await teams.team_page(context.uow, actor=actor, team_id=team_id)
    await edit_or_reply(update, *render.team_page(page, context.lang))
    return IDLE


async def _roster(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await managed_page(context, actor, team_id)
    await edit_or_reply(update, *render.roster(page, context.lang))
    return IDLE


async def _links(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await managed_page(context, actor, team_id)
    await edit_or_reply(update, *render.links(page, context.bot.username, context.lang))
    return IDLE


async def _group(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await managed_page(context, actor, team_id)
    await edit_or_reply(update, *render.group(page, context.lang))
    return IDLE


async def _unlink(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    await groups.unlink_group(context.uow, actor=actor, team_id=team_id)
    await update.callback_query.answer(t("teams.group.unlinked", context.lang))
    return await _open(update, context, actor, team_id)


async def _member(update: Update, context: BotContext, actor: Actor, press: MemberPress) -> int:
    now = datetime.now(UTC)
    if press.action == MemberAction.REMOVE:
        name = await joining.remove_member(
            context.uow, actor=actor, team_id=press.team_id, athlete_id=press.athlete_id, now=now
        )
        await update.callback_query.answer(t("teams.removed", context.lang, name=name))
        return await _roster(update, context, actor, press.team_id)
    team = await joining.leave_team(
        context.uow, actor=actor, team_id=press.team_id, athlete_id=press.athlete_id, now=now
    )
    await update.callback_query.answer(t("teams.left", context.lang, team=team))
    return await home(update, context, actor)


def _typed(state: int, step: Typed) -> Callable[[Update, BotContext], Awaitable[int]]:
    """A typed answer at `state`: taken by `step`, or the reason it is refused (same state)."""

    async def answer(update: Update, context: BotContext) -> int:
        actor = context.actor
        if actor is None:
            return END
        try:
            return await step(update, context, actor, update.effective_message.text.strip())
        except DomainError as err:
            log.info("teams answer refused for %s: %s", actor.user_id, err.message_key)
            await update.effective_message.reply_text(refusal_text(err, context))
            return state

    return answer


_TEAM_STEPS = {
    TeamAction.OPEN: _open,
    TeamAction.ROSTER: _roster,
    TeamAction.LINKS: _links,
    TeamAction.GROUP: _group,
    TeamAction.UNLINK: _unlink,
    TeamAction.MESSAGE: team_messages.ask_message,
}
_TYPED: dict[int, Typed] = {
    NAME: team_create.got_name,
    SPORT: team_create.got_sport,
    AGE: team_create.got_age,
    SEASON: team_create.got_season,
    MESSAGE_TEXT: team_messages.got_message,
}
