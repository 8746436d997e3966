"""Booking a session with a coach: one use case, one transaction, the database has the last word.

The service checks what it can see (the coach is verified, the actor may book for the athlete,
the slot lies inside the coach's hours and booking window, buffers), then inserts. Whether the
time is still free is decided by the no-overlap exclusion constraint at the INSERT: however many
bot processes race for one slot, one row wins and every other booking gets `SlotUnavailable`
with the nearest free slots to offer instead.

Group sessions take another path (`domain.booking.groups`); the rules every slot must pass
live in `domain.booking.rules`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Text, bindparam, cast, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from domain.booking.availability import AvailabilityRules
from domain.booking.groups import book_group
from domain.booking.notice_queue import enqueue_params, enqueue_statement
from domain.booking.notices import booking_notices
from domain.booking.payment_notices import payment_notices
from domain.booking.rules import (
    BookableCoach,
    Booked,
    BookingChoice,
    BookingRefused,
    SlotUnavailable,
    check_buffers,
    check_slot,
    payment_deadline,
    price_for,
)
from domain.booking.sessions import GROUP, SessionView, full_name, load_session
from domain.booking.slot_cache import SlotCache
from domain.coaching.verification import is_bookable
from domain.errors import NotFound, SlotTaken
from domain.models import (
    Athlete,
    AuditEntry,
    Coach,
    SessionPaymentStatus,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.policy import Action, Actor, AthleteTarget, require
from domain.uow import Transaction, UnitOfWork

__all__ = [
    "Booked",
    "BookingChoice",
    "BookingRefused",
    "SlotUnavailable",
    "book",
    "check_slot",
    "price_for",
]


async def book(
    uow: UnitOfWork, *, actor: Actor, choice: BookingChoice, now: datetime, slots: SlotCache
) -> Booked:
    """Book the chosen slot; SlotUnavailable (with nearby free slots) if it is taken."""
    try:
        async with uow as tx:
            booked = await _book(tx, actor, choice, now)
            await tx.commit()
    except SlotTaken:
        again = await _same_booking(uow, actor, choice)
        if again is not None:
            return again
        nearest = await slots.nearest(
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


async def _book(tx: Transaction, actor: Actor, choice: BookingChoice, now: datetime) -> Booked:
    require(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(choice.athlete_id))
    connection = await tx.connection()
    coach, athlete_name = await _parties(connection, choice)
    rules = coach.rules
    if choice.session_type not in rules.session_types:
        raise BookingRefused("booking.error.session_type", session_type=choice.session_type)
    check_slot(rules, choice.start, choice.length_minutes, now)
    start, end = choice.start, choice.start + timedelta(minutes=choice.length_minutes)
    if choice.session_type == GROUP:
        return await book_group(tx, actor, choice, coach, start, end, now)
    await check_buffers(tx, rules, coach.id, start, end)
    price = price_for(coach.hourly_rate, choice.length_minutes, coach.currency)
    status = SessionStatus.SCHEDULED if rules.auto_accept else SessionStatus.REQUESTED
    view = SessionView(
        id=uuid.uuid4(),
        coach_id=coach.id,
        coach_name=coach.name,
        athlete_names=(athlete_name,),
        session_type=choice.session_type,
        status=status,
        start=start,
        end=end,
        price=price,
        currency=coach.currency,
        payment_status=SessionPaymentStatus.PENDING if price else SessionPaymentStatus.NOT_REQUIRED,
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
        "payment_due_at": payment_deadline(rules, start, price, now)
        if status == SessionStatus.SCHEDULED
        else None,
    }
    # One statement writes the session, its audit entry and every notice: the booking costs
    # one round trip besides the reads, and the no-overlap constraint fails it as a whole.
    params = enqueue_params(
        view,
        [
            *booking_notices(view, now=now),
            *payment_notices(view, now=now, due_at=row["payment_due_at"]),
        ],
        coach_user_id=coach.user_id,
        athlete_ids=[choice.athlete_id],
        now=now,
        payer_user_id=actor.user_id,
    )
    params |= _prefixed("s", {"id": view.id, **row, "created_at": now, "updated_at": now})
    params |= _prefixed("a", {"id": uuid.uuid4(), **_audit_values(actor, view), "at": now})
    recipients = (await connection.execute(_BOOK, params)).scalars().all()
    notified = list(dict.fromkeys(recipients))
    return Booked(view, view.status == SessionStatus.REQUESTED, notified=notified)


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
    "payment_due_at",
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


# The coach, their account and the athlete's first name in one statement built once; the
# rules come as the stored JSON text, which keys the parsed-rules cache.
_ATHLETE_USER = aliased(User)
_PARTIES = (
    select(
        Coach.user_id,
        Coach.hourly_rate,
        Coach.currency,
        cast(Coach.availability, Text).label("rules"),
        User.role,
        User.status,
        User.verification_status,
        User.first_name,
        User.last_name,
        select(_ATHLETE_USER.first_name)
        .join(Athlete, Athlete.user_id == _ATHLETE_USER.id)
        .where(Athlete.id == bindparam("athlete_id", type_=Athlete.id.type))
        .scalar_subquery()
        .label("athlete_name"),
    )
    .join(User, User.id == Coach.user_id)
    .where(Coach.id == bindparam("coach_id", type_=Coach.id.type))
)


async def _parties(connection: AsyncConnection, choice: BookingChoice) -> tuple[BookableCoach, str]:
    """The bookable coach and the athlete's first name, in one query."""
    params = {"coach_id": choice.coach_id, "athlete_id": choice.athlete_id}
    row = (await connection.execute(_PARTIES, params)).first()
    if row is None:
        raise NotFound(f"coach {choice.coach_id}")
    if not is_bookable(row):
        raise BookingRefused("booking.error.coach_unavailable")
    if row.athlete_name is None:
        raise NotFound(f"athlete {choice.athlete_id}")
    coach = BookableCoach(
        id=choice.coach_id,
        user_id=row.user_id,
        name=full_name(row),
        hourly_rate=row.hourly_rate,
        currency=row.currency,
        rules=AvailabilityRules.from_stored_text(row.rules),
    )
    return coach, row.athlete_name


async def _same_booking(uow: UnitOfWork, actor: Actor, choice: BookingChoice) -> Booked | None:
    """The live booking this actor already holds for exactly this choice (a double tap)."""
    async with uow as tx:
        end = choice.start + timedelta(minutes=choice.length_minutes)
        query = select(TrainingSession.id).where(
            TrainingSession.coach_id == choice.coach_id,
            TrainingSession.start_time == choice.start,
            TrainingSession.end_time == end,
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        session_id = await tx.session.scalar(query)
        if session_id is None:
            return None
        loaded = await load_session(tx, session_id)
        if choice.athlete_id not in loaded.athlete_ids or not loaded.athletes_of(actor):
            return None
        return Booked(
            loaded.view(),
            loaded.session.status == SessionStatus.REQUESTED,
            joined_group=loaded.session.session_type == GROUP,
            already_booked=True,
        )
