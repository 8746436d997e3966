"""Creating a team and reading it back: a coach's teams, a family's teams, a team's page."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from domain import policy
from domain.booking.availability_input import parse_date
from domain.clubs.teams import queries
from domain.clubs.teams.queries import RosterEntry
from domain.errors import DomainError, InvalidAnswer, NotAllowed, NotFound
from domain.models import Team, TeamCoach, TeamCoachRole
from domain.people import queries as people_queries
from domain.policy import Action, Actor, CoachTarget, TeamTarget
from domain.uow import Transaction, UnitOfWork

CODE_BYTES = 9  # 12 url-safe characters: with "teamcoach-" well under Telegram's 64
NAME_MAX, SPORT_MAX, AGE_GROUP_MAX = 100, 100, 50
SEASON_MAX_YEARS = 2
MESSAGES_SHOWN = 3
ADMIN_LISTED = 40  # an admin's /teams: every team, the first this many by name
_SEASON_SPLIT = re.compile(r"\s+(?:-|–|—|to|a|al|hasta)\s+|\s*[–—]\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TeamDetails:
    """What a coach types to create a team."""

    name: str
    sport: str
    age_group: str
    season_start: date
    season_end: date


@dataclass(frozen=True, slots=True)
class TeamSummary:
    """A line of /teams: the team and, for a family, which of their athletes are on it."""

    team_id: uuid.UUID
    name: str
    sport: str
    age_group: str
    coaching: bool
    athletes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SentMessageCount:
    """One of the team's recent messages and how many pressed Seen."""

    body: str
    at: datetime
    seen: int
    recipients: int


@dataclass(frozen=True, slots=True)
class TeamPage:
    """A team as its page shows it; the roster and links only to those who manage it."""

    team_id: uuid.UUID
    name: str
    sport: str
    age_group: str
    season_start: date
    season_end: date
    coaches: tuple[tuple[str, str], ...]  # (first name, role), head first
    managing: bool
    group_linked: bool
    players: int
    roster: tuple[RosterEntry, ...] = ()
    join_code: str | None = None
    coach_code: str | None = None
    messages: tuple[SentMessageCount, ...] = ()
    # The family's own athletes on the team, who they may take off it: (athlete id, name).
    own_members: tuple[tuple[uuid.UUID, str], ...] = ()


def new_code() -> str:
    """A fresh random link code."""
    return secrets.token_urlsafe(CODE_BYTES)


def parse_season(text: str) -> tuple[date, date]:
    """A season typed as two dates: "2026-09-01 - 2027-06-30" or "1.9.2026 – 30.6.2027"."""
    parts = [part for part in _SEASON_SPLIT.split(text.strip()) if part]
    if len(parts) != 2:
        raise InvalidAnswer("teams.error.season_format", text=text)
    try:
        return parse_date(parts[0]), parse_date(parts[1])
    except DomainError:
        raise InvalidAnswer("teams.error.season_format", text=text) from None


_LONGEST = {"name": NAME_MAX, "sport": SPORT_MAX, "age_group": AGE_GROUP_MAX}


def tidy(field: str, value: str) -> str:
    """A typed name, sport or age group with its spaces tidied, or InvalidAnswer when it is
    empty or too long."""
    tidied = " ".join(value.split())
    if not tidied or len(tidied) > _LONGEST[field]:
        raise InvalidAnswer(f"teams.error.{field}", longest=_LONGEST[field])
    return tidied


def check_details(details: TeamDetails) -> TeamDetails:
    """The details tidied, or InvalidAnswer with the reason (a season ending before it starts,
    longer than two years, an empty or overlong name)."""
    name, sport, age_group = (
        tidy(field, value)
        for field, value in (
            ("name", details.name),
            ("sport", details.sport),
            ("age_group", details.age_group),
        )
    )
    start, end = details.season_start, details.season_end
    if end < start:
        raise InvalidAnswer("teams.error.season_order")
    if end > _years_after(start, SEASON_MAX_YEARS):
        raise InvalidAnswer("teams.error.season_too_long", years=SEASON_MAX_YEARS)
    return TeamDetails(name, sport, age_group, start, end)


def _years_after(day: date, years: int) -> date:
    # 29 February plus two years is 28 February, as Postgres's interval arithmetic has it.
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


async def create_team(
    uow: UnitOfWork,
    *,
    actor: Actor,
    details: TeamDetails,
    now: datetime,
    coach_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A new team with fresh family and co-coach links, headed by the actor (a coach) or by
    the coach an admin names."""
    head = coach_id or actor.coach_id
    if head is None:
        raise NotAllowed("only a coach runs a team", action=Action.COACH_TEAMS.value)
    policy.require(actor, Action.COACH_TEAMS, CoachTarget(head))
    details = check_details(details)
    async with uow as tx:
        team = Team(
            id=uuid.uuid4(),
            coach_id=head,
            name=details.name,
            sport=details.sport,
            age_group=details.age_group,
            season_start=details.season_start,
            season_end=details.season_end,
            join_code=new_code(),
            coach_code=new_code(),
            created_by=actor.user_id,
            created_at=now,
        )
        tx.session.add(team)
        await tx.flush()
        tx.session.add(TeamCoach(team_id=team.id, coach_id=head, role=TeamCoachRole.HEAD))
        tx.audit.record(
            actor_id=actor.user_id, action="team.created", entity="team", entity_id=team.id
        )
        await tx.commit()
    return team.id


async def team_target(tx: Transaction, team_id: uuid.UUID) -> TeamTarget:
    """The team as domain.policy sees it: its coaches and its members now."""
    return TeamTarget(
        await queries.coach_ids(tx, team_id), await queries.member_athlete_ids(tx, team_id)
    )


async def live_team(tx: Transaction, team_id: uuid.UUID, *, lock: bool = False) -> Team:
    """The team, or NotFound when there is none or it was archived."""
    team = await queries.team(tx, team_id, lock=lock)
    if team is None or team.archived_at is not None:
        raise NotFound("no such team")
    return team


async def my_teams(uow: UnitOfWork, *, actor: Actor) -> list[TeamSummary]:
    """The teams the actor coaches (an admin: every team), then those their athletes (or
    they) are on."""
    own = {actor.own_athlete_id} if actor.own_athlete_id is not None else set()
    async with uow as tx:
        coached = list(await queries.teams_of_coach(tx, actor.coach_id) if actor.coach_id else [])
        if actor.is_admin:
            listed = {t.id for t in coached}
            coached += [t for t in await queries.live_teams(tx, ADMIN_LISTED) if t.id not in listed]
        joined = await queries.teams_of_athletes(tx, own | actor.guarded_athlete_ids)
        names = await people_queries.first_names(tx, [athlete for _, athlete in joined])
    found = [TeamSummary(t.id, t.name, t.sport, t.age_group, coaching=True) for t in coached]
    families: dict[uuid.UUID, tuple[Team, list[str]]] = {}
    for team, athlete_id in joined:
        families.setdefault(team.id, (team, []))[1].append(names.get(athlete_id, ""))
    coached_ids = {t.id for t in coached}
    found += [
        TeamSummary(t.id, t.name, t.sport, t.age_group, coaching=False, athletes=tuple(who))
        for t, who in families.values()
        if t.id not in coached_ids
    ]
    return found


async def team_page(uow: UnitOfWork, *, actor: Actor, team_id: uuid.UUID) -> TeamPage:
    """A team's page: everyone who may see it gets its details; its coaches (and admins) the
    roster with guardians, the links and the recent messages' Seen counts."""
    async with uow as tx:
        team = await live_team(tx, team_id)
        target = await team_target(tx, team_id)
        policy.require(actor, Action.VIEW_TEAM, target)
        managing = policy.may(actor, Action.MANAGE_TEAM, target)
        coaches = await queries.coaches(tx, team_id)
        roster = await queries.team_roster(tx, team_id) if managing else []
        recent = (
            await queries.recent_messages(tx, team_id, limit=MESSAGES_SHOWN) if managing else []
        )
        mine = target.member_athlete_ids & policy.athletes_actor_may_act_for(actor)
        own_names = await people_queries.first_names(tx, mine)
    return TeamPage(
        team_id=team.id,
        name=team.name,
        sport=team.sport,
        age_group=team.age_group,
        season_start=team.season_start,
        season_end=team.season_end,
        coaches=tuple((name, role) for name, role, _ in coaches),
        managing=managing,
        group_linked=team.telegram_group_chat_id is not None,
        players=len(target.member_athlete_ids),
        roster=tuple(roster),
        join_code=team.join_code if managing else None,
        coach_code=team.coach_code if managing else None,
        messages=tuple(
            SentMessageCount(m.body, m.created_at, seen, m.recipients)
            for m, seen in recent
            if m.created_at is not None
        ),
        own_members=tuple(sorted(((a, own_names.get(a, "")) for a in mine), key=lambda x: x[1])),
    )


def suggested_season(today: date) -> tuple[date, date]:
    """The season a new team most likely has: from 1 September (or today, once past it) to
    the next 30 June."""
    start = max(today, date(today.year, 9, 1)) if today.month >= 7 else today
    end = date(start.year + 1 if start.month >= 7 else start.year, 6, 30)
    return start, end
