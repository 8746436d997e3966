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
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.availability import AvailabilityRules, InvalidAvailability
from domain.cache import Cache, RedisKeys
from domain.errors import NotFound
from domain.slots import Interval, Slot, open_slots, within_booking_window
from domain.uow import UnitOfWork

CACHE_TTL_S = 300.0
# Sessions further than this from a date cannot block its slots: wider than any UTC offset
# plus the largest buffer.
_BUSY_MARGIN = timedelta(hours=18)


async def free_slots_on(
    uow_factory: Callable[[], UnitOfWork],
    cache: Cache,
    keys: RedisKeys,
    *,
    coach_id: uuid.UUID,
    day: date,
    length_minutes: int,
    now: datetime,
) -> list[Slot]:
    """Bookable slots of one length on the coach-local `day`, earliest first."""
    (entry,) = await _entries(uow_factory, cache, keys, coach_id, [day])
    return _bookable(entry, length_minutes, now)


async def bookable_days(
    uow_factory: Callable[[], UnitOfWork],
    cache: Cache,
    keys: RedisKeys,
    *,
    coach_id: uuid.UUID,
    first_day: date,
    days: int,
    length_minutes: int,
    now: datetime,
) -> list[date]:
    """The coach-local dates among `days` from `first_day` with a bookable slot of this length."""
    dates = [first_day + timedelta(days=n) for n in range(days)]
    entries = await _entries(uow_factory, cache, keys, coach_id, dates)
    return [
        day
        for day, entry in zip(dates, entries, strict=True)
        if _bookable(entry, length_minutes, now)
    ]


async def forget_days(
    cache: Cache, keys: RedisKeys, coach_id: uuid.UUID, days: Iterable[date]
) -> None:
    """Drop the cached slots of these coach-local dates."""
    await cache.invalidate(*(keys.availability(coach_id, day) for day in set(days)))


async def forget_coach(
    cache: Cache, keys: RedisKeys, coach_id: uuid.UUID, rules: AvailabilityRules, now: datetime
) -> None:
    """Drop every cached date a booker can currently reach (after a rule change)."""
    today = now.astimezone(ZoneInfo(rules.timezone)).date()
    # One day either side: the cache of a booker whose clock is a day off, or of a day that
    # just ended, must not outlive the rules it was computed from.
    first = today - timedelta(days=1)
    await forget_days(
        cache, keys, coach_id, (first + timedelta(days=n) for n in range(rules.horizon_days + 3))
    )


async def forget_session(
    cache: Cache,
    keys: RedisKeys,
    coach_id: uuid.UUID,
    timezone: str,
    start: datetime,
    end: datetime,
) -> None:
    """Drop the cached dates a session's time (with any buffer around it) can touch."""
    zone = ZoneInfo(timezone)
    first = (start - _BUSY_MARGIN).astimezone(zone).date()
    last = (end + _BUSY_MARGIN).astimezone(zone).date()
    await forget_days(
        cache, keys, coach_id, (first + timedelta(days=n) for n in range((last - first).days + 1))
    )


def _bookable(entry: dict[str, Any], length_minutes: int, now: datetime) -> list[Slot]:
    rules = AvailabilityRules.model_construct(**entry["window"])
    slots = (
        Slot(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
        for start, end in entry["slots"].get(str(length_minutes), ())
    )
    return [slot for slot in slots if within_booking_window(rules, slot.start, now)]


async def _entries(
    uow_factory: Callable[[], UnitOfWork],
    cache: Cache,
    keys: RedisKeys,
    coach_id: uuid.UUID,
    dates: list[date],
) -> list[dict[str, Any]]:
    cache_keys = [keys.availability(coach_id, day) for day in dates]
    found = await cache.get_many_json(cache_keys)
    missing = [i for i, entry in enumerate(found) if not isinstance(entry, dict)]
    if missing:
        computed = await _compute(uow_factory, coach_id, [dates[i] for i in missing])
        for i, entry in zip(missing, computed, strict=True):
            found[i] = entry
            await cache.set_json(cache_keys[i], entry, CACHE_TTL_S)
    return found  # type: ignore[return-value]


async def _compute(
    uow_factory: Callable[[], UnitOfWork], coach_id: uuid.UUID, dates: list[date]
) -> list[dict[str, Any]]:
    async with uow_factory() as uow:
        availability = await uow.coaches.availability_of(coach_id)
        if availability is None:
            raise NotFound(f"coach {coach_id}")
        rules = AvailabilityRules.from_json(availability)
        zone = ZoneInfo(rules.timezone)
        low = datetime.combine(min(dates), time(), zone) - _BUSY_MARGIN
        high = datetime.combine(max(dates) + timedelta(days=1), time(), zone) + _BUSY_MARGIN
        busy = await uow.sessions.busy_intervals(coach_id, low, high)
    return [_entry(rules, day, busy) for day in dates]


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
