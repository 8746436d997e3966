"""A coach's availability rules, stored as JSON in `coaches.availability`.

Times are local wall-clock times in the coach's own zone, so "Mondays 16:00" stays 16:00 when
the clocks change; `domain.booking.slots` turns them into UTC instants for a given date. A range
reads and
writes itself as "16:00-20:00", the form the column stores; the rest of what coaches type (the
`/availability` lines, one value for one setting) is read by `domain.booking.availability_input`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.errors import InvalidInput
from domain.timezones import MINUTES_PER_DAY, parse_clock

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SessionType = Literal["individual", "group", "assessment", "online"]
K = TypeVar("K")
V = TypeVar("V")


class InvalidAvailability(InvalidInput, ValueError):
    """Availability input the coach can fix; `message_key` says what is wrong."""

    def __init__(self, message_key: str, **params: object) -> None:
        super().__init__(message_key, **params)
        self.message_key = message_key


@dataclass(frozen=True, order=True)
class TimeRange:
    """A stretch of local wall-clock time within one day, in minutes after midnight; end ≤ 24:00."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < MINUTES_PER_DAY and 0 < self.end <= MINUTES_PER_DAY):
            raise InvalidAvailability("availability.error.bad_time")
        if self.start >= self.end:
            raise InvalidAvailability("availability.error.bad_range", range=str(self))

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """A range from "16:00-20:00" (also "16-20", "9.30–11h", "21:00-24:00")."""
        parts = re.split(r"\s*[-–—]\s*", text.strip())
        if len(parts) != 2:
            raise InvalidAvailability("availability.error.bad_range", range=text)
        return cls(_clock_minutes(parts[0]), _clock_minutes(parts[1]))


def _clock_minutes(text: str) -> int:
    try:
        return parse_clock(text)
    except ValueError:
        raise InvalidAvailability("availability.error.bad_time", time=text) from None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _coerce_range(value: object) -> TimeRange:
    if isinstance(value, TimeRange):
        return value
    if isinstance(value, str):
        return TimeRange.parse(value)
    raise InvalidAvailability("availability.error.bad_range", range=str(value))


def day_ranges(ranges: Iterable[TimeRange]) -> list[TimeRange]:
    """One day's ranges sorted by start; touching is fine, overlapping is refused."""
    ordered = sorted(ranges)
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise InvalidAvailability("availability.error.overlap", ranges=f"{before}, {after}")
    return ordered


Range = Annotated[TimeRange, PlainValidator(_coerce_range), PlainSerializer(str, return_type=str)]

# Which message key a plain pydantic refusal (wrong type, out of bounds) of a field maps to.
_FIELD_KEYS = {
    "timezone": "availability.error.bad_timezone",
    "weekly": "availability.error.bad_weekday",
    "paused": "availability.error.bad_weekday",
    "exceptions": "availability.error.bad_date",
    "session_lengths": "availability.error.session_length",
    "buffer_before": "availability.error.buffer",
    "buffer_after": "availability.error.buffer",
    "min_notice_minutes": "availability.error.min_notice",
    "horizon_days": "availability.error.horizon",
    "session_types": "availability.error.session_types",
    "location": "availability.error.location",
    "meeting_url": "availability.error.meeting_url",
    "group_capacity": "availability.error.group_capacity",
    "free_cancel_hours": "availability.error.free_cancel_hours",
    "pay_before_hours": "availability.error.pay_before_hours",
}


class AvailabilityRules(BaseModel):
    """When and how a coach can be booked; `to_json()` is what `coaches.availability` holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "UTC"
    weekly: dict[Weekday, list[Range]] = Field(default_factory=dict)
    # A date listed here replaces its weekday's ranges: [] is a day off, ranges are extra hours.
    exceptions: dict[date, list[Range]] = Field(default_factory=dict)
    session_lengths: list[Annotated[int, Field(ge=15, le=240)]] = Field(
        default_factory=lambda: [60], min_length=1
    )
    buffer_before: int = Field(0, ge=0, le=120)
    buffer_after: int = Field(0, ge=0, le=120)
    min_notice_minutes: int = Field(120, ge=0, le=30 * MINUTES_PER_DAY)
    horizon_days: int = Field(30, ge=1, le=365)
    session_types: list[SessionType] = Field(default_factory=lambda: ["individual"], min_length=1)
    location: str = Field("", max_length=200)
    meeting_url: str | None = Field(None, max_length=500)
    group_capacity: int = Field(6, ge=1, le=50)
    # Bookings are confirmed without the coach pressing Accept.
    auto_accept: bool = False
    # Athletes and parents cancel or reschedule free of charge until this long before the start.
    free_cancel_hours: int = Field(24, ge=0, le=168)
    # An unpaid session is released this long before it starts (0: never released).
    pay_before_hours: int = Field(12, ge=0, le=168)
    # Ranges of weekdays switched off, so switching one back on restores its hours.
    paused: dict[Weekday, list[Range]] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidAvailability("availability.error.bad_timezone", timezone=value) from None
        return value

    @field_validator("weekly", "paused")
    @classmethod
    def _weekly_in_order(
        cls, value: dict[Weekday, list[TimeRange]]
    ) -> dict[Weekday, list[TimeRange]]:
        return {day: day_ranges(value[day]) for day in WEEKDAYS if day in value}

    @field_validator("exceptions")
    @classmethod
    def _exceptions_in_order(
        cls, value: dict[date, list[TimeRange]]
    ) -> dict[date, list[TimeRange]]:
        return {day: day_ranges(ranges) for day, ranges in sorted(value.items())}

    @field_validator("session_lengths", "session_types")
    @classmethod
    def _sorted_unique(cls, value: list[Any]) -> list[Any]:
        return sorted(set(value))

    @field_validator("meeting_url")
    @classmethod
    def _https_only(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value.strip()):
            raise InvalidAvailability("availability.error.meeting_url")
        return value.strip()

    @model_validator(mode="after")
    def _online_needs_link(self) -> AvailabilityRules:
        if self.location.strip().lower() == "online" and self.meeting_url is None:
            raise InvalidAvailability("availability.error.meeting_url")
        return self

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> AvailabilityRules:
        """Rules from untrusted data; any refusal is an `InvalidAvailability` with a message key."""
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise _as_domain_error(err) from None

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> AvailabilityRules:
        """Rules from the `coaches.availability` column; NULL means the defaults."""
        return cls.parse(data or {})

    @classmethod
    def from_stored_text(cls, text: str | None) -> AvailabilityRules:
        """Rules from the column's JSON text, parsed once per distinct text (per rules version)."""
        return _parsed_rules(text or "{}")

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict stored in `coaches.availability`."""
        return self.model_dump(mode="json")

    def ranges_on(self, day: date) -> list[TimeRange]:
        """The local ranges open on a date: its exception if there is one, else its weekday's."""
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly.get(WEEKDAYS[day.weekday()], [])

    def changed(self, **fields: object) -> AvailabilityRules:
        """A copy with some fields replaced, checked like untrusted input."""
        return self.parse({**self.to_json(), **fields})

    def with_weekday(self, weekday: Weekday, ranges: Iterable[TimeRange]) -> AvailabilityRules:
        """A copy with one weekday's ranges replaced; none closes the day, keeping its hours."""
        listed = list(ranges)
        if not listed:
            closing = self.weekly.get(weekday)
            paused = {**self.paused, weekday: closing} if closing else self.paused
            return self.changed(weekly=_without(self.weekly, weekday), paused=paused)
        return self.changed(
            weekly={**self.weekly, weekday: listed}, paused=_without(self.paused, weekday)
        )

    def with_weekday_reopened(self, weekday: Weekday) -> AvailabilityRules:
        """A copy with a closed weekday open again with its last hours; unchanged without any."""
        if self.weekly.get(weekday) or not self.paused.get(weekday):
            return self
        return self.with_weekday(weekday, self.paused[weekday])

    def with_date(self, day: date, ranges: Iterable[TimeRange] | None) -> AvailabilityRules:
        """A copy where a date has its own ranges ([] is a day off) or, with None, its weekday's."""
        exceptions = _without(self.exceptions, day)
        if ranges is not None:
            exceptions[day] = list(ranges)
        return self.changed(exceptions=exceptions)

    def without_dates_before(self, day: date) -> AvailabilityRules:
        """A copy without the date exceptions that are over."""
        return self.changed(exceptions={d: r for d, r in self.exceptions.items() if d >= day})


# Validating the stored rules again on every booking is wasted work: a coach's stored text only
# changes when they edit their rules, and a new text is a new key. The rules are frozen and no
# caller changes their lists in place (edits go through `changed`), so sharing one is safe.
@lru_cache(maxsize=2048)
def _parsed_rules(text: str) -> AvailabilityRules:
    return AvailabilityRules.from_json(json.loads(text))


def _without(mapping: Mapping[K, V], key: K) -> dict[K, V]:
    return {k: v for k, v in mapping.items() if k != key}


def _as_domain_error(err: ValidationError) -> InvalidAvailability:
    first = err.errors()[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, InvalidAvailability):
        return cause
    field = str(first["loc"][0]) if first["loc"] else ""
    return InvalidAvailability(_FIELD_KEYS.get(field, "availability.error.invalid"), field=field)
