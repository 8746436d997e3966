"""A coach changes their own availability: each setting, its refusals, audit and the slot cache."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.adapters.cache import Cache, RedisKeys
from domain.booking import availability_settings as settings
from domain.booking.availability import AvailabilityRules, InvalidAvailability, TimeRange
from domain.booking.availability_settings import Editing, NoCoachProfile, NotACoach
from domain.booking.slot_cache import SlotCache
from domain.errors import NotAllowed
from domain.models import AuditEntry, Coach, User
from domain.policy import Actor
from domain.uow import UnitOfWork

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_telegram_ids = itertools.count(80_000)


async def person(uow: UnitOfWork, role: str, *, profile: bool = True, zone: str = "UTC") -> Actor:
    """A committed user, with a coach profile if asked, as the policy sees them."""
    async with uow as tx:
        user = tx.users.add(
            User(role=role, first_name="Cora", telegram_user_id=next(_telegram_ids), timezone=zone)
        )
        await tx.flush()
        if profile:
            tx.coaches.add(Coach(user_id=user.id))
            await tx.flush()
        actor = await actor_for_user(tx, user)
        await tx.commit()
    return actor


@pytest.fixture
def cache(services: Services) -> Cache:
    return services.cache


@pytest.fixture
def slots(services: Services) -> SlotCache:
    return services.slots


@pytest.fixture
async def cora(uow: UnitOfWork) -> Actor:
    return await person(uow, "coach", zone="Europe/Madrid")


@pytest.fixture
def as_cora(cora: Actor, slots: SlotCache) -> Editing:
    return Editing(actor=cora, coach_id=cora.coach_id, slots=slots, now=NOW)


async def stored(uow: UnitOfWork, coach_id: uuid.UUID | None) -> dict[str, Any] | None:
    async with uow as tx:
        coach = await tx.session.get(Coach, coach_id)
        return coach.availability if coach else None


async def audited(uow: UnitOfWork) -> list[str]:
    async with uow as tx:
        return list(await tx.session.scalars(select(AuditEntry.action)))


def hours(*texts: str) -> list[TimeRange]:
    return [TimeRange.parse(text) for text in texts]


# --- reading ----------------------------------------------------------------------------------


async def test_rules_never_set_are_read_in_the_coachs_own_time_zone(
    uow: UnitOfWork, cora: Actor
) -> None:
    rules = await settings.rules_of(uow, actor=cora, coach_id=cora.coach_id)
    assert rules.timezone == "Europe/Madrid"
    assert rules.weekly == {} and rules.session_lengths == [60]
    assert (rules.auto_accept, rules.free_cancel_hours) == (False, 24)
    assert await stored(uow, cora.coach_id) is None


# --- weekdays ---------------------------------------------------------------------------------


async def test_a_text_line_sets_a_weekday_saves_it_and_audits_it(
    uow: UnitOfWork, cora: Actor, as_cora: Editing
) -> None:
    rules = await settings.set_line(
        uow, text="/availability mon 21:00-22:00, 16:00-20:00", **as_cora
    )
    assert rules.weekly == {"mon": hours("16:00-20:00", "21:00-22:00")}
    assert rules.timezone == "Europe/Madrid"  # the first save keeps the coach's zone
    assert AvailabilityRules.from_json(await stored(uow, cora.coach_id)) == rules
    assert await audited(uow) == ["availability.weekday"]


async def test_switching_a_weekday_off_and_on_again_restores_its_hours(
    uow: UnitOfWork, as_cora: Editing
) -> None:
    await settings.set_weekday(uow, weekday="wed", ranges=hours("09:00-12:00"), **as_cora)
    closed = await settings.set_weekday_open(uow, weekday="wed", is_open=False, **as_cora)
    assert "wed" not in closed.weekly
    reopened = await settings.set_weekday_open(uow, weekday="wed", is_open=True, **as_cora)
    assert reopened.weekly["wed"] == hours("09:00-12:00")
    again = await settings.set_weekday_open(uow, weekday="wed", is_open=True, **as_cora)
    assert again.weekly["wed"] == hours("09:00-12:00")  # a double tap changes nothing


async def test_a_weekday_that_never_had_hours_is_not_opened_with_made_up_ones(
    uow: UnitOfWork, as_cora: Editing
) -> None:
    rules = await settings.set_weekday_open(uow, weekday="sat", is_open=True, **as_cora)
    assert rules.weekly == {}  # the coach is asked for the hours instead


async def test_a_weekday_is_given_hours_typed_for_it(uow: UnitOfWork, as_cora: Editing) -> None:
    typed = settings.parse_day_hours("9-13, 17:00-20:00", "tue")
    rules = await settings.set_weekday(uow, weekday="tue", ranges=typed, **as_cora)
    assert rules.weekly == {"tue": hours("09:00-13:00", "17:00-20:00")}
    assert settings.parse_day_hours("off", "tue") == []


async def test_closing_a_day_by_text_also_keeps_its_hours_for_later(
    uow: UnitOfWork, as_cora: Editing
) -> None:
    await settings.set_line(uow, text="/availability sun 10-12", **as_cora)
    closed = await settings.set_line(uow, text="/availability sun off", **as_cora)
    assert "sun" not in closed.weekly
    reopened = await settings.set_weekday_open(uow, weekday="sun", is_open=True, **as_cora)
    assert reopened.weekly["sun"] == hours("10:00-12:00")


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("/availability mon 18:00-16:00", "availability.error.bad_range"),
        ("/availability mon 16:00-18:00, 17:00-19:00", "availability.error.overlap"),
        ("/availability mon 25:00-26:00", "availability.error.bad_time"),
        ("/availability someday 10-12", "availability.error.bad_weekday"),
        ("/availability 2026-02-30 off", "availability.error.bad_date"),
    ],
)
async def test_bad_or_overlapping_hours_are_refused_and_change_nothing(
    uow: UnitOfWork, cora: Actor, as_cora: Editing, line: str, key: str
) -> None:
    await settings.set_line(uow, text="/availability mon 09:00-10:00", **as_cora)
    before = await stored(uow, cora.coach_id)
    with pytest.raises(InvalidAvailability) as refused:
        await settings.set_line(uow, text=line, **as_cora)
    assert refused.value.message_key == key
    assert await stored(uow, cora.coach_id) == before
    assert await audited(uow) == ["availability.weekday"]


# --- dates ------------------------------------------------------------------------------------


async def test_a_day_off_extra_hours_and_back_to_the_weekly_hours(
    uow: UnitOfWork, as_cora: Editing
) -> None:
    rules = await settings.set_line(uow, text="/availability 2026-12-24 off", **as_cora)
    assert rules.exceptions == {date(2026, 12, 24): []}
    rules = await settings.set_line(uow, text="/availability off 31.12.2026", **as_cora)
    rules = await settings.set_line(uow, text="/availability 2026-12-27 10:00-12:00", **as_cora)
    assert rules.exceptions == {
        date(2026, 12, 24): [],
        date(2026, 12, 27): hours("10:00-12:00"),
        date(2026, 12, 31): [],
    }
    rules = await settings.set_line(uow, text="/availability 2026-12-27 normal", **as_cora)
    rules = await settings.set_date(uow, day=date(2026, 12, 31), ranges=None, **as_cora)
    assert rules.exceptions == {date(2026, 12, 24): []}


async def test_a_date_that_is_over_where_the_coach_lives_is_refused(
    uow: UnitOfWork, cora: Actor, as_cora: Editing
) -> None:
    # 23:30 UTC on 10 December is already 11 December in Madrid.
    late = {**as_cora, "now": datetime(2026, 12, 10, 23, 30, tzinfo=UTC)}
    with pytest.raises(InvalidAvailability) as refused:
        await settings.set_date(uow, day=date(2026, 12, 10), ranges=[], **late)
    assert refused.value.message_key == "availability.error.past_date"
    assert await stored(uow, cora.coach_id) is None
    rules = await settings.set_date(uow, day=date(2026, 12, 11), ranges=[], **late)
    assert date(2026, 12, 11) in rules.exceptions


async def test_dates_that_are_over_are_dropped_on_the_next_date_change(
    uow: UnitOfWork, as_cora: Editing
) -> None:
    await settings.set_date(uow, day=date(2026, 12, 2), ranges=[], **as_cora)
    later = {**as_cora, "now": NOW + timedelta(days=5)}
    rules = await settings.set_date(uow, day=date(2026, 12, 20), ranges=[], **later)
    assert list(rules.exceptions) == [date(2026, 12, 20)]


# --- session offer ----------------------------------------------------------------------------


async def test_session_lengths_are_offered_and_withdrawn_but_one_always_stays(
    uow: UnitOfWork, as_cora: Editing
) -> None:
    rules = await settings.set_session_length_offered(uow, minutes=90, offered=True, **as_cora)
    assert rules.session_lengths == [60, 90]
    rules = await settings.set_session_length_offered(uow, minutes=60, offered=False, **as_cora)
    assert rules.session_lengths == [90]
    with pytest.raises(InvalidAvailability) as refused:
        await settings.set_session_length_offered(uow, minutes=90, offered=False, **as_cora)
    assert refused.value.message_key == "availability.error.session_length"


async def test_session_types_are_offered_and_withdrawn_but_one_always_stays(
    uow: UnitOfWork, as_cora: Editing
) -> None:
    rules = await settings.set_session_type_offered(uow, kind="group", offered=True, **as_cora)
    assert rules.session_types == ["group", "individual"]
    rules = await settings.set_session_type_offered(
        uow, kind="individual", offered=False, **as_cora
    )
    with pytest.raises(InvalidAvailability) as refused:
        await settings.set_session_type_offered(uow, kind="group", offered=False, **as_cora)
    assert refused.value.message_key == "availability.error.session_types"
    with pytest.raises(InvalidAvailability):
        await settings.set_session_type_offered(uow, kind="yoga", offered=True, **as_cora)  # type: ignore[arg-type]
    assert (
        await settings.rules_of(uow, actor=as_cora["actor"], coach_id=as_cora["coach_id"])
    ) == rules


async def test_every_other_setting_is_saved_and_audited(
    uow: UnitOfWork, cora: Actor, as_cora: Editing
) -> None:
    await settings.set_buffers(uow, before=5, after=15, **as_cora)
    await settings.set_min_notice(uow, minutes=24 * 60, **as_cora)
    await settings.set_horizon(uow, days=60, **as_cora)
    await settings.set_group_capacity(uow, capacity=10, **as_cora)
    await settings.set_auto_accept(uow, on=True, **as_cora)
    await settings.set_free_cancel_hours(uow, hours=48, **as_cora)
    url = "https://meet.example.com/cora"
    await settings.set_location(uow, location="online", meeting_url=url, **as_cora)
    await settings.set_timezone(uow, timezone="America/New_York", **as_cora)
    rules = AvailabilityRules.from_json(await stored(uow, cora.coach_id))
    assert (rules.buffer_before, rules.buffer_after, rules.min_notice_minutes) == (5, 15, 1440)
    assert (rules.horizon_days, rules.group_capacity) == (60, 10)
    assert (rules.auto_accept, rules.free_cancel_hours) == (True, 48)
    assert (rules.location, rules.meeting_url) == ("online", url)
    assert rules.timezone == "America/New_York"
    assert await audited(uow) == [
        f"availability.{what}"
        for what in (
            "buffers",
            "min_notice",
            "horizon",
            "group_capacity",
            "auto_accept",
            "free_cancel_hours",
            "location",
            "timezone",
        )
    ]


@pytest.mark.parametrize(
    ("change", "values", "key"),
    [
        (settings.set_horizon, {"days": 0}, "availability.error.horizon"),
        (settings.set_horizon, {"days": 366}, "availability.error.horizon"),
        (settings.set_group_capacity, {"capacity": 51}, "availability.error.group_capacity"),
        (settings.set_free_cancel_hours, {"hours": 169}, "availability.error.free_cancel_hours"),
        (settings.set_buffers, {"before": 0, "after": 121}, "availability.error.buffer"),
        (settings.set_min_notice, {"minutes": 31 * 24 * 60}, "availability.error.min_notice"),
        (
            settings.set_location,
            {"location": "online", "meeting_url": None},
            "availability.error.meeting_url",
        ),
        (settings.set_timezone, {"timezone": "Mars/Base"}, "availability.error.bad_timezone"),
    ],
)
async def test_values_out_of_bounds_are_refused_and_change_nothing(
    uow: UnitOfWork, cora: Actor, as_cora: Editing, change: Any, values: dict[str, Any], key: str
) -> None:
    with pytest.raises(InvalidAvailability) as refused:
        await change(uow, **values, **as_cora)
    assert refused.value.message_key == key
    assert await stored(uow, cora.coach_id) is None
    assert await audited(uow) == []


# --- who may ----------------------------------------------------------------------------------


async def test_someone_who_is_not_a_coach_is_refused(
    uow: UnitOfWork, slots: SlotCache, cora: Actor
) -> None:
    ari = await person(uow, "athlete")
    as_ari = Editing(actor=ari, coach_id=cora.coach_id, slots=slots)
    with pytest.raises(NotACoach):
        await settings.set_line(uow, text="/availability mon 10-12", **as_ari)
    with pytest.raises(NotACoach):
        await settings.rules_of(uow, actor=ari, coach_id=None)
    assert await stored(uow, cora.coach_id) is None


async def test_a_coach_without_a_profile_is_asked_to_set_one_up(
    uow: UnitOfWork, slots: SlotCache
) -> None:
    newcomer = await person(uow, "coach", profile=False)
    with pytest.raises(NoCoachProfile) as refused:
        await settings.set_weekday(
            uow,
            weekday="mon",
            ranges=hours("10:00-12:00"),
            actor=newcomer,
            coach_id=newcomer.coach_id,
            slots=slots,
        )
    assert refused.value.message_key == "availability.no_profile"


async def test_another_coachs_id_in_forged_data_is_refused(
    uow: UnitOfWork, cora: Actor, slots: SlotCache
) -> None:
    other = await person(uow, "coach")
    await settings.set_weekday(
        uow,
        weekday="mon",
        ranges=hours("10:00-12:00"),
        actor=other,
        coach_id=other.coach_id,
        slots=slots,
    )
    before = await stored(uow, other.coach_id)
    forged = Editing(actor=cora, coach_id=other.coach_id, slots=slots)
    with pytest.raises(NotAllowed):
        await settings.set_weekday_open(uow, weekday="mon", is_open=False, **forged)
    with pytest.raises(NotAllowed):
        await settings.rules_of(uow, actor=cora, coach_id=other.coach_id)
    with pytest.raises(NotAllowed):
        await settings.set_auto_accept(uow, on=True, **{**forged, "coach_id": uuid.uuid4()})
    assert await stored(uow, other.coach_id) == before


async def test_two_changes_at_once_both_stick(
    uow: UnitOfWork, cora: Actor, as_cora: Editing
) -> None:
    await asyncio.gather(
        *(
            settings.set_weekday(uow, weekday=day, ranges=hours("10:00-12:00"), **as_cora)
            for day in ("mon", "tue", "wed", "thu", "fri")
        )
    )
    rules = AvailabilityRules.from_json(await stored(uow, cora.coach_id))
    assert list(rules.weekly) == ["mon", "tue", "wed", "thu", "fri"]


# --- the slot cache ---------------------------------------------------------------------------


async def test_a_change_drops_the_cached_free_slots_of_the_coach(
    uow: UnitOfWork, cora: Actor, as_cora: Editing, cache: Cache, keys: RedisKeys
) -> None:
    assert cora.coach_id is not None
    days = [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 25)]
    for day in days:
        await cache.set_json(keys.availability(cora.coach_id, day), {"slots": {}}, 60)
    await settings.set_weekday(uow, weekday="tue", ranges=hours("10:00-12:00"), **as_cora)
    assert [await cache.get_json(keys.availability(cora.coach_id, day)) for day in days] == [
        None,
        None,
        None,
    ]


async def test_a_shorter_horizon_also_drops_the_dates_it_no_longer_reaches(
    uow: UnitOfWork, cora: Actor, as_cora: Editing, cache: Cache, keys: RedisKeys
) -> None:
    assert cora.coach_id is not None
    far = keys.availability(cora.coach_id, date(2026, 12, 25))
    await cache.set_json(far, {"slots": {}}, 60)
    await settings.set_horizon(uow, days=7, **as_cora)
    assert await cache.get_json(far) is None
