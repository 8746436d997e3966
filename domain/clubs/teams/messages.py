"""A coach's messages to a team: one outbox row per family member on Telegram (idempotent by
message and recipient) with "👍 Seen" and "Reply to coach", and/or one post in the linked
group. Bots cannot see who read a message in Telegram, so "read" is a press of Seen, counted
once per person. A family's reply reaches the coach who wrote, privately, saying who sent it.

A group is no place for personal data: a message for the group that names anyone on the
team's roster (an athlete or a guardian) is refused with the name, before anything is sent.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from domain import policy
from domain.clubs.teams import groups, queries
from domain.clubs.teams.queries import RosterEntry
from domain.clubs.teams.teams import live_team, team_target
from domain.errors import AlreadyExists, InvalidAnswer, NotFound
from domain.models import NotificationKind, TeamMessage, TeamMessageSeen
from domain.people import queries as people_queries
from domain.policy import Action, Actor
from domain.uow import Transaction, UnitOfWork

BODY_MAX = 3000
REPLY_MAX = 2000
EXCERPT = 40
SHORTEST_NAME = 2  # "Al" is a name; a lone letter would match too much


@dataclass(frozen=True, slots=True)
class SentTeamMessage:
    """A team message sent: how many private copies were queued, and whether the group gets it."""

    message_id: uuid.UUID
    recipients: int
    to_group: bool


def names_in(text: str, roster: list[RosterEntry]) -> list[str]:
    """The names of the roster's people (athletes and guardians) the text mentions."""
    names = {entry.first_name for entry in roster} | {entry.last_name for entry in roster}
    names |= {guardian.first_name for entry in roster for guardian in entry.guardians}
    words = {word.casefold() for word in re.findall(r"\w+", text)}
    return sorted(n for n in names if len(n) >= SHORTEST_NAME and n.casefold() in words)


async def send_team_message(
    uow: UnitOfWork,
    *,
    actor: Actor,
    team_id: uuid.UUID,
    body: str,
    to_families: bool,
    to_group: bool,
    now: datetime,
) -> SentTeamMessage:
    """Send the coach's message to the team's families and/or its group, in one transaction."""
    body = body.strip()
    if not body or len(body) > BODY_MAX:
        raise InvalidAnswer("teams.error.message_length", longest=BODY_MAX)
    if not (to_families or to_group):
        raise InvalidAnswer("teams.error.message_nowhere")
    async with uow as tx:
        team = await live_team(tx, team_id)
        policy.require(actor, Action.MANAGE_TEAM, await team_target(tx, team_id))
        if to_group and team.telegram_group_chat_id is None:
            raise InvalidAnswer("teams.error.no_group")
        if to_group and (named := names_in(body, await queries.team_roster(tx, team_id))):
            raise InvalidAnswer("teams.error.names_in_group", names=", ".join(named))
        recipients = await queries.family_recipients(tx, team_id) if to_families else []
        message = TeamMessage(
            id=uuid.uuid4(),
            team_id=team.id,
            sent_by=actor.user_id,
            body=body,
            to_families=to_families,
            to_group=to_group,
            recipients=len(recipients),
            created_at=now,
        )
        tx.session.add(message)
        await tx.flush()
        coach = await people_queries.names_of_user(tx, actor.user_id)
        await tx.outbox.enqueue_many(
            [
                _private_copy(message, user_id, team.name, coach[0] if coach else "", now)
                for user_id in recipients
            ]
        )
        if to_group:
            await groups.queue_group_post(
                tx, team, key=f"message:{message.id}", post="message", message_id=str(message.id)
            )
        tx.audit.record(
            actor_id=actor.user_id,
            action="team.message_sent",
            entity="team",
            entity_id=team.id,
            details={"recipients": len(recipients), "to_group": to_group},
        )
        await tx.commit()
    return SentTeamMessage(message.id, len(recipients), to_group)


def _private_copy(
    message: TeamMessage, user_id: uuid.UUID, team: str, coach: str, now: datetime
) -> dict[str, object]:
    ids = {"message_id": str(message.id)}
    return {
        "recipient_id": user_id,
        "kind": NotificationKind.TEAM_MESSAGE,
        "dedup_key": f"{NotificationKind.TEAM_MESSAGE}:{message.id}:{user_id}",
        "payload": {
            "team": team,
            "coach": coach,
            "body": message.body,
            "buttons": [
                [
                    {"label": "teams.button.seen", "button": "team_seen", **ids},
                    {"label": "teams.button.reply", "button": "team_reply", **ids},
                ]
            ],
        },
        "due_at": now,
    }


async def _message_for_family(tx: Transaction, actor: Actor, message_id: uuid.UUID) -> TeamMessage:
    message = await queries.message(tx, message_id)
    if message is None:
        raise NotFound("no such team message")
    policy.require(actor, Action.ANSWER_TEAM_MESSAGE, await team_target(tx, message.team_id))
    return message


async def mark_seen(uow: UnitOfWork, *, actor: Actor, message_id: uuid.UUID, now: datetime) -> bool:
    """Count the actor's Seen on a team message once; False if they had pressed it before."""
    try:
        async with uow as tx:
            await _message_for_family(tx, actor, message_id)
            if await queries.has_seen(tx, message_id, actor.user_id):
                return False
            tx.session.add(
                TeamMessageSeen(message_id=message_id, user_id=actor.user_id, seen_at=now)
            )
            await tx.commit()
    except AlreadyExists:  # pressed twice at once: the other press counted
        return False
    return True


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """What a family's reply answers: the team and the start of the coach's message."""

    team_name: str
    excerpt: str


async def reply_target(uow: UnitOfWork, *, actor: Actor, message_id: uuid.UUID) -> ReplyTarget:
    """The message a family is about to answer, once they may."""
    async with uow as tx:
        message = await _message_for_family(tx, actor, message_id)
        team = await live_team(tx, message.team_id)
    return ReplyTarget(team.name, _excerpt(message.body))


async def reply_to_coach(
    uow: UnitOfWork,
    *,
    actor: Actor,
    message_id: uuid.UUID,
    text: str,
    reference: int,
    now: datetime,
) -> ReplyTarget:
    """Send a family's reply privately to the coach who wrote the message, naming the sender
    and which of their children on the team it is about. `reference` (the reply's Telegram
    message id) makes it idempotent."""
    text = text.strip()
    if not text or len(text) > REPLY_MAX:
        raise InvalidAnswer("teams.error.reply_length", longest=REPLY_MAX)
    async with uow as tx:
        message = await _message_for_family(tx, actor, message_id)
        team = await live_team(tx, message.team_id)
        if message.sent_by is None:
            raise NotFound("the coach is gone")
        sender = await people_queries.names_of_user(tx, actor.user_id)
        members = await queries.member_athlete_ids(tx, team.id)
        children = members & policy.athletes_actor_may_act_for(actor)
        names = await people_queries.first_names(tx, children)
        await tx.outbox.enqueue(
            recipient_id=message.sent_by,
            kind=NotificationKind.TEAM_REPLY,
            dedup_key=f"{NotificationKind.TEAM_REPLY}:{actor.user_id}:{reference}",
            payload={
                "team": team.name,
                "sender": " ".join(part for part in (sender or ("", None)) if part),
                "athletes": ", ".join(sorted(names.values())),
                "excerpt": _excerpt(message.body),
                "body": text,
            },
            due_at=now,
        )
        await tx.commit()
    return ReplyTarget(team.name, _excerpt(message.body))


def _excerpt(body: str) -> str:
    line = " ".join(body.split())
    return line if len(line) <= EXCERPT else line[: EXCERPT - 1] + "…"
