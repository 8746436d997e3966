"""An athlete's progress on one metric: the values over a range, the bests among them, the trend.

A range is read with bounds on `recorded_at`, the partition key, so the planner scans only the
monthly partitions the range overlaps (`domain.metrics.queries.results.points_query`). Bests follow
`domain.metrics.bests.beats`, the rule logging announces them by, seeded with the best on record
before the range: a chart of the last four weeks marks only what beat the athlete's whole past.
That one aggregate reads the earlier months through the (athlete, metric, time) index of each.
The first value ever is a baseline, not a best, and a tie is not a best either.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from domain import policy
from domain.errors import NotFound
from domain.metrics.bests import beats
from domain.metrics.catalogue import MetricKind, catalogue_for
from domain.metrics.queries import results
from domain.metrics.units import convert, display_unit
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import Transaction, UnitOfWork

SECONDS_PER_DAY = 86_400
# The ranges a chart offers; None reads everything on record.
SPANS: dict[str, timedelta | None] = {
    "4w": timedelta(weeks=4),
    "3m": timedelta(weeks=13),
    "1y": timedelta(days=365),
    "all": None,
}


@dataclass(frozen=True)
class Point:
    """One value, when it was recorded."""

    at: datetime
    value: Decimal


@dataclass(frozen=True)
class Trend:
    """A least-squares line through a series: its value at `start` and its change per day."""

    start: datetime
    value_at_start: float
    per_day: float

    def at(self, moment: datetime) -> float:
        """The line's value at `moment`."""
        days = (moment - self.start).total_seconds() / SECONDS_PER_DAY
        return self.value_at_start + self.per_day * days


@dataclass(frozen=True)
class Series:
    """One athlete's values of one metric over a range, oldest first, in `unit`."""

    athlete_id: uuid.UUID
    kind: MetricKind
    unit: str
    since: datetime | None
    until: datetime
    points: tuple[Point, ...]
    bests: tuple[Point, ...]
    trend: Trend | None

    @property
    def latest(self) -> Point | None:
        """The most recent value in the range."""
        return self.points[-1] if self.points else None

    @property
    def best(self) -> Point | None:
        """The best value in the range, None for a metric without a better direction."""
        if not self.points or self.kind.better not in ("higher", "lower"):
            return None
        pick = min if self.kind.better == "lower" else max
        return pick(self.points, key=lambda point: point.value)

    @property
    def change(self) -> Decimal | None:
        """Latest minus first value of the range; None with fewer than two values."""
        if len(self.points) < 2:
            return None
        return self.points[-1].value - self.points[0].value

    def in_units(self, units: str) -> Series:
        """The same series as a reader preferring `units` ("metric", "imperial") reads it."""
        shown = display_unit(self.unit, units=units)
        if shown == self.unit:
            return self

        def moved(point: Point) -> Point:
            return Point(point.at, convert(point.value, self.unit, shown))

        return replace(
            self,
            unit=shown,
            points=tuple(map(moved, self.points)),
            bests=tuple(map(moved, self.bests)),
            trend=least_squares_trend(tuple(map(moved, self.points))),
        )


async def series(
    uow: UnitOfWork,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    metric_key: str,
    since: datetime | None,
    until: datetime,
) -> Series:
    """An athlete's values of one metric recorded in [since, until), with bests and trend."""
    policy.require(actor, Action.VIEW_METRICS, AthleteTarget(athlete_id))
    kind = _by_key(await catalogue_for(uow, athlete_id=athlete_id), metric_key)
    async with uow as tx:
        rows = await results.points(tx, athlete_id, kind.key, since, until)
        points = tuple(Point(at, value) for at, value in rows)
        prior = await _best_before(tx, athlete_id, kind, since) if since is not None else None
    return Series(
        athlete_id=athlete_id,
        kind=kind,
        unit=kind.unit,
        since=since,
        until=until,
        points=points,
        bests=running_bests(points, kind, prior),
        trend=least_squares_trend(points),
    )


async def series_for_span(
    uow: UnitOfWork,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    metric_id: uuid.UUID,
    span: str,
    now: datetime,
) -> Series:
    """The series a chart button asks for: a metric by id and a span code of `SPANS`."""
    if span not in SPANS:
        raise NotFound(f"no span {span!r}")
    policy.require(actor, Action.VIEW_METRICS, AthleteTarget(athlete_id))
    kinds = await catalogue_for(uow, athlete_id=athlete_id)
    kind = next((kind for kind in kinds if kind.id == metric_id), None)
    if kind is None:
        raise NotFound("no such metric for this athlete")
    length = SPANS[span]
    since = now - length if length is not None else None
    return await series(
        uow, actor=actor, athlete_id=athlete_id, metric_key=kind.key, since=since, until=now
    )


async def metrics_with_data(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID
) -> list[MetricKind]:
    """The metrics the athlete has values of, in catalogue order."""
    policy.require(actor, Action.VIEW_METRICS, AthleteTarget(athlete_id))
    kinds = await catalogue_for(uow, athlete_id=athlete_id)
    async with uow as tx:
        logged = await results.keys_with_values(tx, athlete_id)
    return [kind for kind in kinds if kind.key in logged]
    return [kind for kind in kinds if kind.key in logged]


async def _best_before(
    tx: Transaction, athlete_id: uuid.UUID, kind: MetricKind, since: datetime
) -> Decimal | None:
    if kind.better not in ("higher", "lower"):
        return None
    return await results.best_value(
        tx, athlete_id=athlete_id, metric_key=kind.key, lower=kind.better == "lower", before=since
    )


def running_bests(
    points: tuple[Point, ...], kind: MetricKind, prior: Decimal | None
) -> tuple[Point, ...]:
    """The points that beat every value before them (and `prior`, the best before the range)."""
    best, found = prior, []
    for point in points:
        if beats(kind, point.value, best):
            found.append(point)
        if best is None or beats(kind, point.value, best):
            best = point.value
    return tuple(found)


def least_squares_trend(points: tuple[Point, ...]) -> Trend | None:
    """The least-squares line through the points over time; None below two distinct moments."""
    if len(points) < 2:
        return None
    start = points[0].at
    xs = [(point.at - start).total_seconds() / SECONDS_PER_DAY for point in points]
    ys = [float(point.value) for point in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return Trend(start=start, value_at_start=mean_y - slope * mean_x, per_day=slope)


def _by_key(kinds: list[MetricKind], key: str) -> MetricKind:
    kind = next((kind for kind in kinds if kind.key == key), None)
    if kind is None:
        raise NotFound(f"no metric {key!r} for this athlete")
    return kind
