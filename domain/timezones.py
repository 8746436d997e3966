"""A person's time zone (guessed from their Telegram language, read from what they type or from
a shared location), and the local wall-clock times people type ("16:00", "9.30").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import tzfpy

from domain.adapters.city_zones import people_in_zone, plain_name, zone_of_city
from domain.errors import InvalidAnswer

LANGUAGE_TIMEZONES = {
    "en": "UTC",
    "en-gb": "Europe/London",
    "es": "Europe/Madrid",
    "ru": "Europe/Moscow",
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "it": "Europe/Rome",
    "pt": "Europe/Lisbon",
    "pt-br": "America/Sao_Paulo",
    "uk": "Europe/Kyiv",
    "pl": "Europe/Warsaw",
    "nl": "Europe/Amsterdam",
    "tr": "Europe/Istanbul",
}
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")
MINUTES_PER_DAY = 24 * 60
_CLOCK = re.compile(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2})?)?")


def guess_timezone(language_code: str | None, default: str = "UTC") -> str:
    """A likely time zone for a Telegram language code ("es" → Europe/Madrid)."""
    code = (language_code or "").lower().replace("_", "-")
    return LANGUAGE_TIMEZONES.get(code) or LANGUAGE_TIMEZONES.get(code.split("-")[0]) or default


class OffsetNeedsZone(InvalidAnswer):
    """A bare UTC offset ("+1"): it keeps no daylight saving, so the person picks a zone that
    has that offset now; `zones` are the likely ones, most populous first."""

    def __init__(self, offset_minutes: int, zones: tuple[str, ...]) -> None:
        super().__init__(
            "profile.hint.timezone_offset",
            offset=_offset_text(offset_minutes),
            zones=", ".join(zones),
        )
        self.offset_minutes = offset_minutes
        self.zones = zones


OFFERED_ZONES = 4


@cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if not z.startswith(("posix/", "right/"))))


@cache
def _zones_by_name() -> dict[str, str]:
    by_name = {plain_name(zone): zone for zone in _all_zones()}
    # A zone's own city ("Longyearbyen", "Pago Pago") when no city of 15,000 bears the name.
    for zone in _all_zones():
        by_name.setdefault(plain_name(zone.rsplit("/", 1)[-1]), zone)
    return by_name


def _offset_minutes(text: str) -> int | None:
    found = _OFFSET.fullmatch(text)
    if found is None:
        return None
    hours, minutes = int(found[2]), int(found[3] or 0)
    if minutes > 59 or hours > 14:
        return None
    return (1 if found[1] == "+" else -1) * (hours * 60 + minutes)


def _offset_text(minutes: int) -> str:
    sign, hours, rest = "+" if minutes >= 0 else "-", abs(minutes) // 60, abs(minutes) % 60
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zones_at_offset(offset_minutes: int, *, now: datetime | None = None) -> tuple[str, ...]:
    """The zones whose clocks are `offset_minutes` ahead of UTC at `now`, most populous first."""
    moment = now or datetime.now(UTC)
    wanted = timedelta(minutes=offset_minutes)
    zones = [
        zone
        for zone in _all_zones()
        if "/" in zone
        and not zone.startswith("Etc/")
        and people_in_zone(zone)
        and ZoneInfo(zone).utcoffset(moment) == wanted
    ]
    return tuple(sorted(zones, key=lambda zone: (-people_in_zone(zone), zone))[:OFFERED_ZONES])


def parse_timezone(text: str, *, now: datetime | None = None) -> str:
    """An IANA zone from a zone name ("europe/berlin") or a city in any language GeoNames knows
    ("Munich", "Múnich", "Sevilla"); a bare offset ("+1", "UTC+2") raises OffsetNeedsZone."""
    name = plain_name(text)
    if name in ("utc", "gmt", "z"):
        return "UTC"
    offset = _offset_minutes(name)
    zones = zones_at_offset(offset, now=now) if offset is not None else ()
    if offset is not None and zones:
        raise OffsetNeedsZone(offset, zones)
    zone = _zones_by_name().get(name) if "/" in name else None
    zone = zone or zone_of_city(name) or _zones_by_name().get(name)
    if zone is None:
        raise InvalidAnswer("profile.hint.timezone")
    return zone


def zone_at(*, latitude: float, longitude: float) -> str | None:
    """The zone of a point on Earth (a shared location), looked up offline; None at sea."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    zone = tzfpy.get_tz(longitude, latitude)
    return zone if zone and not zone.startswith("Etc/") else None


def zone_of(timezone: str) -> ZoneInfo:
    """The zone of a stored name; UTC for one this system does not know (no crash mid-send)."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_clock(text: str) -> int:
    """Minutes after midnight from "16:00", "9", "9.30", "16h30" or "24:00"; ValueError else."""
    found = _CLOCK.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(f"not a time of day: {text!r}")
    hours, minutes = int(found[1]), int(found[2] or 0)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"not a time of day: {text!r}")
    return hours * 60 + minutes
