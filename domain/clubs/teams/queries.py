"""Every SQL statement of teams: teams and their coaches, rosters with guardians, joining and
leaving, the linked group, team messages and their Seen presses. The series, RSVP and seats of
`domain.clubs` read teams through `team_roster`, `teams_of_coach` and `is_team_coach`."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CompoundSelect, func, literal, select

from domain.models import (
    Athlete,
    AthleteLink,
    Coach,
    LinkRelation,
    Team,
    TeamCoach,
    TeamMember,
    TeamMessage,
    TeamMessageSeen,
    User,
)
from domain.uow import Transaction

# Where to write to someone: the stored chat, else their Telegram id (a private chat's id is
# its person's), as the outbox does; None for a child without Telegram.
_chat_id = func.coalesce(User.telegram_chat_id, User.telegram_user_id)


@dataclass(frozen=True, slots=True)
class Guardian:
    """A member's guardian: who to write to about them."""

    user_id: uuid.UUID
    first_name: str
    chat_id: int | None


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """An athlete on a team's roster with their guardians; `chat_id` is the athlete's own
    private chat (None for a child without Telegram)."""

    athlete_id: uuid.UUID
    user_id: uuid.UUID | None
    first_name: str
    last_name: str
    chat_id: int | None
    joined_at: datetime
    guardians: tuple[Guardian, ...]


async def team(tx: Transaction, team_id: uuid.UUID, *, lock: bool = False) -> Team | None:
    """A team by id (locked for a change if `lock`); None if none."""
    return await tx.session.get(Team, team_id, with_for_update=lock)


async def team_by_join_code(tx: Transaction, code: str) -> Team | None:
    """The live team whose family link carries this code."""
    return await tx.session.scalar(
        select(Team).where(Team.join_code == code, Team.archived_at.is_(None))
    )


async def team_by_coach_code(tx: Transaction, code: str, *, lock: bool = False) -> Team | None:
    """The live team whose co-coach link carries this code (locked: the code is replaced)."""
    query = select(Team).where(Team.coach_code == code, Team.archived_at.is_(None))
    return await tx.session.scalar(query.with_for_update() if lock else query)


async def team_by_group(tx: Transaction, chat_id: int) -> Team | None:
    """The team a Telegram group is linked to."""
    return await tx.session.scalar(select(Team).where(Team.telegram_group_chat_id == chat_id))


async def teams_of_coach(tx: Transaction, coach_id: uuid.UUID) -> Sequence[Team]:
    """The live teams a coach coaches (head or assistant), by name."""
    query = (
        select(Team)
        .join(TeamCoach, TeamCoach.team_id == Team.id)
        .where(TeamCoach.coach_id == coach_id, Team.archived_at.is_(None))
        .order_by(Team.name, Team.id)
    )
    return (await tx.session.scalars(query)).all()


async def is_team_coach(tx: Transaction, team_id: uuid.UUID, coach_id: uuid.UUID) -> bool:
    """Whether this coach coaches this team (head or assistant)."""
    found = await tx.session.scalar(
        select(literal(True)).where(TeamCoach.team_id == team_id, TeamCoach.coach_id == coach_id)
    )
    return bool(found)


async def coach_ids(tx: Transaction, team_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """Every coach of the team."""
    rows = await tx.session.scalars(select(TeamCoach.coach_id).where(TeamCoach.team_id == team_id))
    return frozenset(rows)


async def coaches(tx: Transaction, team_id: uuid.UUID) -> list[tuple[str, str, int | None]]:
    """(first name, role, chat id) of the team's coaches, the head first."""
    rows = await tx.session.execute(
        select(User.first_name, TeamCoach.role, User.telegram_chat_id)
        .join(Coach, Coach.id == TeamCoach.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(TeamCoach.team_id == team_id)
        .order_by(TeamCoach.role.desc(), User.first_name)
    )
    return [(name, role, chat_id) for name, role, chat_id in rows]


async def coach_user_ids(tx: Transaction, team_id: uuid.UUID) -> list[uuid.UUID]:
    """The user ids of the team's coaches."""
    rows = await tx.session.scalars(
        select(Coach.user_id)
        .join(TeamCoach, TeamCoach.coach_id == Coach.id)
        .where(TeamCoach.team_id == team_id, Coach.user_id.is_not(None))
        .order_by(Coach.user_id)
    )
    return [user_id for user_id in rows if user_id is not None]


async def head_coach_user_id(tx: Transaction, team_id: uuid.UUID) -> uuid.UUID | None:
    """The user id of the team's head coach."""
    return await tx.session.scalar(
        select(Coach.user_id).join(Team, Team.coach_id == Coach.id).where(Team.id == team_id)
    )


async def member_athlete_ids(tx: Transaction, team_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """The athletes on the team now."""
    rows = await tx.session.scalars(
        select(TeamMember.athlete_id).where(
            TeamMember.team_id == team_id, TeamMember.left_at.is_(None)
        )
    )
    return frozenset(rows)


async def team_roster(tx: Transaction, team_id: uuid.UUID) -> list[RosterEntry]:
    """The athletes on the team now, by first name, each with their guardians and chats."""
    rows = await tx.session.execute(
        select(
            Athlete.id,
            Athlete.user_id,
            User.first_name,
            User.last_name,
            _chat_id,
            TeamMember.joined_at,
        )
        .join(Athlete, Athlete.id == TeamMember.athlete_id)
        .join(User, User.id == Athlete.user_id)
        .where(TeamMember.team_id == team_id, TeamMember.left_at.is_(None))
        .order_by(User.first_name, Athlete.id)
    )
    members = rows.all()
    guardians = await guardians_of([row[0] for row in members], tx)
    return [
        RosterEntry(
            athlete_id=athlete_id,
            user_id=user_id,
            first_name=first,
            last_name=last or "",
            chat_id=chat_id,
            joined_at=joined_at,
            guardians=guardians.get(athlete_id, ()),
        )
        for athlete_id, user_id, first, last, chat_id, joined_at in members
    ]


async def guardians_of(
    athlete_ids: Collection[uuid.UUID], tx: Transaction
) -> dict[uuid.UUID, tuple[Guardian, ...]]:
    """Each athlete's parent and linked guardians, by athlete."""
    if not athlete_ids:
        return {}
    parents = select(Athlete.id.label("athlete_id"), Athlete.parent_id.label("user_id")).where(
        Athlete.id.in_(athlete_ids), Athlete.parent_id.is_not(None)
    )
    linked = select(AthleteLink.athlete_id, AthleteLink.user_id).where(
        AthleteLink.athlete_id.in_(athlete_ids), AthleteLink.relation == LinkRelation.GUARDIAN
    )
    both = parents.union(linked).subquery()
    rows = await tx.session.execute(
        select(both.c.athlete_id, User.id, User.first_name, _chat_id)
        .join(User, User.id == both.c.user_id)
        .order_by(User.first_name, User.id)
    )
    found: dict[uuid.UUID, list[Guardian]] = {}
    for athlete_id, user_id, name, chat_id in rows:
        found.setdefault(athlete_id, []).append(Guardian(user_id, name, chat_id))
    return {athlete_id: tuple(people) for athlete_id, people in found.items()}


async def live_membership(
    tx: Transaction, team_id: uuid.UUID, athlete_id: uuid.UUID, *, lock: bool = False
) -> TeamMember | None:
    """The athlete's current membership of the team, if any."""
    query = select(TeamMember).where(
        TeamMember.team_id == team_id,
        TeamMember.athlete_id == athlete_id,
        TeamMember.left_at.is_(None),
    )
    return await tx.session.scalar(query.with_for_update() if lock else query)


async def teams_of_athletes(
    tx: Transaction, athlete_ids: Collection[uuid.UUID]
) -> list[tuple[Team, uuid.UUID]]:
    """(team, athlete id) of every live team these athletes are on, by team name."""
    if not athlete_ids:
        return []
    rows = await tx.session.execute(
        select(Team, TeamMember.athlete_id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(
            TeamMember.athlete_id.in_(athlete_ids),
            TeamMember.left_at.is_(None),
            Team.archived_at.is_(None),
        )
        .order_by(Team.name, Team.id)
    )
    return [(found, athlete_id) for found, athlete_id in rows]


def families_of_team(team_id: uuid.UUID) -> CompoundSelect:
    """The user ids of a team's families: its athletes themselves and each one's guardians
    (a statement, for queries that build on it: the team's messages, an admin's broadcast)."""
    live = select(TeamMember.athlete_id).where(
        TeamMember.team_id == team_id, TeamMember.left_at.is_(None)
    )
    themselves = select(Athlete.user_id.label("user_id")).where(Athlete.id.in_(live))
    parents = select(Athlete.parent_id).where(Athlete.id.in_(live))
    linked = select(AthleteLink.user_id).where(
        AthleteLink.athlete_id.in_(live), AthleteLink.relation == LinkRelation.GUARDIAN
    )
    return themselves.union(parents, linked)


async def family_recipients(tx: Transaction, team_id: uuid.UUID) -> list[uuid.UUID]:
    """Every user on Telegram who hears about the team's members, each once."""
    everyone = families_of_team(team_id).subquery()
    rows = await tx.session.scalars(
        select(User.id)
        .where(User.id.in_(select(everyone.c.user_id)), User.telegram_user_id.is_not(None))
        .order_by(User.id)
    )
    return list(rows)


async def live_teams(tx: Transaction, limit: int) -> Sequence[Team]:
    """The live teams, by name, at most `limit`."""
    query = select(Team).where(Team.archived_at.is_(None)).order_by(Team.name, Team.id).limit(limit)
    return (await tx.session.scalars(query)).all()


async def message(tx: Transaction, message_id: uuid.UUID) -> TeamMessage | None:
    """A team message by id."""
    return await tx.session.get(TeamMessage, message_id)


async def has_seen(tx: Transaction, message_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether this person pressed Seen on the message already."""
    found = await tx.session.get(TeamMessageSeen, (message_id, user_id))
    return found is not None


async def recent_messages(
    tx: Transaction, team_id: uuid.UUID, *, limit: int
) -> list[tuple[TeamMessage, int]]:
    """The team's newest messages with their Seen counts, newest first."""
    seen = (
        select(func.count()).where(TeamMessageSeen.message_id == TeamMessage.id).scalar_subquery()
    )
    rows = await tx.session.execute(
        select(TeamMessage, seen)
        .where(TeamMessage.team_id == team_id)
        .order_by(TeamMessage.created_at.desc(), TeamMessage.id)
        .limit(limit)
    )
    return [(found, int(count)) for found, count in rows]
