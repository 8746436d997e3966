"""What coaches type about availability: the `/availability` lines and one value per setting."""

from __future__ import annotations

from datetime import date

import pytest

from domain.booking.availability import InvalidAvailability, TimeRange
from domain.booking.availability_input import (
    DateHours,
    WeekdayHours,
    parse_buffers,
    parse_count,
    parse_duration,
    parse_line,
    parse_location,
    parse_weekly_line,
    parse_zone,
)

# --- the text form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "weekday", "ranges"),
    [
        ("/availability mon 16:00-20:00, 21:00-22:00", "mon", ["16:00-20:00", "21:00-22:00"]),
        ("/availability@SportsCenterBot Tuesday 9-12", "tue", ["09:00-12:00"]),
        ("wed 18:00 - 20:00; 07:30–09:00", "wed", ["07:30-09:00", "18:00-20:00"]),
        ("lunes 16:00-20:00", "mon", ["16:00-20:00"]),
        ("miércoles 10:00-11:00 12:00-13:00", "wed", ["10:00-11:00", "12:00-13:00"]),
        ("Sáb 9h30-11h", "sat", ["09:30-11:00"]),
        ("domingo 20:00-24:00", "sun", ["20:00-24:00"]),
        ("jue. 17.00-19.00", "thu", ["17:00-19:00"]),
        ("/availability sun off", "sun", []),
        ("viernes libre", "fri", []),
    ],
)
def test_a_weekly_line_gives_the_weekday_and_its_ranges(
    line: str, weekday: str, ranges: list[str]
) -> None:
    parsed_day, parsed_ranges = parse_weekly_line(line)
    assert parsed_day == weekday
    assert [str(r) for r in parsed_ranges] == ranges


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("/availability", "availability.error.bad_line"),
        ("/availability funday 16:00-20:00", "availability.error.bad_weekday"),
        ("/availability mon", "availability.error.no_ranges"),
        ("/availability mon 16:00-25:00", "availability.error.bad_time"),
        ("/availability mon 4pm-6pm", "availability.error.bad_time"),
        ("/availability mon 20:00-16:00", "availability.error.bad_range"),
        ("/availability mon 16:00-18:00, 17:00-19:00", "availability.error.overlap"),
        ("/availability mon 16:00", "availability.error.bad_range"),
    ],
)
def test_a_bad_weekly_line_is_refused_with_a_message_key(line: str, key: str) -> None:
    with pytest.raises(InvalidAvailability) as refused:
        parse_weekly_line(line)
    assert refused.value.message_key == key


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("/availability mon 16:00-20:00", WeekdayHours("mon", [TimeRange(960, 1200)])),
        ("/availability 2026-12-24 off", DateHours(date(2026, 12, 24), [])),
        ("/availability 2026-12-24", DateHours(date(2026, 12, 24), [])),
        ("/availability off 2026-12-24", DateHours(date(2026, 12, 24), [])),
        ("/availability 24.12.2026 libre", DateHours(date(2026, 12, 24), [])),
        ("/availability 24/12/2026 10-12", DateHours(date(2026, 12, 24), [TimeRange(600, 720)])),
        ("/availability 2026-12-24 normal", DateHours(date(2026, 12, 24), None)),
    ],
)
def test_a_line_sets_a_weekday_or_a_date(line: str, parsed: WeekdayHours | DateHours) -> None:
    assert parse_line(line) == parsed


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("/availability 2026-02-30 off", "availability.error.bad_date"),
        ("/availability 12/24/2026 off", "availability.error.bad_date"),
        ("/availability 2026-12-24 10:00-09:00", "availability.error.bad_range"),
        ("/availability 2026-12-24 soon", "availability.error.bad_range"),
        ("/availability", "availability.error.bad_line"),
    ],
)
def test_a_bad_date_line_is_refused_with_a_message_key(line: str, key: str) -> None:
    with pytest.raises(InvalidAvailability) as refused:
        parse_line(line)
    assert refused.value.message_key == key


# --- one value for one setting ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("2", 120), ("2h", 120), ("90 min", 90), ("1.5 h", 90), ("1 day", 1440), ("3 horas", 180)],
)
def test_a_notice_is_read_in_the_units_coaches_type(typed: str, minutes: int) -> None:
    key = "availability.error.min_notice"
    assert parse_duration(typed, message_key=key, bare_unit_minutes=60) == minutes


@pytest.mark.parametrize("typed", ["", "soon", "2 weeks", "-3", "2h 30"])
def test_an_unreadable_notice_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAvailability):
        parse_duration(typed, message_key="k", bare_unit_minutes=60)


@pytest.mark.parametrize(
    ("typed", "buffers"),
    [("10", (10, 10)), ("5 15", (5, 15)), ("5/15", (5, 15)), ("0, 30 min", (0, 30))],
)
def test_buffers_are_one_number_for_both_or_two(typed: str, buffers: tuple[int, int]) -> None:
    assert parse_buffers(typed) == buffers


@pytest.mark.parametrize("typed", ["", "ten", "1 2 3", "-5"])
def test_unreadable_buffers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidAvailability) as refused:
        parse_buffers(typed)
    assert refused.value.message_key == "availability.error.buffer"


@pytest.mark.parametrize(
    ("typed", "place"),
    [
        ("Court 3, Central Park", ("Court 3, Central Park", None)),
        ("online https://meet.example.com/x", ("online", "https://meet.example.com/x")),
        ("https://meet.example.com/x", ("online", "https://meet.example.com/x")),
        ("-", ("", None)),
    ],
)
def test_a_location_is_a_place_or_online_with_a_link(
    typed: str, place: tuple[str, str | None]
) -> None:
    assert parse_location(typed) == place


def test_two_links_are_refused_and_a_zone_is_read_from_a_city() -> None:
    with pytest.raises(InvalidAvailability):
        parse_location("https://a.example https://b.example")
    assert parse_zone("new york") == "America/New_York"
    with pytest.raises(InvalidAvailability) as refused:
        parse_zone("Xqzzyville")
    assert refused.value.message_key == "availability.error.bad_timezone"
    with pytest.raises(InvalidAvailability):
        parse_count("8 people", message_key="availability.error.group_capacity")
