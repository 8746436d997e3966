"""What a coach types about availability: the `/availability` text form and single values.

The text form reads "mon 16:00-20:00" or "2026-12-24 off"; the value parsers read what is typed
for one setting ("90 min", "5 15", "online https://…"). Refusals are `InvalidAvailability` with
an `availability.error.*` key; the bounds of a value are the rules' to check, not the parser's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from domain.booking.availability import InvalidAvailability, TimeRange, Weekday, day_ranges
from domain.errors import InvalidAnswer
from domain.timezones import OffsetNeedsZone, parse_timezone

# --- the text form ----------------------------------------------------------------------------

_DAY_NAMES: dict[Weekday, tuple[str, ...]] = {
    "mon": ("monday", "mon", "mo", "lunes", "lun", "lu"),
    "tue": ("tuesday", "tues", "tue", "tu", "martes", "mar", "ma"),
    "wed": ("wednesday", "wed", "we", "miercoles", "mie", "mi", "x"),
    "thu": ("thursday", "thurs", "thur", "thu", "th", "jueves", "jue", "ju"),
    "fri": ("friday", "fri", "fr", "viernes", "vie", "vi"),
    "sat": ("saturday", "sat", "sa", "sabado", "sab"),
    "sun": ("sunday", "sun", "su", "domingo", "dom", "do"),
}
_WEEKDAY_BY_NAME = {name: day for day, names in _DAY_NAMES.items() for name in names}
_DAY_OFF_WORDS = {"off", "closed", "none", "libre", "cerrado", "ninguno"}


def parse_weekday(text: str) -> Weekday:
    """A weekday from an English or Spanish name or abbreviation ("Mon", "miércoles", "sáb")."""
    plain = unicodedata.normalize("NFKD", text.strip().lower().rstrip("."))
    plain = plain.encode("ascii", "ignore").decode()
    day = _WEEKDAY_BY_NAME.get(plain)
    if day is None:
        raise InvalidAvailability("availability.error.bad_weekday", weekday=text)
    return day


def parse_weekly_line(text: str) -> tuple[Weekday, list[TimeRange]]:
    """A weekday and its ranges from "/availability mon 16:00-20:00, 21:00-22:00" ("sun off")."""
    head, rest = _head_and_rest(text)
    weekday = parse_weekday(head)
    if rest.lower() in _DAY_OFF_WORDS:
        return weekday, []
    return weekday, _ranges_of(rest, weekday=weekday)


def parse_day_hours(text: str, weekday: Weekday) -> list[TimeRange]:
    """A weekday's ranges typed on their own ("16:00-20:00", "9-13, 17-20"); "off" closes it."""
    cleaned = " ".join(text.split())
    if cleaned.lower() in _DAY_OFF_WORDS:
        return []
    return _ranges_of(cleaned, weekday=weekday)


@dataclass(frozen=True)
class WeekdayHours:
    """A weekday's ranges set with the text form; none closes the day."""

    weekday: Weekday
    ranges: list[TimeRange]


@dataclass(frozen=True)
class DateHours:
    """A date's own ranges set with the text form: [] is a day off, None its weekday's again."""

    day: date
    ranges: list[TimeRange] | None


_BACK_TO_WEEKLY_WORDS = {"normal", "weekly", "reset", "habitual", "semanal"}
_DATE_FORMS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (0, 1, 2)),
    (re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})"), (2, 1, 0)),
)


def parse_date(text: str) -> date:
    """A calendar date from "2026-12-24", "24.12.2026" or "24/12/2026" (day first)."""
    for form, (year, month, day) in _DATE_FORMS:
        if found := form.fullmatch(text.strip()):
            parts = [int(part) for part in found.groups()]
            try:
                return date(parts[year], parts[month], parts[day])
            except ValueError:
                break
    raise InvalidAvailability("availability.error.bad_date", date=text)


def parse_line(text: str) -> WeekdayHours | DateHours:
    """What a text-form line sets: a weekday's hours, or a date's ("2026-12-24 off")."""
    head, rest = _head_and_rest(text)
    if head.lower() in _DAY_OFF_WORDS and _looks_like_date(rest):
        head, rest = rest, head
    if not _looks_like_date(head):
        return WeekdayHours(*parse_weekly_line(text))
    day, word = parse_date(head), rest.lower()
    if word in _BACK_TO_WEEKLY_WORDS:
        return DateHours(day, None)
    # A date on its own is the usual exception: a day off.
    if not word or word in _DAY_OFF_WORDS:
        return DateHours(day, [])
    return DateHours(day, _ranges_of(rest, day=day.isoformat()))


def _looks_like_date(text: str) -> bool:
    return re.fullmatch(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}", text.strip()) is not None


def _head_and_rest(text: str) -> tuple[str, str]:
    body = re.sub(r"^/availability(@\w+)?\b", "", text.strip(), flags=re.IGNORECASE).strip()
    if not body:
        raise InvalidAvailability("availability.error.bad_line")
    head, _, rest = body.partition(" ")
    return head, " ".join(rest.split())


def _ranges_of(text: str, **where: str) -> list[TimeRange]:
    pieces = [p for p in re.split(r"[,;]\s*|(?<![-–—])\s(?=\d)", text) if p.strip()]
    if not pieces:
        raise InvalidAvailability("availability.error.no_ranges", **where)
    return day_ranges(TimeRange.parse(piece) for piece in pieces)


# --- one value for one setting ----------------------------------------------------------------

_NUMBER = re.compile(r"\d{1,6}")
_DURATION = re.compile(r"(\d{1,5}(?:[.,]\d{1,2})?)\s*([^\d\s]*)")
_UNIT_MINUTES = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "minuto", "minutos"), 1),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "hora", "horas"), 60),
    **dict.fromkeys(("d", "day", "days", "dia", "dias", "día", "días"), 24 * 60),
}
_URL = re.compile(r"\S+://\S*")
_NO_PLACE_WORDS = {"-", "none", "no", "ninguno", "ninguna", "nada"}


def parse_count(text: str, *, message_key: str) -> int:
    """A whole number typed on its own ("8"); its bounds are the rules' to check."""
    cleaned = text.strip()
    if not _NUMBER.fullmatch(cleaned):
        raise InvalidAvailability(message_key)
    return int(cleaned)


def parse_duration(text: str, *, message_key: str, bare_unit_minutes: int) -> int:
    """Minutes from "90 min", "2 h", "1.5h" or "1 day"; a bare number counts in the given unit."""
    found = _DURATION.fullmatch(text.strip().lower())
    unit = _UNIT_MINUTES.get(found[2].rstrip(".")) if found and found[2] else bare_unit_minutes
    if found is None or unit is None:
        raise InvalidAvailability(message_key)
    return round(float(found[1].replace(",", ".")) * unit)


def parse_buffers(text: str) -> tuple[int, int]:
    """Buffer minutes before and after: "10" for both, or "5 15" (also "5/15", "5, 15 min")."""
    bare = re.sub(r"\s*(min|mins|minutes|minutos)\.?$", "", text.strip().lower())
    numbers = [n for n in re.split(r"[\s,;/]+", bare) if n]
    if not 1 <= len(numbers) <= 2 or not all(_NUMBER.fullmatch(n) for n in numbers):
        raise InvalidAvailability("availability.error.buffer")
    before, after = int(numbers[0]), int(numbers[-1])
    return before, after


def parse_location(text: str) -> tuple[str, str | None]:
    """A place and a meeting link: "Court 3, Central Park", "online https://meet.example/x"."""
    cleaned = " ".join(text.split())
    if cleaned.lower() in _NO_PLACE_WORDS:
        return "", None
    links = _URL.findall(cleaned)
    if len(links) > 1:
        raise InvalidAvailability("availability.error.meeting_url")
    place = " ".join(_URL.sub("", cleaned).split()).strip(" ,;:-")
    if links and not place:
        place = "online"
    return place, links[0] if links else None


class ZoneOffsetAsked(InvalidAvailability):
    """A bare UTC offset typed for the hours' zone: `zones` have it now, most populous first."""

    def __init__(self, zones: tuple[str, ...]) -> None:
        super().__init__("availability.error.timezone_offset", zones=", ".join(zones))
        self.zones = zones


def parse_zone(text: str) -> str:
    """An IANA zone from a city or a zone name ("Sevilla", "Europe/Madrid"); an offset asks."""
    try:
        return parse_timezone(text)
    except OffsetNeedsZone as asked:
        raise ZoneOffsetAsked(asked.zones) from None
    except InvalidAnswer:
        raise InvalidAvailability("availability.error.bad_timezone") from None
