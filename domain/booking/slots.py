"""Free slots of a coach on a date: local wall-clock rules turned into UTC instants.

How a date's local ranges become bookable slots:
- A range covers exactly the real instants whose local wall-clock time on that date lies inside
  it. On spring-forward the missing hour simply is not there (01:30-03:30 in Berlin on 2026-03-29
  is one real hour). On fall-back the repeated hour counts on both passes when the range spans
  it: first as summer time (fold=0), then as standard time (fold=1), so 01:30-03:30 in Berlin on
  2026-10-25 is three real hours and offers 02:30 twice, at 00:30 and 01:30 UTC.
- Slots are packed back to back from the start of each range. When a busy session (padded by the
  buffers) is in the way, the next start is the next quarter hour after it, counted from the
  range start, so starts stay on a 15-minute grid and slots never overlap.
- Buffers pad the coach's existing sessions: a new slot starts at least `buffer_after` after one
  ends and ends at least `buffer_before` before the next one starts.
- The minimum notice and the horizon are applied as slots are read (`within_booking_window`), so
  the slots of a date do not move with the clock and can be cached (`domain.booking.slot_cache`):
  a slot starting too soon is not offered, and the ones after it stay where they were. The
  horizon counts whole local dates: from the coach's today up to today + `horizon_days`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.booking.availability import AvailabilityRules, InvalidAvailability, TimeRange

GRID = timedelta(minutes=15)
# Wider than any UTC offset, so the UTC stretch searched always holds the whole local range.
_OFFSET_MARGIN = timedelta(hours=15)
_PROBE = timedelta(hours=1)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable stretch of a coach's time, in UTC."""

    start: datetime
    end: datetime


def open_slots(
    rules: AvailabilityRules, day: date, *, length_minutes: int, busy: Iterable[Interval]
) -> list[Slot]:
    """The slots of one length on `day` that no session blocks, before minimum notice and horizon.

    This is what does not change as time passes, so it is what `domain.booking.slot_cache`
    caches; the booking window is applied on every read by `within_booking_window`.
    """
    return _Finder(rules, length_minutes, busy).on(day)


def buffer_gap(rules: AvailabilityRules) -> timedelta:
    """The least time between two of the coach's sessions.

    "Minutes free before and after each session": the earlier session's `after` and the later
    one's `before` must both be free, so two sessions are at least the larger of the two apart,
    whichever of them was booked first.
    """
    return timedelta(minutes=max(rules.buffer_before, rules.buffer_after))


def within_booking_window(rules: AvailabilityRules, start: datetime, now: datetime) -> bool:
    """Whether a slot starting at `start` respects the minimum notice and the horizon at `now`."""
    if _utc(start) < _utc(now) + timedelta(minutes=rules.min_notice_minutes):
        return False
    zone = ZoneInfo(rules.timezone)
    today = _utc(now).astimezone(zone).date()
    return start.astimezone(zone).date() <= today + timedelta(days=rules.horizon_days)


class _Finder:
    """Everything that does not change from one date to the next, worked out once."""

    def __init__(
        self, rules: AvailabilityRules, length_minutes: int, busy: Iterable[Interval]
    ) -> None:
        if length_minutes not in rules.session_lengths:
            raise InvalidAvailability("availability.error.session_length", length=length_minutes)
        self.rules = rules
        self.zone = ZoneInfo(rules.timezone)
        self.length = timedelta(minutes=length_minutes)
        gap = buffer_gap(rules)
        self.busy = sorted((_utc(b0) - gap, _utc(b1) + gap) for b0, b1 in busy)

    def on(self, day: date) -> list[Slot]:
        slots: list[Slot] = []
        for time_range in self.rules.ranges_on(day):
            for window in range_in_utc(self.zone, day, time_range):
                slots.extend(self._packed(window))
        return sorted(slots)

    def _packed(self, window: Interval) -> list[Slot]:
        origin, close = window
        slots: list[Slot] = []
        start = origin
        while start + self.length <= close:
            blocked_until = self._blocked_until(start, start + self.length)
            if blocked_until is not None:
                start = _next_on_grid(origin, blocked_until)
                continue
            slots.append(Slot(start, start + self.length))
            start += self.length
        return slots

    def _blocked_until(self, start: datetime, end: datetime) -> datetime | None:
        """When the sessions in the way of [start, end) are over, or None if none is."""
        until: datetime | None = None
        for busy_start, busy_end in self.busy:
            if busy_start >= end:
                break
            if busy_end > start and (until is None or busy_end > until):
                until = busy_end
        return until


def range_in_utc(zone: ZoneInfo, day: date, time_range: TimeRange) -> list[Interval]:
    """The UTC stretches whose local wall-clock time on `day` lies inside `time_range`."""
    midnight = datetime.combine(day, time())
    wall_start = midnight + timedelta(minutes=time_range.start)
    wall_end = midnight + timedelta(minutes=time_range.end)
    low = (wall_start - _OFFSET_MARGIN).replace(tzinfo=UTC)
    high = (wall_end + _OFFSET_MARGIN).replace(tzinfo=UTC)
    windows: list[Interval] = []
    for piece_start, piece_end, offset in _constant_offsets(zone, low, high):
        start = max(piece_start, (wall_start - offset).replace(tzinfo=UTC))
        end = min(piece_end, (wall_end - offset).replace(tzinfo=UTC))
        if start >= end:
            continue
        if windows and windows[-1][1] == start:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _constant_offsets(
    zone: ZoneInfo, low: datetime, high: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """[low, high) cut where the zone's UTC offset changes; each piece with its offset."""
    pieces: list[tuple[datetime, datetime, timedelta]] = []
    piece_start, offset = low, _offset(zone, low)
    probe = low
    while probe < high:
        step = min(probe + _PROBE, high)
        if _offset(zone, step) != offset:
            change = _first_change(zone, probe, step, offset)
            pieces.append((piece_start, change, offset))
            piece_start, offset = change, _offset(zone, change)
        probe = step
    pieces.append((piece_start, high, offset))
    return pieces


def _first_change(zone: ZoneInfo, low: datetime, high: datetime, offset: timedelta) -> datetime:
    """The first second in (low, high] with another offset (clocks change at most once an hour)."""
    while high - low > timedelta(seconds=1):
        middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
        if _offset(zone, middle) == offset:
            low = middle
        else:
            high = middle
    return high


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def _next_on_grid(origin: datetime, moment: datetime) -> datetime:
    steps = -((origin - moment) // GRID)  # ceiling division of (moment - origin) by GRID
    return origin + max(steps, 0) * GRID


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("availability needs timezone-aware datetimes")
    return moment.astimezone(UTC)
