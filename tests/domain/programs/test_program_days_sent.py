"""A program day as the outbox sends it: one row for the enrolment, program, athlete and
answer, the version's content parsed once per process (versions are frozen), and a few
statements a day, whatever the number of days already answered."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.models import Athlete, ProgramEnrolment, TrainingProgram, WorkoutStatus
from domain.policy import Actor
from domain.programs.following import days
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.programs.program_world import ProgramCast, program_cast
from tests.sql_statements import sql_statements

START = date(2026, 3, 2)


async def _enrolled(uow: UnitOfWork, cast: ProgramCast) -> uuid.UUID:
    async with uow as tx:
        program = await tx.session.get(TrainingProgram, cast.program_id)
        assert program is not None and program.current_version_id is not None
        enrolment = ProgramEnrolment(
            id=uuid.uuid4(),
            program_id=program.id,
            program_version_id=program.current_version_id,
            athlete_id=cast.ana_athlete,
            start_date=START,
            delivery_time=time(7, 0),
            how="self",
            status="active",
        )
        tx.session.add(enrolment)
        await tx.commit()
    return enrolment.id


async def test_a_day_sent_costs_three_statements_once_its_version_is_parsed(
    emulator: Emulator, uow: UnitOfWork, engine: AsyncEngine
) -> None:
    cast = await program_cast(emulator, uow)
    enrolment_id = await _enrolled(uow, cast)
    days._VERSIONS.clear()

    with sql_statements(engine) as cold:
        first = await days.workout(uow, enrolment_id=enrolment_id, week=1, day=1)
    with sql_statements(engine) as warm:
        again = await days.workout(uow, enrolment_id=enrolment_id, week=1, day=1)

    # The day in one row, the metric types, the best a % load is worked out from; the
    # version's content only the first time.
    assert len(cold) == 4 and len(warm) == 3
    assert first == again
    assert first is not None
    assert (first.athlete_name, first.program_title, first.weeks) == ("Ana", "Strength base", 2)
    assert first.date == START and first.answer is None
    assert [p.exercise.name for p in first.exercises] == ["back squat", "bench press"]


async def test_a_day_sent_shows_its_own_answer_and_nothing_for_a_rest_day_or_a_pause(
    emulator: Emulator, uow: UnitOfWork
) -> None:
    cast = await program_cast(emulator, uow)
    enrolment_id = await _enrolled(uow, cast)
    async with uow as tx:
        athlete = await tx.session.get(Athlete, cast.ana_athlete)
    assert athlete is not None and athlete.user_id is not None
    ana = Actor(user_id=athlete.user_id, role="athlete", own_athlete_id=cast.ana_athlete)
    now = datetime.now(UTC)
    today = now.date()
    await days.answer(
        uow,
        actor=ana,
        enrolment_id=enrolment_id,
        week=1,
        day=3,
        status=WorkoutStatus.PARTLY,
        today=today,
        now=now,
    )

    day1 = await days.workout(uow, enrolment_id=enrolment_id, week=1, day=1)
    day3 = await days.workout(uow, enrolment_id=enrolment_id, week=1, day=3)
    rest = await days.workout(uow, enrolment_id=enrolment_id, week=1, day=2)
    async with uow as tx:
        enrolment = await tx.session.scalar(
            select(ProgramEnrolment).where(ProgramEnrolment.id == enrolment_id)
        )
        assert enrolment is not None
        enrolment.paused_at = now
        await tx.commit()
    paused = await days.workout(uow, enrolment_id=enrolment_id, week=1, day=1)

    assert day1 is not None and day1.answer is None
    assert day3 is not None and day3.answer == WorkoutStatus.PARTLY
    assert rest is None and paused is None
