"""Quiet hours: a daily stretch of local time when reminders that can wait are held back.

The window is `[quiet_from, quiet_until)` in the person's own time zone and may wrap midnight
(21:00-07:00). Equal ends mean no quiet hours. Only reminders that can wait are held (see
`domain.notifications.DEFERRED_IN_QUIET_HOURS`); news caused by someone's action is not.

Clock changes: the end is a wall-clock time on a local date. On the night it occurs twice
(autumn) the window ends at its first occurrence. On the night it does not exist (inside the
hour skipped in spring) it ends that long after the jump: 02:30 ends at 03:30, summer time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput, NotFound
from domain.timezones import MINUTES_PER_DAY, parse_clock, zone_of
from domain.uow import UnitOfWork

OFF_WORD = "off"


class InvalidQuietHours(InvalidInput):
    """A window that cannot be read; the reply shows an example."""

    message_key = "quiet.error.bad_window"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window of local time; equal ends mean none."""

    start: time
    end: time

    @property
    def off(self) -> bool:
        """True when there are no quiet hours."""
        return self.start == self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


OFF = QuietHours(time(0, 0), time(0, 0))


@dataclass(frozen=True, slots=True)
class PersonalQuietHours:
    """Someone's quiet hours and the time zone they are read in."""

    window: QuietHours
    timezone: str


def parse_quiet_hours(text: str) -> QuietHours:
    """A window from "22:00-07:30" (also "22-7.30", "21h-07h") or "off"; InvalidQuietHours else."""
    cleaned = text.strip().lower()
    if cleaned == OFF_WORD:
        return OFF
    parts = re.split(r"\s*[-–—]\s*", cleaned)
    if len(parts) != 2:
        raise InvalidQuietHours(cleaned, answer=text.strip())
    try:
        start, end = (_time_of(parse_clock(part)) for part in parts)
    except ValueError:
        raise InvalidQuietHours(cleaned, answer=text.strip()) from None
    return QuietHours(start, end)


def in_quiet_hours(local_time: time, quiet_from: time, quiet_until: time) -> bool:
    """Whether a local wall-clock time falls in the window (which may wrap midnight)."""
    if quiet_from <= quiet_until:
        return quiet_from <= local_time < quiet_until
    return local_time >= quiet_from or local_time < quiet_until


def quiet_hours_end(
    now_utc: datetime, timezone: str, quiet_from: time, quiet_until: time
) -> datetime:
    """The next UTC instant after `now_utc` at which the window ends in `timezone`."""
    zone = zone_of(timezone)
    today = now_utc.astimezone(zone).date()
    end = _instant(today, quiet_until, zone)
    return end if end > now_utc else _instant(today + timedelta(days=1), quiet_until, zone)


def held_until(
    now_utc: datetime, timezone: str, quiet_from: time, quiet_until: time
) -> datetime | None:
    """When the quiet hours `now_utc` falls in end, or None if it is not in quiet hours."""
    local = now_utc.astimezone(zone_of(timezone)).time()
    if not in_quiet_hours(local, quiet_from, quiet_until):
        return None
    return quiet_hours_end(now_utc, timezone, quiet_from, quiet_until)


async def quiet_hours_of(uow: UnitOfWork, *, telegram_user_id: int) -> PersonalQuietHours:
    """The signed-up person's quiet hours; NotFound if they have not signed up."""
    async with uow as tx:
        user = await tx.users.by_telegram_id(telegram_user_id)
        if user is None:
            raise NotFound("user")
        return PersonalQuietHours(QuietHours(user.quiet_from, user.quiet_until), user.timezone)


async def set_quiet_hours(
    uow: UnitOfWork, *, telegram_user_id: int, answer: str
) -> PersonalQuietHours:
    """Set the person's quiet hours from what they typed; InvalidQuietHours leaves them as were."""
    window = parse_quiet_hours(answer)
    async with uow as tx:
        user = await tx.users.by_telegram_id(telegram_user_id)
        if user is None:
            raise NotFound("user")
        user.quiet_from, user.quiet_until = window.start, window.end
        saved = PersonalQuietHours(window, user.timezone)
        await tx.commit()
    return saved


def _instant(day: date, wall_time: time, zone: ZoneInfo) -> datetime:
    # fold=0: a skipped time lands after the jump, a repeated one at its first occurrence.
    return datetime.combine(day, wall_time, tzinfo=zone).astimezone(UTC)


def _time_of(minutes: int) -> time:
    minutes %= MINUTES_PER_DAY  # 24:00 is the midnight a window ends at
    return time(minutes // 60, minutes % 60)
