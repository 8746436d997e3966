"""The durable queue of video processing jobs: a Redis stream read by a consumer group.

A job stays in the group's pending list from delivery until a worker acknowledges it. A worker
reports on a long job (`heartbeat`); a job whose worker has stopped reporting for
`claim_after_s` is taken over by the next worker that asks for work. Acknowledged entries are
deleted, so the stream holds only jobs not yet done.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from domain.adapters.cache import RedisKeys

log = logging.getLogger(__name__)
# A stream entry as redis-py returns it: (message id, fields).
_Entry = tuple[bytes, dict[bytes, bytes]]
VIDEO_FIELD = "video_id"
# Resets the entry's idle time only while this consumer still owns it: a worker that was paused
# past the timeout must not take its job back from the worker that took it over.
_HEARTBEAT = """
local entry = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #entry == 0 or entry[1][2] ~= ARGV[3] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
return 1
"""


@dataclass(frozen=True)
class Job:
    """One delivery of a video to process."""

    message_id: str
    video_id: uuid.UUID


class VideoQueue:
    """Jobs in, jobs out, each done at least once even when workers die."""

    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        *,
        group: str = "video-workers",
        claim_after_s: float,
    ) -> None:
        self._redis = redis
        self._stream = keys.video_jobs()
        self._group = group
        self._claim_after_ms = max(1, round(claim_after_s * 1000))
        # XAUTOCLAIM scans the pending list a little at a time; the cursor walks it in turns.
        self._claim_cursor = "0-0"
        self._heartbeat = redis.register_script(_HEARTBEAT)

    async def ensure_group(self) -> None:
        """Create the stream and its consumer group unless they exist."""
        try:
            # From id 0: jobs queued before any worker ever started are delivered too.
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as err:
            if "BUSYGROUP" not in str(err):
                raise

    async def enqueue(self, video_id: uuid.UUID) -> str:
        """Queue a video for processing; returns the job's message id."""
        message_id = await self._redis.xadd(self._stream, {VIDEO_FIELD: str(video_id)})
        return _text(message_id)

    async def next_job(self, consumer: str, *, block_ms: int) -> Job | None:
        """A job abandoned by a silent worker, else a new one (waiting up to block_ms)."""
        while True:
            entry = await self._take_over(consumer) or await self._read_new(consumer, block_ms)
            if entry is None:
                return None
            job = await self._parse(*entry)
            if job is not None:
                return job

    async def heartbeat(self, job: Job, consumer: str) -> bool:
        """Report that the job is still being worked on; False if another worker took it over."""
        owned = await self._heartbeat(
            keys=[self._stream], args=[self._group, job.message_id, consumer]
        )
        return bool(owned)

    async def ack(self, job: Job) -> None:
        """Mark the job done and drop it from the stream."""
        await self._drop(job.message_id)

    async def retry(self, job: Job) -> str:
        """Queue the video again at the back and mark this delivery done, atomically."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self._stream, {VIDEO_FIELD: str(job.video_id)})
            pipe.xack(self._stream, self._group, job.message_id)
            pipe.xdel(self._stream, job.message_id)
            message_id, _, _ = await pipe.execute()
        return _text(message_id)

    async def length(self) -> int:
        """Jobs waiting or in a worker's hands (done jobs are deleted from the stream)."""
        return int(await self._redis.xlen(self._stream))

    async def queued_videos(self, *, page: int = 1000) -> set[uuid.UUID]:
        """Every video with a job in the stream, waiting or in a worker's hands."""
        found: set[uuid.UUID] = set()
        start = "-"
        while entries := await self._redis.xrange(self._stream, min=start, count=page):
            for _, fields in entries:
                with contextlib.suppress(ValueError):
                    found.add(uuid.UUID(_text((fields or {}).get(VIDEO_FIELD.encode(), b""))))
            # "(" makes the next page start after the last entry seen.
            start = "(" + _text(entries[-1][0])
        return found

    async def _take_over(self, consumer: str) -> _Entry | None:
        next_cursor, claimed, *_ = await self._redis.xautoclaim(
            self._stream,
            self._group,
            consumer,
            min_idle_time=self._claim_after_ms,
            start_id=self._claim_cursor,
            count=1,
        )
        self._claim_cursor = _text(next_cursor)
        if not claimed:
            return None
        log.info("took over video job %s from a silent worker", _text(claimed[0][0]))
        return claimed[0]

    async def _read_new(self, consumer: str, block_ms: int) -> _Entry | None:
        reply = await self._redis.xreadgroup(
            self._group,
            consumer,
            {self._stream: ">"},
            count=1,
            block=self._fit_block(block_ms),
        )
        # [[stream, [(id, fields)]]], or [] when nothing came within the block.
        entries = reply[0][1] if reply else []
        return entries[0] if entries else None

    def _fit_block(self, block_ms: int) -> int:
        # A blocking read that outlasts the client's socket timeout ends in a timeout error, and
        # connect_redis keeps that timeout short on purpose; waiting less is only a faster poll.
        timeout_s = self._redis.connection_pool.connection_kwargs.get("socket_timeout")
        if timeout_s is None:
            return max(1, block_ms)
        return max(1, min(block_ms, int(timeout_s * 1000 * 0.8)))

    async def _parse(self, message_id: bytes, fields: dict[bytes, bytes] | None) -> Job | None:
        raw = (fields or {}).get(VIDEO_FIELD.encode())
        try:
            return Job(_text(message_id), uuid.UUID(_text(raw or b"")))
        except ValueError:
            # Retrying cannot mend it, and left pending it would be taken over forever.
            log.error("dropping malformed video job %s: %r", _text(message_id), fields)
            await self._drop(_text(message_id))
            return None

    async def _drop(self, message_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, self._group, message_id)
            pipe.xdel(self._stream, message_id)
            await pipe.execute()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
