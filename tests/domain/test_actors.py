"""Actors carry exactly the relations the database holds."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.actors import load_actor
from domain.adapters.db import create_engine, create_session_factory
from domain.models import (
    Admin,
    Athlete,
    AthleteLink,
    SessionParticipant,
    TrainingSession,
    User,
    VideoConsent,
)
from domain.policy import Action, AthleteTarget, may
from domain.uow import UnitOfWork
from tests.factories import T0, coach_and_athlete, session_at
from tests.statements import statements_sent


async def test_a_parent_guards_their_children_and_linked_ones(uow: UnitOfWork) -> None:
    async with uow as tx:
        mum = tx.users.add(User(role="parent", first_name="Mia", telegram_user_id=501))
        dad = tx.users.add(User(role="parent", first_name="Dan", telegram_user_id=502))
        await tx.flush()
        kid = tx.athletes.add(Athlete(parent_id=mum.id, primary_sport="swimming"))
        await tx.flush()
        tx.session.add(AthleteLink(athlete_id=kid.id, user_id=dad.id, relation="guardian"))
        tx.admins.add(Admin(user_id=dad.id))  # an admin is a row of `admins`, whatever the role
        await tx.commit()
    mum_actor = await load_actor(uow, telegram_user_id=501)
    dad_actor = await load_actor(uow, telegram_user_id=502)
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
    actor = await load_actor(uow, telegram_user_id=coach_user.telegram_user_id)
    assert actor.coach_id == coach.id
    assert actor.coached_athlete_ids == {athlete.id}
    assert not actor.is_verified_coach


async def test_someone_not_signed_up_has_no_actor(uow: UnitOfWork) -> None:
    assert await load_actor(uow, telegram_user_id=999_999) is None


async def test_the_acting_user_with_every_relation_is_one_statement(
    uow: UnitOfWork, engine: AsyncEngine
) -> None:
    coach, pupil = await coach_and_athlete(uow)
    _, grouped = await coach_and_athlete(uow)
    async with uow as tx:
        # Cora coaches Ari alone and Zed in a group, is Kim's mother, Lou's guardian and
        # Max's and Ivy's mentor (shown Ivy's videos only), and is an athlete herself.
        cora = await tx.users.get(coach.user_id)
        cora.language_code, cora.timezone = "es", "Europe/Madrid"
        own = tx.athletes.add(Athlete(user_id=cora.id, primary_sport="tennis"))
        kim = tx.athletes.add(Athlete(parent_id=cora.id, primary_sport="tennis"))
        lou = tx.athletes.add(Athlete(parent_id=None, primary_sport="tennis"))
        max_ = tx.athletes.add(Athlete(parent_id=None, primary_sport="tennis"))
        ivy = tx.athletes.add(Athlete(parent_id=None, primary_sport="tennis"))
        tx.sessions.add(session_at(coach, pupil, T0))
        group = tx.sessions.add(
            TrainingSession(
                coach_id=coach.id,
                session_type="group",
                start_time=T0 + timedelta(days=1),
                end_time=T0 + timedelta(days=1, hours=1),
                capacity=4,
            )
        )
        await tx.flush()
        tx.session.add(AthleteLink(athlete_id=lou.id, user_id=cora.id, relation="guardian"))
        tx.session.add(AthleteLink(athlete_id=max_.id, user_id=cora.id, relation="mentor"))
        tx.session.add(
            AthleteLink(athlete_id=ivy.id, user_id=cora.id, relation="mentor", video_consent=True)
        )
        tx.session.add(SessionParticipant(session_id=group.id, athlete_id=grouped.id))
        group.participant_count = 1
        await tx.commit()

    assert cora.telegram_user_id is not None
    with statements_sent(engine) as sent:
        actor = await load_actor(uow, telegram_user_id=cora.telegram_user_id)

    assert len(sent) == 1
    assert actor is not None
    assert (actor.user_id, actor.role, actor.coach_id) == (cora.id, "coach", coach.id)
    assert actor.own_athlete_id == own.id
    assert actor.guarded_athlete_ids == {kim.id, lou.id}
    assert actor.mentored_athlete_ids == {max_.id, ivy.id}
    assert actor.video_mentored_athlete_ids == {ivy.id}
    assert actor.coached_athlete_ids == {pupil.id, grouped.id}
    assert (actor.language, actor.timezone) == ("es", "Europe/Madrid")
    assert not actor.is_admin


async def test_someone_not_signed_up_is_no_acting_user_in_one_statement(
    uow: UnitOfWork, engine: AsyncEngine
) -> None:
    with statements_sent(engine) as sent:
        assert await load_actor(uow, telegram_user_id=999_998) is None
    assert len(sent) == 1


async def test_acting_users_looked_up_together_are_read_by_one_statement(
    uow: UnitOfWork, engine: AsyncEngine
) -> None:
    async with uow as tx:
        for n in range(5):
            tx.users.add(User(role="athlete", first_name=f"A{n}", telegram_user_id=600 + n))
        await tx.commit()
    wanted = [600, 601, 602, 603, 604, 999_996]

    with statements_sent(engine) as sent:
        first = asyncio.ensure_future(load_actor(uow, telegram_user_id=600))
        await asyncio.sleep(0)  # the first lookup is on its way, alone
        rest = asyncio.gather(*(load_actor(uow, telegram_user_id=n) for n in wanted[1:]))
        actors = [await first, *await rest]

    assert [a.user_id if a else None for a in actors[:5]] == [
        (await load_actor(uow, telegram_user_id=n)).user_id for n in wanted[:5]
    ]
    assert [a.timezone if a else None for a in actors] == ["UTC"] * 5 + [None]
    assert len(sent) == 2  # the first alone, then the five that queued behind it


async def test_a_failed_read_of_acting_users_fails_each_lookup_of_it(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain import actors

    async def broken(*args: object) -> None:
        raise ConnectionResetError("database went away")

    monkeypatch.setattr(actors._BY_TELEGRAM._statement, "read", broken)
    results = await asyncio.gather(
        *(load_actor(uow, telegram_user_id=n) for n in (700, 701)), return_exceptions=True
    )
    assert all(isinstance(result, ConnectionResetError) for result in results)


async def test_reading_the_acting_user_leaves_later_transactions_transactional(
    database_url: str, uow: UnitOfWork
) -> None:
    # One pooled connection, so the transaction below runs where the actor was read.
    engine = create_engine(database_url, pool_size=1)
    alone = UnitOfWork(create_session_factory(engine))
    try:
        await load_actor(alone, telegram_user_id=999_997)
        async with alone as tx:
            tx.users.add(User(role="parent", first_name="Ola", telegram_user_id=999_997))
            await tx.flush()
        assert await load_actor(alone, telegram_user_id=999_997) is None
    finally:
        await engine.dispose()


async def test_a_coach_is_withheld_the_videos_of_their_athletes_whose_consent_was_revoked(
    uow: UnitOfWork,
) -> None:
    coach, athlete = await coach_and_athlete(uow)
    other_coach, other_athlete = await coach_and_athlete(uow)
    async with uow as tx:
        tx.sessions.add(session_at(coach, athlete, T0))
        tx.sessions.add(session_at(other_coach, other_athlete, T0))
        for revoked in (athlete, other_athlete):
            tx.session.add(VideoConsent(athlete_id=revoked.id, given_at=T0, revoked_at=T0))
        coach_user = await tx.users.get(coach.user_id)
        await tx.commit()
    actor = await load_actor(uow, telegram_user_id=coach_user.telegram_user_id)
    assert actor.videos_withheld_athlete_ids == {athlete.id}
    assert not may(actor, Action.VIEW_VIDEO, AthleteTarget(athlete.id))
    assert may(actor, Action.LOG_METRICS, AthleteTarget(athlete.id))
