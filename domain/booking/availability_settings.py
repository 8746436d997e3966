"""A coach changes their own availability: one function per setting, each one transaction.

Every change locks the coach row (two presses at once apply one after the other), is allowed by
domain.policy, audited, and after its commit drops the coach's cached free slots. What a coach
types is read by `domain.booking.availability_input`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, NotRequired, TypedDict, TypeVar, Unpack
from zoneinfo import ZoneInfo

from domain import policy
from domain.booking.availability import (
    AvailabilityRules,
    InvalidAvailability,
    SessionType,
    TimeRange,
    Weekday,
)
from domain.booking.availability_input import WeekdayHours, parse_line

# Re-exported: the handler reads a typed value and saves it through this module.
from domain.booking.availability_input import parse_buffers as parse_buffers
from domain.booking.availability_input import parse_count as parse_count
from domain.booking.availability_input import parse_day_hours as parse_day_hours
from domain.booking.availability_input import parse_duration as parse_duration
from domain.booking.availability_input import parse_location as parse_location
from domain.booking.availability_input import parse_zone as parse_zone
from domain.booking.slot_cache import SlotCache
from domain.coaching import verification as coaching
from domain.errors import NotFound
from domain.models import Coach, Role
from domain.policy import Action, Actor, CoachTarget
from domain.uow import Transaction, UnitOfWork

Change = Callable[[AvailabilityRules], AvailabilityRules]
T = TypeVar("T")


class NotACoach(coaching.NotACoach):
    """Only coaches have availability."""

    message_key = "availability.not_a_coach"


class NoCoachProfile(NotFound):
    """A coach who has not saved a profile yet has nowhere to keep availability."""

    message_key = "availability.no_profile"


class Editing(TypedDict):
    """Who changes whose availability, and the slot cache to clear once it is saved."""

    actor: Actor
    coach_id: uuid.UUID | None  # None for someone without a coach profile
    slots: SlotCache
    now: NotRequired[datetime]


async def rules_of(
    uow: UnitOfWork, *, actor: Actor, coach_id: uuid.UUID | None
) -> AvailabilityRules:
    """The coach's current rules, as the coach sees them to change them."""
    async with uow as tx:
        coach = await _own_coach(tx, actor, coach_id)
        return await _current(tx, coach)


async def set_line(uow: UnitOfWork, *, text: str, **editing: Unpack[Editing]) -> AvailabilityRules:
    """Apply one line of the text form ("mon 16:00-20:00", "2026-12-24 off"), read untrusted."""
    # Someone who may not change these rules hears that, not what was wrong with the line.
    _require_own(editing["actor"], editing["coach_id"])
    line = parse_line(text)
    if isinstance(line, WeekdayHours):
        return await set_weekday(uow, weekday=line.weekday, ranges=line.ranges, **editing)
    return await set_date(uow, day=line.day, ranges=line.ranges, **editing)


async def set_weekday(
    uow: UnitOfWork, *, weekday: Weekday, ranges: Iterable[TimeRange], **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Replace a weekday's ranges; none closes the day (its hours are kept for reopening)."""
    listed = list(ranges)
    details = {"weekday": weekday, "ranges": [str(r) for r in listed]}
    return await _change(
        uow, lambda rules: rules.with_weekday(weekday, listed), "weekday", details, editing
    )


async def set_weekday_open(
    uow: UnitOfWork, *, weekday: Weekday, is_open: bool, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Switch a weekday off, or on again with its last hours; one that never had hours stays
    closed (its hours are asked, not made up)."""

    def switched(rules: AvailabilityRules) -> AvailabilityRules:
        if is_open:
            return rules.with_weekday_reopened(weekday)
        return rules.with_weekday(weekday, [])

    details = {"weekday": weekday, "open": is_open}
    return await _change(uow, switched, "weekday", details, editing)


async def set_date(
    uow: UnitOfWork,
    *,
    day: date,
    ranges: Iterable[TimeRange] | None,
    **editing: Unpack[Editing],
) -> AvailabilityRules:
    """Give a date its own ranges ([] is a day off), or None to follow its weekday again."""
    listed = None if ranges is None else list(ranges)
    now = editing.get("now") or datetime.now(UTC)

    def dated(rules: AvailabilityRules) -> AvailabilityRules:
        today = now.astimezone(ZoneInfo(rules.timezone)).date()
        if day < today:
            raise InvalidAvailability("availability.error.past_date", date=day.isoformat())
        return rules.with_date(day, listed).without_dates_before(today)

    details = {
        "date": day.isoformat(),
        "ranges": None if listed is None else [str(r) for r in listed],
    }
    return await _change(uow, dated, "date", details, editing)


async def set_session_length_offered(
    uow: UnitOfWork, *, minutes: int, offered: bool, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Offer a session length, or stop offering it (one must remain)."""

    def toggled(rules: AvailabilityRules) -> AvailabilityRules:
        return rules.changed(session_lengths=_with(rules.session_lengths, minutes, offered))

    details = {"minutes": minutes, "offered": offered}
    return await _change(uow, toggled, "session_length", details, editing)


async def set_session_type_offered(
    uow: UnitOfWork, *, kind: SessionType, offered: bool, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Offer a session type (individual, group, assessment, online), or stop (one must remain)."""

    def toggled(rules: AvailabilityRules) -> AvailabilityRules:
        return rules.changed(session_types=_with(rules.session_types, kind, offered))

    details = {"kind": kind, "offered": offered}
    return await _change(uow, toggled, "session_type", details, editing)


async def set_buffers(
    uow: UnitOfWork, *, before: int, after: int, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Minutes kept free before and after every session."""
    fields = {"buffer_before": before, "buffer_after": after}
    return await _set(uow, "buffers", fields, editing)


async def set_min_notice(
    uow: UnitOfWork, *, minutes: int, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """How long before a session it can still be booked."""
    return await _set(uow, "min_notice", {"min_notice_minutes": minutes}, editing)


async def set_horizon(
    uow: UnitOfWork, *, days: int, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """How many days ahead athletes can book."""
    return await _set(uow, "horizon", {"horizon_days": days}, editing)


async def set_pay_before_hours(
    uow: UnitOfWork, *, hours: int, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """How long before a session an unpaid one is released (0: never)."""
    return await _set(uow, "pay_before", {"pay_before_hours": hours}, editing)


async def set_location(
    uow: UnitOfWork, *, location: str, meeting_url: str | None, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Where sessions happen: a place, or "online" with its meeting link."""
    fields = {"location": location, "meeting_url": meeting_url}
    return await _set(uow, "location", fields, editing)


async def set_group_capacity(
    uow: UnitOfWork, *, capacity: int, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """How many athletes one group session takes."""
    return await _set(uow, "group_capacity", {"group_capacity": capacity}, editing)


async def set_auto_accept(
    uow: UnitOfWork, *, on: bool, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Whether bookings are confirmed without the coach pressing Accept."""
    return await _set(uow, "auto_accept", {"auto_accept": on}, editing)


async def set_free_cancel_hours(
    uow: UnitOfWork, *, hours: int, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """Until how many hours before the start athletes may cancel or move a session for free."""
    return await _set(uow, "free_cancel_hours", {"free_cancel_hours": hours}, editing)


async def set_timezone(
    uow: UnitOfWork, *, timezone: str, **editing: Unpack[Editing]
) -> AvailabilityRules:
    """The zone the coach's hours are read in ("Mondays 16:00" stays 16:00 there)."""
    return await _set(uow, "timezone", {"timezone": timezone}, editing)


# --- one change, one transaction --------------------------------------------------------------


async def _set(
    uow: UnitOfWork, what: str, fields: dict[str, Any], editing: Editing
) -> AvailabilityRules:
    return await _change(uow, lambda rules: rules.changed(**fields), what, fields, editing)


async def _change(
    uow: UnitOfWork, change: Change, what: str, details: dict[str, Any], editing: Editing
) -> AvailabilityRules:
    actor, now = editing["actor"], editing.get("now") or datetime.now(UTC)
    async with uow as tx:
        coach = await _own_coach(tx, actor, editing["coach_id"], lock=True)
        before = await _current(tx, coach)
        after = change(before)
        coach.availability = after.to_json()
        tx.audit.record(
            actor_id=actor.user_id,
            action=f"availability.{what}",
            entity="coach",
            entity_id=coach.id,
            details=details,
        )
        await tx.commit()
    await _forget_slots(editing, coach.id, before, after, now)
    return after


async def _own_coach(
    tx: Transaction, actor: Actor, coach_id: uuid.UUID | None, *, lock: bool = False
) -> Coach:
    coach_id = _require_own(actor, coach_id)
    # The row lock serialises two changes of one coach, so neither overwrites the other.
    coach = await tx.session.get(Coach, coach_id, with_for_update=lock)
    if coach is None:
        raise NoCoachProfile("coach profile gone")
    return coach


def _require_own(actor: Actor, coach_id: uuid.UUID | None) -> uuid.UUID:
    if actor.role != Role.COACH:
        raise NotACoach("only coaches have availability")
    if coach_id is None:
        raise NoCoachProfile("no coach profile yet")
    policy.require(actor, Action.MANAGE_AVAILABILITY, CoachTarget(coach_id))
    return coach_id


async def _current(tx: Transaction, coach: Coach) -> AvailabilityRules:
    if coach.availability is not None:
        return AvailabilityRules.from_json(coach.availability)
    # Never set: the coach's hours are read in the zone the coach lives in.
    user = await tx.users.get(coach.user_id) if coach.user_id else None
    try:
        return AvailabilityRules.parse({"timezone": user.timezone if user else "UTC"})
    except InvalidAvailability:
        return AvailabilityRules()


async def _forget_slots(
    editing: Editing,
    coach_id: uuid.UUID,
    before: AvailabilityRules,
    after: AvailabilityRules,
    now: datetime,
) -> None:
    await editing["slots"].forget_coach(coach_id, after, now)
    # A shorter horizon or another zone leaves cached dates the new rules no longer reach.
    if (before.timezone, before.horizon_days) != (after.timezone, after.horizon_days):
        await editing["slots"].forget_coach(coach_id, before, now)


def _with(values: list[T], value: T, present: bool) -> list[T]:
    kept = [v for v in values if v != value]
    return [*kept, value] if present else kept
