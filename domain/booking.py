"""Booking a session with a coach: one use case, one transaction, the database has the last word.

The service checks what it can see (the coach is verified, the actor may book for the athlete,
the slot lies inside the coach's hours and booking window, buffers), then inserts. Whether the
time is still free is decided by the no-overlap exclusion constraint at the INSERT: however many
bot processes race for one slot, one row wins and every other booking gets `SlotUnavailable`
with the nearest free slots to offer instead.

Buffers are checked by a query in the same transaction, not by the constraint: two bookings
racing for adjacent slots closer than the buffer can both succeed. They never overlap, and the
coach sees both; closing that gap would mean storing padded ranges in the constraint.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select, update

from domain.availability import AvailabilityRules
from domain.coaching import is_bookable
from domain.errors import DomainError, InvalidInput, NotFound, SlotTaken
from domain.models import Athlete, AuditEntry, Coach, SessionParticipant, TrainingSession, User
from domain.policy import Action, Actor, AthleteTarget, require
from domain.session_notices import (
    COACH,
    FAMILY,
    Notice,
    buttons,
    calendar_file,
    enqueue_params,
    enqueue_statement,
    payload,
    reminder_notices,
    tell,
)
from domain.sessions import (
    CANCELLED,
    GROUP,
    REQUESTED,
    SCHEDULED,
    SessionView,
    full_name,
    load_session,
)
from domain.short_ids import short_id
from domain.slot_lookup import SlotCache
from domain.slots import GRID, Slot, range_in_utc, within_booking_window
from domain.uow import UnitOfWork

CENT = Decimal("0.01")
NEAREST_COUNT = 3
# How far around a taken slot to look for others to offer.
NEAREST_DAYS = 7


class SlotUnavailable(SlotTaken):
    """Someone else took the slot (or it is no longer free); `nearest` are free ones near it."""

    message_key = "booking.error.slot_taken"

    def __init__(self, nearest: list[Slot]) -> None:
        super().__init__("slot taken")
        self.nearest = nearest


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


@dataclass(frozen=True)
class Booked:
    """A booking made (or found already made by the same person, after a double tap)."""

    session: SessionView
    needs_acceptance: bool
    joined_group: bool = False
    already_booked: bool = False
    notified: list[uuid.UUID] = field(default_factory=list)


def price_for(hourly_rate: Decimal | None, minutes: int) -> Decimal | None:
    """The coach's hourly rate for this many minutes, to the cent; None without a rate."""
    if hourly_rate is None:
        return None
    return (hourly_rate * minutes / 60).quantize(CENT, rounding=ROUND_HALF_UP)


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


async def book(
    uow: UnitOfWork, *, actor: Actor, choice: BookingChoice, now: datetime, slots: SlotCache
) -> Booked:
    """Book the chosen slot; SlotUnavailable (with nearby free slots) if it is taken."""
    try:
        async with uow:
            booked = await _book(uow, actor, choice, now)
            await uow.commit()
    except SlotTaken:
        again = await _same_booking(uow, actor, choice)
        if again is not None:
            return again
        nearest = await nearest_free_slots(
            slots,
            coach_id=choice.coach_id,
            around=choice.start,
            length_minutes=choice.length_minutes,
            now=now,
        )
        raise SlotUnavailable(nearest) from None
    await slots.forget_session(
        choice.coach_id, booked.session.coach_timezone, booked.session.start, booked.session.end
    )
    return booked


async def _book(uow: UnitOfWork, actor: Actor, choice: BookingChoice, now: datetime) -> Booked:
    require(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(choice.athlete_id))
    coach, coach_user, athlete_name = await _parties(uow, choice)
    rules = AvailabilityRules.from_json(coach.availability)
    if choice.session_type not in rules.session_types:
        raise BookingRefused("booking.error.session_type", session_type=choice.session_type)
    check_slot(rules, choice.start, choice.length_minutes, now)
    start, end = choice.start, choice.start + timedelta(minutes=choice.length_minutes)
    if choice.session_type == GROUP:
        return await _book_group(uow, actor, choice, coach, rules, start, end, now)
    await _check_buffers(uow, rules, coach.id, start, end)
    price = price_for(coach.hourly_rate, choice.length_minutes)
    status = SCHEDULED if rules.auto_accept else REQUESTED
    view = SessionView(
        id=uuid.uuid4(),
        coach_id=coach.id,
        coach_name=full_name(coach_user),
        athlete_names=(athlete_name,),
        session_type=choice.session_type,
        status=status,
        start=start,
        end=end,
        price=price,
        currency=coach.currency,
        payment_status="pending" if price else "not_required",
        location=rules.location,
        meeting_url=rules.meeting_url,
        capacity=1,
        participant_count=1,
        rating=None,
        coach_notes=None,
        athlete_feedback=None,
        coach_timezone=rules.timezone,
        sequence=0,
    )
    row = {
        "coach_id": coach.id,
        "athlete_id": choice.athlete_id,
        "session_type": view.session_type,
        "status": view.status,
        "start_time": start,
        "end_time": end,
        "location": {"text": rules.location, "url": rules.meeting_url},
        "price": price,
        "payment_status": view.payment_status,
        "booked_by": actor.user_id,
        "capacity": 1,
        "participant_count": 1,
        "sequence": 0,
    }
    # One statement writes the session, its audit entry and every notice: the booking costs
    # one round trip besides the reads, and the no-overlap constraint fails it as a whole.
    params = enqueue_params(
        view,
        booking_notices(view, now=now),
        coach_user_id=coach_user.id,
        athlete_ids=[choice.athlete_id],
        now=now,
    )
    params |= _prefixed("s", {"id": view.id, **row, "created_at": now, "updated_at": now})
    params |= _prefixed("a", {"id": uuid.uuid4(), **_audit_values(actor, view), "at": now})
    recipients = (await uow.session.scalars(_BOOK, params)).all()
    notified = list(dict.fromkeys(recipients))
    return Booked(view, view.status == REQUESTED, notified=notified)


def booking_notices(view: SessionView, *, now: datetime, joined: bool = False) -> list[Notice]:
    """What a new booking tells the coach and the athletes' side (and, confirmed, reminders)."""
    facts = payload(view)
    if view.status == REQUESTED:
        sid = short_id(view.id)
        decide = buttons(
            [("session.button.accept", "acc", sid), ("session.button.decline", "dec", sid)]
        )
        return [
            Notice((COACH,), "booking_request", {**facts, "buttons": decide}),
            Notice((FAMILY,), "booking_requested", facts),
        ]
    document = calendar_file(view, now=now)
    coach_kind = "group_joined" if joined else "booking_new"
    return [
        Notice((COACH,), coach_kind, {**facts, "document": document}),
        Notice((FAMILY,), "booking_confirmed", {**facts, "document": document}),
        *reminder_notices(view, now=now),
    ]


_SESSION_COLUMNS = (
    "id",
    "coach_id",
    "athlete_id",
    "session_type",
    "status",
    "start_time",
    "end_time",
    "location",
    "price",
    "payment_status",
    "booked_by",
    "capacity",
    "participant_count",
    "sequence",
    "created_at",
    "updated_at",
)
_AUDIT_COLUMNS = ("id", "actor_id", "action", "entity", "entity_id", "details", "at")


def _bound(model: type[TrainingSession] | type[AuditEntry], prefix: str, names: tuple[str, ...]):
    table = model.__table__
    return {name: bindparam(f"{prefix}_{name}", type_=table.c[name].type) for name in names}


def _prefixed(prefix: str, values: dict[str, object]) -> dict[str, object]:
    return {f"{prefix}_{name}": value for name, value in values.items()}


# The enqueue statement with the session and its audit entry as data-modifying CTEs: one
# statement, built and compiled once (Python-side column defaults do not apply in a CTE,
# so every column is given).
_BOOK = enqueue_statement().add_cte(
    insert(TrainingSession.__table__)
    .values(_bound(TrainingSession, "s", _SESSION_COLUMNS))
    .cte("booked"),
    insert(AuditEntry.__table__).values(_bound(AuditEntry, "a", _AUDIT_COLUMNS)).cte("audited"),
)


def _audit_values(actor: Actor, view: SessionView, **details: object) -> dict[str, object]:
    return {
        "actor_id": actor.user_id,
        "action": "session.booked",
        "entity": "training_session",
        "entity_id": view.id,
        "details": {"status": view.status, **details},
    }


async def _parties(uow: UnitOfWork, choice: BookingChoice) -> tuple[Coach, User, str]:
    """The bookable coach, their user and the athlete's first name, in one query."""
    athlete_name = (
        select(User.first_name)
        .join(Athlete, Athlete.user_id == User.id)
        .where(Athlete.id == choice.athlete_id)
        .scalar_subquery()
    )
    row = (
        await uow.session.execute(
            select(Coach, User, athlete_name)
            .join(User, User.id == Coach.user_id)
            .where(Coach.id == choice.coach_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"coach {choice.coach_id}")
    coach, user, name = row
    if not is_bookable(coach, user):
        raise BookingRefused("booking.error.coach_unavailable")
    if name is None:
        raise NotFound(f"athlete {choice.athlete_id}")
    return coach, user, name


async def _book_group(
    uow: UnitOfWork,
    actor: Actor,
    choice: BookingChoice,
    coach: Coach,
    rules: AvailabilityRules,
    start: datetime,
    end: datetime,
    now: datetime,
) -> Booked:
    """Join the coach's group session at exactly this time, or open one."""
    joined = await _join_group(uow, actor, choice, start, end)
    session_id = joined
    if session_id is None:
        await _check_buffers(uow, rules, coach.id, start, end)
        price = price_for(coach.hourly_rate, choice.length_minutes)
        session = uow.sessions.add(
            TrainingSession(
                id=uuid.uuid4(),
                coach_id=coach.id,
                athlete_id=None,
                session_type=GROUP,
                status=SCHEDULED if rules.auto_accept else REQUESTED,
                start_time=start,
                end_time=end,
                location={"text": rules.location, "url": rules.meeting_url},
                price=price,
                payment_status="pending" if price else "not_required",
                booked_by=actor.user_id,
                capacity=rules.group_capacity,
                participant_count=1,
                sequence=0,
            )
        )
        await uow.flush()  # the no-overlap constraint speaks here: SlotTaken
        uow.session.add(
            SessionParticipant(
                session_id=session.id, athlete_id=choice.athlete_id, booked_by=actor.user_id
            )
        )
        await uow.flush()
        session_id = session.id
    loaded = await load_session(uow, session_id)
    view = loaded.view()
    # The coach and the newcomer's family hear about it; the other families already know.
    notified = await tell(
        uow,
        loaded,
        booking_notices(view, now=now, joined=joined is not None),
        now=now,
        tag=short_id(choice.athlete_id),
        athletes=[choice.athlete_id],
    )
    uow.audit.record(**_audit_values(actor, view, joined_group=joined is not None))
    return Booked(
        view, view.status == REQUESTED, joined_group=joined is not None, notified=notified
    )


async def _check_buffers(
    uow: UnitOfWork, rules: AvailabilityRules, coach_id: uuid.UUID, start: datetime, end: datetime
) -> None:
    if not (rules.buffer_before or rules.buffer_after):
        return
    padded_start = start - timedelta(minutes=rules.buffer_after)
    padded_end = end + timedelta(minutes=rules.buffer_before)
    if await uow.sessions.busy_intervals(coach_id, padded_start, padded_end):
        raise SlotTaken("inside a buffer")


async def _join_group(
    uow: UnitOfWork, actor: Actor, choice: BookingChoice, start: datetime, end: datetime
) -> uuid.UUID | None:
    """Take a place in the coach's live group session at exactly this time, if it has room."""
    existing = await uow.session.scalar(
        select(TrainingSession.id).where(
            TrainingSession.coach_id == choice.coach_id,
            TrainingSession.session_type == GROUP,
            TrainingSession.status != CANCELLED,
            TrainingSession.start_time == start,
            TrainingSession.end_time == end,
        )
    )
    if existing is None:
        return None
    # The check constraint (participant_count <= capacity) is the last word; the WHERE makes
    # a full session a clean "no row" instead of an error.
    taken = await uow.session.scalar(
        update(TrainingSession)
        .where(
            TrainingSession.id == existing,
            TrainingSession.participant_count < TrainingSession.capacity,
        )
        .values(participant_count=TrainingSession.participant_count + 1)
        .returning(TrainingSession.id)
    )
    if taken is None:
        raise SlotTaken("group session full")
    uow.session.add(
        SessionParticipant(
            session_id=existing, athlete_id=choice.athlete_id, booked_by=actor.user_id
        )
    )
    await uow.flush()  # AlreadyExists when this athlete is already in
    return existing


async def _same_booking(uow: UnitOfWork, actor: Actor, choice: BookingChoice) -> Booked | None:
    """The live booking this actor already holds for exactly this choice (a double tap)."""
    async with uow:
        end = choice.start + timedelta(minutes=choice.length_minutes)
        query = select(TrainingSession.id).where(
            TrainingSession.coach_id == choice.coach_id,
            TrainingSession.start_time == choice.start,
            TrainingSession.end_time == end,
            TrainingSession.status != CANCELLED,
        )
        session_id = await uow.session.scalar(query)
        if session_id is None:
            return None
        loaded = await load_session(uow, session_id)
        if choice.athlete_id not in loaded.athlete_ids or not loaded.athletes_of(actor):
            return None
        return Booked(
            loaded.view(),
            loaded.session.status == REQUESTED,
            joined_group=loaded.session.session_type == GROUP,
            already_booked=True,
        )


async def nearest_free_slots(
    slots: SlotCache,
    *,
    coach_id: uuid.UUID,
    around: datetime,
    length_minutes: int,
    now: datetime,
    count: int = NEAREST_COUNT,
) -> list[Slot]:
    """Up to `count` bookable slots closest in time to `around`, within a week either side."""
    try:
        timezone = await slots.timezone_of(coach_id)
    except (NotFound, DomainError):
        return []
    day = around.astimezone(ZoneInfo(timezone)).date()
    first = max(day - timedelta(days=NEAREST_DAYS), now.astimezone(ZoneInfo(timezone)).date())
    await slots.forget_days(coach_id, [day])  # whatever the cache says, this day just changed
    by_day = await slots.slots_over(
        coach_id=coach_id,
        first_day=first,
        days=(day - first).days + NEAREST_DAYS + 1,
        length_minutes=length_minutes,
        now=now,
    )
    candidates = [slot for day_slots in by_day.values() for slot in day_slots]
    candidates.sort(key=lambda slot: abs((slot.start - around).total_seconds()))
    return sorted(candidates[:count])
