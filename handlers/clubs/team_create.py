"""Creating a team in /teams: an admin's pick of the head coach, then the name, sport, age
group and season (the suggested one as a button, or two dates typed)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from telegram import Update

from bot.app import BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.booking import schedule
from domain.clubs.teams import teams
from domain.policy import Actor
from domain.short_ids import parse_id
from handlers.clubs import teams_render as render
from handlers.clubs.callbacks import NewAction, NewTeamPress
from handlers.clubs.team_states import AGE, DRAFT, IDLE, NAME, SEASON, SPORT, WRITING, home
from handlers.shared.edit_in_place import edit_or_reply


async def new(update: Update, context: BotContext, actor: Actor) -> int:
    """➕ New team: an admin first picks the head coach; a coach is asked the name."""
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


async def got_name(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    """The team's name."""
    context.user_data.setdefault(DRAFT, {})["name"] = teams.tidy("name", text)
    await update.effective_message.reply_text(
        t("teams.new.sport", context.lang), reply_markup=render.cancel_markup(context.lang)
    )
    return SPORT


async def got_sport(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    """The sport."""
    context.user_data.setdefault(DRAFT, {})["sport"] = teams.tidy("sport", text)
    await update.effective_message.reply_text(
        t("teams.new.age_group", context.lang), reply_markup=render.age_markup(context.lang)
    )
    return AGE


async def got_age(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    """The age group, typed or pressed."""
    context.user_data.setdefault(DRAFT, {})["age_group"] = teams.tidy("age_group", text)
    start, end = teams.suggested_season(datetime.now(UTC).date())
    await edit_or_reply(
        update, t("teams.new.season", context.lang), render.season_markup(start, end, context.lang)
    )
    return SEASON


async def got_season(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    """The season as two typed dates; the team is created."""
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


async def new_press(update: Update, context: BotContext, actor: Actor, press: NewTeamPress) -> int:
    """A button while creating: the head coach, an age group, the suggested season, or cancel."""
    if press.action == NewAction.CANCEL:
        context.user_data.pop(DRAFT, None)
        context.user_data.pop(WRITING, None)
        return await home(update, context, actor)
    if DRAFT not in context.user_data:
        await update.callback_query.answer(t("common.stale_button", context.lang))
        return IDLE
    coach_id = parse_id(press.value or "") if press.action == NewAction.COACH else None
    if coach_id is not None:
        context.user_data[DRAFT] = {"coach": str(coach_id)}
        return await _ask_name(update, context)
    if press.action == NewAction.AGE and press.value in render.AGE_GROUPS:
        return await got_age(update, context, actor, press.value)
    if press.action == NewAction.SEASON:
        await update.callback_query.answer()
        start, end = teams.suggested_season(datetime.now(UTC).date())
        return await _create(update, context, actor, start, end)
    await refuse(update, context, reason="teams: new-team button out of place")
    return IDLE
