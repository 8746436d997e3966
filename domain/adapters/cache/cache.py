"""Read-through JSON cache on Redis that degrades to "no cache" when Redis is unavailable.

Staleness when Redis is down: `invalidate` cannot delete anything then, and a Redis that was
only unreachable from this process (a network blip, a failover) comes back with the old
entries. Likewise a `get_or_load` that read the database just before a write can store the
old value just after that write's invalidation. Every entry therefore has a TTL, and the TTL
is the bound on how stale a reader can be: pick it for what the data can afford (seconds for
availability someone is about to book, minutes for metrics).
"""

import asyncio
import json
import logging
from collections.abc import Awaitable
from datetime import date
from decimal import Decimal
from typing import TypeAlias, TypeVar
from uuid import UUID

import redis.asyncio as aioredis

from domain.adapters.cache.client import REDIS_UNAVAILABLE

logger = logging.getLogger(__name__)

JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None

T = TypeVar("T")


def encode_json(value: object) -> bytes:
    """Serialise `value` to JSON bytes, writing UUIDs, dates and Decimals as strings."""
    return json.dumps(value, default=_encode_default, separators=(",", ":")).encode()


def _encode_default(value: object) -> str:
    if isinstance(value, date):  # datetimes too; they keep their offset
        return value.isoformat()
    # Decimal as a string, not a float: money and measurements come back digit for digit.
    if isinstance(value, UUID | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _Deletion:
    """Keys to delete in one DEL, gathered from every caller until it is sent."""

    sent: asyncio.Task[None]

    def __init__(self) -> None:
        self.keys: set[str] = set()


class Cache:
    """JSON values with a TTL; a Redis failure reads as a miss or skips the write, never raises."""

    def __init__(self, redis: aioredis.Redis, *, timeout_s: float = 0.5) -> None:
        self._redis = redis
        # Bounds every call even if the client itself has no socket timeouts.
        self._timeout_s = timeout_s
        self._gathering: _Deletion | None = None  # the next DEL, still taking keys
        self._last_sent: asyncio.Task[None] | None = None

    async def get_json(self, key: str) -> JSON:
        """Return the value stored at `key`, or None on a miss or when Redis is unavailable."""
        raw = await self._guarded("get", key, self._redis.get(key))
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            # Someone else's bytes under our key: better a reload than a crash in a handler.
            logger.warning("cache entry %s is not JSON, treating it as a miss", key)
            return None

    async def get_many_json(self, keys: list[str]) -> list[JSON]:
        """The values at `keys` in one round trip; None for each miss, all None if Redis is down."""
        if not keys:
            return []
        raws = await self._guarded("mget", keys[0], self._redis.mget(keys))
        if raws is None:
            return [None] * len(keys)
        values: list[JSON] = []
        for key, raw in zip(keys, raws, strict=True):
            try:
                values.append(None if raw is None else json.loads(raw))
            except ValueError:
                logger.warning("cache entry %s is not JSON, treating it as a miss", key)
                values.append(None)
        return values

    async def set_json(self, key: str, value: object, ttl_s: float) -> None:
        """Store `value` as JSON at `key` for `ttl_s` seconds; skipped when Redis is unavailable."""
        await self._store(key, encode_json(value), ttl_s)

    async def invalidate(self, *keys: str) -> None:
        """Delete `keys` before returning; skipped when Redis is unavailable, so entries then
        live out their TTL.

        Callers at the same moment share one DEL (many bookings ending together cost one
        round trip, not one each): while one DEL is on its way, the next gathers keys.
        """
        if not keys:
            return
        deletion = self._gathering
        if deletion is None:
            deletion = self._gathering = _Deletion()
            sent = asyncio.ensure_future(self._delete(deletion, self._last_sent))
            deletion.sent = self._last_sent = sent
        deletion.keys.update(keys)
        # Shielded: a caller that gives up must not cancel the others' deletion.
        await asyncio.shield(deletion.sent)

    async def _delete(self, deletion: _Deletion, previous: asyncio.Task[None] | None) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # one DEL at a time; meanwhile this one gathers keys
        if self._gathering is deletion:
            self._gathering = None
        keys = sorted(deletion.keys)
        await self._guarded("delete", ", ".join(keys), self._redis.delete(*keys))

    async def _store(self, key: str, encoded: bytes, ttl_s: float) -> None:
        if ttl_s <= 0:
            # No immortal entries: the TTL is what bounds staleness (see the module docstring).
            raise ValueError(f"ttl_s must be positive, got {ttl_s}")
        ttl_ms = max(1, round(ttl_s * 1000))
        await self._guarded("set", key, self._redis.set(key, encoded, px=ttl_ms))

    async def _guarded(self, action: str, key: str, command: Awaitable[T]) -> T | None:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await command
        except REDIS_UNAVAILABLE as err:
            logger.warning("cache %s skipped for %s, Redis unavailable: %r", action, key, err)
            return None
