"""A coach writing a program: details, content week by week, a copied week, publication.

`program_content` on the program is the draft; publishing freezes it into a new
`program_versions` row when it changed, and enrolments keep the version they started with, so
editing a published program never changes what an enrolled athlete already received.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from domain import policy
from domain.errors import InvalidInput, NotAllowed, NotFound
from domain.models import ProgramStatus, ProgramVersion, TrainingProgram
from domain.policy import Action, Actor, CoachTarget, ProgramTarget
from domain.programs import queries
from domain.programs.content import MAX_WEEKS, ProgramContent
from domain.programs.details import ProgramDetails
from domain.programs.program_text import parse_program_text
from domain.uow import Transaction, UnitOfWork


class NotAnAuthor(NotAllowed):
    """Only coaches write programs."""

    message_key = "programs.error.not_a_coach"


class ProgramNotFound(NotFound):
    """No such program, or not one the asker may edit."""

    message_key = "programs.error.not_found"


class NotVerified(NotAllowed):
    """Only coaches an admin verified put programs in the catalogue."""

    message_key = "programs.error.not_verified"


class NothingToPublish(InvalidInput):
    """A program with no training day yet."""

    message_key = "programs.error.empty"


class NotPublished(InvalidInput):
    """Only a published program can be taken out of the catalogue."""

    message_key = "programs.error.not_published"


class WeekOutOfProgram(InvalidInput):
    """A week number the program does not have."""

    message_key = "programs.error.week_range"


@dataclass(frozen=True)
class AuthorProgram:
    """A program as its author sees it: details, the draft, where it stands."""

    id: uuid.UUID
    title: str
    sport: str
    difficulty: str
    weeks: int
    skills: list[str]
    description: str
    price: Decimal | None
    currency: str
    status: ProgramStatus
    version: int  # the published version athletes enrol into; 0 before the first
    draft: ProgramContent
    draft_changed: bool  # the draft differs from the published version
    materials: int


async def start_program(uow: UnitOfWork, *, actor: Actor, details: ProgramDetails) -> AuthorProgram:
    """A new draft program of the acting coach."""
    if actor.coach_id is None:
        raise NotAnAuthor("no coach profile")
    policy.require(actor, Action.AUTHOR_PROGRAM, CoachTarget(actor.coach_id))
    async with uow as tx:
        coach = await tx.coaches.get(actor.coach_id)
        program = TrainingProgram(
            coach_id=actor.coach_id,
            title=details.title,
            sport_type=details.sport,
            difficulty_level=details.difficulty.value,
            duration_weeks=details.weeks,
            target_skills=details.skills,
            description=details.description,
            price=details.price,
            currency=details.currency or coach.currency,
            program_content=ProgramContent().stored(),
            status=ProgramStatus.DRAFT.value,
        )
        tx.session.add(program)
        await tx.flush()
        _audit(tx, actor, "program.created", program)
        view = await _view(tx, program)
        await tx.commit()
    return view


async def author_programs(uow: UnitOfWork, *, actor: Actor) -> list[AuthorProgram]:
    """The acting coach's own programs, newest first (none for anyone else)."""
    if actor.coach_id is None:
        raise NotAnAuthor("no coach profile")
    async with uow as tx:
        return [await _view(tx, p) for p in await queries.programs_of_coach(tx, actor.coach_id)]


async def program_for_author(
    uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID
) -> AuthorProgram:
    """One of the acting coach's programs."""
    async with uow as tx:
        return await _view(tx, await editable_program(tx, actor, program_id))


async def write_weeks(
    uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID, text: str, week: int | None
) -> tuple[AuthorProgram, list[int]]:
    """Put the weeks written in compact text into the draft, each replacing the week of its
    number; ProgramTextError names each bad line, and then nothing is saved."""
    async with uow as tx:
        program = await editable_program(tx, actor, program_id, lock=True)
        parsed = parse_program_text(text, weeks=program.duration_weeks or MAX_WEEKS, week=week)
        draft = ProgramContent.from_stored(program.program_content).with_weeks(parsed)
        program.program_content = draft.stored()
        _audit(tx, actor, "program.content_written", program, weeks=[w.week for w in parsed])
        view = await _view(tx, program)
        await tx.commit()
    return view, [w.week for w in parsed]


async def copy_week(
    uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID, source: int, target: int
) -> AuthorProgram:
    """Make week `target` of the draft a copy of week `source`."""
    async with uow as tx:
        program = await editable_program(tx, actor, program_id, lock=True)
        weeks = program.duration_weeks or MAX_WEEKS
        if not (1 <= source <= weeks and 1 <= target <= weeks) or source == target:
            raise WeekOutOfProgram(weeks=weeks)
        draft = ProgramContent.from_stored(program.program_content)
        program.program_content = draft.with_week_copied(source, target).stored()
        _audit(tx, actor, "program.week_copied", program, source=source, target=target)
        view = await _view(tx, program)
        await tx.commit()
    return view


async def publish(uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID) -> AuthorProgram:
    """Put the program in the catalogue; a changed draft becomes a new, frozen version."""
    async with uow as tx:
        program = await editable_program(tx, actor, program_id, lock=True)
        if not policy.may(actor, Action.PUBLISH_PROGRAM, ProgramTarget(program.coach_id)):
            raise NotVerified("publishing needs a verified coach")
        draft = ProgramContent.from_stored(program.program_content)
        if not draft.training_days():
            raise NothingToPublish("no training day")
        current = await _current_content(tx, program)
        if current != draft:
            version = ProgramVersion(
                program_id=program.id,
                number=await queries.last_version_number(tx, program.id) + 1,
                content=draft.stored(),
                schema_version=draft.schema_version,
                duration_weeks=program.duration_weeks,
                published_by=actor.user_id,
            )
            tx.session.add(version)
            await tx.flush()
            program.current_version_id = version.id
        program.status = ProgramStatus.PUBLISHED.value
        program.published_at = datetime.now(UTC)
        _audit(tx, actor, "program.published", program)
        view = await _view(tx, program)
        await tx.commit()
    return view


async def unpublish(uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID) -> AuthorProgram:
    """Take the program out of the catalogue; enrolled athletes keep following it."""
    async with uow as tx:
        program = await editable_program(tx, actor, program_id, lock=True)
        policy.require(actor, Action.PUBLISH_PROGRAM, ProgramTarget(program.coach_id))
        if program.status != ProgramStatus.PUBLISHED:
            raise NotPublished("not in the catalogue")
        program.status = ProgramStatus.UNPUBLISHED.value
        _audit(tx, actor, "program.unpublished", program)
        view = await _view(tx, program)
        await tx.commit()
    return view


async def editable_program(
    tx: Transaction, actor: Actor, program_id: uuid.UUID, *, lock: bool = False
) -> TrainingProgram:
    """The program, if the actor may edit it; ProgramNotFound otherwise (as if it did not exist)."""
    program = await queries.program(tx, program_id, lock=lock)
    if program is None or not policy.may(
        actor, Action.EDIT_PROGRAM, ProgramTarget(program.coach_id)
    ):
        raise ProgramNotFound("no such program of this coach")
    return program


async def _current_content(tx: Transaction, program: TrainingProgram) -> ProgramContent | None:
    if program.current_version_id is None:
        return None
    version = await queries.version(tx, program.current_version_id)
    return ProgramContent.from_stored(version.content) if version else None


async def _view(tx: Transaction, program: TrainingProgram) -> AuthorProgram:
    draft = ProgramContent.from_stored(program.program_content)
    current = await _current_content(tx, program)
    version = await queries.version(tx, program.current_version_id) if current else None
    return AuthorProgram(
        id=program.id,
        title=program.title,
        sport=program.sport_type or "",
        difficulty=program.difficulty_level or "",
        weeks=program.duration_weeks or 0,
        skills=list(program.target_skills or []),
        description=program.description or "",
        price=program.price,
        currency=program.currency,
        status=ProgramStatus(program.status),
        version=version.number if version else 0,
        draft=draft,
        draft_changed=current is not None and current != draft,
        materials=len(await queries.materials(tx, program.id)),
    )


def _audit(
    tx: Transaction, actor: Actor, action: str, program: TrainingProgram, **details: object
) -> None:
    tx.audit.record(
        actor_id=actor.user_id,
        action=action,
        entity="training_program",
        entity_id=program.id,
        details=details or None,
    )
