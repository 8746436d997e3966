"""Starting, pausing and ending a program: an athlete's side enrols (free programs), a coach
assigns one of their programs to an athlete they coach (free), and a paid program is enrolled by
its payment (`purchase`). The refund policy for a paid program is `refund_due_for` here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import policy
from domain.errors import DomainError, NotFound
from domain.models import (
    EnrolmentHow,
    EnrolmentStatus,
    PaymentStatus,
    ProgramEnrolment,
    ProgramStatus,
    TrainingProgram,
)
from domain.payments.records import give_back
from domain.people.queries import first_names
from domain.policy import Action, Actor, AthleteTarget, ProgramTarget
from domain.programs.following import queries
from domain.uow import Transaction, UnitOfWork

# The refund policy (README "Training programs"): a paid program ended by the family before
# its start date or within REFUND_DAYS of it is refunded in full; later it is not.
REFUND_DAYS = 7
# How far ahead a start may be chosen.
MAX_START_AHEAD = timedelta(days=90)
DELIVERY_TIMES = (time(6, 0), time(7, 0), time(8, 0), time(12, 0), time(17, 0), time(19, 0))


class NotEnrollable(DomainError):
    """The program is not in the catalogue (draft, unpublished) or not this coach's to give."""

    message_key = "training.error.not_enrollable"


class AlreadyEnrolled(DomainError):
    """The athlete already follows this program."""

    message_key = "training.error.already_enrolled"


class PaidProgram(DomainError):
    """A priced program is enrolled by paying for it, not by a free enrolment."""

    message_key = "training.error.paid"


class BadStart(DomainError):
    """A start date in the past or too far ahead."""

    message_key = "training.error.bad_start"


@dataclass(frozen=True)
class Enrolled:
    """A running enrolment, as the confirmation tells it."""

    enrolment_id: uuid.UUID
    program_title: str
    start_date: date
    delivery_time: time
    weeks: int


@dataclass(frozen=True)
class Ended:
    """An enrolment ended; `refund` says what became of its payment (None: nothing paid)."""

    program_title: str
    refund: PaymentStatus | None
    amount: dict[str, str] | None


def is_paid(program: TrainingProgram) -> bool:
    """Whether the program costs money."""
    return bool(program.price and program.price > Decimal(0))


def require_start(start: date, today: date) -> None:
    """BadStart unless the start is today or later, and not too far ahead."""
    if start < today or start > today + MAX_START_AHEAD:
        raise BadStart("start out of range")


def local_today(now: datetime, timezone: str) -> date:
    """The date it is now in a zone."""
    return now.astimezone(ZoneInfo(timezone)).date()


async def enrol(
    uow: UnitOfWork,
    *,
    actor: Actor,
    program_id: uuid.UUID,
    athlete_id: uuid.UUID,
    start: date,
    now: datetime,
) -> Enrolled:
    """Enrol an athlete (oneself or a child) in a free program from a start date."""
    policy.require(actor, Action.ENROL_IN_PROGRAM, AthleteTarget(athlete_id))
    require_start(start, local_today(now, actor.timezone) - timedelta(days=1))
    how = EnrolmentHow.SELF if athlete_id == actor.own_athlete_id else EnrolmentHow.PARENT
    async with uow as tx:
        program = await _published(tx, program_id)
        if is_paid(program):
            raise PaidProgram("priced program")
        enrolment = await start_enrolment(
            tx, program=program, athlete_id=athlete_id, start=start, by=actor.user_id, how=how
        )
        await tx.commit()
    return _enrolled(enrolment, program)


async def assign(
    uow: UnitOfWork,
    *,
    actor: Actor,
    program_id: uuid.UUID,
    athlete_id: uuid.UUID,
    start: date,
    now: datetime,
) -> Enrolled:
    """A coach gives an athlete they coach one of their own published programs, free."""
    policy.require(actor, Action.ASSIGN_PROGRAM, AthleteTarget(athlete_id))
    require_start(start, local_today(now, actor.timezone) - timedelta(days=1))
    async with uow as tx:
        program = await _published(tx, program_id)
        if not policy.may(actor, Action.EDIT_PROGRAM, ProgramTarget(program.coach_id)):
            raise NotEnrollable("not the coach's program")
        enrolment = await start_enrolment(
            tx,
            program=program,
            athlete_id=athlete_id,
            start=start,
            by=actor.user_id,
            how=EnrolmentHow.COACH_ASSIGNED,
        )
        await tx.commit()
    return _enrolled(enrolment, program)


async def _published(tx: Transaction, program_id: uuid.UUID) -> TrainingProgram:
    found = await queries.program_with_coach(tx, program_id)
    if found is None:
        raise NotFound("no such program")
    program: TrainingProgram = found[0]
    if program.status != ProgramStatus.PUBLISHED or program.current_version_id is None:
        raise NotEnrollable("not published")
    return program


async def start_enrolment(
    tx: Transaction,
    *,
    program: TrainingProgram,
    athlete_id: uuid.UUID,
    start: date,
    by: uuid.UUID | None,
    how: EnrolmentHow,
    payment_id: uuid.UUID | None = None,
) -> ProgramEnrolment:
    """Inside a transaction: the athlete follows the program's current version from `start`."""
    if await queries.running_enrolment(tx, athlete_id, program.id) is not None:
        raise AlreadyEnrolled("enrolled already")
    assert program.current_version_id is not None
    enrolment = ProgramEnrolment(
        id=uuid.uuid4(),
        program_id=program.id,
        program_version_id=program.current_version_id,
        athlete_id=athlete_id,
        start_date=start,
        delivery_time=time(7, 0),
        guardians_copy=False,
        enrolled_by=by,
        how=how,
        payment_id=payment_id,
        status=EnrolmentStatus.ACTIVE,
    )
    tx.session.add(enrolment)
    tx.audit.record(
        actor_id=by,
        action=f"program.enrolled.{how}",
        entity="program_enrolment",
        entity_id=enrolment.id,
        details={"program_id": str(program.id), "athlete_id": str(athlete_id)},
    )
    # The unique index on running enrolments is the last word when two presses race.
    await tx.flush()
    return enrolment


def _enrolled(enrolment: ProgramEnrolment, program: TrainingProgram) -> Enrolled:
    return Enrolled(
        enrolment_id=enrolment.id,
        program_title=program.title,
        start_date=enrolment.start_date,
        delivery_time=enrolment.delivery_time,
        weeks=program.duration_weeks or 1,
    )


@dataclass(frozen=True)
class Following:
    """One running enrolment of the family, as /training lists it."""

    enrolment_id: uuid.UUID
    athlete_id: uuid.UUID
    program_title: str
    start_date: date
    weeks: int
    delivery_time: time
    paused: bool
    guardians_copy: bool
    paid: bool


async def family_enrolments(uow: UnitOfWork, *, actor: Actor) -> list[Following]:
    """The running enrolments of the athletes the actor may enrol (themself, their children)."""
    athletes = policy.athletes_actor_may_act_for(actor)
    if not athletes:
        return []
    async with uow as tx:
        rows = await queries.enrolments_of(tx, athletes)
    return [
        Following(
            enrolment_id=e.id,
            athlete_id=e.athlete_id,
            program_title=title,
            start_date=e.start_date,
            weeks=weeks,
            delivery_time=e.delivery_time,
            paused=e.paused_at is not None,
            guardians_copy=e.guardians_copy,
            paid=e.payment_id is not None,
        )
        for e, title, weeks in rows
    ]


async def family_list(
    uow: UnitOfWork, *, actor: Actor
) -> tuple[list[Following], dict[uuid.UUID, str]]:
    """The family's running enrolments and the athletes' first names."""
    items = await family_enrolments(uow, actor=actor)
    async with uow as tx:
        names = await first_names(tx, {i.athlete_id for i in items})
    return items, names


async def _own_enrolment(
    tx: Transaction, actor: Actor, enrolment_id: uuid.UUID
) -> ProgramEnrolment:
    found = await queries.enrolment_with_program(tx, enrolment_id, lock=True)
    if found is None or found[0].status != EnrolmentStatus.ACTIVE:
        raise NotFound("no running enrolment")
    enrolment: ProgramEnrolment = found[0]
    policy.require(actor, Action.ENROL_IN_PROGRAM, AthleteTarget(enrolment.athlete_id))
    return enrolment


async def set_paused(
    uow: UnitOfWork, *, actor: Actor, enrolment_id: uuid.UUID, paused: bool, now: datetime
) -> None:
    """Pause the daily workouts (what is queued and unsent is dropped) or resume them."""
    async with uow as tx:
        enrolment = await _own_enrolment(tx, actor, enrolment_id)
        await queries.set_paused(tx, enrolment.id, now if paused else None)
        if paused:
            await queries.drop_unsent_days(tx, enrolment.id)
        await tx.commit()


async def set_delivery(
    uow: UnitOfWork,
    *,
    actor: Actor,
    enrolment_id: uuid.UUID,
    at: time | None = None,
    guardians_copy: bool | None = None,
) -> None:
    """Change the local time of the daily workout, or whether guardians get a copy."""
    if at is not None and at not in DELIVERY_TIMES:
        raise NotFound("not an offered time")
    async with uow as tx:
        enrolment = await _own_enrolment(tx, actor, enrolment_id)
        if at is not None:
            enrolment.delivery_time = at
        if guardians_copy is not None:
            enrolment.guardians_copy = guardians_copy
        await tx.commit()


def refund_due_for(enrolment: ProgramEnrolment, today: date) -> bool:
    """The policy: a paid program ended before its start or within REFUND_DAYS of it."""
    return today <= enrolment.start_date + timedelta(days=REFUND_DAYS)


async def end(uow: UnitOfWork, *, actor: Actor, enrolment_id: uuid.UUID, now: datetime) -> Ended:
    """End a running enrolment; a paid one is refunded by the policy (`refund_due_for`)."""
    async with uow as tx:
        enrolment = await _own_enrolment(tx, actor, enrolment_id)
        found = await queries.enrolment_with_program(tx, enrolment_id)
        assert found is not None
        program: TrainingProgram = found[1]
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.ended_at = now
        await queries.drop_unsent_days(tx, enrolment.id)
        refund, amount = None, None
        if enrolment.payment_id is not None:
            today = local_today(now, actor.timezone)
            payment = await tx.payments.get(enrolment.payment_id)
            if payment.status == PaymentStatus.COMPLETED and refund_due_for(enrolment, today):
                payer = await tx.users.find(payment.payer_id) if payment.payer_id else None
                refund = await give_back(tx, payment, payer, now)
                amount = {"amount": str(payment.amount), "currency": payment.currency or ""}
        tx.audit.record(
            actor_id=actor.user_id,
            action="program.enrolment_ended",
            entity="program_enrolment",
            entity_id=enrolment.id,
            details={"refund": refund},
        )
        await tx.commit()
    return Ended(program.title, refund, amount)


@dataclass(frozen=True)
class EnrolChoices:
    """What enrolling asks: whom (the actor's athletes not in it yet), at what price."""

    program_id: uuid.UUID
    title: str
    price: Decimal | None
    currency: str
    paid: bool
    athletes: list[tuple[uuid.UUID, str]]


async def enrol_choices(uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID) -> EnrolChoices:
    """The athletes the actor may enrol in a published program (themself, their children)."""
    candidates = [
        a
        for a in policy.athletes_actor_may_act_for(actor)
        if policy.may(actor, Action.ENROL_IN_PROGRAM, AthleteTarget(a))
    ]
    async with uow as tx:
        program = await _published(tx, program_id)
        names = await first_names(tx, candidates)
        free = [a for a in candidates if await queries.running_enrolment(tx, a, program_id) is None]
    athletes = sorted(
        ((a, names.get(a, "")) for a in free), key=lambda p: p[0] != actor.own_athlete_id
    )
    return EnrolChoices(
        program.id, program.title, program.price, program.currency, is_paid(program), athletes
    )


@dataclass(frozen=True)
class Assignable:
    """A coach's published programs and the athletes they coach."""

    programs: list[tuple[uuid.UUID, str]]
    athletes: list[tuple[uuid.UUID, str]]


async def assignable(uow: UnitOfWork, *, actor: Actor) -> Assignable:
    """What a coach may assign: their own published programs, to the athletes they coach."""
    if actor.coach_id is None:
        return Assignable([], [])
    athletes = [
        a
        for a in actor.coached_athlete_ids
        if policy.may(actor, Action.ASSIGN_PROGRAM, AthleteTarget(a))
    ]
    async with uow as tx:
        programs = await queries.published_programs_of(tx, actor.coach_id)
        names = await first_names(tx, athletes)
    return Assignable(
        [(p_id, title) for p_id, title in programs],
        sorted(((a, names.get(a, "")) for a in athletes), key=lambda p: p[1]),
    )
