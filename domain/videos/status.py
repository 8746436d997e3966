"""A video's processing status mirrored in Redis, for quick reads; the database row is the truth.

The mirror is a hash under `video:status:{videoId}` with the fields `status`, `attempts`,
`reason` (only while there is one) and `updated_at` (ISO 8601, UTC).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from domain.adapters.cache import REDIS_UNAVAILABLE, RedisKeys
from domain.models import VideoStatus

log = logging.getLogger(__name__)
# Long enough for anyone to look at a video's progress; the row keeps it for good.
MIRROR_TTL = timedelta(days=30)
_KNOWN = frozenset(VideoStatus)


@dataclass(frozen=True)
class MirroredStatus:
    """What the mirror says about one video."""

    status: str | None  # None until a status is set (attempts are counted first)
    attempts: int
    reason: str | None
    updated_at: datetime | None


class VideoStatusMirror:
    """Reads and writes the status mirror of videos."""

    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

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

    async def get(self, video_id: uuid.UUID) -> MirroredStatus | None:
        """The mirrored status of a video, or None if nothing is mirrored."""
        raw = await self._redis.hgetall(self._keys.video_status(video_id))
        if not raw:
            return None
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
