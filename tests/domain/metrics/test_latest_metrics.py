"""The latest value per metric in Redis: rebuilt on a miss, written through, dropped on undo,
served from Redis once cached, and right when a log or an undo lands during a rebuild."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.adapters.cache import RedisKeys
from domain.metrics import latest as latest_module
from domain.metrics.latest import BUILDING, BUILT, LATEST_TTL_S, LatestMetrics, LatestOf
from domain.metrics.log import undo
from domain.metrics.roster import RosterLine, roster
from domain.uow import Transaction, UnitOfWork
from tests.domain.metrics.test_metrics_log import NOW, MetricsWorld, log, metrics_world
from tests.sql_statements import sql_statements


def values(found: LatestOf) -> dict[str, str]:
    return {metric: f"{entry.value} {entry.unit}" for metric, entry in found.items()}


async def read(uow: UnitOfWork, latest: LatestMetrics, athlete_id: uuid.UUID) -> LatestOf:
    async with uow as tx:
        return await latest.of_athlete(tx, athlete_id)


async def cached_fields(
    redis: aioredis.Redis, keys: RedisKeys, world: MetricsWorld
) -> dict[str, str] | None:
    """The metrics of Kim's entry as stored, or None when there is no whole entry."""
    entry = await redis.hgetall(keys.latest_metrics(world.kim.id))
    if BUILT not in entry:
        return None
    return {
        name.decode(): value.decode().split(" ", 1)[1]
        for name, value in entry.items()
        if not name.startswith(b"@")
    }


async def test_a_miss_is_rebuilt_from_the_database_with_the_latest_of_each_metric(
    uow: UnitOfWork, latest: LatestMetrics, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(days=2))
    await log(uow, latest, world, "squat 90kg", now=NOW - timedelta(days=1))
    await log(uow, latest, world, "40m sprint 5.3", now=NOW)
    await latest.forget(world.kim.id)  # what the logs cached on the way: gone

    found = await read(uow, latest, world.kim.id)

    assert values(found) == {"squat": "90.0000 kg", "sprint_40m": "5.3000 s"}
    assert found["squat"].value == Decimal("90.0000")
    assert found["squat"].recorded_at == NOW - timedelta(days=1)
    assert await cached_fields(redis_client, keys, world) == {
        "squat": "90.0000 kg",
        "sprint_40m": "5.3000 s",
    }
    ttl_ms = await redis_client.pttl(keys.latest_metrics(world.kim.id))
    assert 0 < ttl_ms <= LATEST_TTL_S * 1000


async def test_the_second_read_is_served_from_redis_without_a_query(
    uow: UnitOfWork, latest: LatestMetrics, engine: AsyncEngine
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")
    await latest.forget(world.kim.id)

    with sql_statements(engine) as first:
        await read(uow, latest, world.kim.id)
    with sql_statements(engine) as second:
        found = await read(uow, latest, world.kim.id)

    assert len(first) == 1 and "DISTINCT ON" in first[0]
    assert second == []
    assert values(found) == {"squat": "100.0000 kg"}


async def test_a_logged_value_is_written_through_keeping_the_entrys_expiry(
    uow: UnitOfWork, latest: LatestMetrics, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(days=1))
    await read(uow, latest, world.kim.id)
    before = await redis_client.pttl(keys.latest_metrics(world.kim.id))

    await log(uow, latest, world, "squat 105kg")
    await log(uow, latest, world, "weight 41.5")

    assert await cached_fields(redis_client, keys, world) == {
        "squat": "105.0000 kg",
        "body_weight": "41.5000 kg",
    }
    after = await redis_client.pttl(keys.latest_metrics(world.kim.id))
    assert 0 < after <= before <= LATEST_TTL_S * 1000


async def test_a_backdated_value_does_not_replace_a_later_one(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")
    await read(uow, latest, world.kim.id)

    await log(uow, latest, world, "squat 80kg yesterday 10:00")

    assert values(await read(uow, latest, world.kim.id)) == {"squat": "100.0000 kg"}


async def test_undo_drops_the_entry_and_the_next_read_has_the_value_before(
    uow: UnitOfWork, latest: LatestMetrics, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(hours=1))
    await read(uow, latest, world.kim.id)
    logged = await log(uow, latest, world, "squat 110kg")

    await undo(
        uow,
        actor=world.parent,
        metric_id=logged.metric_id,
        recorded_at=logged.recorded_at,
        latest=latest,
    )

    assert await cached_fields(redis_client, keys, world) is None
    assert values(await read(uow, latest, world.kim.id)) == {"squat": "100.0000 kg"}


async def test_a_value_logged_while_a_rebuild_reads_the_database_is_kept(
    uow: UnitOfWork,
    latest: LatestMetrics,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(hours=1))
    await latest.forget(world.kim.id)

    async def and_then(rebuilt: dict[uuid.UUID, dict[str, str]]) -> None:
        # The rebuild has read 100 kg; 110 kg is logged (and written through) before it stores.
        await log(uow, latest, world, "squat 110kg")

    rebuild_then(monkeypatch, and_then)
    async with UnitOfWork(session_factory) as reading:
        assert values(await latest.of_athlete(reading, world.kim.id)) == {"squat": "100.0000 kg"}

    assert await cached_fields(redis_client, keys, world) == {"squat": "110.0000 kg"}


async def test_a_rebuild_that_an_undo_overtakes_stores_nothing(
    uow: UnitOfWork,
    latest: LatestMetrics,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(hours=1))
    logged = await log(uow, latest, world, "squat 110kg")
    await latest.forget(world.kim.id)

    async def and_then(rebuilt: dict[uuid.UUID, dict[str, str]]) -> None:
        # The rebuild has read 110 kg; it is undone before the rebuild stores.
        await undo(
            uow,
            actor=world.parent,
            metric_id=logged.metric_id,
            recorded_at=logged.recorded_at,
            latest=latest,
        )

    rebuild_then(monkeypatch, and_then)
    async with UnitOfWork(session_factory) as reading:
        await latest.of_athlete(reading, world.kim.id)

    assert await redis_client.exists(keys.latest_metrics(world.kim.id)) == 0
    monkeypatch.undo()
    assert values(await read(uow, latest, world.kim.id)) == {"squat": "100.0000 kg"}


async def test_a_reader_that_finds_a_rebuild_under_way_reads_the_database_and_stores_nothing(
    uow: UnitOfWork, latest: LatestMetrics, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")
    key = keys.latest_metrics(world.kim.id)
    await redis_client.delete(key)
    await redis_client.hset(key, BUILDING, "someone-elses-claim")

    assert values(await read(uow, latest, world.kim.id)) == {"squat": "100.0000 kg"}
    assert await redis_client.hgetall(key) == {BUILDING: b"someone-elses-claim"}


async def test_after_a_redis_wipe_the_entry_is_rebuilt(
    uow: UnitOfWork,
    latest: LatestMetrics,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    key_prefix: str,
) -> None:
    world = await metrics_world(uow)
    await read(uow, latest, world.kim.id)
    await log(uow, latest, world, "squat 100kg")
    await log(uow, latest, world, "40m sprint 5.3")
    async for key in redis_client.scan_iter(match=f"{key_prefix}*"):
        await redis_client.delete(key)

    found = await read(uow, latest, world.kim.id)

    assert values(found) == {"squat": "100.0000 kg", "sprint_40m": "5.3000 s"}
    assert await cached_fields(redis_client, keys, world) is not None


async def test_without_redis_the_latest_values_come_from_the_database(
    uow: UnitOfWork, dead_redis: aioredis.Redis, keys: RedisKeys
) -> None:
    latest = LatestMetrics(dead_redis, keys)
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")

    assert values(await read(uow, latest, world.kim.id)) == {"squat": "100.0000 kg"}


async def test_an_athlete_with_nothing_logged_has_no_latest_values_and_that_is_cached(
    uow: UnitOfWork, latest: LatestMetrics, engine: AsyncEngine
) -> None:
    world = await metrics_world(uow)

    assert await read(uow, latest, world.kim.id) == {}
    with sql_statements(engine) as sent:
        assert await read(uow, latest, world.kim.id) == {}
    assert sent == []


async def test_many_athletes_are_read_in_one_query_for_the_misses(
    uow: UnitOfWork, latest: LatestMetrics, engine: AsyncEngine
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")
    await latest.forget(world.kim.id)
    others = [world.booking.other_child.id, uuid.uuid4()]

    with sql_statements(engine) as sent:
        async with uow as tx:
            found = await latest.of_athletes(tx, [world.kim.id, *others])

    assert len(sent) == 1
    assert values(found[world.kim.id]) == {"squat": "100.0000 kg"}
    assert found[others[0]] == found[others[1]] == {}


async def test_the_roster_reads_redis_once_cached_and_shows_the_value_before_an_undone_one(
    uow: UnitOfWork, latest: LatestMetrics, engine: AsyncEngine
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(hours=2))
    await latest.forget(world.kim.id)

    def squat(lines: list[RosterLine]) -> Decimal:
        (kim,) = lines
        return next(m.latest.value for m in kim.metrics if m.kind.key == "squat")

    with sql_statements(engine) as cold:
        assert squat(await roster(uow, actor=world.coach, latest=latest, now=NOW)) == 100
    with sql_statements(engine) as warm:
        assert squat(await roster(uow, actor=world.coach, latest=latest, now=NOW)) == 100
    logged = await log(uow, latest, world, "squat 110kg", actor=world.coach)
    after_log = squat(await roster(uow, actor=world.coach, latest=latest, now=NOW))
    await undo(
        uow,
        actor=world.coach,
        metric_id=logged.metric_id,
        recorded_at=logged.recorded_at,
        latest=latest,
        now=NOW,
    )
    after_undo = squat(await roster(uow, actor=world.coach, latest=latest, now=NOW))

    assert len(warm) == len(cold) - 1  # the latest values' query is not sent again
    assert (after_log, after_undo) == (110, 100)


def rebuild_then(
    monkeypatch: pytest.MonkeyPatch,
    then: Callable[[dict[uuid.UUID, dict[str, str]]], Awaitable[None]],
) -> None:
    """Make the next rebuild run `then` after reading the database and before storing."""
    real = latest_module._rebuild
    pending = [then]

    async def rebuild(
        tx: Transaction, athlete_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, str]]:
        found = await real(tx, athlete_ids)
        while pending:  # once: what `then` does may read (and rebuild) too
            await pending.pop()(found)
        return found

    monkeypatch.setattr(latest_module, "_rebuild", rebuild)
