"""/teams: one's teams; a coach creates one (name, sport, age group, season), opens its page
(roster with guardians, invite links, the linked group) and writes to the team. Families see
their teams and take a child off one."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.booking import schedule
from domain.clubs.teams import groups, joining, messages, teams
from domain.errors import DomainError, NotAllowed
from domain.policy import Actor
from domain.short_ids import parse_id
from handlers.clubs import teams_render as render
from handlers.clubs.callbacks import (
    TEAMS_FLOW,
    MemberAction,
    MemberPress,
    MessageWhere,
    NewAction,
    NewTeamPress,
    TeamAction,
    TeamNew,
    TeamPress,
    TeamsHome,
)
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)
END = ConversationHandler.END
_TEAMS = [("teams", "teams.command")]
ROLE_COMMANDS = {"athlete": _TEAMS, "parent": _TEAMS, "coach": _TEAMS, "admin": _TEAMS}
IDLE, NAME, SPORT, AGE, SEASON, MESSAGE_TEXT, MESSAGE_WHERE = range(7)
DRAFT = "team_new"  # user_data: the new team's answers so far (JSON)
WRITING = "team_message"  # user_data: {"team": id, "group": bool, "body": text}
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
    return await _home(update, context, actor)


async def _home(update: Update, context: BotContext, actor: Actor) -> int:
    found = await teams.my_teams(context.uow, actor=actor)
    runs_teams = actor.coach_id is not None or actor.is_admin
    await edit_or_reply(update, *render.home(found, context.lang, coach=runs_teams))
    return IDLE


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
        return await _home(update, context, actor)
    if isinstance(press, TeamNew):
        return await _new(update, context, actor)
    if isinstance(press, NewTeamPress):
        return await _new_press(update, context, actor, press)
    if isinstance(press, MessageWhere):
        return await _send_message(update, context, actor, press)
    if isinstance(press, MemberPress):
        return await _member(update, context, actor, press)
    assert isinstance(press, TeamPress)
    return await _TEAM_STEPS[press.action](update, context, actor, press.team_id)


# A team's page and its buttons.


async def _open(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await teams.team_page(context.uow, actor=actor, team_id=team_id)
    await edit_or_reply(update, *render.team_page(page, context.lang))
    return IDLE


async def _managed_page(context: BotContext, actor: Actor, team_id: uuid.UUID) -> teams.TeamPage:
    page = await teams.team_page(context.uow, actor=actor, team_id=team_id)
    if not page.managing:
        raise NotAllowed("team page: not a coach of the team", action="manage_team")
    return page


async def _roster(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await _managed_page(context, actor, team_id)
    await edit_or_reply(update, *render.roster(page, context.lang))
    return IDLE


async def _links(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await _managed_page(context, actor, team_id)
    await edit_or_reply(update, *render.links(page, context.bot.username, context.lang))
    return IDLE


async def _group(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await _managed_page(context, actor, team_id)
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
    return await _home(update, context, actor)


# Creating a team: name, sport, age group, season.


async def _new(update: Update, context: BotContext, actor: Actor) -> int:
    context.user_data[DRAFT] = {}
    if actor.coach_id is None and actor.is_admin:  # an admin starts a team for a coach
        coaches = await schedule.verified_coaches(context.uow, specialization=None, limit=40)
        markup = render.coaches_markup([(c.coach_id, c.name) for c in coaches], context.lang)
        await edit_or_reply(update, t("teams.new.coach", context.lang), markup)
        return IDLE
    if actor.coach_id is None:
        await update.callback_query.answer(t("teams.coaches_only", context.lang), show_alert=True)
        return IDLE
    return await _ask_name(update, context)


async def _ask_name(update: Update, context: BotContext) -> int:
    await edit_or_reply(
        update, t("teams.new.name", context.lang), render.cancel_markup(context.lang)
    )
    return NAME


async def _got_name(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    context.user_data.setdefault(DRAFT, {})["name"] = teams.tidy("name", text)
    await update.effective_message.reply_text(
        t("teams.new.sport", context.lang), reply_markup=render.cancel_markup(context.lang)
    )
    return SPORT


async def _got_sport(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    context.user_data.setdefault(DRAFT, {})["sport"] = teams.tidy("sport", text)
    await update.effective_message.reply_text(
        t("teams.new.age_group", context.lang), reply_markup=render.age_markup(context.lang)
    )
    return AGE


async def _got_age(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    context.user_data.setdefault(DRAFT, {})["age_group"] = teams.tidy("age_group", text)
    start, end = teams.suggested_season(datetime.now(UTC).date())
    await edit_or_reply(
        update, t("teams.new.season", context.lang), render.season_markup(start, end, context.lang)
    )
    return SEASON


async def _got_season(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    start, end = teams.parse_season(text)
    return await _create(update, context, actor, start, end)


async def _create(update: Update, context: BotContext, actor: Actor, start: date, end: date) -> int:
    draft = context.user_data.get(DRAFT) or {}
    details = teams.TeamDetails(
        name=str(draft.get("name", "")),
        sport=str(draft.get("sport", "")),
        age_group=str(draft.get("age_group", "")),
        season_start=start,
        season_end=end,
    )
    head = draft.get("coach")
    team_id = await teams.create_team(
        context.uow,
        actor=actor,
        details=details,
        now=datetime.now(UTC),
        coach_id=uuid.UUID(head) if isinstance(head, str) else None,
    )
    context.user_data.pop(DRAFT, None)
    page = await teams.team_page(context.uow, actor=actor, team_id=team_id)
    created = t("teams.created", context.lang, name=page.name)
    links_text, _ = render.links(page, context.bot.username, context.lang)
    text, markup = render.team_page(page, context.lang)
    await edit_or_reply(update, f"{created}\n\n{links_text}\n\n{text}", markup, edit=False)
    return IDLE


async def _new_press(update: Update, context: BotContext, actor: Actor, press: NewTeamPress) -> int:
    if press.action == NewAction.CANCEL:
        context.user_data.pop(DRAFT, None)
        context.user_data.pop(WRITING, None)
        return await _home(update, context, actor)
    if DRAFT not in context.user_data:
        await update.callback_query.answer(t("common.stale_button", context.lang))
        return IDLE
    coach_id = parse_id(press.value or "") if press.action == NewAction.COACH else None
    if coach_id is not None:
        context.user_data[DRAFT] = {"coach": str(coach_id)}
        return await _ask_name(update, context)
    if press.action == NewAction.AGE and press.value in render.AGE_GROUPS:
        return await _got_age(update, context, actor, press.value)
    if press.action == NewAction.SEASON:
        await update.callback_query.answer()
        start, end = teams.suggested_season(datetime.now(UTC).date())
        return await _create(update, context, actor, start, end)
    await refuse(update, context, reason="teams: new-team button out of place")
    return IDLE


# Writing to the team.


async def _message(update: Update, context: BotContext, actor: Actor, team_id: uuid.UUID) -> int:
    page = await _managed_page(context, actor, team_id)
    context.user_data[WRITING] = {"team": str(team_id), "group": page.group_linked}
    await edit_or_reply(
        update,
        t("teams.message.ask", context.lang, name=page.name),
        render.cancel_markup(context.lang),
    )
    return MESSAGE_TEXT


async def _got_message(update: Update, context: BotContext, actor: Actor, text: str) -> int:
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


async def _send_message(
    update: Update, context: BotContext, actor: Actor, press: MessageWhere
) -> int:
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
    TeamAction.MESSAGE: _message,
}
_TYPED: dict[int, Typed] = {
    NAME: _got_name,
    SPORT: _got_sport,
    AGE: _got_age,
    SEASON: _got_season,
    MESSAGE_TEXT: _got_message,
}
