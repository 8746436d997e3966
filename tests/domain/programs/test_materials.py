"""Materials refused over Telegram's 50 MB, whether the size is declared or only found while
streaming, and on both storage backends' interface: nothing is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.wiring import Services
from domain.models import ProgramMaterial
from domain.policy import Actor
from domain.programs import authoring, materials
from domain.uow import UnitOfWork
from tests.domain.programs.program_rows import DETAILS
from tests.factories import coach_and_athlete

MB = 1024 * 1024


@pytest.fixture
async def program_of(uow: UnitOfWork) -> tuple[Actor, authoring.AuthorProgram]:
    coach, _ = await coach_and_athlete(uow)
    actor = Actor(user_id=coach.user_id, role="coach", coach_id=coach.id, is_verified_coach=True)
    return actor, await authoring.start_program(uow, actor=actor, details=DETAILS)


async def _stored_rows(uow: UnitOfWork) -> int:
    async with uow as tx:
        return int(await tx.session.scalar(select(func.count()).select_from(ProgramMaterial)))


async def _untouchable() -> AsyncIterator[bytes]:
    raise AssertionError("a file declared too large must not be read")
    yield b""  # pragma: no cover


async def test_a_file_declared_over_50_mb_is_refused_before_it_is_read(
    uow: UnitOfWork, services: Services, program_of: tuple[Actor, authoring.AuthorProgram]
) -> None:
    actor, program = program_of
    with pytest.raises(materials.MaterialTooLarge):
        await materials.attach(
            uow,
            services.storage,
            actor=actor,
            program_id=program.id,
            filename="long.mp4",
            declared_size=50 * MB + 1,
            source=_untouchable(),
        )
    assert await _stored_rows(uow) == 0


async def test_a_file_found_over_50_mb_while_streaming_is_refused_and_not_kept(
    uow: UnitOfWork, services: Services, program_of: tuple[Actor, authoring.AuthorProgram]
) -> None:
    actor, program = program_of

    async def pdf_too_long() -> AsyncIterator[bytes]:
        yield b"%PDF-1.7\n"
        for _ in range(51):
            yield b"0" * MB

    with pytest.raises(materials.MaterialTooLarge):
        await materials.attach(
            uow,
            services.storage,
            actor=actor,
            program_id=program.id,
            filename="plan.pdf",
            declared_size=None,  # the client did not say
            source=pdf_too_long(),
        )
    assert await _stored_rows(uow) == 0
    root = services.storage.path_of(f"training-materials/{program.id}/x").parent  # type: ignore[attr-defined]
    assert not root.exists() or list(root.iterdir()) == []


async def test_only_the_author_attaches(
    uow: UnitOfWork, services: Services, program_of: tuple[Actor, authoring.AuthorProgram]
) -> None:
    actor, program = program_of
    other = Actor(user_id=actor.user_id, role="coach", coach_id=None)
    with pytest.raises(authoring.ProgramNotFound):
        await materials.attach(
            uow,
            services.storage,
            actor=other,
            program_id=program.id,
            filename="plan.pdf",
            declared_size=10,
            source=b"%PDF-1.7\n",
        )
    assert await _stored_rows(uow) == 0
