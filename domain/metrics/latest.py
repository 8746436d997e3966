"""Each athlete's latest value per metric, cached in Redis under `metrics:{athleteId}:latest`.

The entry is one JSON object: the latest value of every metric the athlete has, and when it was
built from the database. A miss rebuilds it with one query; logging writes the new value
through into an existing entry; an undo drops the entry, so the next read rebuilds it.

Staleness: a write-through reads the entry, merges and stores it, so two values logged for one
athlete at the same instant can lose one of them, and a rebuild that read the database just
before a log can store the old values just after it. Each write-through keeps the expiry of
the rebuild it extends instead of starting a new one, so whatever is wrong in an entry lives
at most LATEST_TTL_S after the database was last read, however often the athlete logs.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on

from domain.adapters.cache import JSON, Cache, RedisKeys
from domain.models import PerformanceMetric
from domain.uow import UnitOfWork

LATEST_TTL_S = 600.0
# Below this much life left an entry is left to expire rather than stored again.
MIN_TTL_S = 1.0


class Latest(TypedDict):
    """The latest value of one metric: in its canonical unit, and when it was recorded."""

    value: Decimal
    unit: str
    recorded_at: datetime


async def latest(
    uow_factory: Callable[[], UnitOfWork], cache: Cache, keys: RedisKeys, *, athlete_id: uuid.UUID
) -> dict[str, Latest]:
    """Metric key -> the athlete's latest value of it; from Redis, or rebuilt on a miss."""
    key = keys.latest_metrics(athlete_id)
    cached = _parts(await cache.get_json(key))
    if cached is None:
        cached = await _rebuild(uow_factory(), athlete_id)
        await cache.set_json(key, {"built_at": cached[0], "metrics": cached[1]}, LATEST_TTL_S)
    _, metrics = cached
    return {metric: _decoded(value) for metric, value in metrics.items()}


async def write_through(
    cache: Cache,
    keys: RedisKeys,
    *,
    athlete_id: uuid.UUID,
    metric_key: str,
    latest_value: Latest,
) -> None:
    """Put a newly logged value into the athlete's entry, if there is one and it is newer."""
    key = keys.latest_metrics(athlete_id)
    cached = _parts(await cache.get_json(key))
    if cached is None:
        return  # nothing cached: the next read rebuilds it from the database, value included
    built_at, metrics = cached
    current = metrics.get(metric_key)
    # A backdated value ("yesterday 18:00") does not replace a later one.
    if current is not None and _decoded(current)["recorded_at"] > latest_value["recorded_at"]:
        return
    remaining = built_at + LATEST_TTL_S - time.time()
    if remaining < MIN_TTL_S:
        return
    metrics[metric_key] = _encoded(latest_value)
    await cache.set_json(key, {"built_at": built_at, "metrics": metrics}, remaining)


async def forget(cache: Cache, keys: RedisKeys, *, athlete_id: uuid.UUID) -> None:
    """Drop the athlete's entry; the next read rebuilds it."""
    await cache.invalidate(keys.latest_metrics(athlete_id))


async def _rebuild(uow: UnitOfWork, athlete_id: uuid.UUID) -> tuple[float, dict[str, JSON]]:
    # Taken before the query: the entry must not claim to be fresher than what it read.
    built_at = time.time()
    query = (
        select(
            PerformanceMetric.metric_type,
            PerformanceMetric.metric_value,
            PerformanceMetric.unit,
            PerformanceMetric.recorded_at,
        )
        .where(
            PerformanceMetric.athlete_id == athlete_id,
            PerformanceMetric.metric_value.is_not(None),
        )
        .ext(distinct_on(PerformanceMetric.metric_type))
        .order_by(
            PerformanceMetric.metric_type,
            PerformanceMetric.recorded_at.desc(),
            PerformanceMetric.created_at.desc(),
        )
    )
    async with uow:
        rows = (await uow.session.execute(query)).all()
    metrics: dict[str, JSON] = {
        metric: _encoded(Latest(value=value, unit=unit or "", recorded_at=recorded_at))
        for metric, value, unit, recorded_at in rows
    }
    return built_at, metrics


def _parts(entry: JSON) -> tuple[float, dict[str, JSON]] | None:
    """When the cached entry was built and its metrics, or None for a miss."""
    if not isinstance(entry, dict):
        return None
    built_at, metrics = entry.get("built_at"), entry.get("metrics")
    if isinstance(built_at, int | float) and isinstance(metrics, dict):
        return float(built_at), metrics
    return None


def _encoded(value: Latest) -> dict[str, JSON]:
    # Decimal as a string: a value comes back digit for digit.
    return {
        "value": str(value["value"]),
        "unit": value["unit"],
        "recorded_at": value["recorded_at"].isoformat(),
    }


def _decoded(raw: JSON) -> Latest:
    assert isinstance(raw, dict)
    return Latest(
        value=Decimal(str(raw["value"])),
        unit=str(raw["unit"]),
        recorded_at=datetime.fromisoformat(str(raw["recorded_at"])),
    )
