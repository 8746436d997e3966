"""Quiet hours: the window (also across midnight), when it ends (also on DST nights), saving it."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.errors import NotFound
from domain.models import User
from domain.people.quiet_hours import (
    OFF,
    InvalidQuietHours,
    QuietHours,
    held_until,
    in_quiet_hours,
    parse_quiet_hours,
    quiet_hours_end,
    quiet_hours_of,
    set_quiet_hours,
)
from domain.uow import UnitOfWork

NIGHT = (time(21, 0), time(7, 0))
BERLIN = "Europe/Berlin"


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_a_window_across_midnight_holds_the_night_and_ends_at_its_end(
    local: time, quiet: bool
) -> None:
    assert in_quiet_hours(local, *NIGHT) is quiet


@pytest.mark.parametrize(
    ("local", "quiet"), [(time(12, 59), False), (time(13, 0), True), (time(15, 0), False)]
)
def test_a_window_within_one_day(local: time, quiet: bool) -> None:
    assert in_quiet_hours(local, time(13, 0), time(15, 0)) is quiet


@pytest.mark.parametrize("local", [time(0, 0), time(12, 0), time(23, 59)])
def test_equal_ends_mean_no_quiet_hours(local: time) -> None:
    assert not in_quiet_hours(local, time(0, 0), time(0, 0))
    assert not in_quiet_hours(local, time(22, 0), time(22, 0))


def test_the_end_is_this_morning_after_midnight_and_tomorrow_morning_before() -> None:
    # Berlin is UTC+1 in January: 07:00 there is 06:00 UTC.
    after_midnight = datetime(2030, 1, 15, 2, 0, tzinfo=UTC)
    before_midnight = datetime(2030, 1, 15, 21, 30, tzinfo=UTC)

    assert quiet_hours_end(after_midnight, BERLIN, *NIGHT) == datetime(2030, 1, 15, 6, tzinfo=UTC)
    assert quiet_hours_end(before_midnight, BERLIN, *NIGHT) == datetime(2030, 1, 16, 6, tzinfo=UTC)


def test_on_the_night_the_clocks_go_forward_the_end_is_an_hour_earlier_in_utc() -> None:
    # 31 March 2030, 02:00 CET → 03:00 CEST: 07:00 that morning is 05:00 UTC, not 06:00.
    evening = datetime(2030, 3, 30, 21, 0, tzinfo=UTC)

    assert quiet_hours_end(evening, BERLIN, *NIGHT) == datetime(2030, 3, 31, 5, tzinfo=UTC)


def test_on_the_night_the_clocks_go_back_the_end_is_an_hour_later_in_utc() -> None:
    evening = datetime(2030, 10, 26, 21, 0, tzinfo=UTC)

    assert quiet_hours_end(evening, BERLIN, *NIGHT) == datetime(2030, 10, 27, 6, tzinfo=UTC)


def test_an_end_in_the_skipped_hour_comes_that_long_after_the_jump() -> None:
    night = datetime(2030, 3, 31, 0, 30, tzinfo=UTC)  # 01:30 CET

    end = quiet_hours_end(night, BERLIN, time(21, 0), time(2, 30))

    assert end == datetime(2030, 3, 31, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert not in_quiet_hours(end.astimezone(ZoneInfo(BERLIN)).time(), time(21, 0), time(2, 30))


def test_an_end_in_the_repeated_hour_is_its_first_occurrence() -> None:
    night = datetime(2030, 10, 26, 23, 0, tzinfo=UTC)  # 01:00 CEST

    end = quiet_hours_end(night, BERLIN, time(21, 0), time(2, 30))

    assert end == datetime(2030, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST, before the fall back


def test_a_message_is_held_only_inside_the_window() -> None:
    inside = datetime(2030, 1, 15, 22, 0, tzinfo=UTC)  # 23:00 in Berlin
    outside = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)

    assert held_until(inside, BERLIN, *NIGHT) == datetime(2030, 1, 16, 6, tzinfo=UTC)
    assert held_until(outside, BERLIN, *NIGHT) is None
    assert held_until(inside, BERLIN, time(0, 0), time(0, 0)) is None


def test_an_unknown_stored_time_zone_is_read_as_utc() -> None:
    now = datetime(2030, 1, 15, 22, 0, tzinfo=UTC)

    assert held_until(now, "Mars/Olympus_Mons", *NIGHT) == datetime(2030, 1, 16, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("22:00-07:30", QuietHours(time(22, 0), time(7, 30))),
        (" 22 – 7.30 ", QuietHours(time(22, 0), time(7, 30))),
        ("13h-15h", QuietHours(time(13, 0), time(15, 0))),
        ("20:00-24:00", QuietHours(time(20, 0), time(0, 0))),
        ("OFF", OFF),
    ],
)
def test_a_typed_window_is_read(text: str, window: QuietHours) -> None:
    assert parse_quiet_hours(text) == window


@pytest.mark.parametrize("text", ["", "22:00", "tonight", "25:00-07:00", "22:00-07:75", "1-2-3"])
def test_an_unreadable_window_is_refused_with_what_was_typed(text: str) -> None:
    with pytest.raises(InvalidQuietHours) as refused:
        parse_quiet_hours(text)

    assert refused.value.message_key == "quiet.error.bad_window"
    assert refused.value.params == {"answer": text.strip()}


async def test_a_new_user_has_the_default_night_and_can_change_it(uow: UnitOfWork) -> None:
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="Ann", telegram_user_id=7, timezone=BERLIN))
        await tx.commit()

    before = await quiet_hours_of(uow, telegram_user_id=7)
    saved = await set_quiet_hours(uow, telegram_user_id=7, answer="22:00-07:30")
    after = await quiet_hours_of(uow, telegram_user_id=7)

    assert (before.window, before.timezone) == (QuietHours(*NIGHT), BERLIN)
    assert saved == after and after.window == QuietHours(time(22, 0), time(7, 30))


async def test_a_bad_window_changes_nothing(uow: UnitOfWork) -> None:
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="Ann", telegram_user_id=7))
        await tx.commit()

    with pytest.raises(InvalidQuietHours):
        await set_quiet_hours(uow, telegram_user_id=7, answer="later")

    assert (await quiet_hours_of(uow, telegram_user_id=7)).window == QuietHours(*NIGHT)


async def test_someone_not_signed_up_has_no_quiet_hours_to_change(uow: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        await set_quiet_hours(uow, telegram_user_id=404, answer="off")
