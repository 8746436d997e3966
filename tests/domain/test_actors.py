"""Actors carry exactly the relations the database holds."""

from __future__ import annotations

from datetime import timedelta

from domain.actors import actor_for_telegram
from domain.models import Athlete, AthleteLink, TrainingSession, User
from domain.policy import Action, AthleteTarget, may
from domain.uow import UnitOfWork
from tests.factories import T0, coach_and_athlete


async def test_a_parent_guards_their_children_and_linked_ones(uow: UnitOfWork) -> None:
    async with uow:
        mum = uow.users.add(User(role="parent", first_name="Mia", telegram_user_id=501))
        dad = uow.users.add(User(role="parent", first_name="Dan", telegram_user_id=502))
        await uow.flush()
        kid = uow.athletes.add(Athlete(parent_id=mum.id, primary_sport="swimming"))
        await uow.flush()
        uow.session.add(AthleteLink(athlete_id=kid.id, user_id=dad.id, relation="guardian"))
        await uow.commit()
    async with uow:
        mum_actor = await actor_for_telegram(uow, 501, admin_telegram_ids=[])
        dad_actor = await actor_for_telegram(uow, 502, admin_telegram_ids=[502])
    assert mum_actor.guarded_athlete_ids == {kid.id}
    assert dad_actor.guarded_athlete_ids == {kid.id}
    assert dad_actor.is_admin
    assert may(dad_actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(kid.id))


async def test_a_coach_coaches_athletes_with_a_live_booking_only(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    _, other = await coach_and_athlete(uow)
    async with uow:
        uow.sessions.add(
            TrainingSession(
                coach_id=coach.id,
                athlete_id=athlete.id,
                session_type="individual",
                start_time=T0,
                end_time=T0 + timedelta(hours=1),
            )
        )
        uow.sessions.add(
            TrainingSession(
                coach_id=coach.id,
                athlete_id=other.id,
                status="cancelled",
                session_type="individual",
                start_time=T0,
                end_time=T0 + timedelta(hours=1),
            )
        )
        coach_user = await uow.users.get(coach.user_id)
        await uow.commit()
    async with uow:
        actor = await actor_for_telegram(uow, coach_user.telegram_user_id, admin_telegram_ids=[])
    assert actor.coach_id == coach.id
    assert actor.coached_athlete_ids == {athlete.id}
    assert not actor.is_verified_coach


async def test_someone_not_signed_up_has_no_actor(uow: UnitOfWork) -> None:
    async with uow:
        assert await actor_for_telegram(uow, 999_999, admin_telegram_ids=[]) is None
