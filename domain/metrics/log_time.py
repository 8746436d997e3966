"""When a logged value happened: "yesterday 18:00", "mon", "lun 18:00", "2026-11-30 at 6pm".

Times are read in the person's time zone, and the day words of every language the bot speaks
are understood whatever the person's own language ("ayer" means nothing else in English); a
test keeps `DAY_WORDS` in step with the message catalogue's languages.

- "today" alone is now; with a time of day, that time today. "yesterday" or an ISO date alone
  is this time of day on that day.
- A weekday is the most recent one: today if today is that weekday, else the last one before.
  Today's weekday with a time later today is in the future and refused, as "today 23:00" is,
  rather than read as a week ago: whoever types "thu 18:00" at noon on a Thursday has mistyped
  something, and a week-old guess would be stored without anyone noticing.
- Nothing in the future is accepted, nor a date before `EARLIEST`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.metrics.input_error import MetricInputError
from domain.timezones import zone_of

# Older is a typo here (nobody backfills a result from before 1970 by chat), and it keeps
# every stored time a positive count of microseconds since the epoch.
EARLIEST = date(1970, 1, 1)


@dataclass(frozen=True)
class DayWords:
    """How one language names the days a result can be logged on."""

    today: tuple[str, ...]
    yesterday: tuple[str, ...]
    weekdays: tuple[tuple[str, ...], ...]  # Monday first, as date.weekday() counts
    at: tuple[str, ...]  # before a time of day: "at 18:00", "a las 18:00"
    on: tuple[str, ...]  # before a day: "on monday", "el lunes"


DAY_WORDS = {
    "en": DayWords(
        today=("today",),
        yesterday=("yesterday", "yday"),
        weekdays=(
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ),
        at=("at",),
        on=("on",),
    ),
    "es": DayWords(
        today=("hoy",),
        yesterday=("ayer",),
        weekdays=(
            ("lun", "lunes"),
            ("mar", "martes"),
            ("mié", "miércoles"),
            ("jue", "jueves"),
            ("vie", "viernes"),
            ("sáb", "sábado"),
            ("dom", "domingo"),
        ),
        at=("a las", "a la"),
        on=("el",),
    ),
}


def _plain(word: str) -> str:
    """Lower case without accents: "Mié" → "mie", so both spellings are one word."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


_DAYS_AGO = {
    _plain(word): ago
    for words in DAY_WORDS.values()
    for ago, names in ((0, words.today), (1, words.yesterday))
    for word in names
}
_WEEKDAY = {
    _plain(word): weekday
    for words in DAY_WORDS.values()
    for weekday, names in enumerate(words.weekdays)
    for word in names
}


def _any_of(words: Iterable[str]) -> str:
    # Every spelling with and without accents, a longer one tried before its prefix.
    spellings = {spelling for word in words for spelling in (word, _plain(word))}
    ordered = sorted(spellings, key=lambda word: (-len(word), word))
    return "|".join(r"\s+".join(map(re.escape, word.split())) for word in ordered)


_DAY_NAMES = [
    name
    for words in DAY_WORDS.values()
    for name in (*words.today, *words.yesterday, *(n for names in words.weekdays for n in names))
]
# After a day word only a real time of day counts ("today 72.40" is a value, not a time);
# after "at" anything clock-like does, and a bad one is refused rather than misread.
_CLOCK = r"(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s*[ap]m)?|(?:0?[1-9]|1[0-2])\s*[ap]m"
_HOUR = r"\d{1,2}(?:[:.h]\d{2})?(?:\s*[ap]m)?"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_AT = _any_of(at for words in DAY_WORDS.values() for at in words.at)
_ON = _any_of(on for words in DAY_WORDS.values() for on in words.on)
WHEN = re.compile(
    rf"(?:^|\s)(?:(?:(?:{_ON})\s+)?(?P<day>{_any_of(_DAY_NAMES)}|{_ISO_DATE})"
    rf"(?:\s+(?:(?:{_AT})\s+(?P<hour>{_HOUR})|(?P<clock>{_CLOCK})))?"
    rf"|(?:{_AT})\s+(?P<at>{_HOUR}))(?=\s|$)",
    re.IGNORECASE,
)


def take_when(text: str, *, now: datetime, timezone: str) -> tuple[str, datetime | None]:
    """The text without the time it names, and that time (None: now); refuses the future."""
    found = WHEN.search(text)
    if found is None:
        return text, None
    rest = (text[: found.start()] + " " + text[found.end() :]).strip()
    shown = found.group().strip()
    clock = found["clock"] or found["hour"] or found["at"]
    zone = zone_of(timezone)
    local_now = now.astimezone(zone)
    day = _day(found["day"], local_now.date(), shown)
    if day == local_now.date() and clock is None:
        return rest, None
    at = _clock(clock) if clock else local_now.time()
    recorded_at = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    if recorded_at > now:
        raise MetricInputError("metrics.error.future", time=shown)
    return rest, recorded_at


def _day(word: str | None, today: date, shown: str) -> date:
    if word is None:  # "at 9:15" alone
        return today
    if re.fullmatch(_ISO_DATE, word):
        return _iso_date(word, shown)
    plain = " ".join(_plain(word).split())
    if plain in _DAYS_AGO:
        return today - timedelta(days=_DAYS_AGO[plain])
    return today - timedelta(days=(today.weekday() - _WEEKDAY[plain]) % 7)


def _iso_date(text: str, shown: str) -> date:
    year, month, day = (int(part) for part in text.split("-"))
    try:
        found = date(year, month, day)
    except ValueError as err:
        raise MetricInputError("metrics.error.bad_date", date=shown) from err
    if found < EARLIEST:
        raise MetricInputError("metrics.error.bad_date", date=shown)
    return found


def _clock(text: str) -> time:
    digits, half = text.lower().rstrip("apm ").strip(), text.lower()[-2:]
    hours, minutes = (int(part) for part in [*re.split(r"[:.h]", digits), "0"][:2])
    if half in ("am", "pm"):
        if not 1 <= hours <= 12:
            raise MetricInputError("metrics.error.bad_time", time=text)
        hours = hours % 12 + (12 if half == "pm" else 0)
    if hours > 23 or minutes > 59:
        raise MetricInputError("metrics.error.bad_time", time=text)
    return time(hours, minutes)
