"""A coach's roster: every athlete they coach, each one's latest values and the last four weeks.

The latest values come from `domain.metrics.latest` (Redis, the database for the athletes not
cached). The change of a metric over the four weeks is its latest value minus the value as it
stood four weeks ago (the last one recorded by then) or, for a metric first logged within those
weeks, minus its first value. A metric with nothing new in four weeks shows no change: none was
measured. `now` ends the four weeks; the latest value is the newest on record, since nothing is
recorded ahead of time (/log refuses a time still to come).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement

from domain import policy
from domain.errors import NotAllowed
from domain.metrics.catalogue import MetricKind
from domain.metrics.latest import LatestMetrics, LatestOf
from domain.metrics.progress import Point
from domain.metrics.queries.results import edge_values
from domain.metrics.queries.types import types_with_keys
from domain.models import PerformanceMetric
from domain.people.queries import first_names
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import Transaction, UnitOfWork

CHANGE_WINDOW = timedelta(weeks=4)
Values = dict[tuple[uuid.UUID, str], Point]


@dataclass(frozen=True)
class RosterMetric:
    """One metric of one athlete: the latest value and its change over the window."""

    kind: MetricKind
    latest: Point
    change: Decimal | None


@dataclass(frozen=True)
class RosterLine:
    """One athlete on a coach's roster, metrics in catalogue order (none yet: empty)."""

    athlete_id: uuid.UUID
    name: str
    metrics: tuple[RosterMetric, ...]


async def roster(
    uow: UnitOfWork, *, actor: Actor, latest: LatestMetrics, now: datetime | None = None
) -> list[RosterLine]:
    """Each athlete the actor coaches, by name, with latest values and four-week changes."""
    now = now or datetime.now(UTC)
    if actor.coach_id is None:
        raise NotAllowed("roster: not a coach", action=Action.VIEW_METRICS.value)
    athletes = {
        athlete_id
        for athlete_id in actor.coached_athlete_ids
        if policy.may(actor, Action.VIEW_METRICS, AthleteTarget(athlete_id))
    }
    if not athletes:
        return []
    cutoff = now - CHANGE_WINDOW
    async with uow as tx:
        names = await first_names(tx, athletes)
        newest = _points(await latest.of_athletes(tx, athletes))
        before = await _values(tx, athletes, PerformanceMetric.recorded_at <= cutoff, newest=True)
        window = (PerformanceMetric.recorded_at > cutoff, PerformanceMetric.recorded_at <= now)
        first_in_window = await _values(tx, athletes, *window, newest=False)
        kinds = await _kinds(tx, {key for _, key in newest})
    baselines = first_in_window | before  # as it stood at the cutoff, where there is one
    return [
        RosterLine(athlete_id, name, tuple(_metrics(athlete_id, kinds, newest, baselines)))
        for athlete_id, name in sorted(names.items(), key=lambda pair: pair[1].lower())
    ]


def _points(latest: dict[uuid.UUID, LatestOf]) -> Values:
    return {
        (athlete_id, key): Point(value.recorded_at, value.value)
        for athlete_id, metrics in latest.items()
        for key, value in metrics.items()
    }


def _metrics(
    athlete_id: uuid.UUID, kinds: list[MetricKind], latest: Values, baselines: Values
) -> list[RosterMetric]:
    found = []
    for kind in kinds:
        point = latest.get((athlete_id, kind.key))
        if point is None:
            continue
        baseline = baselines.get((athlete_id, kind.key))
        change = None
        if baseline is not None and baseline.at < point.at:
            change = point.value - baseline.value
        found.append(RosterMetric(kind, point, change))
    return found


async def _values(
    tx: Transaction, athletes: Iterable[uuid.UUID], *when: ColumnElement[bool], newest: bool
) -> Values:
    """Per athlete and metric, the newest (or oldest) value recorded `when`."""
    rows = await edge_values(tx, athletes, *when, newest=newest)
    return {(athlete, key): Point(at, value) for athlete, key, at, value in rows}


async def _kinds(tx: Transaction, keys: set[str]) -> list[MetricKind]:
    """The metric types of these keys, in catalogue order (category, then name)."""
    rows = await types_with_keys(tx, keys)
    by_key: dict[str, MetricKind] = {}
    for row in rows:
        by_key.setdefault(row.key, MetricKind.from_row(row))
    return list(by_key.values())
