"""Local wall-clock times as people type them, read once for quiet hours and availability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import InvalidAnswer
from domain.timezones import (
    OffsetNeedsZone,
    parse_clock,
    parse_timezone,
    zone_at,
    zones_at_offset,
)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("16:00", 960), ("9", 540), ("9.30", 570), ("16h30", 990), (" 7H ", 420), ("24:00", 1440)],
)
def test_a_time_of_day_reads_as_minutes_after_midnight(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["25:00", "16:75", "24:30", "4pm", "", "16:0"])
def test_what_is_not_a_time_of_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_clock(text)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Barcelona", "Europe/Madrid"),
        ("Munich", "Europe/Berlin"),
        ("Múnich", "Europe/Berlin"),
        ("San Francisco", "America/Los_Angeles"),
        ("Manchester", "Europe/London"),
        ("Sevilla", "Europe/Madrid"),
        ("Londres", "Europe/London"),
        ("nueva york", "America/New_York"),
    ],
)
def test_common_cities_in_english_or_spanish_give_their_zone(typed: str, zone: str) -> None:
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("europe/berlin", "Europe/Berlin"),
        ("America/Argentina/Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
    ],
)
def test_any_iana_zone_name_is_accepted_whatever_its_case(typed: str, zone: str) -> None:
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["+1", "UTC+2", "gmt -5"])
def test_a_bare_offset_asks_which_zone_instead_of_fixing_one_without_dst(typed: str) -> None:
    with pytest.raises(OffsetNeedsZone) as asked:
        parse_timezone(typed)
    assert asked.value.zones and not any(z.startswith("Etc/") for z in asked.value.zones)


def test_the_zones_offered_for_an_offset_keep_that_offset_now() -> None:
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    zones = zones_at_offset(60, now=winter)
    assert "Europe/Berlin" in zones and "Europe/Madrid" in zones and "Europe/London" not in zones
    assert all(ZoneInfo(z).utcoffset(winter) == timedelta(hours=1) for z in zones)


def test_a_shared_location_gives_its_zone_offline() -> None:
    assert zone_at(latitude=41.39, longitude=2.17) == "Europe/Madrid"
    assert zone_at(latitude=37.77, longitude=-122.42) == "America/Los_Angeles"


def test_what_is_no_place_is_refused_with_the_hint() -> None:
    with pytest.raises(InvalidAnswer, match=r"profile\.hint\.timezone"):
        parse_timezone("qwzxv")


def test_a_zones_own_city_is_found_even_when_it_is_small() -> None:
    assert parse_timezone("Longyearbyen") == "Arctic/Longyearbyen"
