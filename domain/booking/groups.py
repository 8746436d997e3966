"""Group sessions: one row per session (so the coach's no-overlap rule still holds), its
participants in `session_participants`, and `participant_count <= capacity` checked by the
database, so however many families race for the last place, the group never overflows.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.booking.notices import booking_notices, tell
from domain.booking.queries.sessions import live_session_at, take_group_place
from domain.booking.rules import (
    BookableCoach,
    Booked,
    BookingChoice,
    GroupFull,
    check_buffers,
    price_for,
)
from domain.booking.sessions import GROUP, load_session
from domain.models import (
    SessionParticipant,
    SessionPaymentStatus,
    SessionStatus,
    TrainingSession,
)
from domain.policy import Actor
from domain.short_ids import short_id
from domain.uow import Transaction


async def book_group(
    tx: Transaction,
    actor: Actor,
    choice: BookingChoice,
    coach: BookableCoach,
    start: datetime,
    end: datetime,
    now: datetime,
) -> Booked:
    """Join the coach's group session at exactly this time, or open one."""
    rules = coach.rules
    joined = await _join_group(tx, actor, choice, start, end)
    session_id = joined
    if session_id is None:
        await check_buffers(tx, rules, coach.id, start, end)
        price = price_for(coach.hourly_rate, choice.length_minutes, coach.currency)
        session = tx.sessions.add(
            TrainingSession(
                id=uuid.uuid4(),
                coach_id=coach.id,
                athlete_id=None,
                session_type=GROUP,
                status=SessionStatus.SCHEDULED if rules.auto_accept else SessionStatus.REQUESTED,
                start_time=start,
                end_time=end,
                location={"text": rules.location, "url": rules.meeting_url},
                price=price,
                payment_status=(
                    SessionPaymentStatus.PENDING if price else SessionPaymentStatus.NOT_REQUIRED
                ),
                booked_by=actor.user_id,
                capacity=rules.group_capacity,
                participant_count=1,
                sequence=0,
            )
        )
        await tx.flush()  # the no-overlap constraint speaks here: SlotTaken
        tx.session.add(
            SessionParticipant(
                session_id=session.id, athlete_id=choice.athlete_id, booked_by=actor.user_id
            )
        )
        await tx.flush()
        session_id = session.id
    loaded = await load_session(tx, session_id)
    view = loaded.view()
    # The coach and the newcomer's family hear about it; the other families already know.
    notified = await tell(
        tx,
        loaded,
        booking_notices(view, now=now, booker=actor.user_id, joined=joined is not None),
        now=now,
        tag=short_id(choice.athlete_id),
        athletes=[choice.athlete_id],
    )
    tx.audit.record(
        actor_id=actor.user_id,
        action="session.booked",
        entity="training_session",
        entity_id=view.id,
        details={"status": view.status, "joined_group": joined is not None},
    )
    return Booked(
        view,
        view.status == SessionStatus.REQUESTED,
        joined_group=joined is not None,
        notified=notified,
    )


async def _join_group(
    tx: Transaction, actor: Actor, choice: BookingChoice, start: datetime, end: datetime
) -> uuid.UUID | None:
    """Take a place in the coach's live group session at exactly this time, if it has room."""
    existing = await live_session_at(tx, choice.coach_id, start, end, session_type=GROUP)
    if existing is None:
        return None
    if not await take_group_place(tx, existing):
        raise GroupFull(existing)
    tx.session.add(
        SessionParticipant(
            session_id=existing, athlete_id=choice.athlete_id, booked_by=actor.user_id
        )
    )
    await tx.flush()  # AlreadyExists when this athlete is already in
    return existing
