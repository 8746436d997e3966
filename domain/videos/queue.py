"""The queue of video processing jobs, on Dramatiq's Redis broker.

The upload flow puts a job here (`VideoQueue.enqueue`) and `sportscenter worker` runs it
(`bot.video_worker`). Dramatiq keeps a job in Redis until a worker acknowledges it; a worker's
broker sends heartbeats while it polls, so the jobs of a worker silent for the heartbeat timeout
(killed, its machine gone) go back on the queue for another worker, however long the video.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import redis
from dramatiq import Message
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.errors import DecodeError
from dramatiq.middleware import Retries

from domain.adapters.cache import RedisKeys

log = logging.getLogger(__name__)
QUEUE_NAME = "videos"
ACTOR_NAME = "process_video"
# Dramatiq's own retries cover a failed attempt (and Redis or Postgres away while it starts);
# how many attempts a video gets is counted in the status mirror (bot.video_worker).
MAX_RETRIES = 10
MIN_BACKOFF_MS, MAX_BACKOFF_MS = 1000, 30_000
# The share of polls that also look for dead workers' jobs: a tenth, so an idle worker notices
# within seconds rather than the default's minutes. It is a sorted-set range read in Redis.
MAINTENANCE_CHANCE = MAINTENANCE_SCALE // 10
# Dramatiq's Redis layout: waiting, in-hand and delayed (retry) messages by id, per queue.
_MESSAGES = (f"{QUEUE_NAME}.msgs", f"{QUEUE_NAME}.DQ.msgs")
_SOCKET_TIMEOUT_S = 5.0


def video_broker(redis_url: str, keys: RedisKeys, *, heartbeat_timeout_s: float) -> RedisBroker:
    """The broker video jobs go through: our Redis, under the deployment's key prefix."""
    client = redis.Redis.from_url(
        redis_url, socket_timeout=_SOCKET_TIMEOUT_S, socket_connect_timeout=_SOCKET_TIMEOUT_S
    )
    retries = Retries(
        max_retries=MAX_RETRIES, min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS
    )
    return RedisBroker(
        client=client,
        namespace=keys.task_engine(),
        middleware=[retries],
        heartbeat_timeout=max(1, round(heartbeat_timeout_s * 1000)),
        maintenance_chance=MAINTENANCE_CHANCE,
    )


class VideoQueue:
    """Jobs in, and which videos have one; the worker takes them out."""

    def __init__(self, broker: RedisBroker) -> None:
        self._broker = broker

    async def enqueue(self, video_id: uuid.UUID) -> str:
        """Queue a video for processing; returns the job's message id."""
        message = Message(
            queue_name=QUEUE_NAME,
            actor_name=ACTOR_NAME,
            args=(str(video_id),),
            kwargs={},
            options={},
        )
        # The broker's client is synchronous: one round trip, kept off the event loop.
        sent = await asyncio.to_thread(self._broker.enqueue, message)
        return sent.message_id

    async def queued_videos(self) -> set[uuid.UUID]:
        """Every video with a job in the broker: waiting, in a worker's hands or due a retry."""
        return await asyncio.to_thread(self._queued_videos)

    async def depth(self) -> int:
        """How many jobs the broker holds: waiting, in a worker's hands or due a retry.

        Dramatiq keeps a message's body in the queue's hash until a worker acknowledges it,
        so the hashes' lengths count the jobs not yet done (two HLENs, one round trip).
        """
        return await asyncio.to_thread(self._depth)

    def _depth(self) -> int:
        with self._broker.client.pipeline(transaction=False) as pipe:
            for name in _MESSAGES:
                pipe.hlen(f"{self._broker.namespace}:{name}")
            return sum(int(n) for n in pipe.execute())

    def _queued_videos(self) -> set[uuid.UUID]:
        client, found = self._broker.client, set()
        for name in _MESSAGES:
            for data in client.hvals(f"{self._broker.namespace}:{name}"):
                with contextlib.suppress(DecodeError, ValueError, IndexError, TypeError):
                    found.add(uuid.UUID(Message.decode(data).args[0]))
        return found
