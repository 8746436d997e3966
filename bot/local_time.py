"""Instants in a person's own time zone and language: "Tue 1 Dec, 16:00", "mar 1 dic, 16:00".

Day and month names come from the catalogue (`time.weekdays`, `time.months`, space-separated,
Monday and January first) and the order of the parts from `time.moment`, so a new language is
still only a catalogue file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.i18n import t
from domain.timezones import zone_of

INSTANT_SUFFIX = "_at"


def local_moment(instant: datetime, timezone: str, lang: str | None) -> str:
    """An aware instant as the person reads it: weekday, day, month and time in their zone."""
    local = instant.astimezone(zone_of(timezone))
    weekdays = t("time.weekdays", lang).split()
    months = t("time.months", lang).split()
    return t(
        "time.moment",
        lang,
        weekday=weekdays[local.weekday()],
        day=local.day,
        month=months[local.month - 1],
        time=f"{local:%H:%M}",
    )


def localized(params: Mapping[str, object], timezone: str, lang: str | None) -> dict[str, object]:
    """`params` with every aware ISO-8601 instant under a key ending in "_at" in local words."""
    return {
        key: _local_or_same(value, timezone, lang) if key.endswith(INSTANT_SUFFIX) else value
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
