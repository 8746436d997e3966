"""The reminder planner, the safety net behind the booking transaction, on the real database."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking.book import BookingChoice
from domain.booking.sessions import LoadedSession, load_session
from domain.booking.slot_cache import SlotCache
from domain.models import Notification, TrainingSession
from domain.notifications import reminders
from domain.notifications.reminders import plan_upcoming
from domain.uow import Transaction, UnitOfWork
from tests.factories import BOOKING_NOW, BookingWorld, booking_world, session_at

NOW = BOOKING_NOW
# 24 h 30 min ahead: inside the planner's 25 h reach, and the 24 h reminder is still to come.
SOON = NOW + timedelta(hours=24, minutes=30)


async def add_session(
    uow: UnitOfWork, world: BookingWorld, start: datetime, status: str = "scheduled"
) -> uuid.UUID:
    """A session written straight to the table, as a path other than booking might."""
    async with uow as tx:
        session = tx.sessions.add(
            session_at(world.coach, world.child, start, status=status, sequence=0)
        )
        await tx.commit()
    return session.id


async def planned(uow: UnitOfWork) -> Counter[tuple[str, uuid.UUID]]:
    """(kind, recipient) of every queued notification."""
    async with uow as tx:
        rows = (await tx.session.scalars(select(Notification))).all()
    return Counter((row.kind, row.recipient_id) for row in rows)


async def test_a_session_nobody_planned_gets_its_reminders_and_prompts_once(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    await add_session(uow, world, SOON)
    parent, coach = world.parent.id, world.coach_user.id

    first = await plan_upcoming(uow, now=NOW)
    again = await plan_upcoming(uow, now=NOW + timedelta(minutes=10))

    assert (first, again) == (6, 0)
    assert await planned(uow) == Counter(
        {
            ("reminder_24h", parent): 1,
            ("reminder_24h", coach): 1,
            ("reminder_1h", parent): 1,
            ("reminder_1h", coach): 1,
            ("session_followup", parent): 1,
            ("session_followup_coach", coach): 1,
        }
    )
    async with uow as tx:
        due = {
            row.kind: row.due_at for row in (await tx.session.scalars(select(Notification))).all()
        }
    assert due["reminder_24h"] == SOON - timedelta(hours=24)
    assert due["reminder_1h"] == SOON - timedelta(hours=1)
    assert due["session_followup"] == SOON + timedelta(minutes=75)


async def test_a_booking_that_planned_its_own_reminders_is_left_as_it_is(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    async with uow as tx:
        parent = await actor_for_user(tx, await tx.users.get(world.parent.id))
    # Tuesday 16:00 in Berlin, 30 h after NOW.
    start = datetime(2026, 12, 8, 15, 0, tzinfo=NOW.tzinfo)
    choice = BookingChoice(world.coach.id, world.child.id, start, 60, "individual")
    slots = SlotCache(services.uow, services.cache, services.keys)
    await booking.book(uow, actor=parent, choice=choice, now=NOW, slots=slots)
    before = await planned(uow)

    queued = await plan_upcoming(uow, now=start - timedelta(hours=25))

    assert queued == 0
    assert await planned(uow) == before
    assert before[("reminder_24h", world.parent.id)] == 1


async def test_requested_cancelled_started_and_far_sessions_get_no_reminders(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    await add_session(uow, world, SOON, status="requested")
    await add_session(uow, world, SOON + timedelta(hours=2), status="cancelled")
    await add_session(uow, world, NOW - timedelta(minutes=30))  # under way
    await add_session(uow, world, NOW + timedelta(hours=25, minutes=30))  # beyond the reach

    assert await plan_upcoming(uow, now=NOW) == 0
    assert await planned(uow) == Counter()


async def test_every_session_is_planned_however_many_batches_it_takes(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    starts = [SOON - timedelta(hours=2 * n) for n in range(5)]
    for start in starts:
        await add_session(uow, world, start)

    queued = await plan_upcoming(uow, now=NOW, limit=2)

    # The 24 h reminder only for the session still more than 24 h away; the rest for all five.
    assert queued == 2 + 2 * 5 + 1 * 5 + 1 * 5
    async with uow as tx:
        followups = await tx.session.scalars(
            select(Notification.payload["session_id"].astext).where(
                Notification.kind == "session_followup_coach"
            )
        )
        sessions = await tx.session.scalars(select(TrainingSession.id))
        assert set(followups.all()) == {str(session_id) for session_id in sessions.all()}


async def test_a_session_being_changed_is_skipped_not_waited_for_nor_planned_stale(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    busy = await add_session(uow, world, SOON)
    free = await add_session(uow, world, SOON - timedelta(hours=3))
    async with uow as changing:
        # A reschedule or cancellation holds the row like this until it commits.
        await changing.session.execute(
            select(TrainingSession).where(TrainingSession.id == busy).with_for_update()
        )

        queued = await asyncio.wait_for(plan_upcoming(uow, now=NOW), timeout=5)

    assert queued == 4  # the free session's 1 h reminders and prompts, nothing of the busy one
    async with uow as tx:
        about = await tx.session.scalars(select(Notification.payload["session_id"].astext))
        assert set(about.all()) == {str(free)}


async def test_a_session_whose_plan_was_lost_is_planned_again_and_planned_ones_not_reread(
    uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await booking_world(uow)
    lost = await add_session(uow, world, SOON)
    await add_session(uow, world, SOON - timedelta(hours=3))
    await plan_upcoming(uow, now=NOW)
    async with uow as tx:
        await tx.session.execute(
            delete(Notification).where(Notification.payload["session_id"].astext == str(lost))
        )
        await tx.commit()
    loaded: list[uuid.UUID] = []

    async def counting_load(
        tx: Transaction, session_id: uuid.UUID, **kwargs: bool
    ) -> LoadedSession:
        loaded.append(session_id)
        return await load_session(tx, session_id, **kwargs)

    monkeypatch.setattr(reminders, "load_session", counting_load)

    queued = await plan_upcoming(uow, now=NOW + timedelta(minutes=10))

    assert (queued, loaded) == (6, [lost])


async def test_planners_of_several_replicas_at_once_plan_each_reminder_once(
    uow: UnitOfWork,
) -> None:
    world = await booking_world(uow)
    await add_session(uow, world, SOON)

    await asyncio.gather(*(plan_upcoming(uow, now=NOW) for _ in range(3)))

    assert set((await planned(uow)).values()) == {1}
    assert sum((await planned(uow)).values()) == 6
