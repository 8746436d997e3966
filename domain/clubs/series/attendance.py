"""Attendance at a series' occurrences: the coach marks each athlete present, late, absent or
excused (a later mark replaces it); history per athlete (their family sees it) and per series;
the season's attendance % counts present and late over the occurrences marked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import policy
from domain.clubs.series import queries
from domain.clubs.series.rsvp import Roll, roll
from domain.clubs.series.series import series_target
from domain.errors import DomainError, NotFound
from domain.models import AttendanceStatus, SessionSeries, SessionStatus
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import UnitOfWork

# A coach takes the register as people arrive: from an hour before the start.
OPENS_BEFORE = timedelta(hours=1)
HISTORY = 20


class TooEarly(DomainError):
    """Attendance is taken from an hour before the occurrence (`opens_at`)."""

    message_key = "series.attendance.error.too_early"


class NotHeld(DomainError):
    """The occurrence was skipped or changed: nobody to mark."""

    message_key = "series.attendance.error.not_held"


async def mark(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: uuid.UUID,
    athlete_id: uuid.UUID,
    status: AttendanceStatus,
    now: datetime,
) -> Roll:
    """Mark one athlete at one occurrence; the roll as it now stands."""
    async with uow as tx:
        session = await queries.occurrence(tx, session_id)
        if session is None or session.series_id is None:
            raise NotFound("occurrence")
        series = await tx.session.get(SessionSeries, session.series_id)
        assert series is not None
        policy.require(actor, Action.TAKE_ATTENDANCE, await series_target(tx, series))
        if athlete_id not in dict(await queries.occurrence_athletes(tx, session_id)):
            raise NotFound("athlete not in this occurrence")
        if session.status == SessionStatus.CANCELLED:
            raise NotHeld("cancelled")
        if now < session.start_time - OPENS_BEFORE:
            raise TooEarly("too early", opens_at=session.start_time - OPENS_BEFORE)
        await queries.save_attendance(
            tx,
            session_id=session_id,
            athlete_id=athlete_id,
            status=status,
            by=actor.user_id,
            now=now,
        )
        await tx.commit()
    return await roll(uow, actor=actor, session_id=session_id)


@dataclass(frozen=True)
class Share:
    """Attendance over a season: came (present or late) of the occurrences marked."""

    name: str
    came: int
    marked: int
    late: int = 0
    excused: int = 0

    @property
    def percent(self) -> int | None:
        """Whole per cent, or None before any mark."""
        return round(100 * self.came / self.marked) if self.marked else None


@dataclass(frozen=True)
class Season:
    """A series' attendance so far, per athlete."""

    title: str
    shares: list[Share]


async def season(uow: UnitOfWork, *, actor: Actor, series_id: uuid.UUID) -> Season:
    """Per athlete of a series, their season's attendance (the series' coaches)."""
    async with uow as tx:
        series = await tx.session.get(SessionSeries, series_id)
        if series is None:
            raise NotFound("series")
        policy.require(actor, Action.TAKE_ATTENDANCE, await series_target(tx, series))
        rows = await queries.season_counts(tx, series_id)
        title = series.title
    shares = [
        Share(name, came, marked, late, excused) for _, name, came, late, excused, marked in rows
    ]
    return Season(title, shares)


@dataclass(frozen=True)
class Mark:
    """One occurrence in an athlete's history."""

    title: str
    start: datetime
    status: str


@dataclass(frozen=True)
class AthleteAttendance:
    """An athlete's attendance: per series %, then the newest marks."""

    name: str
    by_series: list[Share]
    recent: list[Mark]


async def of_family(uow: UnitOfWork, *, actor: Actor) -> list[AthleteAttendance]:
    """The attendance of the athletes the actor acts for (themself, their children)."""
    return [
        await of_athlete(uow, actor=actor, athlete_id=athlete_id)
        for athlete_id in sorted(policy.athletes_actor_may_act_for(actor))
    ]


async def of_athlete(uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID) -> AthleteAttendance:
    """An athlete's attendance history, for them, their family and their coach."""
    async with uow as tx:
        policy.require(actor, Action.VIEW_ATTENDANCE, AthleteTarget(athlete_id))
        name = await queries.first_name(tx, athlete_id) or ""
        shares = [
            Share(title, came, marked)
            for title, came, marked in await queries.athlete_series_counts(tx, athlete_id)
        ]
        recent = [
            Mark(title, start, status)
            for title, start, status in await queries.athlete_history(tx, athlete_id, limit=HISTORY)
        ]
    return AthleteAttendance(name, shares, recent)
