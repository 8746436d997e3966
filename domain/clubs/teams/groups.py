"""A team's Telegram group: a coach links it by sending `/linkteam <code>` there once the bot
is in it; removing the bot unlinks it. What the bot posts in a group never carries personal
data: a coach's announcement (checked for the names of the team's people first, by
`domain.clubs.teams.messages`) or the roster's size, never who joined.

A post is an outbox row addressed to the team's head coach (the outbox writes to people), of
kind `team_group_post`, sent to whatever group the team has when it goes out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import policy
from domain.clubs.teams import queries
from domain.clubs.teams.teams import live_team, team_target
from domain.errors import InvalidAnswer, NotAllowed
from domain.models import NotificationKind, Team
from domain.policy import Action, Actor
from domain.uow import Transaction, UnitOfWork


@dataclass(frozen=True, slots=True)
class GroupPost:
    """What to post in a team's group: the coach's words, or the roster's new size."""

    chat_id: int
    team_name: str
    body: str | None
    players: int | None


async def link_group(
    uow: UnitOfWork, *, actor: Actor | None, code: str, chat_id: int, now: datetime
) -> str:
    """Link the group this was sent in to the team the code names; the team's name."""
    if chat_id >= 0:  # a private chat's id is its person's, positive; groups' are negative
        raise InvalidAnswer("teams.error.not_a_group")
    if actor is None:
        raise NotAllowed("not signed up", action=Action.MANAGE_TEAM.value)
    async with uow as tx:
        team = await queries.team_by_join_code(tx, code)
        if team is None:
            raise InvalidAnswer("teams.error.link_unknown")
        policy.require(actor, Action.MANAGE_TEAM, await team_target(tx, team.id))
        linked = await queries.team_by_group(tx, chat_id)
        if linked is not None and linked.id != team.id:
            raise InvalidAnswer("teams.error.group_taken")
        team.telegram_group_chat_id = chat_id
        tx.audit.record(
            actor_id=actor.user_id, action="team.group_linked", entity="team", entity_id=team.id
        )
        await tx.commit()
    return team.name


async def unlink_group(uow: UnitOfWork, *, actor: Actor, team_id: uuid.UUID) -> str:
    """A coach unlinks the team's group; the team's name."""
    async with uow as tx:
        team = await live_team(tx, team_id, lock=True)
        policy.require(actor, Action.MANAGE_TEAM, await team_target(tx, team_id))
        team.telegram_group_chat_id = None
        tx.audit.record(
            actor_id=actor.user_id, action="team.group_unlinked", entity="team", entity_id=team.id
        )
        await tx.commit()
    return team.name


async def bot_left_group(uow: UnitOfWork, *, chat_id: int) -> bool:
    """The bot was removed from a group: the team it served no longer has one."""
    async with uow as tx:
        team = await queries.team_by_group(tx, chat_id)
        if team is None:
            return False
        team.telegram_group_chat_id = None
        tx.audit.record(
            actor_id=None, action="team.group_removed_bot", entity="team", entity_id=team.id
        )
        await tx.commit()
    return True


async def queue_group_post(tx: Transaction, team: Team, *, key: str, **payload: Any) -> bool:
    """Queue a post for the team's group (none without one); False if there is no group or it
    was queued already."""
    if team.telegram_group_chat_id is None:
        return False
    head = await queries.head_coach_user_id(tx, team.id)
    if head is None:
        return False
    return await tx.outbox.enqueue(
        recipient_id=head,
        kind=NotificationKind.TEAM_GROUP_POST,
        dedup_key=f"{NotificationKind.TEAM_GROUP_POST}:{team.id}:{key}",
        payload={"team_id": str(team.id), **payload},
    )


async def group_post(uow: UnitOfWork, *, payload: dict[str, Any]) -> GroupPost | None:
    """The post a queued row stands for, as the team is now; None once it has no group."""
    async with uow as tx:
        team = await queries.team(tx, uuid.UUID(str(payload["team_id"])))
        if team is None or team.telegram_group_chat_id is None:
            return None
        body = None
        if payload.get("message_id"):
            message = await queries.message(tx, uuid.UUID(str(payload["message_id"])))
            if message is None:
                return None
            body = message.body
    players = payload.get("players")
    return GroupPost(
        chat_id=team.telegram_group_chat_id,
        team_name=team.name,
        body=body,
        players=int(players) if players is not None else None,
    )
