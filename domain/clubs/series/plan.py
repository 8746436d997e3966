"""A series as the coach types it, checked, and its occurrences: pure rules, no database.

"tue,thu 17:00 60min 2027-01-12..2027-06-30 skip 2027-02-16 at Court 2": days, a local time in
the coach's zone, a length, the season, holidays left out and the place, in any order (the
place last). Occurrences are each day's local time resolved in the zone, so 17:00 stays 17:00
across a daylight-saving change while its UTC instant moves by an hour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.booking.availability import WEEKDAYS
from domain.booking.availability_input import parse_weekday
from domain.errors import DomainError, InvalidAnswer
from domain.models import MAX_SEASON_DAYS
from domain.timezones import parse_clock

DEFAULT_LENGTH = 60
MIN_LENGTH, MAX_LENGTH = 15, 480
MAX_CAPACITY = 200
_DATE = r"\d{4}-\d{2}-\d{2}"
_SEASON = re.compile(rf"({_DATE})\s*(?:\.\.|–|—|to|a)\s*({_DATE})")
_SKIP = re.compile(rf"(?:skip|sin|except|excepto)\s+((?:{_DATE}\s*,?\s*)+)")
_PLACE = re.compile(r"(?:^|\s)(?:at|en|@)\s+(.+)$")
_LENGTH = re.compile(r"(\d{1,3})\s*(?:min|m)|(\d)(?:[.,](\d))?\s*h")
_CAPACITY = re.compile(r"(?:cap|max|capacity|plazas)\s*(\d{1,3})")
_CLOCK = re.compile(r"\d{1,2}[:h.]\d{2}")
# RSVP windows, in hours before each occurrence: "ask 72h", "remind 24h", "close 2h".
_WINDOW = re.compile(r"(ask|remind|close|preguntar|recordar|cerrar)\s*(\d{1,3})\s*h\b")
_WINDOW_NAMES = {"preguntar": "ask", "recordar": "remind", "cerrar": "close"}
MAX_LEAD_HOURS = 168  # asked a week ahead at most (the RSVP job reads that window)
_FROM = re.compile(rf"^(?:from|desde)\s+({_DATE})\s*:?\s*")


class SeriesRefused(InvalidAnswer):
    """A series (or a change to one) the coach can fix; the key says why."""


@dataclass(frozen=True)
class SeriesPlan:
    """What the coach asked for: days (0 = Monday), local time, length, season, holidays, place."""

    weekdays: tuple[int, ...]
    local_time: time
    length_minutes: int
    season_start: date
    season_end: date
    holidays: frozenset[date] = frozenset()
    place: str | None = None
    capacity: int = 1
    rsvp_lead_hours: int = 48
    rsvp_reminder_hours: int = 24
    rsvp_deadline_hours: int = 3


@dataclass(frozen=True)
class SeriesChange:
    """A change from a date onwards; None keeps what the series had."""

    from_date: date
    weekdays: tuple[int, ...] | None = None
    local_time: time | None = None
    length_minutes: int | None = None
    place: str | None = None

    def applied_to(self, plan: SeriesPlan) -> SeriesPlan:
        """The plan as it runs from `from_date`."""
        return replace(
            plan,
            weekdays=self.weekdays or plan.weekdays,
            local_time=self.local_time or plan.local_time,
            length_minutes=self.length_minutes or plan.length_minutes,
            place=self.place if self.place is not None else plan.place,
            season_start=max(plan.season_start, self.from_date),
        )


def parse_plan(
    text: str, *, capacity: int = 1, season: tuple[date, date] | None = None
) -> SeriesPlan:
    """A series from the coach's line (the season given unless typed); SeriesRefused with the
    reason for anything amiss."""
    rest, place = _take_place(text.strip())
    rest, typed = _take(_SEASON, rest)
    if typed is not None:
        start, end = _date(typed[1]), _date(typed[2])
    elif season is not None:
        start, end = season
    else:
        raise SeriesRefused("series.error.no_season")
    rest, skip = _take(_SKIP, rest)
    holidays = frozenset(_date(d) for d in re.findall(_DATE, skip[1])) if skip else frozenset()
    rest, cap = _take(_CAPACITY, rest)
    rest, windows = _take_windows(rest)
    weekdays, clock, length = _days_time_length(rest)
    if clock is None:
        raise SeriesRefused("series.error.no_time")
    plan = SeriesPlan(
        weekdays=weekdays,
        local_time=clock,
        length_minutes=length or DEFAULT_LENGTH,
        season_start=start,
        season_end=end,
        holidays=holidays,
        place=place,
        capacity=int(cap[1]) if cap else capacity,
        rsvp_lead_hours=windows.get("ask", 48),
        rsvp_reminder_hours=windows.get("remind", 24),
        rsvp_deadline_hours=windows.get("close", 3),
    )
    check_plan(plan)
    return plan


def parse_change(text: str) -> SeriesChange:
    """ "from 2027-02-01: wed 18:00 90min at Gym": what changes, from which date."""
    found = _FROM.match(text.strip().lower())
    if found is None:
        raise SeriesRefused("series.error.change_needs_date")
    from_date = _date(found[1])
    rest, place = _take_place(text.strip()[found.end() :])
    weekdays, clock, length = _days_time_length(rest, days_required=False)
    change = SeriesChange(from_date, weekdays or None, clock, length, place)
    if change == SeriesChange(from_date):
        raise SeriesRefused("series.error.nothing_changed")
    if length is not None:
        _check_length(length)
    return change


def check_plan(plan: SeriesPlan) -> None:
    """Refuse a series with no days, ending before it starts, or longer than two years."""
    if not plan.weekdays:
        raise SeriesRefused("series.error.no_days")
    if plan.season_end < plan.season_start:
        raise SeriesRefused(
            "series.error.ends_before_start", start=plan.season_start, end=plan.season_end
        )
    if (plan.season_end - plan.season_start).days > MAX_SEASON_DAYS:
        raise SeriesRefused(
            "series.error.too_long", days=(plan.season_end - plan.season_start).days
        )
    _check_length(plan.length_minutes)
    if not 1 <= plan.capacity <= MAX_CAPACITY:
        raise SeriesRefused("series.error.capacity", most=MAX_CAPACITY)
    windows = (plan.rsvp_deadline_hours, plan.rsvp_reminder_hours, plan.rsvp_lead_hours)
    if not 0 <= windows[0] < windows[1] < windows[2] <= MAX_LEAD_HOURS:
        raise SeriesRefused("series.error.rsvp_windows", most=MAX_LEAD_HOURS)


def occurrences(
    plan: SeriesPlan, zone: str, *, skipped: frozenset[date] = frozenset()
) -> list[tuple[date, datetime, datetime]]:
    """Each occurrence's local date and UTC start and end: the local time kept across DST."""
    tz = ZoneInfo(zone)
    length = timedelta(minutes=plan.length_minutes)
    days = set(plan.weekdays)
    out = []
    for day in _dates(plan.season_start, plan.season_end):
        if day.weekday() in days and day not in plan.holidays and day not in skipped:
            start = datetime.combine(day, plan.local_time, tzinfo=tz).astimezone(UTC)
            out.append((day, start, start + length))
    return out


def local_start(day: date, clock: time, zone: str) -> datetime:
    """The UTC instant of a local date and time in the zone."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def weekday_codes(weekdays: tuple[int, ...]) -> list[str]:
    """The days as codes ("mon", "thu") for the chat layer to name."""
    return [WEEKDAYS[d] for d in sorted(weekdays)]


def _dates(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _days_time_length(
    text: str, *, days_required: bool = True
) -> tuple[tuple[int, ...], time | None, int | None]:
    clock: time | None = None
    length: int | None = None
    days: set[int] = set()
    for word in re.split(r"[\s,;/]+", text.strip().lower()):
        if not word:
            continue
        if _CLOCK.fullmatch(word):
            clock = _clock(word)
        elif found := _LENGTH.fullmatch(word):
            length = int(found[1]) if found[1] else int(found[2]) * 60 + int(found[3] or 0) * 6
        else:
            try:
                days.add(WEEKDAYS.index(parse_weekday(word)))
            except DomainError:
                raise SeriesRefused("series.error.unknown_word", word=word[:20]) from None
    if days_required and not days:
        raise SeriesRefused("series.error.no_days")
    return tuple(sorted(days)), clock, length


def _clock(word: str) -> time:
    try:
        minutes = parse_clock(word)
    except ValueError:
        raise SeriesRefused("series.error.no_time") from None
    if minutes >= 24 * 60:
        raise SeriesRefused("series.error.no_time")
    return time(minutes // 60, minutes % 60)


def _check_length(length: int) -> None:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise SeriesRefused("series.error.length", least=MIN_LENGTH, most=MAX_LENGTH)


def _take(pattern: re.Pattern[str], text: str) -> tuple[str, re.Match[str] | None]:
    found = pattern.search(text.lower())
    if found is None:
        return text, None
    return text[: found.start()] + " " + text[found.end() :], found


def _take_windows(text: str) -> tuple[str, dict[str, int]]:
    found: dict[str, int] = {}
    for match in _WINDOW.finditer(text.lower()):
        found[_WINDOW_NAMES.get(match[1], match[1])] = int(match[2])
    return _WINDOW.sub(" ", text.lower()) if found else text, found


def _take_place(text: str) -> tuple[str, str | None]:
    found = _PLACE.search(text)
    if found is None:
        return text, None
    return text[: found.start()], found[1].strip()[:200] or None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SeriesRefused("series.error.bad_date", date=text) from None
