"""Joining a team by its links: a family's (a parent picks a child, an adult athlete joins
themself) and a co-coach's (single use: the code is replaced once used); leaving and removing.

The family link's code is shared with every family of the team, so it names the team and no
more: who joins is checked as any action on an athlete is (`Action.JOIN_TEAM`, the athlete's
own side). A button carries the code, never the team's id, so a forged press cannot reach a
team whose link the presser never had.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from domain import policy
from domain.clubs.series import roster as series_roster
from domain.clubs.teams import groups, queries
from domain.clubs.teams.teams import live_team, new_code, team_target
from domain.errors import AlreadyExists, InvalidAnswer, NotFound
from domain.models import NotificationKind, Team, TeamCoach, TeamCoachRole, TeamMember
from domain.people import queries as people_queries
from domain.policy import Action, Actor, AthleteTarget, CoachTarget
from domain.uow import Transaction, UnitOfWork

FAMILY_LINK_PREFIX = "team-"
COACH_LINK_PREFIX = "teamcoach-"


def family_link(bot_username: str, code: str) -> str:
    """The t.me link families open to join the team."""
    return f"https://t.me/{bot_username}?start={FAMILY_LINK_PREFIX}{code}"


def coach_link(bot_username: str, code: str) -> str:
    """The t.me link a co-coach opens to join the team's coaches (single use)."""
    return f"https://t.me/{bot_username}?start={COACH_LINK_PREFIX}{code}"


@dataclass(frozen=True, slots=True)
class JoinChoice:
    """Someone the opener may put on the team: themself or a child; whether already on it."""

    athlete_id: uuid.UUID
    name: str
    on_team: bool


@dataclass(frozen=True, slots=True)
class JoinOffer:
    """What a family link shows its opener."""

    code: str
    team_name: str
    sport: str
    age_group: str
    season_start: date
    season_end: date
    coaches: tuple[str, ...]
    choices: tuple[JoinChoice, ...]
    coaching: bool  # the opener coaches this team already


@dataclass(frozen=True, slots=True)
class Joined:
    """An athlete put on a team (or found on it already)."""

    team_id: uuid.UUID
    team_name: str
    athlete_name: str
    already: bool


async def _team_of_link(tx: Transaction, code: str) -> Team:
    team = await queries.team_by_join_code(tx, code)
    if team is None:
        raise InvalidAnswer("teams.error.link_unknown")
    return team


async def open_team_link(uow: UnitOfWork, *, actor: Actor, code: str) -> JoinOffer:
    """The team a family link names, and whom the opener may put on it."""
    mine = policy.athletes_actor_may_act_for(actor)
    async with uow as tx:
        team = await _team_of_link(tx, code)
        target = await team_target(tx, team.id)
        names = await people_queries.first_names(tx, mine)
        coaches = await queries.coaches(tx, team.id)
    choices = sorted(
        (JoinChoice(a, names.get(a, ""), a in target.member_athlete_ids) for a in mine),
        key=lambda choice: (choice.athlete_id != actor.own_athlete_id, choice.name),
    )
    return JoinOffer(
        code=code,
        team_name=team.name,
        sport=team.sport,
        age_group=team.age_group,
        season_start=team.season_start,
        season_end=team.season_end,
        coaches=tuple(name for name, _, _ in coaches),
        choices=tuple(choices),
        coaching=actor.coach_id is not None and actor.coach_id in target.coach_ids,
    )


async def join_team(
    uow: UnitOfWork, *, actor: Actor, code: str, athlete_id: uuid.UUID, now: datetime
) -> Joined:
    """Put the athlete on the team the link names; the coaches are told privately, the linked
    group only that the roster grew (never who joined)."""
    policy.require(actor, Action.JOIN_TEAM, AthleteTarget(athlete_id))
    try:
        async with uow as tx:
            team = await _team_of_link(tx, code)
            name = (await people_queries.first_names(tx, [athlete_id])).get(athlete_id, "")
            if await queries.live_membership(tx, team.id, athlete_id) is not None:
                return Joined(team.id, team.name, name, already=True)
            member = TeamMember(
                team_id=team.id, athlete_id=athlete_id, joined_by=actor.user_id, joined_at=now
            )
            tx.session.add(member)
            await tx.flush()
            await _tell_coaches(tx, team, member, athlete_name=name, by=actor.user_id)
            await series_roster.member_joined(tx, team.id, athlete_id, by=actor.user_id, now=now)
            players = len(await queries.member_athlete_ids(tx, team.id))
            await groups.queue_group_post(
                tx, team, key=f"joined:{member.id}", post="roster", players=players
            )
            tx.audit.record(
                actor_id=actor.user_id,
                action="team.joined",
                entity="team",
                entity_id=team.id,
                details={"athlete_id": str(athlete_id)},
            )
            await tx.commit()
    except AlreadyExists:  # the same press twice at once: the other one put them on
        return Joined(team.id, team.name, name, already=True)
    return Joined(team.id, team.name, name, already=False)


async def _tell_coaches(
    tx: Transaction, team: Team, member: TeamMember, *, athlete_name: str, by: uuid.UUID
) -> None:
    by_name = await people_queries.names_of_user(tx, by)
    for coach_user in await queries.coach_user_ids(tx, team.id):
        await tx.outbox.enqueue(
            recipient_id=coach_user,
            kind=NotificationKind.TEAM_MEMBER_JOINED,
            dedup_key=f"{NotificationKind.TEAM_MEMBER_JOINED}:{member.id}:{coach_user}",
            payload={
                "team": team.name,
                "athlete": athlete_name,
                "by": by_name[0] if by_name else "",
            },
        )


async def leave_team(
    uow: UnitOfWork, *, actor: Actor, team_id: uuid.UUID, athlete_id: uuid.UUID, now: datetime
) -> str:
    """Take the athlete off the team, from their own side; the team's name."""
    policy.require(actor, Action.JOIN_TEAM, AthleteTarget(athlete_id))
    async with uow as tx:
        team = await live_team(tx, team_id)
        await _end_membership(tx, actor, team, athlete_id, now)
        await tx.commit()
    return team.name


async def remove_member(
    uow: UnitOfWork, *, actor: Actor, team_id: uuid.UUID, athlete_id: uuid.UUID, now: datetime
) -> str:
    """A coach takes an athlete off their team; the athlete's first name."""
    async with uow as tx:
        team = await live_team(tx, team_id)
        policy.require(actor, Action.MANAGE_TEAM, await team_target(tx, team_id))
        await _end_membership(tx, actor, team, athlete_id, now)
        name = (await people_queries.first_names(tx, [athlete_id])).get(athlete_id, "")
        await tx.commit()
    return name


async def _end_membership(
    tx: Transaction, actor: Actor, team: Team, athlete_id: uuid.UUID, now: datetime
) -> None:
    member = await queries.live_membership(tx, team.id, athlete_id, lock=True)
    if member is None:
        raise NotFound("not on the team")
    member.left_at = now
    await series_roster.member_left(tx, team.id, athlete_id, now=now)
    tx.audit.record(
        actor_id=actor.user_id,
        action="team.left",
        entity="team",
        entity_id=team.id,
        details={"athlete_id": str(athlete_id)},
    )


@dataclass(frozen=True, slots=True)
class CoachJoined:
    """A coach added to a team's coaches by its co-coach link (or found among them)."""

    team_id: uuid.UUID
    team_name: str
    already: bool


async def join_as_coach(uow: UnitOfWork, *, actor: Actor, code: str, now: datetime) -> CoachJoined:
    """Add the actor to the team's coaches as an assistant; the link is used up (a new code
    replaces it) and the head coach is told."""
    if actor.coach_id is None:
        raise InvalidAnswer("teams.error.coaches_only")
    policy.require(actor, Action.COACH_TEAMS, CoachTarget(actor.coach_id))
    async with uow as tx:
        team = await queries.team_by_coach_code(tx, code, lock=True)
        if team is None:
            raise InvalidAnswer("teams.error.coach_link_used")
        if await queries.is_team_coach(tx, team.id, actor.coach_id):
            return CoachJoined(team.id, team.name, already=True)
        tx.session.add(
            TeamCoach(
                team_id=team.id,
                coach_id=actor.coach_id,
                role=TeamCoachRole.ASSISTANT,
                added_at=now,
            )
        )
        team.coach_code = new_code()
        await _tell_head_coach(tx, team, actor)
        tx.audit.record(
            actor_id=actor.user_id, action="team.coach_joined", entity="team", entity_id=team.id
        )
        await tx.commit()
    return CoachJoined(team.id, team.name, already=False)


async def _tell_head_coach(tx: Transaction, team: Team, actor: Actor) -> None:
    head = await queries.head_coach_user_id(tx, team.id)
    names = await people_queries.names_of_user(tx, actor.user_id)
    if head is None or head == actor.user_id:
        return
    await tx.outbox.enqueue(
        recipient_id=head,
        kind=NotificationKind.TEAM_COACH_JOINED,
        dedup_key=f"{NotificationKind.TEAM_COACH_JOINED}:{team.id}:{actor.user_id}",
        payload={"team": team.name, "coach": names[0] if names else ""},
    )
