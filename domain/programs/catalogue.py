"""The catalogue athletes and parents browse: published programs by sport and level, and a
program's page with week 1 of what they would receive and its coach's rating."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from domain import policy
from domain.models import ProgramStatus
from domain.policy import Action, Actor, ProgramTarget
from domain.programs import queries
from domain.programs.authoring import ProgramNotFound
from domain.programs.content import ProgramContent, Week
from domain.programs.details import Difficulty
from domain.programs.materials import Material
from domain.uow import UnitOfWork

MAX_LISTED = 20


@dataclass(frozen=True)
class Offer:
    """How many published programs a sport or a level has."""

    value: str
    programs: int


@dataclass(frozen=True)
class CatalogueEntry:
    """A program in a catalogue list."""

    id: uuid.UUID
    title: str
    weeks: int
    coach_name: str
    coach_rating: Decimal | None
    price: Decimal | None
    currency: str


@dataclass(frozen=True)
class ProgramPage:
    """A program's page: what it is, who wrote it, week 1 as athletes get it."""

    id: uuid.UUID
    title: str
    sport: str
    difficulty: str
    weeks: int
    skills: list[str]
    description: str
    price: Decimal | None
    currency: str
    coach_name: str
    coach_rating: Decimal | None
    coach_reviews: int
    version_id: uuid.UUID | None  # what an enrolment now would follow
    first_week: Week | None
    materials: list[Material]  # only for the author and enrolled families
    material_count: int
    is_author: bool
    in_catalogue: bool

    @property
    def free(self) -> bool:
        """Whether the program costs nothing."""
        return not self.price


async def sports(uow: UnitOfWork) -> list[Offer]:
    """The sports with published programs, the most offered first."""
    async with uow as tx:
        return [Offer(sport, n) for sport, n in await queries.published_sports(tx) if sport]


async def levels(uow: UnitOfWork, *, sport: str) -> list[Offer]:
    """The levels of one sport with published programs, easiest first."""
    async with uow as tx:
        found = dict((level, n) for level, n in await queries.published_levels(tx, sport))
    return [Offer(d.value, found[d.value]) for d in Difficulty if d.value in found]


async def programs(uow: UnitOfWork, *, sport: str, level: str) -> list[CatalogueEntry]:
    """Published programs of a sport and level, the best-rated coaches first."""
    async with uow as tx:
        rows = await queries.published_programs(tx, sport, level, limit=MAX_LISTED)
    return [
        CatalogueEntry(
            id=p.id,
            title=p.title,
            weeks=p.duration_weeks or 0,
            coach_name=name,
            coach_rating=rating,
            price=p.price,
            currency=p.currency,
        )
        for p, name, rating in rows
    ]


async def program_page(
    uow: UnitOfWork, *, actor: Actor | None, program_id: uuid.UUID
) -> ProgramPage:
    """A published program's page (its author and enrolled families see it out of the catalogue
    too, with the materials)."""
    async with uow as tx:
        program = await queries.program(tx, program_id)
        if program is None:
            raise ProgramNotFound("no such program")
        target = ProgramTarget(program.coach_id, await queries.enrolled_athletes(tx, program.id))
        sees_all = actor is not None and policy.may(actor, Action.VIEW_PROGRAM, target)
        in_catalogue = program.status == ProgramStatus.PUBLISHED
        if not (in_catalogue or sees_all):
            raise ProgramNotFound("not in the catalogue")
        version = (
            await queries.version(tx, program.current_version_id)
            if program.current_version_id
            else None
        )
        coach = await queries.coach_card(tx, program.coach_id)
        files = await queries.materials(tx, program.id)
    content = ProgramContent.from_stored(version.content) if version else ProgramContent()
    return ProgramPage(
        id=program.id,
        title=program.title,
        sport=program.sport_type or "",
        difficulty=program.difficulty_level or "",
        weeks=program.duration_weeks or 0,
        skills=list(program.target_skills or []),
        description=program.description or "",
        price=program.price,
        currency=program.currency,
        coach_name=coach.first_name if coach else "",
        coach_rating=coach.rating if coach else None,
        coach_reviews=(coach.total_reviews or 0) if coach else 0,
        version_id=version.id if version else None,
        first_week=content.week(1),
        materials=[
            Material(id=f.id, title=f.title, kind=f.kind, size_bytes=f.size_bytes) for f in files
        ]
        if sees_all
        else [],
        material_count=len(files),
        is_author=actor is not None and policy.may(actor, Action.EDIT_PROGRAM, target),
        in_catalogue=in_catalogue,
    )
