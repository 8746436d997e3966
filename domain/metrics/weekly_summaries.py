"""The weekly summary of an athlete's week: on Monday at 08:00 in each recipient's own zone.

`queue_weekly_summaries` is meant to run every hour on the hour, like `domain.digests`: a run
serves the people whose local time is Monday between 08:00 and 11:00, so every zone's first run
of the week is at 08:xx local, and the two after it queue what a failed run (the database down
at 08:00) left out; the dedup key makes them queue nothing twice. "Last week" is the
recipient's own Monday-to-Monday, local; people who share a UTC offset share the week, so it
is worked out once for them all.

Who gets one: for every athlete with something to report last week (a completed session or a
logged result), the athlete's side as `domain.family.people_to_notify` names it and the coaches
as `domain.personal_bests.coaches_of` does, each in their own units. The dedup key names the
athlete, the ISO week and the recipient, so a repeated run queues nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, func, select, union

from domain.booking.sessions import LIVE
from domain.metrics.bests import beats, coaches_of
from domain.metrics.catalogue import MetricKind
from domain.metrics.units import display
from domain.models import (
    MetricType,
    PerformanceMetric,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.people.family import people_to_notify
from domain.timezones import zone_of
from domain.uow import UnitOfWork

WEEKLY_SUMMARY = "weekly_summary"
SUMMARY_WEEKDAY, SUMMARY_HOUR = 0, 8  # Monday 08:xx local
CATCH_UP_HOURS = 3  # runs in the hours after 08:00 queue what an earlier run could not
NOTHING = "–"


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


async def queue_weekly_summaries(uow_factory: Callable[[], UnitOfWork], *, now: datetime) -> int:
    """Queue last week's summaries for everyone whose local time is Monday 08:00-11:00."""
    async with uow_factory() as uow:
        weeks: dict[Week, set[str]] = {}
        for timezone in await _timezones(uow):
            week = last_week(now, timezone)
            if week is not None:
                weeks.setdefault(week, set()).add(timezone)
        rows: list[dict[str, Any]] = []
        for week, timezones in weeks.items():
            rows += await _summaries(uow, week, timezones, now=now)
        queued = await uow.outbox.enqueue_many(rows)
        await uow.commit()
    return queued


def last_week(now: datetime, timezone: str) -> Week | None:
    """The week just over in `timezone`, if it is now Monday 08:00-11:00 there; else None."""
    zone = zone_of(timezone)
    local = now.astimezone(zone)
    hours_late = local.hour - SUMMARY_HOUR
    if local.weekday() != SUMMARY_WEEKDAY or not 0 <= hours_late < CATCH_UP_HOURS:
        return None
    monday: date = local.date()
    return Week(
        start=datetime.combine(monday - timedelta(days=7), time(0), tzinfo=zone),
        end=datetime.combine(monday, time(0), tzinfo=zone),
    )


async def _timezones(uow: UnitOfWork) -> Sequence[str]:
    return (await uow.session.scalars(select(User.timezone).distinct())).all()


async def _summaries(
    uow: UnitOfWork, week: Week, timezones: set[str], *, now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for athlete_id in await _active_athletes(uow, week):
        recipients = [
            person for person in await _audience(uow, athlete_id) if person.timezone in timezones
        ]
        if not recipients:
            continue
        summary = await week_of(uow, athlete_id, week, now=now)
        name = await _first_name(uow, athlete_id)
        rows += [_row(summary, name, week, person, now) for person in recipients]
    return rows


async def week_of(uow: UnitOfWork, athlete_id: uuid.UUID, week: Week, *, now: datetime) -> WeekOf:
    """One athlete's week: sessions completed, results logged, bests set, the next session."""
    in_week = (
        PerformanceMetric.athlete_id == athlete_id,
        PerformanceMetric.recorded_at >= week.start,
        PerformanceMetric.recorded_at < week.end,
        PerformanceMetric.metric_value.is_not(None),
    )
    logged = await uow.session.scalar(select(func.count()).where(*in_week))
    done = await uow.session.scalar(
        select(func.count()).select_from(
            _sessions_of(
                athlete_id,
                TrainingSession.status == SessionStatus.COMPLETED,
                TrainingSession.start_time >= week.start,
                TrainingSession.start_time < week.end,
            ).subquery()
        )
    )
    upcoming = _sessions_of(
        athlete_id, TrainingSession.status.in_(LIVE), TrainingSession.start_time >= now
    ).subquery()
    next_session = await uow.session.scalar(select(func.min(upcoming.c.start_time)))
    return WeekOf(
        athlete_id=athlete_id,
        sessions_done=done or 0,
        metrics_logged=logged or 0,
        bests=await _bests(uow, athlete_id, week),
        next_session=next_session,
    )


def _sessions_of(athlete_id: uuid.UUID, *when: ColumnElement[bool]) -> CompoundSelect:
    """The athlete's sessions matching `when`, individual and group, as (id, start_time)."""
    individual = select(TrainingSession.id, TrainingSession.start_time).where(
        TrainingSession.athlete_id == athlete_id, *when
    )
    in_groups = (
        select(TrainingSession.id, TrainingSession.start_time)
        .join(SessionParticipant, SessionParticipant.session_id == TrainingSession.id)
        .where(SessionParticipant.athlete_id == athlete_id, *when)
    )
    return union(individual, in_groups)


async def _active_athletes(uow: UnitOfWork, week: Week) -> list[uuid.UUID]:
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
    found = await uow.session.scalars(union(individual, in_groups, logged))
    return sorted(athlete_id for athlete_id in found if athlete_id is not None)


async def _bests(
    uow: UnitOfWork, athlete_id: uuid.UUID, week: Week
) -> tuple[tuple[MetricKind, Decimal], ...]:
    """Each metric whose best value of the week beat everything recorded before the week."""
    kinds = await _kinds_logged(uow, athlete_id, week)
    found = []
    for kind in kinds:
        pick = func.min if kind.better == "lower" else func.max
        of_metric = (
            PerformanceMetric.athlete_id == athlete_id,
            PerformanceMetric.metric_type == kind.key,
        )
        this_week = await uow.session.scalar(
            select(pick(PerformanceMetric.metric_value)).where(
                *of_metric,
                PerformanceMetric.recorded_at >= week.start,
                PerformanceMetric.recorded_at < week.end,
            )
        )
        before = await uow.session.scalar(
            select(pick(PerformanceMetric.metric_value)).where(
                *of_metric, PerformanceMetric.recorded_at < week.start
            )
        )
        if this_week is not None and beats(kind, this_week, before):
            found.append((kind, this_week))
    return tuple(found)


async def _kinds_logged(uow: UnitOfWork, athlete_id: uuid.UUID, week: Week) -> list[MetricKind]:
    """The metric types with a better direction the athlete logged in the week, by name."""
    keys = select(PerformanceMetric.metric_type).where(
        PerformanceMetric.athlete_id == athlete_id,
        PerformanceMetric.recorded_at >= week.start,
        PerformanceMetric.recorded_at < week.end,
    )
    rows = await uow.session.scalars(
        select(MetricType)
        .where(MetricType.key.in_(keys), MetricType.better.in_(("higher", "lower")))
        .order_by(MetricType.name, MetricType.coach_id.nulls_first())
    )
    by_key: dict[str, MetricKind] = {}
    for row in rows:
        by_key.setdefault(row.key, MetricKind.from_row(row))
    return list(by_key.values())


async def _audience(uow: UnitOfWork, athlete_id: uuid.UUID) -> list[User]:
    """The athlete's side, then the coaches not already among them."""
    side = await people_to_notify(uow, athlete_id)
    told = {person.id for person in side}
    return side + [coach for coach in await coaches_of(uow, athlete_id) if coach.id not in told]


async def _first_name(uow: UnitOfWork, athlete_id: uuid.UUID) -> str:
    athlete = await uow.athletes.get(athlete_id)
    user = await uow.users.get(athlete.user_id) if athlete.user_id else None
    return user.first_name if user is not None else ""


def _row(summary: WeekOf, name: str, week: Week, person: User, now: datetime) -> dict[str, Any]:
    units = person.units or "metric"
    bests = ", ".join(
        f"{kind.name} {display(value, kind.unit, units=units)}" for kind, value in summary.bests
    )
    last_day = (week.end - timedelta(days=1)).date()
    return {
        "recipient_id": person.id,
        "kind": WEEKLY_SUMMARY,
        "dedup_key": f"{WEEKLY_SUMMARY}:{summary.athlete_id}:{week.iso}:{person.id}",
        "due_at": now,
        "payload": {
            "athlete": name,
            "week": f"{week.start.date().isoformat()} – {last_day.isoformat()}",
            "sessions_done": summary.sessions_done,
            "metrics_logged": summary.metrics_logged,
            "bests": bests or NOTHING,
            # Shown in the recipient's own zone and language when it is sent (bot.outbox).
            "next_at": summary.next_session.isoformat() if summary.next_session else NOTHING,
            "athlete_id": str(summary.athlete_id),
        },
    }
