"""A coach (Berlin) who has coached Kim (Pia's child) and Lea (Omar's), loaded as actors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.actors import load_actor
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import BookingWorld, booking_world, session_at

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # a Monday morning


@dataclass
class SeriesWorld:
    world: BookingWorld
    coach: Actor
    parent: Actor
    other_parent: Actor


async def series_world(uow: UnitOfWork) -> SeriesWorld:
    """The people, with a past session each so the coach coaches both children."""
    world = await booking_world(uow)
    async with uow as tx:
        for days, child in ((30, world.child), (31, world.other_child)):
            tx.sessions.add(session_at(world.coach, child, NOW - timedelta(days=days)))
        await tx.commit()
    actors = []
    for user in (world.coach_user, world.parent, world.other_parent):
        actor = await load_actor(uow, telegram_user_id=user.telegram_user_id)
        assert actor is not None
        actors.append(actor)
    return SeriesWorld(world, *actors)
