"""Releasing sessions unpaid at their deadline, on the real database and Redis."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from icalendar import Calendar
from sqlalchemy import select, update

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking.book import BookingChoice
from domain.booking.notices import PLANNED_KINDS
from domain.booking.payment_notices import PAYMENT_KINDS
from domain.models import AuditEntry, Notification, TrainingSession
from domain.payments.release import release_unpaid
from domain.uow import UnitOfWork
from tests.factories import BOOKING_NOW, BookingWorld, booking_world, session_at

NOW = BOOKING_NOW  # Monday 08:00 UTC
# Wednesday 16:00 in Berlin; the coach's default pay_before_hours (12) makes it due at 03:00 UTC.
WEDNESDAY_4PM = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
DEADLINE = WEDNESDAY_4PM - timedelta(hours=12)


async def book(
    uow: UnitOfWork, services: Services, world: BookingWorld, start: datetime = WEDNESDAY_4PM
) -> uuid.UUID:
    async with uow as tx:
        parent = await actor_for_user(tx, await tx.users.get(world.parent.id))
    choice = BookingChoice(world.coach.id, world.child.id, start, 60, "individual")
    booked = await booking.book(uow, actor=parent, choice=choice, now=NOW, slots=services.slots)
    return booked.session.id


async def session_row(uow: UnitOfWork, session_id: uuid.UUID) -> TrainingSession:
    async with uow as tx:
        session = await tx.session.get(TrainingSession, session_id)
    assert session is not None
    return session


async def rows_about(uow: UnitOfWork, session_id: uuid.UUID) -> list[Notification]:
    async with uow as tx:
        query = (
            select(Notification)
            .where(Notification.payload["session_id"].astext == str(session_id))
            .order_by(Notification.kind, Notification.recipient_id)
        )
        return list((await tx.session.scalars(query)).all())


async def free_starts(services: Services, world: BookingWorld, now: datetime) -> list[datetime]:
    free = await services.slots.free_slots_on(
        coach_id=world.coach.id, day=WEDNESDAY_4PM.date(), length_minutes=60, now=now
    )
    return [slot.start for slot in free]


async def test_an_unpaid_session_past_its_deadline_is_released_and_both_sides_told(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    session_id = await book(uow, services, world)
    assert (await session_row(uow, session_id)).payment_due_at == DEADLINE
    # Read once, so a stale cache entry would show if the release forgot it.
    assert WEDNESDAY_4PM not in await free_starts(services, world, DEADLINE)

    released = await release_unpaid(services.uow, now=DEADLINE, slots=services.slots)

    assert released == 1
    session = await session_row(uow, session_id)
    assert (session.status, session.cancel_reason, session.payment_status) == (
        "cancelled",
        "unpaid",
        "not_required",
    )
    assert (session.sequence, session.cancelled_at, session.cancelled_by) == (1, DEADLINE, None)
    rows = await rows_about(uow, session_id)
    planned = set(PLANNED_KINDS) | set(PAYMENT_KINDS)
    assert [row.kind for row in rows if row.kind in planned and row.sent_at is None] == []
    told = [row for row in rows if row.kind == "session_released"]
    assert {row.recipient_id for row in told} == {world.parent.id, world.coach_user.id}
    assert all(row.due_at == DEADLINE for row in told)
    assert told[0].payload["due_at"] == DEADLINE.isoformat()
    ics = Calendar.from_ical(told[0].payload["document"]["content"])
    assert str(ics["method"]) == "CANCEL" and int(ics.walk("VEVENT")[0]["sequence"]) == 1
    assert WEDNESDAY_4PM in await free_starts(services, world, DEADLINE)
    async with uow as tx:
        audit = await tx.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "session.released")
        )
    assert audit is not None and (audit.entity_id, audit.actor_id) == (session_id, None)


async def test_paid_not_yet_due_and_started_sessions_are_left_and_a_second_run_changes_nothing(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    unpaid = await book(uow, services, world)
    paid = await book(uow, services, world, WEDNESDAY_4PM + timedelta(hours=2))
    not_due = await book(uow, services, world, WEDNESDAY_4PM + timedelta(days=1))
    run_at = DEADLINE + timedelta(hours=3)
    async with uow as tx:
        await tx.session.execute(
            update(TrainingSession).where(TrainingSession.id == paid).values(payment_status="paid")
        )
        # Unpaid and past its deadline, but under way: releasing it now would help nobody.
        started = tx.sessions.add(
            session_at(
                world.coach,
                world.child,
                run_at - timedelta(minutes=30),
                status="scheduled",
                price=Decimal("40.00"),
                payment_status="pending",
                payment_due_at=run_at - timedelta(hours=12),
                sequence=0,
            )
        )
        await tx.commit()

    first = await release_unpaid(services.uow, now=run_at, slots=services.slots)
    after_first = [row.id for row in await rows_about(uow, unpaid)]
    second = await release_unpaid(
        services.uow, now=run_at + timedelta(minutes=5), slots=services.slots
    )

    assert (first, second) == (1, 0)
    assert [row.id for row in await rows_about(uow, unpaid)] == after_first
    statuses = [(await session_row(uow, s)).status for s in (unpaid, paid, not_due, started.id)]
    assert statuses == ["cancelled", "scheduled", "scheduled", "scheduled"]
    for kept in (paid, not_due):
        assert "session_released" not in {row.kind for row in await rows_about(uow, kept)}


async def test_a_session_being_paid_right_now_is_skipped_not_waited_for(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    busy = await book(uow, services, world)
    free = await book(uow, services, world, WEDNESDAY_4PM + timedelta(hours=2))
    run_at = DEADLINE + timedelta(hours=3)
    async with uow as paying:
        # Recording a payment holds the session row like this until it commits.
        await paying.session.execute(
            select(TrainingSession).where(TrainingSession.id == busy).with_for_update()
        )

        released = await asyncio.wait_for(
            release_unpaid(services.uow, now=run_at, slots=services.slots), timeout=5
        )

    assert released == 1
    assert (await session_row(uow, busy)).status == "scheduled"
    assert (await session_row(uow, free)).status == "cancelled"


async def test_a_run_releases_at_most_its_limit_and_the_next_run_the_rest(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    for hours in (0, 1, 2):
        await book(uow, services, world, WEDNESDAY_4PM + timedelta(hours=hours))
    run_at = DEADLINE + timedelta(hours=3)

    first = await release_unpaid(services.uow, now=run_at, slots=services.slots, limit=2)
    second = await release_unpaid(services.uow, now=run_at, slots=services.slots, limit=2)

    assert (first, second) == (2, 1)


async def test_releases_of_several_replicas_at_once_release_and_tell_once(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    session_id = await book(uow, services, world)

    released = await asyncio.gather(
        *(release_unpaid(services.uow, now=DEADLINE, slots=services.slots) for _ in range(3))
    )

    assert sorted(released) == [0, 0, 1]
    told = [row for row in await rows_about(uow, session_id) if row.kind == "session_released"]
    assert len(told) == 2  # the parent and the coach, once each
