"""Authoring rules against the database: nothing saved from bad text, versions only for a
changed draft, publishing needs content, only the author edits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.models import AuditEntry, ProgramVersion
from domain.policy import Actor
from domain.programs import authoring
from domain.programs.program_text import ProgramTextError
from domain.uow import UnitOfWork
from tests.domain.programs.program_rows import DETAILS
from tests.factories import coach_and_athlete


@pytest.fixture
async def author(uow: UnitOfWork) -> Actor:
    coach, _ = await coach_and_athlete(uow)
    return Actor(user_id=coach.user_id, role="coach", coach_id=coach.id, is_verified_coach=True)


async def _versions(uow: UnitOfWork) -> int:
    async with uow as tx:
        return int(await tx.session.scalar(select(func.count()).select_from(ProgramVersion)))


async def test_bad_text_saves_nothing_not_even_its_good_lines(
    uow: UnitOfWork, author: Actor
) -> None:
    program = await authoring.start_program(uow, actor=author, details=DETAILS)
    with pytest.raises(ProgramTextError):
        await authoring.write_weeks(
            uow,
            actor=author,
            program_id=program.id,
            text="W1D1: squat 3x5\nW1D2: squat 3x5 900kg",
            week=None,
        )
    after = await authoring.program_for_author(uow, actor=author, program_id=program.id)
    assert after.draft.weeks == []
    async with uow as tx:
        actions = set(await tx.session.scalars(select(AuditEntry.action)))
    assert "program.content_written" not in actions


async def test_publishing_an_unchanged_draft_again_makes_no_new_version(
    uow: UnitOfWork, author: Actor
) -> None:
    program = await authoring.start_program(uow, actor=author, details=DETAILS)
    with pytest.raises(authoring.NothingToPublish):
        await authoring.publish(uow, actor=author, program_id=program.id)
    await authoring.write_weeks(
        uow, actor=author, program_id=program.id, text="D1: squat 3x5", week=1
    )
    first = await authoring.publish(uow, actor=author, program_id=program.id)
    await authoring.unpublish(uow, actor=author, program_id=program.id)
    again = await authoring.publish(uow, actor=author, program_id=program.id)
    assert (first.version, again.version, await _versions(uow)) == (1, 1, 1)
    await authoring.copy_week(uow, actor=author, program_id=program.id, source=1, target=2)
    changed = await authoring.program_for_author(uow, actor=author, program_id=program.id)
    assert changed.draft_changed
    assert (await authoring.publish(uow, actor=author, program_id=program.id)).version == 2


async def test_another_coach_can_neither_see_nor_change_the_program(
    uow: UnitOfWork, author: Actor
) -> None:
    program = await authoring.start_program(uow, actor=author, details=DETAILS)
    other_coach, _ = await coach_and_athlete(uow)
    other = Actor(
        user_id=other_coach.user_id, role="coach", coach_id=other_coach.id, is_verified_coach=True
    )
    with pytest.raises(authoring.ProgramNotFound):
        await authoring.program_for_author(uow, actor=other, program_id=program.id)
    with pytest.raises(authoring.ProgramNotFound):
        await authoring.write_weeks(
            uow, actor=other, program_id=program.id, text="D1: squat 3x5", week=1
        )
    with pytest.raises(authoring.ProgramNotFound):
        await authoring.copy_week(uow, actor=other, program_id=program.id, source=1, target=2)
    assert [p.id for p in await authoring.author_programs(uow, actor=other)] == []


async def test_someone_without_a_coach_profile_cannot_start_a_program(uow: UnitOfWork) -> None:
    _, athlete = await coach_and_athlete(uow)
    actor = Actor(user_id=athlete.user_id, role="athlete", own_athlete_id=athlete.id)
    with pytest.raises(authoring.NotAnAuthor):
        await authoring.start_program(uow, actor=actor, details=DETAILS)
