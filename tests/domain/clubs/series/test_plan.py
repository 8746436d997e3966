"""The series a coach types, checked, and its occurrences: weekdays, holidays, the season's end,
and local time kept across daylight saving (Europe/Madrid, America/New_York)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.clubs.series.plan import SeriesRefused, occurrences, parse_change, parse_plan


def test_a_line_gives_days_time_length_season_holidays_and_place() -> None:
    plan = parse_plan("tue, thu 17:00 90min 2027-01-12..2027-06-30 skip 2027-02-16 at Court 2")
    assert plan.weekdays == (1, 3)
    assert plan.local_time == time(17, 0)
    assert plan.length_minutes == 90
    assert (plan.season_start, plan.season_end) == (date(2027, 1, 12), date(2027, 6, 30))
    assert plan.holidays == {date(2027, 2, 16)}
    assert plan.place == "Court 2"


def test_spanish_days_and_hours_read_too() -> None:
    plan = parse_plan("martes jueves 18:30 1h 2027-01-12 a 2027-03-01 en Pabellón")
    assert (plan.weekdays, plan.local_time, plan.length_minutes) == ((1, 3), time(18, 30), 60)
    assert plan.place == "Pabellón"


def test_occurrences_fall_on_the_weekdays_leave_holidays_out_and_stop_at_the_season_end() -> None:
    plan = parse_plan("tue thu 17:00 60min 2027-01-11..2027-01-28 skip 2027-01-19")
    days = [day for day, _, _ in occurrences(plan, "Europe/Madrid")]
    assert days == [
        date(2027, 1, 12),
        date(2027, 1, 14),
        date(2027, 1, 21),
        date(2027, 1, 26),
        date(2027, 1, 28),
    ]


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # Madrid moves to summer time on 28 March 2027, New York on 14 March 2027.
        ("Europe/Madrid", date(2027, 3, 23), date(2027, 3, 30)),
        ("America/New_York", date(2027, 3, 9), date(2027, 3, 16)),
    ],
)
def test_17_00_local_stays_17_00_local_across_a_dst_change(
    zone: str, before: date, after: date
) -> None:
    plan = parse_plan(f"tue 17:00 60min {before}..{after}")
    (_, first, _), (_, second, _) = occurrences(plan, zone)
    assert [s.astimezone(ZoneInfo(zone)).time() for s in (first, second)] == [time(17, 0)] * 2
    # An hour less apart in UTC than a week: the clocks went forward in between.
    assert (second - first).total_seconds() == 7 * 24 * 3600 - 3600
    assert first.tzinfo == UTC


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("17:00 60min 2027-01-12..2027-06-30", "series.error.no_days"),
        ("tue 17:00 2027-06-30..2027-01-12", "series.error.ends_before_start"),
        ("tue 17:00 2027-01-12..2029-06-30", "series.error.too_long"),
        ("tue 17:00", "series.error.no_season"),
        ("tue 2027-01-12..2027-06-30", "series.error.no_time"),
        ("tue 17:00 5min 2027-01-12..2027-06-30", "series.error.length"),
        ("tue banana 17:00 2027-01-12..2027-06-30", "series.error.unknown_word"),
        ("tue 17:00 2027-02-30..2027-06-30", "series.error.bad_date"),
    ],
)
def test_a_bad_series_is_refused_with_its_reason(line: str, reason: str) -> None:
    with pytest.raises(SeriesRefused) as refused:
        parse_plan(line)
    assert refused.value.message_key == reason


def test_a_change_names_its_date_and_only_what_changes() -> None:
    change = parse_change("from 2027-02-01: wed 18:00 at Gym")
    assert change.from_date == date(2027, 2, 1)
    assert (change.weekdays, change.local_time, change.length_minutes) == ((2,), time(18), None)
    assert change.place == "Gym"
    with pytest.raises(SeriesRefused, match=r"series\.error\.change_needs_date"):
        parse_change("wed 18:00")
    with pytest.raises(SeriesRefused, match=r"series\.error\.nothing_changed"):
        parse_change("from 2027-02-01")


def test_a_season_starting_now_in_utc_still_counts_in_local_days() -> None:
    plan = parse_plan("mon 09:00 2027-01-04..2027-01-04")
    ((day, start, end),) = occurrences(plan, "America/New_York")
    assert day == date(2027, 1, 4) and start == datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
    assert (end - start).total_seconds() == 3600


def test_the_rsvp_hours_are_a_setting_of_the_series() -> None:
    plan = parse_plan("tue 17:00 2027-01-12..2027-06-30 ask 72h remind 12h close 2h at Court 2")
    assert (plan.rsvp_lead_hours, plan.rsvp_reminder_hours, plan.rsvp_deadline_hours) == (72, 12, 2)
    assert plan.place == "Court 2"
    default = parse_plan("tue 17:00 2027-01-12..2027-06-30")
    assert (default.rsvp_lead_hours, default.rsvp_reminder_hours) == (48, 24)
    assert default.rsvp_deadline_hours == 3
    for line in ("close 30h", "ask 200h", "remind 60h"):
        with pytest.raises(SeriesRefused) as refused:
            parse_plan(f"tue 17:00 2027-01-12..2027-06-30 {line}")
        assert refused.value.message_key == "series.error.rsvp_windows"
