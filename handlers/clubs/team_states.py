"""The /teams conversation's states and the two screens its steps return to: one's teams,
and a team's page for those who manage it."""

from __future__ import annotations

import uuid

from telegram import Update

from bot.app import BotContext
from domain.clubs.teams import teams
from domain.errors import NotAllowed
from domain.policy import Actor
from handlers.clubs import teams_render as render
from handlers.shared.edit_in_place import edit_or_reply

IDLE, NAME, SPORT, AGE, SEASON, MESSAGE_TEXT, MESSAGE_WHERE = range(7)
DRAFT = "team_new"  # user_data: the new team's answers so far (JSON)
WRITING = "team_message"  # user_data: {"team": id, "group": bool, "body": text}


async def home(update: Update, context: BotContext, actor: Actor) -> int:
    """One's teams (a coach's or admin's with ➕ New team)."""
    found = await teams.my_teams(context.uow, actor=actor)
    runs_teams = actor.coach_id is not None or actor.is_admin
    await edit_or_reply(update, *render.home(found, context.lang, coach=runs_teams))
    return IDLE


async def managed_page(context: BotContext, actor: Actor, team_id: uuid.UUID) -> teams.TeamPage:
    """The team's page for one of its coaches (or an admin); NotAllowed for anyone else."""
    page = await teams.team_page(context.uow, actor=actor, team_id=team_id)
    if not page.managing:
        raise NotAllowed("team page: not a coach of the team", action="manage_team")
    return page
