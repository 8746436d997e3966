"""What athletes did in a week, worked out for a batch of athletes at once, and who hears of it.

Every function here answers for many athletes in one grouped query (sessions, results, the
metric types, the people to tell), so a weekly run costs a few queries per batch, not per
athlete. `domain.metrics.weekly_summaries` decides when and for whom.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, literal, or_, select, union

from domain.booking.sessions import LIVE
from domain.metrics.bests import beats
from domain.metrics.catalogue import MetricKind
from domain.models import (
    Athlete,
    AthleteLink,
    Coach,
    LinkRelation,
    MetricType,
    PerformanceMetric,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.uow import Transaction


@dataclass(frozen=True)
class Week:
    """Last week as some zones see it: [start, end), aware instants."""

    start: datetime
    end: datetime

    @property
    def iso(self) -> str:
        """The ISO week, e.g. 2026-W49."""
        year, week, _ = self.start.date().isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class WeekOf:
    """What one athlete did in one week, and what comes next."""

    athlete_id: uuid.UUID
    sessions_done: int
    metrics_logged: int
    bests: tuple[tuple[MetricKind, Decimal], ...]
    next_session: datetime | None


async def weeks_of(
    tx: Transaction, athlete_ids: Collection[uuid.UUID], week: Week, *, now: datetime
) -> dict[uuid.UUID, WeekOf]:
    """Each athlete's week: sessions completed, results logged, bests set, the next session."""
    sessions = await _sessions(tx, athlete_ids, week, now=now)
    logged, bests = await _results(tx, athlete_ids, week)
    found = {}
    for athlete_id in athlete_ids:
        done, next_session = sessions.get(athlete_id, (0, None))
        found[athlete_id] = WeekOf(
            athlete_id=athlete_id,
            sessions_done=done,
            metrics_logged=logged.get(athlete_id, 0),
            bests=bests.get(athlete_id, ()),
            next_session=next_session,
        )
    return found


async def active_athletes(tx: Transaction, week: Week) -> list[uuid.UUID]:
    """Athletes with a completed session or a logged result in the week."""
    done = (
        TrainingSession.status == SessionStatus.COMPLETED,
        TrainingSession.start_time >= week.start,
        TrainingSession.start_time < week.end,
    )
    individual = select(TrainingSession.athlete_id).where(*done)
    in_groups = (
        select(SessionParticipant.athlete_id)
        .join(TrainingSession, TrainingSession.id == SessionParticipant.session_id)
        .where(*done)
    )
    logged = select(PerformanceMetric.athlete_id).where(
        PerformanceMetric.recorded_at >= week.start,
        PerformanceMetric.recorded_at < week.end,
        PerformanceMetric.metric_value.is_not(None),
    )
    found = await tx.session.scalars(union(individual, in_groups, logged))
    return sorted(athlete_id for athlete_id in found if athlete_id is not None)


async def _sessions(
    tx: Transaction, athlete_ids: Collection[uuid.UUID], week: Week, *, now: datetime
) -> dict[uuid.UUID, tuple[int, datetime | None]]:
    """Per athlete: sessions completed in the week, and when the next live one starts."""
    start, status = TrainingSession.start_time, TrainingSession.status
    done = and_(status == SessionStatus.COMPLETED, start >= week.start, start < week.end)
    upcoming = and_(status.in_(LIVE), start >= now)
    columns = (TrainingSession.id, start, done.label("done"), upcoming.label("upcoming"))
    individual = select(TrainingSession.athlete_id, *columns).where(
        TrainingSession.athlete_id.in_(athlete_ids), or_(done, upcoming)
    )
    in_groups = (
        select(SessionParticipant.athlete_id, *columns)
        .join(TrainingSession, TrainingSession.id == SessionParticipant.session_id)
        .where(SessionParticipant.athlete_id.in_(athlete_ids), or_(done, upcoming))
    )
    # A union: a session counts once for an athlete, however the athlete is in it.
    sessions = union(individual, in_groups).subquery()
    rows = await tx.session.execute(
        select(
            sessions.c.athlete_id,
            func.count().filter(sessions.c.done),
            func.min(sessions.c.start_time).filter(sessions.c.upcoming),
        ).group_by(sessions.c.athlete_id)
    )
    return {athlete_id: (done_count, next_start) for athlete_id, done_count, next_start in rows}


async def _results(
    tx: Transaction, athlete_ids: Collection[uuid.UUID], week: Week
) -> tuple[dict[uuid.UUID, int], dict[uuid.UUID, tuple[tuple[MetricKind, Decimal], ...]]]:
    """Per athlete: results logged in the week, and each metric whose best value of the week
    beat everything recorded before the week (metrics by name)."""
    value, at = PerformanceMetric.metric_value, PerformanceMetric.recorded_at
    in_week = and_(at >= week.start, at < week.end)
    before = at < week.start
    rows = (
        await tx.session.execute(
            select(
                PerformanceMetric.athlete_id,
                PerformanceMetric.metric_type,
                func.count().filter(in_week, value.is_not(None)),
                func.max(value).filter(in_week),
                func.min(value).filter(in_week),
                func.max(value).filter(before),
                func.min(value).filter(before),
            )
            .where(PerformanceMetric.athlete_id.in_(athlete_ids), at < week.end)
            .group_by(PerformanceMetric.athlete_id, PerformanceMetric.metric_type)
            .having(func.count().filter(in_week) > 0)
        )
    ).all()
    kinds = await _kinds(tx, {row[1] for row in rows})
    logged: dict[uuid.UUID, int] = {}
    extremes: dict[tuple[uuid.UUID, str], tuple[Decimal | None, ...]] = {}
    for athlete_id, key, count, *values in rows:
        assert athlete_id is not None  # the query asked for athletes by id
        logged[athlete_id] = logged.get(athlete_id, 0) + count
        extremes[(athlete_id, key)] = tuple(values)
    bests = {athlete_id: _bests(kinds, athlete_id, extremes) for athlete_id in athlete_ids}
    return logged, {athlete_id: found for athlete_id, found in bests.items() if found}


def _bests(
    kinds: list[MetricKind],
    athlete_id: uuid.UUID,
    extremes: dict[tuple[uuid.UUID, str], tuple[Decimal | None, ...]],
) -> tuple[tuple[MetricKind, Decimal], ...]:
    found = []
    for kind in kinds:
        if (athlete_id, kind.key) not in extremes:
            continue
        week_max, week_min, before_max, before_min = extremes[(athlete_id, kind.key)]
        this_week, before = (
            (week_min, before_min) if kind.better == "lower" else (week_max, before_max)
        )
        if this_week is not None and beats(kind, this_week, before):
            found.append((kind, this_week))
    return tuple(found)


async def _kinds(tx: Transaction, keys: set[str]) -> list[MetricKind]:
    """The metric types of these keys with a better direction, by name."""
    if not keys:
        return []
    rows = await tx.session.scalars(
        select(MetricType)
        .where(MetricType.key.in_(keys), MetricType.better.in_(("higher", "lower")))
        .order_by(MetricType.name, MetricType.coach_id.nulls_first())
    )
    by_key: dict[str, MetricKind] = {}
    for row in rows:
        by_key.setdefault(row.key, MetricKind.from_row(row))
    return list(by_key.values())


async def audiences(
    tx: Transaction, athlete_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[User]]:
    """Per athlete: the athlete's side as `domain.people.family.people_to_notify` orders it
    (the athlete if on Telegram, the parent, guardians), then the coaches not among them, as
    `domain.metrics.queries.results.coaches_of` finds them."""
    own = (
        select(Athlete.id, Athlete.user_id, literal(0))
        .join(User, User.id == Athlete.user_id)
        .where(Athlete.id.in_(athlete_ids), User.telegram_chat_id.is_not(None))
    )
    parents = select(Athlete.id, Athlete.parent_id, literal(1)).where(
        Athlete.id.in_(athlete_ids), Athlete.parent_id.is_not(None)
    )
    guardians = select(AthleteLink.athlete_id, AthleteLink.user_id, literal(2)).where(
        AthleteLink.athlete_id.in_(athlete_ids), AthleteLink.relation == LinkRelation.GUARDIAN
    )
    live = TrainingSession.status != SessionStatus.CANCELLED
    coached = (
        select(TrainingSession.athlete_id, Coach.user_id, literal(3))
        .join(Coach, Coach.id == TrainingSession.coach_id)
        .where(TrainingSession.athlete_id.in_(athlete_ids), live)
    )
    coached_in_groups = (
        select(SessionParticipant.athlete_id, Coach.user_id, literal(3))
        .join(TrainingSession, TrainingSession.id == SessionParticipant.session_id)
        .join(Coach, Coach.id == TrainingSession.coach_id)
        .where(SessionParticipant.athlete_id.in_(athlete_ids), live)
    )
    people = union(own, parents, guardians, coached, coached_in_groups).subquery()
    athlete_id, user_id, rank = people.c
    rows = await tx.session.execute(
        select(athlete_id, User).join(User, User.id == user_id).order_by(athlete_id, rank, User.id)
    )
    found: dict[uuid.UUID, list[User]] = {}
    for athlete, person in rows:
        told = found.setdefault(athlete, [])
        if all(person.id != someone.id for someone in told):  # a coach who is also a guardian
            told.append(person)
    return found
