"""Coach availability rules and free slots, including across DST changes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from domain.booking.availability import AvailabilityRules, InvalidAvailability, TimeRange
from domain.booking.availability_input import parse_weekly_line
from domain.booking.slots import Slot, open_slots, within_booking_window
from domain.errors import InvalidInput

MONDAY = date(2026, 6, 1)


def at(day: date, clock: str, zone: str = "UTC") -> datetime:
    """An instant from a local date and "HH:MM", in UTC."""
    hours, minutes = map(int, clock.split(":"))
    local = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def starts(slots: list[Slot], zone: str = "UTC") -> list[str]:
    return [slot.start.astimezone(ZoneInfo(zone)).strftime("%H:%M") for slot in slots]


def bookable(
    coach: AvailabilityRules, day: date, *, length_minutes: int, busy: list[Any], now: datetime
) -> list[Slot]:
    """What a booker is offered at `now`: the open slots inside the booking window, as
    `domain.booking.slot_cache` serves them."""
    slots = open_slots(coach, day, length_minutes=length_minutes, busy=busy)
    return [slot for slot in slots if within_booking_window(coach, slot.start, now)]


def rules(**fields: Any) -> AvailabilityRules:
    base: dict[str, Any] = {
        "weekly": {"mon": ["09:00-12:00"]},
        "session_lengths": [30, 60],
        "min_notice_minutes": 0,
        "horizon_days": 365,
    }
    return AvailabilityRules.parse(base | fields)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "availability.error.bad_timezone"),
        ({"timezone": "../etc/passwd"}, "availability.error.bad_timezone"),
        ({"weekly": {"mon": ["25:00-26:00"]}}, "availability.error.bad_time"),
        ({"weekly": {"mon": ["16:75-18:00"]}}, "availability.error.bad_time"),
        ({"weekly": {"mon": ["18:00-16:00"]}}, "availability.error.bad_range"),
        ({"weekly": {"mon": ["16:00-16:00"]}}, "availability.error.bad_range"),
        ({"weekly": {"mon": ["16:00"]}}, "availability.error.bad_range"),
        ({"weekly": {"mon": ["16:00-18:00", "17:00-19:00"]}}, "availability.error.overlap"),
        ({"weekly": {"funday": ["16:00-18:00"]}}, "availability.error.bad_weekday"),
        ({"exceptions": {"not-a-date": []}}, "availability.error.bad_date"),
        ({"exceptions": {"2026-06-02": ["10:00-09:00"]}}, "availability.error.bad_range"),
        ({"session_lengths": [10]}, "availability.error.session_length"),
        ({"session_lengths": [241]}, "availability.error.session_length"),
        ({"session_lengths": []}, "availability.error.session_length"),
        ({"buffer_before": 121}, "availability.error.buffer"),
        ({"buffer_after": -1}, "availability.error.buffer"),
        ({"min_notice_minutes": -5}, "availability.error.min_notice"),
        ({"horizon_days": 0}, "availability.error.horizon"),
        ({"horizon_days": 366}, "availability.error.horizon"),
        ({"session_types": ["yoga"]}, "availability.error.session_types"),
        ({"session_types": []}, "availability.error.session_types"),
        ({"location": "x" * 201}, "availability.error.location"),
        ({"meeting_url": "http://meet.example.com/coach"}, "availability.error.meeting_url"),
        ({"meeting_url": "https://"}, "availability.error.meeting_url"),
        ({"meeting_url": "javascript:alert(1)"}, "availability.error.meeting_url"),
        ({"location": "online"}, "availability.error.meeting_url"),
        ({"group_capacity": 0}, "availability.error.group_capacity"),
        ({"group_capacity": 51}, "availability.error.group_capacity"),
        ({"free_cancel_hours": -1}, "availability.error.free_cancel_hours"),
        ({"free_cancel_hours": 169}, "availability.error.free_cancel_hours"),
        ({"auto_accept": "sometimes"}, "availability.error.invalid"),
        ({"paused": {"mon": ["12:00-10:00"]}}, "availability.error.bad_range"),
        ({"colour": "blue"}, "availability.error.invalid"),
    ],
)
def test_invalid_rules_are_refused_with_a_message_key(fields: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidAvailability) as refused:
        AvailabilityRules.parse(fields)
    assert refused.value.message_key == key
    assert isinstance(refused.value, InvalidInput)


def test_defaults_are_closed_but_sensible() -> None:
    default = AvailabilityRules.from_json(None)
    assert default.timezone == "UTC"
    assert default.weekly == {}
    assert default.session_lengths == [60]
    assert default.session_types == ["individual"]
    assert 1 <= default.horizon_days <= 365
    assert (default.auto_accept, default.free_cancel_hours) == (False, 24)
    assert open_slots(default, MONDAY, length_minutes=60, busy=[]) == []


def test_rules_survive_a_json_round_trip_through_the_column() -> None:
    original = AvailabilityRules.parse(
        {
            "timezone": "Europe/Madrid",
            "weekly": {"wed": ["18:00-20:00", "09:00-11:30"], "mon": ["16:00-24:00"]},
            "exceptions": {"2026-06-03": [], "2026-06-06": ["10:00-13:00"]},
            "session_lengths": [90, 30, 60, 60],
            "buffer_before": 10,
            "buffer_after": 15,
            "min_notice_minutes": 240,
            "horizon_days": 60,
            "session_types": ["online", "individual"],
            "location": "online",
            "meeting_url": "https://meet.example.com/ana",
            "group_capacity": 12,
            "auto_accept": True,
            "free_cancel_hours": 48,
            "paused": {"fri": ["10:00-11:00"]},
        }
    )
    stored = json.loads(json.dumps(original.to_json()))
    assert AvailabilityRules.from_json(stored) == original
    assert stored["weekly"] == {"mon": ["16:00-24:00"], "wed": ["09:00-11:30", "18:00-20:00"]}
    assert stored["exceptions"] == {"2026-06-03": [], "2026-06-06": ["10:00-13:00"]}
    assert stored["session_lengths"] == [30, 60, 90]


# --- changing weekdays and dates --------------------------------------------------------------


def test_a_parsed_line_replaces_that_weekday_only() -> None:
    weekday, ranges = parse_weekly_line("/availability mon 16:00-20:00")
    updated = rules(weekly={"mon": ["09:00-12:00"], "tue": ["10:00-11:00"]}).with_weekday(
        weekday, ranges
    )
    assert updated.weekly == {"mon": [TimeRange(960, 1200)], "tue": [TimeRange(600, 660)]}


def test_closing_a_weekday_keeps_its_hours_for_reopening() -> None:
    week = rules(weekly={"mon": ["09:00-12:00"]})
    closed = week.with_weekday("mon", [])
    assert closed.weekly == {} and closed.paused == {"mon": [TimeRange(540, 720)]}
    assert closed.with_weekday_reopened("mon").weekly == week.weekly
    assert closed.with_weekday_reopened("tue") == closed  # no hours to reopen with
    assert closed.with_weekday("mon", [TimeRange(600, 660)]).paused == {}


def test_date_exceptions_are_set_cleared_and_pruned() -> None:
    christmas, new_year = date(2026, 12, 25), date(2027, 1, 1)
    dated = rules().with_date(christmas, []).with_date(new_year, [TimeRange(600, 660)])
    assert dated.exceptions == {christmas: [], new_year: [TimeRange(600, 660)]}
    assert dated.with_date(christmas, None).exceptions == {new_year: [TimeRange(600, 660)]}
    assert dated.without_dates_before(new_year).exceptions == {new_year: [TimeRange(600, 660)]}


# --- free slots -------------------------------------------------------------------------------


def test_a_plain_day_is_cut_into_back_to_back_slots_of_the_asked_length() -> None:
    slots = open_slots(rules(), MONDAY, length_minutes=60, busy=[])
    assert slots == [
        Slot(at(MONDAY, "09:00"), at(MONDAY, "10:00")),
        Slot(at(MONDAY, "10:00"), at(MONDAY, "11:00")),
        Slot(at(MONDAY, "11:00"), at(MONDAY, "12:00")),
    ]
    assert starts(open_slots(rules(), MONDAY, length_minutes=30, busy=[])) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
    ]  # fmt: skip


def test_a_day_without_ranges_has_no_slots() -> None:
    assert open_slots(rules(), MONDAY + timedelta(days=1), length_minutes=60, busy=[]) == []


def test_a_length_the_coach_does_not_offer_is_refused() -> None:
    with pytest.raises(InvalidAvailability) as refused:
        open_slots(rules(), MONDAY, length_minutes=45, busy=[])
    assert refused.value.message_key == "availability.error.session_length"


def test_a_busy_session_blocks_its_time_and_the_next_slot_starts_on_the_quarter_hour() -> None:
    busy = [(at(MONDAY, "10:00"), at(MONDAY, "10:20"))]
    slots = open_slots(rules(), MONDAY, length_minutes=60, busy=busy)
    assert starts(slots) == ["09:00", "10:30"]


def test_buffers_pad_the_busy_sessions_on_both_sides() -> None:
    busy = [(at(MONDAY, "10:00"), at(MONDAY, "10:30"))]
    after_only = open_slots(rules(buffer_after=15), MONDAY, length_minutes=60, busy=busy)
    # 09:00-10:00 would leave its own 15 minutes after it no time before the 10:00 session.
    assert starts(after_only) == ["10:45"]
    both = rules(buffer_before=15, buffer_after=15)
    assert starts(open_slots(both, MONDAY, length_minutes=60, busy=busy)) == ["10:45"]


def test_nothing_is_offered_inside_the_minimum_notice_and_later_slots_stay_put() -> None:
    now = at(MONDAY, "08:10")
    slots = bookable(rules(min_notice_minutes=60), MONDAY, length_minutes=60, busy=[], now=now)
    # 09:00 starts inside the hour's notice; the day's slots do not shift to 09:15 for it.
    assert starts(slots) == ["10:00", "11:00"]
    late = at(MONDAY, "11:30")
    assert (
        bookable(rules(min_notice_minutes=60), MONDAY, length_minutes=30, busy=[], now=late) == []
    )


def test_days_beyond_the_horizon_or_in_the_past_have_no_slots() -> None:
    week = rules(horizon_days=7)
    now = at(MONDAY, "00:00")
    assert bookable(week, MONDAY + timedelta(days=7), length_minutes=60, busy=[], now=now)
    assert bookable(week, MONDAY + timedelta(days=14), length_minutes=60, busy=[], now=now) == []
    assert bookable(week, MONDAY - timedelta(days=7), length_minutes=60, busy=[], now=now) == []


def test_a_day_off_exception_closes_the_day_and_extra_hours_replace_the_weekday() -> None:
    closed = rules(exceptions={MONDAY.isoformat(): []})
    assert open_slots(closed, MONDAY, length_minutes=60, busy=[]) == []
    extra = rules(exceptions={MONDAY.isoformat(): ["18:00-19:00"], "2026-06-06": ["10:00-11:00"]})
    assert starts(open_slots(extra, MONDAY, length_minutes=60, busy=[])) == ["18:00"]
    saturday = date(2026, 6, 6)
    assert starts(open_slots(extra, saturday, length_minutes=60, busy=[])) == ["10:00"]


def test_the_calendar_enables_only_days_with_a_free_slot() -> None:
    week = rules(
        weekly={"mon": ["09:00-10:00"], "wed": ["09:00-10:00"]},
        exceptions={"2026-06-03": [], "2026-06-06": ["10:00-11:00"]},
    )
    busy = [(at(date(2026, 6, 8), "09:00"), at(date(2026, 6, 8), "10:00"))]
    dates = [MONDAY + timedelta(days=n) for n in range(14)]
    days = [day for day in dates if open_slots(week, day, length_minutes=60, busy=busy)]
    assert days == [date(2026, 6, 1), date(2026, 6, 6), date(2026, 6, 10)]


# --- daylight saving time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "monday", "utc_start"),
    [
        ("Europe/Berlin", date(2026, 3, 23), "15:00"),
        ("Europe/Berlin", date(2026, 3, 30), "14:00"),
        ("Europe/Berlin", date(2026, 10, 19), "14:00"),
        ("Europe/Berlin", date(2026, 10, 26), "15:00"),
        ("America/New_York", date(2026, 3, 2), "21:00"),
        ("America/New_York", date(2026, 3, 9), "20:00"),
        ("America/New_York", date(2026, 10, 26), "20:00"),
        ("America/New_York", date(2026, 11, 2), "21:00"),
    ],
)
def test_mondays_at_four_stay_at_four_local_across_dst(
    zone: str, monday: date, utc_start: str
) -> None:
    weekly = rules(timezone=zone, weekly={"mon": ["16:00-18:00"]}, session_lengths=[120])
    slots = open_slots(weekly, monday, length_minutes=120, busy=[])
    assert starts(slots, zone) == ["16:00"]
    assert slots[0].start == at(monday, utc_start)
    assert slots[0].end - slots[0].start == timedelta(hours=2)


def test_a_range_across_spring_forward_skips_the_missing_hour() -> None:
    night = rules(timezone="Europe/Berlin", weekly={"sun": ["01:30-03:30"]})
    day = date(2026, 3, 29)
    halves = open_slots(night, day, length_minutes=30, busy=[])
    assert starts(halves, "Europe/Berlin") == ["01:30", "03:00"]
    assert [s.start for s in halves] == [at(day, "00:30"), at(day, "01:00")]
    hours = open_slots(night, day, length_minutes=60, busy=[])
    assert hours == [Slot(at(day, "00:30"), at(day, "01:30"))]


def test_a_range_across_fall_back_offers_the_repeated_hour_on_both_passes() -> None:
    night = rules(timezone="Europe/Berlin", weekly={"sun": ["01:30-03:30"]})
    day = date(2026, 10, 25)
    slots = open_slots(night, day, length_minutes=60, busy=[])
    assert [s.start.isoformat() for s in slots] == [
        "2026-10-24T23:30:00+00:00",  # 01:30 CEST
        "2026-10-25T00:30:00+00:00",  # 02:30 CEST, the first pass (fold=0)
        "2026-10-25T01:30:00+00:00",  # 02:30 CET, the second pass (fold=1)
    ]


# --- the rules every answer keeps -------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
DST_DAYS = [date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4)]
DST_DAYS += [date(2026, 10, 25), date(2026, 11, 1), date(2026, 6, 1)]


@st.composite
def day_ranges(draw: st.DrawFn) -> list[str]:
    cuts = sorted(draw(st.lists(st.integers(0, 96), min_size=2, max_size=6, unique=True)))
    pairs = zip(cuts[::2], cuts[1::2], strict=False)
    return [str(TimeRange(a * 15, b * 15)) for a, b in pairs]


@st.composite
def busy_times(draw: st.DrawFn, day: date) -> list[tuple[datetime, datetime]]:
    origin = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=14)
    busy = []
    for start, minutes in draw(st.lists(st.tuples(st.integers(0, 52 * 12), st.integers(5, 180)))):
        begin = origin + timedelta(minutes=5 * start)
        busy.append((begin, begin + timedelta(minutes=minutes)))
    return busy


def wall_minutes(instant: datetime, zone: ZoneInfo, day: date) -> int:
    local = instant.astimezone(zone)
    return (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_slot_is_inside_a_range_free_of_busy_time_and_apart_from_the_others(
    data: st.DataObject,
) -> None:
    zone_name = data.draw(st.sampled_from(ZONES))
    day = data.draw(st.sampled_from(DST_DAYS))
    length = data.draw(st.sampled_from([15, 30, 45, 60, 90, 240]))
    before, after = data.draw(st.integers(0, 120)), data.draw(st.integers(0, 120))
    ranges = data.draw(day_ranges())
    busy = data.draw(busy_times(day))
    now = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=data.draw(st.integers(-48 * 60, 24 * 60))
    )
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]
    coach = rules(
        timezone=zone_name,
        weekly={weekday: ranges},
        session_lengths=[length],
        buffer_before=before,
        buffer_after=after,
        min_notice_minutes=data.draw(st.integers(0, 600)),
    )
    zone = ZoneInfo(zone_name)
    slots = bookable(coach, day, length_minutes=length, busy=busy, now=now)
    event("some slots" if slots else "no slots")

    for slot in slots:
        assert slot.end - slot.start == timedelta(minutes=length)
        assert slot.start >= now + timedelta(minutes=coach.min_notice_minutes)
        walls = [
            wall_minutes(slot.start + timedelta(minutes=m), zone, day) for m in range(0, length, 5)
        ]
        # The last minute's wall time, plus one: a slot that ends where spring-forward skips
        # the range's end (Berlin's 02:00) ends at 03:00 on the wall, yet inside the range.
        ends = wall_minutes(slot.end - timedelta(minutes=1), zone, day) + 1
        assert any(
            r.start <= min(walls) and max(walls) < r.end and ends <= r.end
            for r in coach.weekly[weekday]
        )
        for busy_start, busy_end in busy:
            assert not (
                slot.start < busy_end + timedelta(minutes=after)
                and slot.end > busy_start - timedelta(minutes=before)
            )
    assert all(a.end <= b.start for a, b in pairwise(slots))


def test_stored_rules_are_parsed_once_per_text_and_anew_when_the_coach_edits_them() -> None:
    stored = json.dumps({"timezone": "Europe/Madrid", "session_lengths": [45, 60]})
    first = AvailabilityRules.from_stored_text(stored)

    assert AvailabilityRules.from_stored_text(stored) is first  # no second validation
    edited = AvailabilityRules.from_stored_text(stored.replace("45", "90"))
    assert edited.session_lengths == [60, 90]
    assert AvailabilityRules.from_stored_text(None) == AvailabilityRules()


def test_stored_rules_that_break_the_rules_are_refused_every_time() -> None:
    stored = json.dumps({"session_lengths": [5]})
    for _ in range(2):  # a refusal is not cached as if it were rules
        with pytest.raises(InvalidAvailability):
            AvailabilityRules.from_stored_text(stored)
