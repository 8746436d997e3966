"""Per-user, per-endpoint rate limiting: a sliding window log kept in a Redis sorted set."""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import uuid4

import redis.asyncio as aioredis

from domain.adapters.cache.client import REDIS_UNAVAILABLE
from domain.adapters.cache.keys import EntityId, RedisKeys

logger = logging.getLogger(__name__)

# One script so that trimming, counting and recording are a single atomic step: with separate
# commands two concurrent hits could both see "limit - 1" and both be allowed.
# Scores are milliseconds from the caller's clock (not Redis TIME) so tests can drive time.
# A refused hit is not recorded: someone hammering a button is let in again once their old
# hits age out, instead of being locked out for as long as they keep trying.
_SLIDING_WINDOW = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
"""


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Whether a hit may go ahead, how many more fit in the window, and when to try again."""

    allowed: bool
    remaining: int
    retry_after_s: float


class RateLimiter:
    """Allows at most `limit` hits per user and endpoint in any `window_s` seconds."""

    def __init__(
        self,
        redis: aioredis.Redis,
        keys: RedisKeys,
        *,
        clock: Callable[[], float] = time.time,
        timeout_s: float = 0.5,
    ) -> None:
        self._keys = keys
        self._clock = clock
        # Bounds the whole call (pool wait, retries, reply) even if the client has no timeouts.
        self._timeout_s = timeout_s
        self._script = redis.register_script(_SLIDING_WINDOW)

    async def hit(
        self, user_id: EntityId, endpoint: str, *, limit: int, window_s: float
    ) -> RateDecision:
        """Decide a hit, counting it only if allowed; if Redis is unavailable it is allowed."""
        if limit < 1 or window_s <= 0:
            raise ValueError(f"need limit >= 1 and window_s > 0, got {limit=}, {window_s=}")
        key = self._keys.ratelimit(user_id, endpoint)
        now_ms = int(self._clock() * 1000)
        window_ms = max(1, round(window_s * 1000))
        # Hits in the same millisecond share a score, so the member carries a random part.
        member = f"{now_ms}-{uuid4().hex}"
        try:
            async with asyncio.timeout(self._timeout_s):
                allowed, remaining, retry_ms = await self._script(
                    keys=[key], args=[now_ms, window_ms, limit, member]
                )
        except REDIS_UNAVAILABLE as err:
            # Failing open: a Redis outage must not lock every user out of the bot, and the
            # limiter guards against abuse, not against anything that must never happen.
            logger.warning(
                "rate limiter unavailable, allowing %s on %s: %r", user_id, endpoint, err
            )
            return RateDecision(allowed=True, remaining=limit, retry_after_s=0.0)
        return RateDecision(
            allowed=bool(allowed), remaining=int(remaining), retry_after_s=int(retry_ms) / 1000
        )
