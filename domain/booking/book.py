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

from domain.booking.availability import AvailabilityRules
from domain.booking.groups import book_group
from domain.booking.notices import booking_notices
from domain.booking.packs import SessionPacks
from domain.booking.payment_notices import payment_notices
from domain.booking.queries.book import insert_booking
from domain.booking.queries.notice_queue import enqueue_params
from domain.booking.queries.sessions import booking_parties, live_session_at
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
from domain.errors import Contended, NotFound, SlotTaken
from domain.models import (
    SessionPaymentStatus,
    SessionStatus,
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

# Concurrent inserts into one slot can deadlock inside the exclusion check (each waits on the
# other's uncommitted row) and Postgres aborts one. It is tried again queued on a lock per
# coach, so retries cannot deadlock each other, and meets the winner's row as SlotTaken: the
# person hears about the slot instead of "busy, try again". The first try takes no lock: a race
# for one coach's slot is rare, and the lock would cost every booking a round trip.
CONTENDED_ATTEMPTS = 4


async def book(
    uow: UnitOfWork,
    *,
    actor: Actor,
    choice: BookingChoice,
    now: datetime,
    slots: SlotCache,
    packs: SessionPacks | None = None,
) -> Booked:
    """Book the chosen slot (paid with `choice.pack_id` from `packs`, if named);
    SlotUnavailable (with nearby free slots) if it is taken."""
    if choice.pack_id is not None and packs is None:
        raise BookingRefused("booking.error.pack_unusable")
    try:
        booked = await _committed(uow, actor, choice, now, packs)
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


async def _committed(
    uow: UnitOfWork,
    actor: Actor,
    choice: BookingChoice,
    now: datetime,
    packs: SessionPacks | None,
) -> Booked:
    """The booking in one transaction, run again if it lost a deadlock."""
    for attempt in range(1, CONTENDED_ATTEMPTS):
        try:
            return await _attempt(uow, actor, choice, now, packs, queued=attempt > 1)
        except Contended:
            continue
    return await _attempt(uow, actor, choice, now, packs, queued=True)


async def _attempt(
    uow: UnitOfWork,
    actor: Actor,
    choice: BookingChoice,
    now: datetime,
    packs: SessionPacks | None,
    *,
    queued: bool,
) -> Booked:
    async with uow as tx:
        if queued:
            await tx.hold_lock(f"booking-retry:{choice.coach_id}")
        booked = await _book(tx, actor, choice, now, packs)
        await tx.commit()
    return booked


async def _book(
    tx: Transaction,
    actor: Actor,
    choice: BookingChoice,
    now: datetime,
    packs: SessionPacks | None,
) -> Booked:
    require(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(choice.athlete_id))
    coach, athlete_name = await _parties(tx, choice)
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
    pack_left = None
    if choice.pack_id is not None and packs is not None:
        # Taken before the session is written: an empty or expired pack refuses the booking,
        # and a booking that fails after this (the slot taken) rolls the draw back with it.
        pack_left = await packs.draw(
            tx, pack_id=choice.pack_id, athlete_id=choice.athlete_id, coach_id=coach.id, now=now
        )
    paid = SessionPaymentStatus.PAID if pack_left is not None else None
    view = SessionView(
        id=uuid.uuid4(),
        coach_id=coach.id,
        coach_name=coach.name,
        athlete_names=(athlete_name,),
        athlete_ids=(choice.athlete_id,),
        session_type=choice.session_type,
        status=status,
        start=start,
        end=end,
        price=price,
        currency=coach.currency,
        payment_status=paid
        or (SessionPaymentStatus.PENDING if price else SessionPaymentStatus.NOT_REQUIRED),
        location=rules.location,
        meeting_url=rules.meeting_url,
        capacity=1,
        participant_count=1,
        coach_notes=None,
        ratings=(),
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
        if status == SessionStatus.SCHEDULED and paid is None
        else None,
    }
    # One statement writes the session, its audit entry and every notice: the booking costs
    # one round trip besides the reads, and the no-overlap constraint fails it as a whole.
    params = enqueue_params(
        view,
        [
            *booking_notices(view, now=now, booker=actor.user_id),
            *payment_notices(view, now=now, due_at=row["payment_due_at"]),
        ],
        coach_user_id=coach.user_id,
        athlete_ids=[choice.athlete_id],
        now=now,
        payer_user_id=actor.user_id,
    )
    recipients = await insert_booking(
        tx,
        notices=params,
        session={"id": view.id, **row, "created_at": now, "updated_at": now},
        audit={"id": uuid.uuid4(), **_audit_values(actor, view), "at": now},
    )
    if choice.pack_id is not None and packs is not None:
        await packs.attach(tx, pack_id=choice.pack_id, session_id=view.id, now=now)
    notified = list(dict.fromkeys(recipients))
    return Booked(
        view, view.status == SessionStatus.REQUESTED, notified=notified, pack_left=pack_left
    )


def _audit_values(actor: Actor, view: SessionView, **details: object) -> dict[str, object]:
    return {
        "actor_id": actor.user_id,
        "action": "session.booked",
        "entity": "training_session",
        "entity_id": view.id,
        "details": {"status": view.status, **details},
    }


async def _parties(tx: Transaction, choice: BookingChoice) -> tuple[BookableCoach, str]:
    """The bookable coach and the athlete's first name, in one query."""
    row = await booking_parties(tx, choice.coach_id, choice.athlete_id)
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
        session_id = await live_session_at(tx, choice.coach_id, choice.start, end)
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
