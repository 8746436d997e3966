"""Instants in a person's own time zone and language: "Tue 1 Dec, 16:00", "mar 1 dic, 16:00".

Day and month names come from CLDR (`bot.i18n.formats`) and the order of the parts from the
catalogue's `time.moment`, so a new language is still only a catalogue file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.i18n import t
from bot.i18n.formats import clock, money_text, month_name, weekday_name
from domain.timezones import zone_of

INSTANT_SUFFIX = "_at"


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
    """`params` in the reader's words: every aware ISO-8601 instant under a key ending in "_at"
    in their zone and language, every money value ({"amount", "currency"}) in their language."""
    return {
        key: _local_or_same(value, timezone, lang)
        if key.endswith(INSTANT_SUFFIX)
        else money_text(value, lang)
        for key, value in params.items()
    }


def _local_or_same(value: object, timezone: str, lang: str | None) -> object:
    if not isinstance(value, str):
        return value
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    # A naive time names no instant; showing it in some zone would be a guess.
    return value if instant.tzinfo is None else local_moment(instant, timezone, lang)
