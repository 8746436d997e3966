"""Actors carry exactly the relations the database holds."""

from __future__ import annotations

from datetime import timedelta

from domain.actors import actor_for_telegram
from domain.models import Athlete, AthleteLink, TrainingSession, User
from domain.policy import Action, AthleteTarget, may
from domain.uow import UnitOfWork
from tests.factories import T0, coach_and_athlete


async def test_a_parent_guards_their_children_and_linked_ones(uow: UnitOfWork) -> None:
    async with uow as tx:
        mum = tx.users.add(User(role="parent", first_name="Mia", telegram_user_id=501))
        dad = tx.users.add(User(role="parent", first_name="Dan", telegram_user_id=502))
        await tx.flush()
        kid = tx.athletes.add(Athlete(parent_id=mum.id, primary_sport="swimming"))
        await tx.flush()
        tx.session.add(AthleteLink(athlete_id=kid.id, user_id=dad.id, relation="guardian"))
        await tx.commit()
    async with uow as tx:
        mum_actor = await actor_for_telegram(tx, 501, admin_telegram_ids=[])
        dad_actor = await actor_for_telegram(tx, 502, admin_telegram_ids=[502])
    assert mum_actor.guarded_athlete_ids == {kid.id}
    assert dad_actor.guarded_athlete_ids == {kid.id}
    assert dad_actor.is_admin
    assert may(dad_actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(kid.id))


async def test_a_coach_coaches_athletes_with_a_live_booking_only(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    _, other = await coach_and_athlete(uow)
    async with uow as tx:
        tx.sessions.add(
            TrainingSession(
                coach_id=coach.id,
                athlete_id=athlete.id,
                session_type="individual",
                start_time=T0,
                end_time=T0 + timedelta(hours=1),
            )
        )
        tx.sessions.add(
            TrainingSession(
                coach_id=coach.id,
                athlete_id=other.id,
                status="cancelled",
                session_type="individual",
                start_time=T0,
                end_time=T0 + timedelta(hours=1),
            )
        )
        coach_user = await tx.users.get(coach.user_id)
        await tx.commit()
    async with uow as tx:
        actor = await actor_for_telegram(tx, coach_user.telegram_user_id, admin_telegram_ids=[])
    assert actor.coach_id == coach.id
    assert actor.coached_athlete_ids == {athlete.id}
    assert not actor.is_verified_coach


async def test_someone_not_signed_up_has_no_actor(uow: UnitOfWork) -> None:
    async with uow as tx:
        assert await actor_for_telegram(tx, 999_999, admin_telegram_ids=[]) is None
