"""A person's time zone (guessed from their Telegram language, or parsed from what they type),
and the local wall-clock times people type ("16:00", "9.30"), read the same way everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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
# Offsets that are not whole hours have no Etc/GMT zone; a city that keeps them stands in.
_PART_HOUR_ZONES = {
    (-1, 9, 30): "Pacific/Marquesas",
    (-1, 3, 30): "America/St_Johns",
    (1, 3, 30): "Asia/Tehran",
    (1, 4, 30): "Asia/Kabul",
    (1, 5, 30): "Asia/Kolkata",
    (1, 5, 45): "Asia/Kathmandu",
    (1, 6, 30): "Asia/Yangon",
    (1, 9, 30): "Australia/Darwin",
    (1, 10, 30): "Australia/Adelaide",
    (1, 12, 45): "Pacific/Chatham",
}
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")
MINUTES_PER_DAY = 24 * 60
_CLOCK = re.compile(r"(\d{1,2})(?:\s*[:.h]\s*(\d{2})?)?")


def guess_timezone(language_code: str | None, default: str = "UTC") -> str:
    """A likely time zone for a Telegram language code ("es" → Europe/Madrid)."""
    code = (language_code or "").lower().replace("_", "-")
    return LANGUAGE_TIMEZONES.get(code) or LANGUAGE_TIMEZONES.get(code.split("-")[0]) or default


@cache
def _zones_by_city() -> dict[str, str]:
    zones = sorted(z for z in available_timezones() if not z.startswith(("posix/", "right/")))
    by_city: dict[str, str] = {}
    for zone in zones:
        by_city.setdefault(zone.lower(), zone)
        by_city.setdefault(zone.rsplit("/", 1)[-1].lower(), zone)
    return by_city


def _offset_zone(text: str) -> str | None:
    found = _OFFSET.fullmatch(text)
    if found is None:
        return None
    sign = 1 if found[1] == "+" else -1
    hours, minutes = int(found[2]), int(found[3] or 0)
    if minutes:
        return _PART_HOUR_ZONES.get((sign, hours, minutes))
    if hours == 0:
        return "UTC"
    if hours > (14 if sign > 0 else 12):
        return None
    # Etc/GMT names count the other way round: UTC+3 is Etc/GMT-3.
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def parse_timezone(text: str) -> str:
    """An IANA zone from a city ("Berlin", "New York"), a zone name or an offset ("UTC-05:00")."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in ("utc", "gmt"):
        return "UTC"
    ascii_city = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode()
    zone = _offset_zone(cleaned) or _zones_by_city().get(ascii_city.replace(" ", "_"))
    if zone is None:
        raise InvalidAnswer("profile.hint.timezone")
    return zone


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
