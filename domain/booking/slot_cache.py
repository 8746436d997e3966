"""A coach's free slots, cached in Redis under the spec's `availability:{coachId}:{date}`.

An entry holds what does not change as time passes: the slots of every offered length that no
session blocks on that coach-local date, plus the few rules needed to apply the booking window
(minimum notice, horizon) on each read. So a hit is one Redis GET, with no database query.

Freshness: every change that moves a slot (a rule, an exception, a booking, a cancellation, a
reschedule) calls `forget_*` after its commit. A reader that loaded from the database just before
such a commit can still store the old slots just after the invalidation; the TTL bounds that
window, and the database's no-overlap constraint refuses a booking on a slot that is no longer
free whatever the cache said, so a stale entry can cost a retry, never a double booking.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.adapters.cache import Cache, RedisKeys
from domain.booking.availability import AvailabilityRules, InvalidAvailability
from domain.booking.queries.sessions import (
    busy_intervals,
    coach_availability,
    open_group_times,
)
from domain.booking.sessions import GROUP
from domain.booking.slots import Interval, Slot, open_slots, within_booking_window
from domain.errors import DomainError
from domain.uow import UnitOfWork

CACHE_TTL_S = 300.0
NEAREST_COUNT = 3
# How far around a taken slot to look for others to offer.
NEAREST_DAYS = 7
# Sessions further than this from a date cannot block its slots: wider than any UTC offset
# plus the largest buffer.
_BUSY_MARGIN = timedelta(hours=18)


@dataclass(frozen=True)
class SlotCache:
    """The cached slot lookup and its invalidation, bound to one database and one Redis."""

    uow: UnitOfWork
    cache: Cache
    keys: RedisKeys

    async def free_slots_on(
        self,
        *,
        coach_id: uuid.UUID,
        day: date,
        length_minutes: int,
        now: datetime,
        moving: uuid.UUID | None = None,
        session_type: str | None = None,
    ) -> list[Slot]:
        """Bookable slots of one length on the coach-local `day`, earliest first; with `moving`,
        as if that session (the one being moved) were not there; for a group, the times of the
        coach's group sessions that day too (to join, or to wait in line for when full)."""
        (entry,) = await self._entries(coach_id, [day], moving)
        free = _bookable(entry, length_minutes, now)
        if session_type != GROUP:
            return free
        return sorted({*free, *await self._groups_on(coach_id, entry, day, length_minutes, now)})

    async def slots_over(
        self,
        *,
        coach_id: uuid.UUID,
        first_day: date,
        days: int,
        length_minutes: int,
        now: datetime,
        moving: uuid.UUID | None = None,
    ) -> dict[date, list[Slot]]:
        """Bookable slots of one length on each of `days` coach-local dates from `first_day`."""
        dates = [first_day + timedelta(days=n) for n in range(days)]
        entries = await self._entries(coach_id, dates, moving)
        return {
            day: _bookable(entry, length_minutes, now)
            for day, entry in zip(dates, entries, strict=True)
        }

    async def bookable_days(
        self,
        *,
        coach_id: uuid.UUID,
        first_day: date,
        days: int,
        length_minutes: int,
        now: datetime,
        moving: uuid.UUID | None = None,
    ) -> list[date]:
        """The coach-local dates among `days` from `first_day` with a bookable slot."""
        found = await self.slots_over(
            coach_id=coach_id,
            first_day=first_day,
            days=days,
            length_minutes=length_minutes,
            now=now,
            moving=moving,
        )
        return [day for day, slots in found.items() if slots]

    async def timezone_of(self, coach_id: uuid.UUID) -> str:
        """The coach's time zone, which decides what a "date" of theirs is."""
        async with self.uow as tx:
            return AvailabilityRules.from_json(await coach_availability(tx, coach_id)).timezone

    async def forget_days(self, coach_id: uuid.UUID, days: Iterable[date]) -> None:
        """Drop the cached slots of these coach-local dates."""
        await self.cache.invalidate(*(self.keys.availability(coach_id, day) for day in set(days)))

    async def forget_coach(
        self, coach_id: uuid.UUID, rules: AvailabilityRules, now: datetime
    ) -> None:
        """Drop every cached date a booker can currently reach (after a rule change)."""
        today = now.astimezone(ZoneInfo(rules.timezone)).date()
        # One day either side: a day that just ended, or the far edge of the horizon.
        first = today - timedelta(days=1)
        days = rules.horizon_days + 3
        await self.forget_days(coach_id, (first + timedelta(days=n) for n in range(days)))

    async def forget_session(
        self, coach_id: uuid.UUID, timezone: str, start: datetime, end: datetime
    ) -> None:
        """Drop the cached dates a session's time (with any buffer around it) can touch."""
        zone = ZoneInfo(timezone)
        first = (start - _BUSY_MARGIN).astimezone(zone).date()
        last = (end + _BUSY_MARGIN).astimezone(zone).date()
        days = (last - first).days + 1
        await self.forget_days(coach_id, (first + timedelta(days=n) for n in range(days)))

    async def nearest(
        self,
        *,
        coach_id: uuid.UUID,
        around: datetime,
        length_minutes: int,
        now: datetime,
        count: int = NEAREST_COUNT,
    ) -> list[Slot]:
        """Up to `count` bookable slots closest in time to `around`, within a week either side."""
        try:
            timezone = await self.timezone_of(coach_id)
        except DomainError:  # the coach is gone: nothing to offer
            return []
        day = around.astimezone(ZoneInfo(timezone)).date()
        today = now.astimezone(ZoneInfo(timezone)).date()
        first = max(day - timedelta(days=NEAREST_DAYS), today)
        await self.forget_days(coach_id, [day])  # whatever the cache says, this day just changed
        by_day = await self.slots_over(
            coach_id=coach_id,
            first_day=first,
            days=(day - first).days + NEAREST_DAYS + 1,
            length_minutes=length_minutes,
            now=now,
        )
        candidates = [slot for day_slots in by_day.values() for slot in day_slots]
        candidates.sort(key=lambda slot: abs((slot.start - around).total_seconds()))
        return sorted(candidates[:count])

    async def _groups_on(
        self, coach_id: uuid.UUID, entry: dict[str, Any], day: date, minutes: int, now: datetime
    ) -> list[Slot]:
        # Live, not cached: a group's times stay the same as families join it.
        rules = AvailabilityRules.model_construct(**entry["window"])
        zone = ZoneInfo(rules.timezone)
        low = datetime.combine(day, time(), zone)
        async with self.uow as tx:
            found = await open_group_times(tx, coach_id, low, low + timedelta(days=1), minutes)
        slots = (Slot(start, end) for start, end in found)
        return [slot for slot in slots if within_booking_window(rules, slot.start, now)]

    async def _entries(
        self, coach_id: uuid.UUID, dates: list[date], moving: uuid.UUID | None = None
    ) -> list[dict[str, Any]]:
        if moving is not None:
            # The cache holds what is free for everyone; a move also frees its own time.
            return await self._compute(coach_id, dates, excluding=moving)
        cache_keys = [self.keys.availability(coach_id, day) for day in dates]
        found = await self.cache.get_many_json(cache_keys)
        missing = [i for i, entry in enumerate(found) if not isinstance(entry, dict)]
        if missing:
            computed = await self._compute(coach_id, [dates[i] for i in missing])
            for i, entry in zip(missing, computed, strict=True):
                found[i] = entry
                await self.cache.set_json(cache_keys[i], entry, CACHE_TTL_S)
        return found  # type: ignore[return-value]

    async def _compute(
        self, coach_id: uuid.UUID, dates: list[date], *, excluding: uuid.UUID | None = None
    ) -> list[dict[str, Any]]:
        async with self.uow as tx:
            rules = AvailabilityRules.from_json(await coach_availability(tx, coach_id))
            zone = ZoneInfo(rules.timezone)
            low = datetime.combine(min(dates), time(), zone) - _BUSY_MARGIN
            high = datetime.combine(max(dates) + timedelta(days=1), time(), zone) + _BUSY_MARGIN
            busy = await busy_intervals(tx, coach_id, low, high, excluding=excluding)
        return [_entry(rules, day, busy) for day in dates]


def _bookable(entry: dict[str, Any], length_minutes: int, now: datetime) -> list[Slot]:
    rules = AvailabilityRules.model_construct(**entry["window"])
    slots = (
        Slot(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
        for start, end in entry["slots"].get(str(length_minutes), ())
    )
    return [slot for slot in slots if within_booking_window(rules, slot.start, now)]


def _entry(rules: AvailabilityRules, day: date, busy: list[Interval]) -> dict[str, Any]:
    slots: dict[str, list[list[int]]] = {}
    for length in rules.session_lengths:
        try:
            found = open_slots(rules, day, length_minutes=length, busy=busy)
        except InvalidAvailability:  # pragma: no cover - lengths come from the rules themselves
            continue
        slots[str(length)] = [[int(s.start.timestamp()), int(s.end.timestamp())] for s in found]
    window = {
        "timezone": rules.timezone,
        "min_notice_minutes": rules.min_notice_minutes,
        "horizon_days": rules.horizon_days,
    }
    return {"window": window, "slots": slots}
