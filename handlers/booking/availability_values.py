"""What a coach types after an /availability button: each value read, then saved.

Each reader parses the text and makes one domain call; a refusal is the domain's
`InvalidAvailability`, which the flow turns into a polite reply and asks again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from domain.booking import availability_settings as settings
from domain.booking.availability import AvailabilityRules, Weekday
from domain.booking.availability_settings import Editing
from domain.uow import UnitOfWork

Reader = Callable[[UnitOfWork, str, Editing], Awaitable[AvailabilityRules]]


async def _read_buffers(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    before, after = settings.parse_buffers(text)
    return await settings.set_buffers(uow, before=before, after=after, **editing)


async def _read_notice(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    minutes = settings.parse_duration(
        text, message_key="availability.error.min_notice", bare_unit_minutes=60
    )
    return await settings.set_min_notice(uow, minutes=minutes, **editing)


async def _read_horizon(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    days = settings.parse_count(text, message_key="availability.error.horizon")
    return await settings.set_horizon(uow, days=days, **editing)


async def _read_capacity(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    capacity = settings.parse_count(text, message_key="availability.error.group_capacity")
    return await settings.set_group_capacity(uow, capacity=capacity, **editing)


async def _read_pay_before(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    hours = settings.parse_count(text, message_key="availability.error.pay_before_hours")
    return await settings.set_pay_before_hours(uow, hours=hours, **editing)


async def _read_cancel_hours(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    hours = settings.parse_count(text, message_key="availability.error.free_cancel_hours")
    return await settings.set_free_cancel_hours(uow, hours=hours, **editing)


async def _read_location(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    location, meeting_url = settings.parse_location(text)
    return await settings.set_location(uow, location=location, meeting_url=meeting_url, **editing)


async def _read_date(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    return await settings.set_line(uow, text=text, **editing)


def hours_reader(weekday: Weekday) -> Reader:
    """The reader of one weekday's hours, typed after tapping the day."""

    async def read_hours(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
        ranges = settings.parse_day_hours(text, weekday)
        return await settings.set_weekday(uow, weekday=weekday, ranges=ranges, **editing)

    return read_hours


async def _read_timezone(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    return await settings.set_timezone(uow, timezone=settings.parse_zone(text), **editing)


# The typed value each settings page waits for, by page name (availability_render.PAGES).
READERS: dict[str, Reader] = {
    "buffers": _read_buffers,
    "notice": _read_notice,
    "horizon": _read_horizon,
    "capacity": _read_capacity,
    "cancel": _read_cancel_hours,
    "pay": _read_pay_before,
    "location": _read_location,
    "dates": _read_date,
    "tz": _read_timezone,
}
