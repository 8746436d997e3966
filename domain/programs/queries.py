"""Every SQL statement of the programs capability: programs, versions, materials, the catalogue
and who is enrolled."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Row, func, select

from domain.models import (
    Coach,
    EnrolmentStatus,
    ProgramEnrolment,
    ProgramMaterial,
    ProgramStatus,
    ProgramVersion,
    TrainingProgram,
    User,
)
from domain.uow import Transaction

# Enrolled people keep seeing what they followed once it is over; a cancelled one does not.
_SEEING = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


async def program(tx: Transaction, program_id: uuid.UUID, *, lock: bool = False) -> TrainingProgram:
    """A program by id, locked for the change about to be made if `lock`; None if none."""
    return await tx.session.get(TrainingProgram, program_id, with_for_update=lock)


async def programs_of_coach(tx: Transaction, coach_id: uuid.UUID) -> Sequence[TrainingProgram]:
    """A coach's programs, newest first."""
    query = (
        select(TrainingProgram)
        .where(TrainingProgram.coach_id == coach_id)
        .order_by(TrainingProgram.created_at.desc(), TrainingProgram.id)
    )
    return (await tx.session.scalars(query)).all()


async def version(tx: Transaction, version_id: uuid.UUID) -> ProgramVersion | None:
    """A published version by id."""
    return await tx.session.get(ProgramVersion, version_id)


async def last_version_number(tx: Transaction, program_id: uuid.UUID) -> int:
    """The highest version number of a program (0 before the first publication)."""
    query = select(func.coalesce(func.max(ProgramVersion.number), 0)).where(
        ProgramVersion.program_id == program_id
    )
    return int(await tx.session.scalar(query) or 0)


async def enrolled_athletes(tx: Transaction, program_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """Athletes following the program now, or who finished it."""
    query = select(ProgramEnrolment.athlete_id).where(
        ProgramEnrolment.program_id == program_id, ProgramEnrolment.status.in_(_SEEING)
    )
    return frozenset(await tx.session.scalars(query))


async def materials(tx: Transaction, program_id: uuid.UUID) -> Sequence[ProgramMaterial]:
    """A program's files, in the order they were attached."""
    query = (
        select(ProgramMaterial)
        .where(ProgramMaterial.program_id == program_id)
        .order_by(ProgramMaterial.created_at, ProgramMaterial.id)
    )
    return (await tx.session.scalars(query)).all()


async def material(tx: Transaction, material_id: uuid.UUID) -> ProgramMaterial | None:
    """One attached file by id."""
    return await tx.session.get(ProgramMaterial, material_id)


async def coach_card(tx: Transaction, coach_id: uuid.UUID | None) -> Row[tuple[str, ...]] | None:
    """(first_name, rating, total_reviews, currency) of a program's author."""
    query = (
        select(User.first_name, Coach.rating, Coach.total_reviews, Coach.currency)
        .join(User, User.id == Coach.user_id)
        .where(Coach.id == coach_id)
    )
    return (await tx.session.execute(query)).first()


_PUBLISHED = TrainingProgram.status == ProgramStatus.PUBLISHED


async def published_sports(tx: Transaction) -> Sequence[Row[tuple[str, int]]]:
    """(sport, programs) of the catalogue, the most offered first."""
    count = func.count()
    query = (
        select(TrainingProgram.sport_type, count)
        .where(_PUBLISHED)
        .group_by(TrainingProgram.sport_type)
        .order_by(count.desc(), TrainingProgram.sport_type)
    )
    return (await tx.session.execute(query)).all()


async def published_levels(tx: Transaction, sport: str) -> Sequence[Row[tuple[str, int]]]:
    """(difficulty, programs) of one sport in the catalogue."""
    query = (
        select(TrainingProgram.difficulty_level, func.count())
        .where(_PUBLISHED, TrainingProgram.sport_type == sport)
        .group_by(TrainingProgram.difficulty_level)
    )
    return (await tx.session.execute(query)).all()


async def published_programs(
    tx: Transaction, sport: str, level: str, *, limit: int
) -> Sequence[Row[tuple[TrainingProgram, str, object]]]:
    """(program, coach's first name, coach's rating) of one sport and level, best rated first."""
    query = (
        select(TrainingProgram, User.first_name, Coach.rating)
        .join(Coach, Coach.id == TrainingProgram.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(
            _PUBLISHED,
            TrainingProgram.sport_type == sport,
            TrainingProgram.difficulty_level == level,
        )
        .order_by(Coach.rating.desc().nulls_last(), TrainingProgram.published_at.desc())
        .limit(limit)
    )
    return (await tx.session.execute(query)).all()
