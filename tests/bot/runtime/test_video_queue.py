"""The video job queue and the status mirror, on real Redis under this test's key prefix."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis.asyncio as aioredis

from domain.adapters.cache import REDIS_UNAVAILABLE, RedisKeys
from domain.videos.queue import Job, VideoQueue
from domain.videos.status import MIRROR_TTL, VideoStatusMirror

GROUP = "video-workers"
CLAIM_AFTER_S = 0.3


@pytest.fixture
async def queue(redis_client: aioredis.Redis, keys: RedisKeys) -> VideoQueue:
    queue = VideoQueue(redis_client, keys, claim_after_s=CLAIM_AFTER_S)
    await queue.ensure_group()
    return queue


@pytest.fixture
def mirror(redis_client: aioredis.Redis, keys: RedisKeys) -> VideoStatusMirror:
    return VideoStatusMirror(redis_client, keys)


async def pending(redis: aioredis.Redis, keys: RedisKeys) -> list[dict]:
    return await redis.xpending_range(keys.video_jobs(), GROUP, "-", "+", 10)


async def wait_until_idle(redis: aioredis.Redis, keys: RedisKeys, seconds: float) -> None:
    """Poll until the one pending job has been idle for `seconds` (Redis keeps the time)."""
    deadline = time.monotonic() + 10
    while True:
        [entry] = await pending(redis, keys)
        if entry["time_since_delivered"] >= seconds * 1000:
            return
        assert time.monotonic() < deadline, "the pending job never went idle"
        await asyncio.sleep(0.02)


async def test_an_enqueued_job_is_handed_out_once_and_gone_after_ack(
    queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    video_id = uuid.uuid4()
    message_id = await queue.enqueue(video_id)

    job = await queue.next_job("worker-a", block_ms=100)

    assert job == Job(message_id, video_id)
    assert await queue.next_job("worker-b", block_ms=100) is None
    await queue.ack(job)
    assert await pending(redis_client, keys) == []
    assert await redis_client.xlen(keys.video_jobs()) == 0


async def test_the_length_counts_jobs_waiting_and_in_hand_until_done(queue: VideoQueue) -> None:
    await queue.enqueue(uuid.uuid4())
    await queue.enqueue(uuid.uuid4())
    job = await queue.next_job("worker-a", block_ms=100)
    assert job is not None and await queue.depth() == 2  # one waiting, one in hand

    await queue.ack(job)

    assert await queue.depth() == 1


async def test_jobs_queued_before_the_group_exists_are_delivered(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    queue = VideoQueue(redis_client, keys, claim_after_s=CLAIM_AFTER_S)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)

    await queue.ensure_group()
    await queue.ensure_group()  # a second worker starting is harmless

    job = await queue.next_job("worker-a", block_ms=100)
    assert job is not None and job.video_id == video_id


async def test_a_job_not_acknowledged_is_taken_over_by_another_worker_after_the_timeout(
    queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    first = await queue.next_job("worker-a", block_ms=100)
    assert first is not None

    await wait_until_idle(redis_client, keys, CLAIM_AFTER_S)
    taken = await queue.next_job("worker-b", block_ms=100)

    assert taken == first
    [entry] = await pending(redis_client, keys)
    assert entry["consumer"] == b"worker-b"
    assert entry["times_delivered"] == 2


async def test_a_heartbeat_keeps_a_long_job_from_being_taken_over(
    queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    await queue.enqueue(uuid.uuid4())
    job = await queue.next_job("worker-a", block_ms=100)
    assert job is not None
    await wait_until_idle(redis_client, keys, CLAIM_AFTER_S)

    assert await queue.heartbeat(job, "worker-a")

    assert await queue.next_job("worker-b", block_ms=100) is None
    [entry] = await pending(redis_client, keys)
    assert entry["consumer"] == b"worker-a"
    assert entry["times_delivered"] == 1  # a heartbeat is not a delivery


async def test_a_worker_whose_job_was_taken_over_cannot_take_it_back(
    queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    await queue.enqueue(uuid.uuid4())
    job = await queue.next_job("worker-a", block_ms=100)
    assert job is not None
    await wait_until_idle(redis_client, keys, CLAIM_AFTER_S)
    assert await queue.next_job("worker-b", block_ms=100) == job

    assert not await queue.heartbeat(job, "worker-a")

    [entry] = await pending(redis_client, keys)
    assert entry["consumer"] == b"worker-b"


async def test_retry_queues_the_video_again_and_ends_the_delivery(
    queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    job = await queue.next_job("worker-a", block_ms=100)
    assert job is not None

    new_id = await queue.retry(job)

    assert new_id != job.message_id
    assert await pending(redis_client, keys) == []
    again = await queue.next_job("worker-b", block_ms=100)
    assert again == Job(new_id, video_id)


async def test_a_malformed_entry_is_dropped_and_the_next_job_handed_out(
    queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    await redis_client.xadd(keys.video_jobs(), {"video_id": "not-a-uuid"})
    await redis_client.xadd(keys.video_jobs(), {"something": "else"})
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)

    job = await queue.next_job("worker-a", block_ms=100)

    assert job is not None and job.video_id == video_id
    assert await redis_client.xlen(keys.video_jobs()) == 1


async def test_next_job_waits_less_than_the_clients_socket_timeout(queue: VideoQueue) -> None:
    # connect_redis times reads out after 0.5 s; a longer block must not turn into an error.
    assert await queue.next_job("worker-a", block_ms=2000) is None


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
