"""Per-user, per-endpoint rate limiting: a sliding window log kept in a Redis sorted set."""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from secrets import token_hex
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from domain.adapters.cache.batch import batch_of
from domain.adapters.cache.client import REDIS_UNAVAILABLE
from domain.adapters.cache.keys import EntityId, RedisKeys

logger = logging.getLogger(__name__)

# One script so that trimming, counting and recording are a single atomic step: with separate
# commands two concurrent hits could both see "limit - 1" and both be allowed.
# Scores are milliseconds from the caller's clock (not Redis TIME) so tests can drive time.
# A refused hit is not recorded: someone hammering a button is let in again once their old
# hits age out, instead of being locked out for as long as they keep trying.
_HIT = """
local function hit(key, now, window, limit, member)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count < limit then
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, window)
    return {1, limit - count - 1, 0}
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, 0, tonumber(oldest[2]) + window - now}
end
"""
_SLIDING_WINDOW = (
    _HIT
    + """
return hit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4])
"""
)
# A claim (SET NX) and then, unless it was taken already, a hit: the check every incoming
# update goes through, in one round trip instead of two. A copy taken before is not counted.
# {-1, 0, 0}: taken before; with no second key the update is claimed and not rate limited.
_CLAIM_THEN_HIT = (
    _HIT
    + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return {-1, 0, 0}
end
if KEYS[2] == nil then
  return {1, 0, 0}
end
return hit(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6])
"""
)


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Whether a hit may go ahead, how many more fit in the window, and when to try again."""

    allowed: bool
    remaining: int
    retry_after_s: float


@dataclass(frozen=True, slots=True)
class Admission:
    """One claim and hit: `taken_before` for a copy of something already claimed; else whether
    this call holds the claim (not when Redis was unavailable) and the hit's decision."""

    taken_before: bool
    claimed: bool
    decision: RateDecision


_ALLOWED_BLIND = RateDecision(allowed=True, remaining=0, retry_after_s=0.0)


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
        self._redis = redis
        # Every update's admission: sent with the other updates' Redis commands of the moment.
        self._batch = batch_of(redis)
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._claim_script = redis.register_script(_CLAIM_THEN_HIT)

    async def load_scripts(self) -> None:
        """Load both scripts into Redis now, so the first burst of updates finds them there."""
        try:
            async with asyncio.timeout(self._timeout_s * 4):
                for script in (self._script, self._claim_script):
                    await self._redis.script_load(script.script)
        except REDIS_UNAVAILABLE as err:
            # Not fatal: each call still loads its script on a NOSCRIPT answer.
            logger.warning("rate limiter scripts not loaded at start: %r", err)

    async def hit(
        self, user_id: EntityId, endpoint: str, *, limit: int, window_s: float
    ) -> RateDecision:
        """Decide a hit, counting it only if allowed; if Redis is unavailable it is allowed."""
        key, args = self._hit_arguments(user_id, endpoint, limit, window_s)
        try:
            async with asyncio.timeout(self._timeout_s):
                result = await self._run(self._script, [key], args)
        except REDIS_UNAVAILABLE as err:
            # Failing open: a Redis outage must not lock every user out of the bot, and the
            # limiter guards against abuse, not against anything that must never happen.
            # No user id here: the log line of an update carries its user's hash (bot.logs).
            logger.warning("rate limiter unavailable, allowing a %s: %r", endpoint, err)
            return RateDecision(allowed=True, remaining=limit, retry_after_s=0.0)
        return _decision(result)

    async def claim_then_hit(
        self,
        claim_key: str,
        *,
        value: bytes,
        ttl_s: int,
        hit: tuple[EntityId, str, int, float] | None,
    ) -> Admission:
        """Set `claim_key` unless taken, then decide `hit` (user, endpoint, limit, window_s)
        as `hit()` does, in one atomic step; if Redis is unavailable everything is allowed."""
        keys, args = [claim_key], [value, ttl_s]
        if hit is not None:
            key, hit_args = self._hit_arguments(*hit)
            keys.append(key)
            args.extend(hit_args)
        try:
            async with asyncio.timeout(self._timeout_s):
                result = await self._run(self._claim_script, keys, args)
        except REDIS_UNAVAILABLE as err:
            # Failing open, as hit() does: a redelivered copy may act twice, which is better
            # than a Redis outage silencing the bot.
            logger.warning("claim and rate limit unavailable, allowing %s: %r", claim_key, err)
            return Admission(taken_before=False, claimed=False, decision=_ALLOWED_BLIND)
        if int(result[0]) == -1:
            return Admission(taken_before=True, claimed=False, decision=_ALLOWED_BLIND)
        return Admission(taken_before=False, claimed=True, decision=_decision(result))

    async def _run(self, script: AsyncScript, keys: list[str], args: list[Any]) -> Any:
        command = ("EVALSHA", script.sha, len(keys), *keys, *args)
        try:
            return await self._batch.call(*command)
        except NoScriptError:
            # Redis restarted (or its scripts were flushed) since load_scripts(): load it again.
            await self._redis.script_load(script.script)
            return await self._batch.call(*command)

    def _hit_arguments(
        self, user_id: EntityId, endpoint: str, limit: int, window_s: float
    ) -> tuple[str, list[int | str]]:
        if limit < 1 or window_s <= 0:
            raise ValueError(f"need limit >= 1 and window_s > 0, got {limit=}, {window_s=}")
        now_ms = int(self._clock() * 1000)
        window_ms = max(1, round(window_s * 1000))
        # Hits in the same millisecond share a score, so the member carries a random part.
        member = f"{now_ms}-{token_hex(8)}"
        return self._keys.ratelimit(user_id, endpoint), [now_ms, window_ms, limit, member]


def _decision(result: list[int]) -> RateDecision:
    allowed, remaining, retry_ms = result
    return RateDecision(
        allowed=bool(allowed), remaining=int(remaining), retry_after_s=int(retry_ms) / 1000
    )
