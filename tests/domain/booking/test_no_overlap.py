"""One coach can never hold two live sessions that overlap; the database decides."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.booking.queries.sessions import busy_intervals
from domain.errors import Contended, InvalidInput, SlotTaken
from domain.models import TrainingSession
from domain.uow import UnitOfWork
from tests.factories import T0, coach_and_athlete, session_at


async def book(uow: UnitOfWork, session: TrainingSession) -> TrainingSession:
    async with uow as tx:
        tx.sessions.add(session)
        await tx.commit()
    return session


async def test_an_overlapping_session_for_the_same_coach_is_refused(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    await book(uow, session_at(coach, athlete, T0))
    with pytest.raises(SlotTaken):
        await book(uow, session_at(coach, athlete, T0 + timedelta(minutes=30)))


async def test_back_to_back_sessions_are_allowed(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    await book(uow, session_at(coach, athlete, T0))
    await book(uow, session_at(coach, athlete, T0 + timedelta(minutes=60)))
    await book(uow, session_at(coach, athlete, T0 - timedelta(minutes=60)))


async def test_a_cancelled_session_does_not_block_its_slot(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    first = await book(uow, session_at(coach, athlete, T0))
    async with uow as tx:
        (await tx.sessions.get(first.id)).status = "cancelled"
        await tx.commit()
    await book(uow, session_at(coach, athlete, T0))


async def test_cancelling_frees_nothing_for_a_second_live_overlap(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    await book(uow, session_at(coach, athlete, T0, status="cancelled"))
    await book(uow, session_at(coach, athlete, T0))
    with pytest.raises(SlotTaken):
        await book(uow, session_at(coach, athlete, T0 + timedelta(minutes=59)))


async def test_different_coaches_may_share_a_time(uow: UnitOfWork) -> None:
    coach_a, athlete = await coach_and_athlete(uow)
    coach_b, _ = await coach_and_athlete(uow)
    await book(uow, session_at(coach_a, athlete, T0))
    await book(uow, session_at(coach_b, athlete, T0))


async def test_a_session_that_ends_before_it_starts_is_invalid_input(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    with pytest.raises(InvalidInput):
        await book(uow, session_at(coach, athlete, T0, minutes=-30))


async def test_fifty_concurrent_bookings_of_one_slot_leave_exactly_one_row(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)

    async def attempt() -> bool:
        try:
            await book(uow, session_at(coach, athlete, T0))
        # A loser either meets the winner's row or, racing other losers inside the
        # exclusion check, is aborted as a deadlock; either way its row is not written.
        except (SlotTaken, Contended):
            return False
        return True

    results = await asyncio.gather(*(attempt() for _ in range(50)))
    async with uow as tx:
        rows = await tx.session.scalar(
            select(func.count()).where(TrainingSession.coach_id == coach.id)
        )
    assert results.count(True) == 1
    assert rows == 1


async def test_busy_intervals_are_only_the_live_overlapping_sessions(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    kept = await book(uow, session_at(coach, athlete, T0))
    await book(uow, session_at(coach, athlete, T0 + timedelta(hours=1), status="cancelled"))
    await book(uow, session_at(coach, athlete, T0 + timedelta(hours=3)))
    async with uow as tx:
        found = await busy_intervals(
            tx, coach.id, T0 + timedelta(minutes=30), T0 + timedelta(hours=2)
        )
    assert found == [(kept.start_time, kept.end_time)]
