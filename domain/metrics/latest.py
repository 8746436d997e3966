"""Each athlete's latest value per metric, cached in Redis under `metrics:{athleteId}:latest`.

The entry is a hash: a field per metric the athlete has (its latest value) and `@built`, which
says the entry is whole. Reads take Redis first, one round trip for any number of athletes,
and rebuild the misses with one query (Redis down: every read is a miss, nothing is stored).
A log writes its value through into an existing entry; an undo drops the entry.

Why an entry stays right when things happen at once:
- A field is only ever replaced by a later value (recorded later, or at the same instant and
  logged later), inside one script, so two logs keep the newer whichever lands last.
- A rebuild first claims the missing key (`@building` with a token, short-lived), then reads
  the database, then stores only while its claim stands and never over a newer field. A value
  logged meanwhile was written through into the claimed key and survives; an undo meanwhile
  deleted the claim, so the rebuild stores nothing.
- What is left: a write-through or an undo that cannot reach Redis leaves the entry as it was.
  Entries expire LATEST_TTL_S after their rebuild (write-throughs keep that expiry), which
  bounds how long that can show.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from redis.asyncio import Redis

from domain.adapters.cache import REDIS_UNAVAILABLE, RedisKeys
from domain.metrics.queries.results import latest_rows
from domain.uow import Transaction

log = logging.getLogger(__name__)
T = TypeVar("T")

LATEST_TTL_S = 600.0
# A rebuild that dies between its claim and its store blocks caching this long, no more.
CLAIM_TTL_S = 30.0
BUILT, BUILDING = b"@built", b"@building"
# A field is "<recorded_at><logged_at> <value> <unit>"; the two instants, fixed width, sort as
# text in the order the database's DISTINCT ON picks the latest row.
_INSTANT = "%Y-%m-%dT%H:%M:%S.%fZ"
ORDER_LEN = 2 * len(datetime(2000, 1, 1, tzinfo=UTC).strftime(_INSTANT))

_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], '@building', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_STORE = """
if redis.call('HGET', KEYS[1], '@building') ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if not current or string.sub(current, 1, n) < string.sub(ARGV[i + 1], 1, n) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
redis.call('HDEL', KEYS[1], '@building')
redis.call('HSET', KEYS[1], '@built', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_WRITE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[3])
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, n) > string.sub(ARGV[2], 1, n) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


@dataclass(frozen=True)
class Latest:
    """The latest value of one metric: in its canonical unit, and when it was recorded."""

    value: Decimal
    unit: str
    recorded_at: datetime


LatestOf = dict[str, Latest]  # metric key -> its latest value


class LatestMetrics:
    """Athletes' latest value per metric: Redis first, the database on a miss or an outage."""

    def __init__(self, redis: Redis, keys: RedisKeys, *, timeout_s: float = 0.5) -> None:
        self._redis = redis
        self._keys = keys
        # Bounds each call even if the client itself has no socket timeouts.
        self._timeout_s = timeout_s
        self._claim = redis.register_script(_CLAIM)
        self._store = redis.register_script(_STORE)
        self._write = redis.register_script(_WRITE)

    async def of_athlete(self, tx: Transaction, athlete_id: uuid.UUID) -> LatestOf:
        """The athlete's latest value of each metric; `tx` is read on a miss."""
        return (await self.of_athletes(tx, [athlete_id]))[athlete_id]

    async def of_athletes(
        self, tx: Transaction, athlete_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, LatestOf]:
        """Each athlete's latest values: one Redis round trip, one query for all the misses."""
        ids = list(dict.fromkeys(athlete_ids))
        found = await self._cached(ids)
        missing = [athlete_id for athlete_id in ids if athlete_id not in found]
        if missing:
            claims = await self._claim_all(missing)
            rebuilt = await _rebuild(tx, missing)
            await self._store_all(claims, rebuilt)
            for athlete_id in missing:
                fields = rebuilt.get(athlete_id, {})
                found[athlete_id] = {key: _decoded(raw) for key, raw in fields.items()}
        return found

    async def logged(
        self, athlete_id: uuid.UUID, metric_key: str, latest: Latest, *, logged_at: datetime
    ) -> None:
        """Write a just committed value into the athlete's entry, if there is one, unless older."""
        key = self._keys.latest_metrics(athlete_id)
        field = _encoded(latest, logged_at)
        await self._guarded(
            "write", key, self._write(keys=[key], args=[metric_key, field, ORDER_LEN])
        )

    async def forget(self, athlete_id: uuid.UUID) -> None:
        """Drop the athlete's entry (after an undo): the next read rebuilds it."""
        key = self._keys.latest_metrics(athlete_id)
        await self._guarded("delete", key, self._redis.delete(key))

    async def _cached(self, athlete_ids: list[uuid.UUID]) -> dict[uuid.UUID, LatestOf]:
        async def read() -> list[dict[bytes, bytes]]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for athlete_id in athlete_ids:
                    pipe.hgetall(self._keys.latest_metrics(athlete_id))
                return await pipe.execute()

        entries = await self._guarded("read", "latest metrics", read())
        if entries is None:
            return {}
        found: dict[uuid.UUID, LatestOf] = {}
        for athlete_id, entry in zip(athlete_ids, entries, strict=True):
            if BUILT in entry:  # a claim alone, or nothing: a miss
                found[athlete_id] = {
                    name.decode(): _decoded(raw.decode())
                    for name, raw in entry.items()
                    if not name.startswith(b"@")
                }
        return found

    async def _claim_all(self, athlete_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Claim the missing keys for this rebuild; the ones claimed, with their token."""
        token = uuid.uuid4().hex
        claim_ms = round(CLAIM_TTL_S * 1000)

        async def claim() -> list[int]:
            async with self._redis.pipeline(transaction=False) as pipe:
                for athlete_id in athlete_ids:
                    key = self._keys.latest_metrics(athlete_id)
                    await self._claim(keys=[key], args=[token, claim_ms], client=pipe)
                return await pipe.execute()

        claimed = await self._guarded("claim", "latest metrics", claim())
        if claimed is None:
            return {}
        return {
            athlete_id: token for athlete_id, won in zip(athlete_ids, claimed, strict=True) if won
        }

    async def _store_all(
        self, claims: dict[uuid.UUID, str], rebuilt: dict[uuid.UUID, dict[str, str]]
    ) -> None:
        if not claims:
            return
        ttl_ms = round(LATEST_TTL_S * 1000)

        async def store() -> None:
            async with self._redis.pipeline(transaction=False) as pipe:
                for athlete_id, token in claims.items():
                    fields = [part for pair in rebuilt.get(athlete_id, {}).items() for part in pair]
                    key = self._keys.latest_metrics(athlete_id)
                    args: list[str | int] = [token, ttl_ms, ORDER_LEN, *fields]
                    await self._store(keys=[key], args=args, client=pipe)
                await pipe.execute()

        await self._guarded("store", "latest metrics", store())

    async def _guarded(self, action: str, key: str, command: Awaitable[T]) -> T | None:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await command
        except REDIS_UNAVAILABLE as err:
            log.warning(
                "latest metrics: %s skipped for %s, Redis unavailable: %r", action, key, err
            )
            return None


async def _rebuild(
    tx: Transaction, athlete_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, str]]:
    """Per athlete, metric key -> its latest row encoded as a field, from the database."""
    found: dict[uuid.UUID, dict[str, str]] = {}
    for athlete_id, metric, value, unit, recorded_at, created_at in await latest_rows(
        tx, athlete_ids
    ):
        assert athlete_id is not None and value is not None  # the query asked for both
        latest = Latest(value=value, unit=unit or "", recorded_at=recorded_at)
        found.setdefault(athlete_id, {})[metric] = _encoded(latest, created_at or recorded_at)
    return found


def _encoded(latest: Latest, logged_at: datetime) -> str:
    order = _instant(latest.recorded_at) + _instant(logged_at)
    # Decimal as a string: a value comes back digit for digit. The unit goes last: it is free text.
    return f"{order} {latest.value} {latest.unit}"


def _decoded(raw: str) -> Latest:
    order, value, unit = raw.split(" ", 2)
    recorded_at = datetime.strptime(order[: ORDER_LEN // 2], _INSTANT).replace(tzinfo=UTC)
    return Latest(value=Decimal(value), unit=unit, recorded_at=recorded_at)


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_INSTANT)
