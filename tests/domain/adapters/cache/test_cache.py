import asyncio
import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
import redis.asyncio as aioredis

from domain.adapters.cache import Cache, RedisKeys

ATHLETE = UUID("8c1e7f0a-3b55-4c1e-9a7d-2f4b6d8e0a11")


class CountingLoader:
    """An async loader that remembers how often the cache had to call it."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0

    async def __call__(self) -> object:
        self.calls += 1
        return self.value


@pytest.fixture
def cache(redis_client: aioredis.Redis) -> Cache:
    return Cache(redis_client)


async def test_a_stored_value_is_read_back(cache: Cache, keys: RedisKeys) -> None:
    key = keys.latest_metrics(ATHLETE)

    await cache.set_json(key, {"sprint_40m_s": 5.1, "tags": ["u14"]}, ttl_s=60)

    assert await cache.get_json(key) == {"sprint_40m_s": 5.1, "tags": ["u14"]}


async def test_a_missing_key_reads_as_none(cache: Cache, keys: RedisKeys) -> None:
    assert await cache.get_json(keys.session(42)) is None


async def test_uuids_dates_and_decimals_are_stored_as_strings(
    cache: Cache, keys: RedisKeys
) -> None:
    key = keys.latest_metrics(ATHLETE)
    measured_at = datetime(2025, 3, 7, 9, 30, tzinfo=UTC)

    await cache.set_json(
        key,
        {"athlete": ATHLETE, "day": date(2025, 3, 7), "at": measured_at, "kg": Decimal("61.40")},
        ttl_s=60,
    )

    assert await cache.get_json(key) == {
        "athlete": str(ATHLETE),
        "day": "2025-03-07",
        "at": "2025-03-07T09:30:00+00:00",
        "kg": "61.40",
    }


async def test_a_value_json_cannot_hold_is_a_type_error(cache: Cache, keys: RedisKeys) -> None:
    with pytest.raises(TypeError):
        await cache.set_json(keys.session(42), {"raw": object()}, ttl_s=60)


async def test_set_json_gives_the_entry_its_ttl(
    cache: Cache, keys: RedisKeys, redis_client: aioredis.Redis
) -> None:
    key = keys.availability(ATHLETE, date(2025, 3, 7))

    await cache.set_json(key, ["09:00", "10:00"], ttl_s=30)

    assert 0 < await redis_client.pttl(key) <= 30_000


async def test_an_entry_without_a_positive_ttl_is_refused(cache: Cache, keys: RedisKeys) -> None:
    with pytest.raises(ValueError):
        await cache.set_json(keys.session(42), {"step": 1}, ttl_s=0)


async def test_invalidate_deletes_every_key_given(cache: Cache, keys: RedisKeys) -> None:
    first, second = keys.session(1), keys.session(2)
    await cache.set_json(first, 1, ttl_s=60)
    await cache.set_json(second, 2, ttl_s=60)

    await cache.invalidate(first, second)

    assert await cache.get_json(first) is None
    assert await cache.get_json(second) is None


async def test_concurrent_invalidations_share_deletes_and_each_returns_with_its_keys_gone(
    cache: Cache, keys: RedisKeys, redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twenty bookings finishing at once: one DEL each would be twenty round trips.
    owned = [[keys.session(n), keys.session(100 + n)] for n in range(20)]
    for pair in owned:
        for key in pair:
            await cache.set_json(key, 1, ttl_s=60)
    deletes: list[tuple[str, ...]] = []
    delete = redis_client.delete

    async def counted_delete(*names: str) -> int:
        deletes.append(names)
        return await delete(*names)

    monkeypatch.setattr(redis_client, "delete", counted_delete)

    async def invalidate_and_check(pair: list[str]) -> None:
        await cache.invalidate(*pair)
        assert await redis_client.exists(*pair) == 0  # gone before the caller goes on

    await asyncio.gather(*(invalidate_and_check(pair) for pair in owned))

    assert len(deletes) <= 2
    assert sorted(key for sent in deletes for key in sent) == sorted(k for p in owned for k in p)


async def test_an_entry_that_is_not_json_reads_as_a_miss(
    cache: Cache, keys: RedisKeys, redis_client: aioredis.Redis
) -> None:
    key = keys.video_status(ATHLETE)
    await redis_client.set(key, b"\xff not json")

    assert await cache.get_json(key) is None


async def test_when_redis_is_down_reads_miss_writes_are_skipped_and_a_warning_is_logged(
    dead_redis: aioredis.Redis, keys: RedisKeys, caplog: pytest.LogCaptureFixture
) -> None:
    cache = Cache(dead_redis)
    key = keys.latest_metrics(ATHLETE)

    with caplog.at_level(logging.WARNING, logger="domain.adapters.cache.cache"):
        await cache.set_json(key, {"vo2max": 52}, ttl_s=60)
        await cache.invalidate(key)
        value = await cache.get_json(key)

    assert value is None
    messages = [r.getMessage() for r in caplog.records]
    assert any("cache set skipped" in m for m in messages)
    assert any("cache delete skipped" in m for m in messages)
    assert any("cache get skipped" in m for m in messages)


async def test_when_redis_hangs_a_read_is_a_miss_within_the_timeout(
    silent_redis: aioredis.Redis, keys: RedisKeys
) -> None:
    cache = Cache(silent_redis, timeout_s=0.05)

    assert await cache.get_json(keys.session(42)) is None
