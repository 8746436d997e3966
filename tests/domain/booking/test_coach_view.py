"""The coach's view of one session, as a refreshed session card shows it."""

from __future__ import annotations

import uuid

from domain.booking import schedule
from domain.uow import UnitOfWork
from tests.factories import T0, booking_world, session_at


async def test_the_coach_sees_the_whole_session_and_nobody_else_gets_it(uow: UnitOfWork) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        session = tx.sessions.add(session_at(world.coach, world.child, T0, price=40))
        await tx.commit()

    view = await schedule.coach_view(uow, coach_user_id=world.coach_user.id, session_id=session.id)
    assert view is not None and view.id == session.id
    assert view.athlete_names == ("Kim",)
    for stranger in (world.parent.id, world.other_parent.id):
        assert await schedule.coach_view(uow, coach_user_id=stranger, session_id=session.id) is None
    unknown = uuid.uuid4()
    assert (
        await schedule.coach_view(uow, coach_user_id=world.coach_user.id, session_id=unknown)
        is None
    )
