"""Instants in a person's own time zone and language: "Tue 1 Dec, 16:00", "mar 1 dic, 16:00".

Day and month names come from CLDR (`bot.i18n.formats`) and the order of the parts from the
catalogue's `time.moment`, so a new language is still only a catalogue file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

from bot.i18n import t
from bot.i18n.formats import clock, money_text, month_name, weekday_name
from domain.timezones import zone_of

INSTANT_SUFFIX = "_at"
CLOCK_SUFFIX = "_clock"
DATE_SUFFIX = "_date"
# A payload value {"lines": <catalogue key>, "items": [params, ...]}: one line per item, each
# worded like the notice itself, so a list (a coach's day) carries values, not text.
# An item may name its own line's key under "line".
LINES, ITEMS, LINE = "lines", "items", "line"
# Keys holding a code and the catalogue prefix that turns it into words. A value may also be
# {"code": <code>} or, for something only its owner named (a coach's own metric), {"name": ...}.
WORDS = {"session_type": "session.type.", "metric": "metric.name.", "period": "fees.period."}
CODE, NAME = "code", "name"


def local_moment(instant: datetime, timezone: str, lang: str | None) -> str:
    """An aware instant as the person reads it: weekday, day, month and time in their zone."""
    local = instant.astimezone(zone_of(timezone))
    return t(
        "time.moment",
        lang,
        weekday=weekday_name(local, lang),
        day=local.day,
        month=month_name(local.month, lang),
        time=clock(local, lang),
    )


def localized(params: Mapping[str, object], timezone: str, lang: str | None) -> dict[str, object]:
    """`params` in the reader's words: an aware ISO-8601 instant under a key ending in "_at" as a
    moment ("Tue 1 Dec, 16:00"), under one ending in "_clock" as the time of day ("16:00"), both
    in their zone; an ISO date under a key ending in "_date" as a day ("30 Nov"); money values
    ({"amount", "currency"}) and lists of lines in their language."""
    return {key: _worded(key, value, timezone, lang) for key, value in params.items()}


def _worded(key: str, value: object, timezone: str, lang: str | None) -> object:
    if key.endswith(INSTANT_SUFFIX):
        return _local_or_same(value, timezone, lang, local_moment)
    if key.endswith(CLOCK_SUFFIX):
        return _local_or_same(value, timezone, lang, local_clock)
    if key.endswith(DATE_SUFFIX) and isinstance(value, str):
        return _day_or_same(value, lang)
    if isinstance(value, dict) and value.keys() == {LINES, ITEMS}:
        return _lines(value[LINES], value[ITEMS], timezone, lang)
    if key in WORDS:
        return coded(key, value, lang)
    return money_text(value, lang)


def coded(key: str, value: object, lang: str | None) -> object:
    """A code under a key of `WORDS` in the reader's words; anything else as it is."""
    if isinstance(value, dict) and value.keys() == {NAME}:
        return value[NAME]
    if isinstance(value, dict) and value.keys() == {CODE}:
        value = value[CODE]
    if isinstance(value, str):
        return _words(WORDS[key] + value, lang, value)
    return value


def _words(key: str, lang: str | None, fallback: str) -> str:
    try:
        return t(key, lang)
    except KeyError:
        # A code the catalogue does not know yet is still better shown than the message lost.
        return fallback


def _day_or_same(value: str, lang: str | None) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return t("time.day", lang, day=day.day, month=month_name(day.month, lang))


def local_clock(instant: datetime, timezone: str, lang: str | None) -> str:
    """The time of day of an aware instant in a person's zone: "16:00"."""
    return clock(instant.astimezone(zone_of(timezone)), lang)


def _lines(key: object, items: object, timezone: str, lang: str | None) -> str:
    if not isinstance(key, str) or not isinstance(items, list):
        raise ValueError(f"lines need a catalogue key and a list of items, not {key!r}")
    lines = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError(f"a line's item must be an object, not {item!r}")
        params = localized({k: v for k, v in item.items() if k != LINE}, timezone, lang)
        lines.append(t(str(item.get(LINE, key)), lang, **params))
    return "\n".join(lines)


def _local_or_same(
    value: object, timezone: str, lang: str | None, word: Callable[[datetime, str, str | None], str]
) -> object:
    if not isinstance(value, str):
        return value
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    # A naive time names no instant; showing it in some zone would be a guess.
    return value if instant.tzinfo is None else word(instant, timezone, lang)
