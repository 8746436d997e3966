"""The latest value per metric in Redis: rebuilt on a miss, written through, dropped on undo."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import redis.asyncio as aioredis

from domain.adapters.cache import Cache, RedisKeys
from domain.metrics.latest import LATEST_TTL_S, latest
from domain.metrics.log import undo
from domain.uow import UnitOfWork
from tests.domain.metrics.test_metrics_log import NOW, MetricsWorld, log, metrics_world


def values(found: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {metric: f"{entry['value']} {entry['unit']}" for metric, entry in found.items()}


async def cached_metrics(redis: aioredis.Redis, keys: RedisKeys, world: MetricsWorld) -> object:
    raw = await redis.get(keys.latest_metrics(world.kim.id))
    return None if raw is None else json.loads(raw)["metrics"]


async def test_a_miss_is_rebuilt_from_the_database_with_the_latest_of_each_metric(
    uow: UnitOfWork, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    cache = Cache(redis_client)
    world = await metrics_world(uow)
    await log(uow, cache, keys, world, "squat 100kg", now=NOW - timedelta(days=2))
    await log(uow, cache, keys, world, "squat 90kg", now=NOW - timedelta(days=1))
    await log(uow, cache, keys, world, "40m sprint 5.3", now=NOW)
    assert await cached_metrics(redis_client, keys, world) is None  # nothing to write into

    found = await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)

    assert values(found) == {"squat": "90.0000 kg", "sprint_40m": "5.3000 s"}
    assert found["squat"]["value"] == Decimal("90.0000")
    assert found["squat"]["recorded_at"] == NOW - timedelta(days=1)
    assert await cached_metrics(redis_client, keys, world) == {
        "squat": {"value": "90.0000", "unit": "kg", "recorded_at": "2026-11-19T17:30:00+00:00"},
        "sprint_40m": {"value": "5.3000", "unit": "s", "recorded_at": "2026-11-20T17:30:00+00:00"},
    }


async def test_a_logged_value_is_written_through_keeping_the_entrys_expiry(
    uow: UnitOfWork, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    cache = Cache(redis_client)
    world = await metrics_world(uow)
    await log(uow, cache, keys, world, "squat 100kg", now=NOW - timedelta(days=1))
    await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)
    before = await redis_client.pttl(keys.latest_metrics(world.kim.id))

    await log(uow, cache, keys, world, "squat 105kg")
    await log(uow, cache, keys, world, "weight 41.5")

    cached = await cached_metrics(redis_client, keys, world)
    assert isinstance(cached, dict)
    assert {metric: entry["value"] for metric, entry in cached.items()} == {
        "squat": "105.0000",
        "body_weight": "41.5000",
    }
    after = await redis_client.pttl(keys.latest_metrics(world.kim.id))
    assert 0 < after <= before <= LATEST_TTL_S * 1000


async def test_a_backdated_value_does_not_replace_a_later_one(
    uow: UnitOfWork, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    cache = Cache(redis_client)
    world = await metrics_world(uow)
    await log(uow, cache, keys, world, "squat 100kg")
    await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)

    await log(uow, cache, keys, world, "squat 80kg yesterday 10:00")

    found = await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)
    assert values(found) == {"squat": "100.0000 kg"}


async def test_undo_drops_the_entry_and_the_next_read_has_the_value_before(
    uow: UnitOfWork, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    cache = Cache(redis_client)
    world = await metrics_world(uow)
    await log(uow, cache, keys, world, "squat 100kg", now=NOW - timedelta(hours=1))
    await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)
    logged = await log(uow, cache, keys, world, "squat 110kg")

    await undo(
        uow,
        actor=world.parent,
        metric_id=logged.metric_id,
        recorded_at=logged.recorded_at,
        cache=cache,
        keys=keys,
    )

    assert await cached_metrics(redis_client, keys, world) is None
    found = await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)
    assert values(found) == {"squat": "100.0000 kg"}


async def test_after_a_redis_wipe_the_entry_is_rebuilt(
    uow: UnitOfWork, redis_client: aioredis.Redis, keys: RedisKeys, key_prefix: str
) -> None:
    cache = Cache(redis_client)
    world = await metrics_world(uow)
    await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)
    await log(uow, cache, keys, world, "squat 100kg")
    await log(uow, cache, keys, world, "40m sprint 5.3")
    async for key in redis_client.scan_iter(match=f"{key_prefix}*"):
        await redis_client.delete(key)

    found = await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)

    assert values(found) == {"squat": "100.0000 kg", "sprint_40m": "5.3000 s"}
    assert await cached_metrics(redis_client, keys, world) is not None


async def test_without_redis_the_latest_values_come_from_the_database(
    uow: UnitOfWork, dead_redis: aioredis.Redis, keys: RedisKeys
) -> None:
    cache = Cache(dead_redis)
    world = await metrics_world(uow)
    await log(uow, cache, keys, world, "squat 100kg")

    found = await latest(uow_factory(uow), cache, keys, athlete_id=world.kim.id)

    assert values(found) == {"squat": "100.0000 kg"}


async def test_an_athlete_with_nothing_logged_has_no_latest_values(
    uow: UnitOfWork, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    world = await metrics_world(uow)

    assert await latest(uow_factory(uow), Cache(redis_client), keys, athlete_id=world.kim.id) == {}


def uow_factory(uow: UnitOfWork) -> Callable[[], UnitOfWork]:
    return lambda: uow
