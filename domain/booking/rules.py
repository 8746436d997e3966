"""What a booking is, and the rules a slot must pass before the database is asked.

Kept apart from the use cases (`domain.booking`, `domain.booking.groups`,
`domain.booking.changes`) so each can check a slot and price a session the same way.

Buffers are checked by a query in the caller's transaction, not by the constraint (which
knows nothing of a coach's buffers). So that two bookings racing for slots closer than the
buffer cannot both pass the check, a coach with buffers has their bookings and moves take
turns: each holds the coach's lock from the check until its commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from domain.booking.availability import AvailabilityRules
from domain.booking.queries.sessions import busy_intervals
from domain.booking.sessions import SessionView
from domain.booking.slots import GRID, Slot, buffer_gap, range_in_utc, within_booking_window
from domain.currencies import CurrencyError, exponent
from domain.errors import DomainError, InvalidInput, SlotTaken
from domain.uow import Transaction

CENT = Decimal("0.01")


class SlotUnavailable(SlotTaken):
    """Someone else took the slot (or it is no longer free); `nearest` are free ones near it."""

    message_key = "booking.error.slot_taken"

    def __init__(self, nearest: list[Slot]) -> None:
        super().__init__("slot taken")
        self.nearest = nearest


class GroupFull(DomainError):
    """The group session at that time has no free place; the family may wait in its line."""

    message_key = "waitlist.full"

    def __init__(self, session_id: uuid.UUID) -> None:
        super().__init__("group session full")
        self.session_id = session_id


class BookingRefused(InvalidInput):
    """A booking the rules do not allow; the message key says which rule."""

    def __init__(self, message_key: str, **params: object) -> None:
        super().__init__(message_key, **params)
        self.message_key = message_key


@dataclass(frozen=True)
class BookingChoice:
    """What the booker picked: whom, for whom, when, how long, which kind of session."""

    coach_id: uuid.UUID
    athlete_id: uuid.UUID
    start: datetime
    length_minutes: int
    session_type: str
    # A pack of the family's to pay the lesson with (domain.booking.packs); None: pay as priced.
    pack_id: uuid.UUID | None = None


@dataclass(frozen=True)
class BookableCoach:
    """What a booking needs of a coach who may be booked: their terms and their rules."""

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    hourly_rate: Decimal | None
    currency: str
    rules: AvailabilityRules


@dataclass(frozen=True)
class Booked:
    """A booking made (or found already made by the same person, after a double tap)."""

    session: SessionView
    needs_acceptance: bool
    joined_group: bool = False
    already_booked: bool = False
    notified: list[uuid.UUID] = field(default_factory=list)
    pack_left: int | None = None  # the sessions left in the pack the lesson was drawn from


def price_for(hourly_rate: Decimal | None, minutes: int, currency: str = "EUR") -> Decimal | None:
    """The coach's hourly rate for this many minutes, to the currency's smallest unit (cents,
    whole yen), so the price can be invoiced as it is; None without a rate."""
    if hourly_rate is None:
        return None
    try:
        step = Decimal(1).scaleb(-exponent(currency))
    except CurrencyError:  # a currency Telegram cannot bill: priced to the cent all the same
        step = CENT
    return (hourly_rate * minutes / 60).quantize(step, rounding=ROUND_HALF_UP)


# However late a session is booked, the payer gets at least this long to pay.
MIN_TIME_TO_PAY = timedelta(hours=1)


def payment_deadline(
    rules: AvailabilityRules, start: datetime, price: Decimal | None, now: datetime
) -> datetime | None:
    """When a confirmed, priced session is released if still unpaid; None if never."""
    if not price or not rules.pay_before_hours:
        return None
    deadline = max(start - timedelta(hours=rules.pay_before_hours), now + MIN_TIME_TO_PAY)
    return min(deadline, start)


def check_slot(rules: AvailabilityRules, start: datetime, minutes: int, now: datetime) -> None:
    """Refuse a start time the coach's hours and booking window do not offer."""
    if start.tzinfo is None:
        raise ValueError("slot start must be timezone-aware")
    if minutes not in rules.session_lengths:
        raise BookingRefused("booking.error.length", minutes=minutes)
    if start <= now:
        raise BookingRefused("booking.error.in_past")
    if not within_booking_window(rules, start, now):
        if start < now + timedelta(minutes=rules.min_notice_minutes):
            hours = round(rules.min_notice_minutes / 60, 1)
            raise BookingRefused("booking.error.too_soon", hours=f"{hours:g}")
        raise BookingRefused("booking.error.too_far", days=rules.horizon_days)
    if not _inside_hours(rules, start, start + timedelta(minutes=minutes)):
        raise BookingRefused("booking.error.outside_hours")


def _inside_hours(rules: AvailabilityRules, start: datetime, end: datetime) -> bool:
    zone = ZoneInfo(rules.timezone)
    local_day = start.astimezone(zone).date()
    # On a fall-back night a late slot may belong to the previous local date's range.
    for day in (local_day, local_day - timedelta(days=1)):
        for time_range in rules.ranges_on(day):
            for window_start, window_end in range_in_utc(zone, day, time_range):
                on_grid = (start - window_start) % GRID == timedelta(0)
                if window_start <= start and end <= window_end and on_grid:
                    return True
    return False


async def check_buffers(
    tx: Transaction,
    rules: AvailabilityRules,
    coach_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    moving: uuid.UUID | None = None,
) -> None:
    """SlotTaken if the slot comes closer to another live session than the coach's buffers
    (`moving`: the session being moved, which cannot be in its own way)."""
    if not (rules.buffer_before or rules.buffer_after):
        return
    await tx.hold_lock(f"buffers:{coach_id}")
    gap = buffer_gap(rules)
    if await busy_intervals(tx, coach_id, start - gap, end + gap, excluding=moving):
        raise SlotTaken("inside a buffer")
