"""The status mirror of videos, on real Redis under this test's key prefix."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis

from domain.adapters.cache import REDIS_UNAVAILABLE, RedisKeys
from domain.videos.status import MIRROR_TTL, VideoStatusMirror


@pytest.fixture
def mirror(redis_client: aioredis.Redis, keys: RedisKeys) -> VideoStatusMirror:
    return VideoStatusMirror(redis_client, keys)


async def test_the_mirror_holds_status_reason_and_time(
    mirror: VideoStatusMirror, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    video_id = uuid.uuid4()
    assert (await mirror.statuses([video_id])).get(video_id) is None

    await mirror.set(video_id, "failed", reason="too_long")
    failed = (await mirror.statuses([video_id])).get(video_id)
    await mirror.set(video_id, "analyzed")
    analyzed = (await mirror.statuses([video_id])).get(video_id)

    assert failed is not None and (failed.status, failed.reason) == ("failed", "too_long")
    assert analyzed is not None and (analyzed.status, analyzed.reason) == ("analyzed", None)
    assert analyzed.updated_at is not None and analyzed.updated_at.tzinfo is not None
    ttl = await redis_client.ttl(keys.video_status(video_id))
    assert 0 < ttl <= MIRROR_TTL.total_seconds()


async def test_begin_attempt_counts_each_attempt_and_keeps_the_status(
    mirror: VideoStatusMirror,
) -> None:
    video_id = uuid.uuid4()
    await mirror.set(video_id, "uploaded")

    counts = [await mirror.begin_attempt(video_id) for _ in range(3)]

    assert counts == [1, 2, 3]
    status = (await mirror.statuses([video_id])).get(video_id)
    assert status is not None and (status.status, status.attempts) == ("uploaded", 3)


async def test_the_mirror_refuses_a_status_the_database_would_refuse(
    mirror: VideoStatusMirror,
) -> None:
    with pytest.raises(ValueError):
        await mirror.set(uuid.uuid4(), "done")


async def test_redis_down_is_swallowed_when_mirroring_but_not_when_counting_attempts(
    dead_redis: aioredis.Redis, keys: RedisKeys
) -> None:
    mirror = VideoStatusMirror(dead_redis, keys)

    await mirror.set(uuid.uuid4(), "processing")  # logged; the row is the truth

    with pytest.raises(REDIS_UNAVAILABLE):
        await mirror.begin_attempt(uuid.uuid4())
