"""The video job queue on the task engine's broker, on real Redis under this test's prefix."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from redis.exceptions import RedisError

from domain.adapters.cache import RedisKeys
from domain.videos.queue import ACTOR_NAME, QUEUE_NAME, VideoQueue, video_broker
from tests.conftest import DEAD_REDIS_URL


async def test_an_enqueued_video_is_one_job_for_the_worker_actor(video_broker: RedisBroker) -> None:
    queue = VideoQueue(video_broker)
    video_id = uuid.uuid4()

    message_id = await queue.enqueue(video_id)

    assert await queue.queued_videos() == {video_id}
    [data] = video_broker.client.hvals(f"{video_broker.namespace}:{QUEUE_NAME}.msgs")
    message = Message.decode(data)
    assert (message.message_id, message.actor_name, message.args) == (
        message_id,
        ACTOR_NAME,
        (str(video_id),),
    )


async def test_the_depth_counts_jobs_waiting_and_in_hand_until_done(
    video_broker: RedisBroker,
) -> None:
    queue = VideoQueue(video_broker)
    await queue.enqueue(uuid.uuid4())
    await queue.enqueue(uuid.uuid4())
    consumer = video_broker.consume(QUEUE_NAME, prefetch=1, timeout=100)
    try:
        message = next(message for message in consumer if message is not None)
        assert await queue.depth() == 2  # one waiting, one in hand

        consumer.ack(message)

        assert await queue.depth() == 1
    finally:
        consumer.close()


async def test_the_queued_videos_skip_what_is_not_a_video_job(video_broker: RedisBroker) -> None:
    queue = VideoQueue(video_broker)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    bad = Message(queue_name=QUEUE_NAME, actor_name=ACTOR_NAME, args=("x",), kwargs={}, options={})
    await asyncio.to_thread(video_broker.enqueue, bad)
    video_broker.client.hset(f"{video_broker.namespace}:{QUEUE_NAME}.msgs", "junk", b"not json")

    assert await queue.queued_videos() == {video_id}


async def test_enqueueing_with_redis_down_raises_a_redis_error(keys: RedisKeys) -> None:
    broker = video_broker(DEAD_REDIS_URL, keys, heartbeat_timeout_s=1)
    try:
        with pytest.raises(RedisError):  # the upload flow logs it; the sweep queues it later
            await VideoQueue(broker).enqueue(uuid.uuid4())
    finally:
        broker.client.close()
