"""A video's processing status mirrored in Redis, for quick reads; the database row is the truth.

The mirror is a hash under `video:status:{videoId}` with the fields `status`, `attempts`,
`reason` (only while there is one) and `updated_at` (ISO 8601, UTC). The worker writes it
(`domain.videos.processing`, `bot.video_worker`); /videos reads it for the videos not done yet,
since it knows what the row does not: whether a worker has the video, since when, which attempt.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from domain.adapters.cache import REDIS_UNAVAILABLE, RedisKeys
from domain.models import VideoStatus

log = logging.getLogger(__name__)
# Long enough for anyone to look at a video's progress; the row keeps it for good.
MIRROR_TTL = timedelta(days=30)
_KNOWN = frozenset(VideoStatus)
# Statuses after which nothing moves; the row says those as well as the mirror does.
DONE = frozenset({VideoStatus.ANALYZED, VideoStatus.FAILED})
# The stages /videos tells apart for a video in flight.
QUEUED, PROCESSING = "queued", VideoStatus.PROCESSING.value


@dataclass(frozen=True)
class MirroredStatus:
    """What the mirror says about one video."""

    status: str | None  # None until a status is set (attempts are counted first)
    attempts: int
    reason: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class VideoProgress:
    """How far a video not done yet has got: queued, or being processed in some attempt."""

    stage: str  # QUEUED or PROCESSING
    attempt: int  # attempts begun; 0 while queued
    since: datetime  # when the mirror last moved: the upload, or the attempt's start


def progress(mirrored: MirroredStatus) -> VideoProgress | None:
    """What the mirror says about a video in flight; None once it is done (the row says it)."""
    if mirrored.status in DONE or mirrored.updated_at is None:
        return None
    # An attempt is counted as a worker takes the job, before the status says "processing".
    if mirrored.status == PROCESSING or mirrored.attempts > 0:
        return VideoProgress(PROCESSING, max(mirrored.attempts, 1), mirrored.updated_at)
    return VideoProgress(QUEUED, 0, mirrored.updated_at)


class VideoStatusMirror:
    """Reads and writes the status mirror of videos."""

    def __init__(self, redis: Redis, keys: RedisKeys, *, timeout_s: float = 0.5) -> None:
        self._redis = redis
        self._keys = keys
        # Bounds a read even if the client itself has no socket timeouts.
        self._timeout_s = timeout_s

    async def set(
        self, video_id: uuid.UUID, status: VideoStatus, *, reason: str | None = None
    ) -> None:
        """Mirror a status (and why, for a failure); a Redis error is logged, not raised."""
        if status not in _KNOWN:
            raise ValueError(f"unknown video status {status!r}")
        key = self._keys.video_status(video_id)
        fields = {"status": status, "updated_at": _now()}
        if reason is not None:
            fields["reason"] = reason
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping=fields)
                if reason is None:
                    pipe.hdel(key, "reason")
                pipe.expire(key, MIRROR_TTL)
                await pipe.execute()
        except REDIS_UNAVAILABLE:
            # The row was written first and is what everyone else reads when the mirror is stale.
            log.warning("could not mirror status %s of video %s", status, video_id, exc_info=True)

    async def begin_attempt(self, video_id: uuid.UUID) -> int:
        """Count one more processing attempt and return the count (Redis errors propagate)."""
        # Counted before the work starts, so an attempt that kills its worker still counts.
        key = self._keys.video_status(video_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, "attempts", 1)
            pipe.hset(key, "updated_at", _now())
            pipe.expire(key, MIRROR_TTL)
            attempts, _, _ = await pipe.execute()
        return int(attempts)

    async def statuses(self, video_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, MirroredStatus]:
        """The mirrored status of each video that has one, in one round trip; none if Redis is
        down (the rows still say where each video is)."""
        ids = list(video_ids)
        if not ids:
            return {}
        try:
            async with asyncio.timeout(self._timeout_s):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for video_id in ids:
                        pipe.hgetall(self._keys.video_status(video_id))
                    hashes = await pipe.execute()
        except REDIS_UNAVAILABLE:
            log.warning("could not read the status mirror of %d videos", len(ids), exc_info=True)
            return {}
        return {video_id: _status(raw) for video_id, raw in zip(ids, hashes, strict=True) if raw}


def _status(raw: dict[bytes | str, bytes | str]) -> MirroredStatus:
    fields = {_text(name): _text(value) for name, value in raw.items()}
    updated_at = fields.get("updated_at")
    return MirroredStatus(
        status=fields.get("status"),
        attempts=int(fields.get("attempts", 0)),
        reason=fields.get("reason"),
        updated_at=datetime.fromisoformat(updated_at) if updated_at else None,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
