"""Program days: queued for delivery, shown as the athlete's workout, and answered.

Delivery: `queue_due_days` (a job, every minute) queues in one statement every program day
whose local delivery time has come (`queries.queue_days`), into the outbox, with a dedup key
per enrolment, day and recipient: no loss (a day missed by a stopped bot is still sent, up to
STALE later), no duplicates (the key; and the outbox's SKIP LOCKED claim for several senders).
Rest days are not queued. The workout itself is read when the row is sent (`workout`), so a
load given as a % of a best follows the athlete's newest best, and a paused or ended
enrolment sends nothing.

Answers: Done / Partly / Skip (`answer`), and one tap per exercise logging what was prescribed
(`log_exercise`) as a performance metric naming the program day, which is how personal bests
are found and announced (`domain.metrics.log`).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain import policy
from domain.errors import DomainError, NotFound
from domain.metrics.bests import best_so_far
from domain.metrics.catalogue import MetricKind, find
from domain.metrics.latest import LatestMetrics
from domain.metrics.log import Logged, ProgramDayRef, log_metric
from domain.metrics.log_line import LogLine
from domain.metrics.queries.types import types_for
from domain.models import EnrolmentStatus, NotificationKind, ProgramEnrolment, WorkoutStatus
from domain.policy import Action, Actor, AthleteTarget
from domain.programs.content import AbsoluteLoad, Exercise, PercentOfBest, ProgramContent
from domain.programs.following import queries
from domain.uow import Transaction, UnitOfWork

# Looked ahead by the planner, so a row is queued before its minute and sent on time.
LOOKAHEAD = timedelta(minutes=2)
# A day not sent within this long of its time (the bot down all day) is not sent any more.
STALE = timedelta(hours=20)
KG_STEP = Decimal("0.5")  # % loads are rounded to what a gym's plates can make
ONE_TAP_UNITS = frozenset({"kg", "s", "m", "reps"})


class NotThatDay(DomainError):
    """A program day the enrolment has no workout on, or one still ahead."""

    message_key = "training.error.not_that_day"


async def queue_due_days(uow: UnitOfWork, *, now: datetime) -> int:
    """Queue every program day due by now (and LOOKAHEAD); how many rows were new."""
    async with uow as tx:
        queued = await queries.queue_days(tx, horizon=now + LOOKAHEAD, stale=STALE)
        await tx.commit()
    return queued


@dataclass(frozen=True)
class Prescribed:
    """One exercise as the athlete does it today: the plan, the load worked out in kg."""

    number: int  # 1-based, as performance_metrics.program_exercise
    exercise: Exercise
    kg: Decimal | None  # the load in kg: absolute, or % of the newest best; None without
    metric: MetricKind | None  # the metric one tap logs, when the prescription gives a value
    value: Decimal | None  # what one tap logs, in the metric's unit


@dataclass(frozen=True)
class Workout:
    """A program day as sent: whose, which program, the exercises, and its answer so far."""

    enrolment_id: uuid.UUID
    athlete_id: uuid.UUID
    athlete_user_id: uuid.UUID | None
    athlete_name: str
    program_title: str
    week: int
    day: int
    weeks: int
    date: date
    exercises: list[Prescribed]
    answer: str | None


async def workout(
    uow: UnitOfWork, *, enrolment_id: uuid.UUID, week: int, day: int
) -> Workout | None:
    """The program day as it reads now; None when its enrolment is paused or over."""
    async with uow as tx:
        found = await queries.day_to_send(tx, enrolment_id, week, day)
        if found is None:
            return None
        if found.status != EnrolmentStatus.ACTIVE or found.paused_at is not None:
            return None
        plan = (await version_content(tx, found.program_version_id)).week(week)
        today = plan.day(day) if plan else None
        if today is None:
            return None
        kinds = [
            MetricKind.from_row(r)
            for r in await types_for(tx, athlete_id=found.athlete_id, coach_id=found.coach_id)
        ]
        exercises = [
            await _prescribed(tx, found.athlete_id, number, exercise, kinds)
            for number, exercise in enumerate(today.exercises, start=1)
        ]
    return Workout(
        enrolment_id=enrolment_id,
        athlete_id=found.athlete_id,
        athlete_user_id=found.athlete_user_id,
        athlete_name=found.first_name or "",
        program_title=found.title,
        week=week,
        day=day,
        weeks=found.duration_weeks,
        date=found.start_date + timedelta(days=(week - 1) * 7 + day - 1),
        exercises=exercises,
        answer=found.answer,
    )


# A version is frozen (trigger `program_versions_frozen`), so its parsed content never changes:
# parsed once per process, not for every day sent (a 12-week program took milliseconds).
_VERSIONS: OrderedDict[uuid.UUID, ProgramContent] = OrderedDict()
VERSIONS_KEPT = 64


async def version_content(tx: Transaction, version_id: uuid.UUID) -> ProgramContent:
    """A published version's content, parsed once and kept (the most recent VERSIONS_KEPT)."""
    content = _VERSIONS.get(version_id)
    if content is None:
        content = ProgramContent.from_stored(await queries.version_content(tx, version_id))
        _VERSIONS[version_id] = content
        if len(_VERSIONS) > VERSIONS_KEPT:
            _VERSIONS.popitem(last=False)
    else:
        _VERSIONS.move_to_end(version_id)
    return content


async def _prescribed(
    tx: Transaction, athlete_id: uuid.UUID, number: int, exercise: Exercise, kinds: list[MetricKind]
) -> Prescribed:
    load = exercise.load
    kg: Decimal | None = None
    if isinstance(load, AbsoluteLoad):
        kg = load.kg
    elif isinstance(load, PercentOfBest):
        of = find(kinds, load.metric or exercise.name)
        best = await best_so_far(tx, athlete_id=athlete_id, kind=of) if of else None
        if best is not None:
            kg = (best * load.percent / 100 / KG_STEP).quantize(Decimal(1), ROUND_HALF_UP) * KG_STEP
    metric = find(kinds, exercise.name)
    value = _one_tap_value(metric, exercise, kg)
    return Prescribed(number, exercise, kg, metric if value is not None else None, value)


def _one_tap_value(
    metric: MetricKind | None, exercise: Exercise, kg: Decimal | None
) -> Decimal | None:
    if metric is None or metric.unit not in ONE_TAP_UNITS:
        return None
    by_unit = {
        "kg": kg,
        "s": Decimal(exercise.seconds) if exercise.seconds else None,
        "m": exercise.metres,
        "reps": Decimal(exercise.reps) if exercise.reps else None,
    }
    return by_unit[metric.unit]


async def answerable(
    tx: Transaction, actor: Actor, enrolment_id: uuid.UUID, week: int, day: int, today: date
) -> ProgramEnrolment:
    """The enrolment, if the actor may answer this day of it and the day has a workout by now."""
    found = await queries.enrolment_with_program(tx, enrolment_id)
    if found is None:
        raise NotFound("no such enrolment")
    enrolment, _program, version = found
    policy.require(actor, Action.LOG_PROGRAM_DAY, AthleteTarget(enrolment.athlete_id))
    plan = (await version_content(tx, version.id)).week(week)
    on = enrolment.start_date + timedelta(days=(week - 1) * 7 + day - 1)
    if plan is None or plan.day(day) is None or on > today:
        raise NotThatDay("no workout that day")
    return enrolment


async def answer(
    uow: UnitOfWork,
    *,
    actor: Actor,
    enrolment_id: uuid.UUID,
    week: int,
    day: int,
    status: WorkoutStatus,
    today: date,
    now: datetime,
    note: str | None = None,
) -> None:
    """Record Done, Partly or Skip for a program day (a second answer replaces the first)."""
    async with uow as tx:
        enrolment = await answerable(tx, actor, enrolment_id, week, day, today)
        await queries.answer_day(
            tx,
            enrolment_id=enrolment.id,
            week=week,
            day=day,
            status=status,
            note=note,
            logged_by=actor.user_id,
            now=now,
        )
        await tx.commit()


async def log_exercise(
    uow: UnitOfWork,
    *,
    actor: Actor,
    enrolment_id: uuid.UUID,
    week: int,
    day: int,
    number: int,
    today: date,
    now: datetime,
    latest: LatestMetrics,
) -> Logged:
    """One tap: log what an exercise prescribed as a metric of the program day (bests follow)."""
    async with uow as tx:
        await answerable(tx, actor, enrolment_id, week, day, today)
    found = await workout(uow, enrolment_id=enrolment_id, week=week, day=day)
    chosen = next((p for p in found.exercises if p.number == number), None) if found else None
    if chosen is None or chosen.metric is None or chosen.value is None:
        raise NotThatDay("nothing to log with one tap")
    line = LogLine(
        metric=chosen.metric,
        value=chosen.value,
        unit=chosen.metric.unit,
        typed_value=chosen.value,
        typed_unit=chosen.metric.unit,
        reps=chosen.exercise.reps if chosen.metric.unit == "kg" else None,
        recorded_at=None,
        notes=None,
    )
    return await log_metric(
        uow,
        actor=actor,
        athlete_id=found.athlete_id,  # type: ignore[union-attr]
        line=line,
        now=now,
        latest=latest,
        confirmed=True,  # the coach prescribed it: no "are you sure?"
        program_day=ProgramDayRef(enrolment_id, week, day, number),
    )


MAX_NOTE = 1000


async def send_note(
    uow: UnitOfWork,
    *,
    actor: Actor,
    enrolment_id: uuid.UUID,
    week: int,
    day: int,
    note: str,
    today: date,
    now: datetime,
) -> str:
    """A note on a program day, kept with its answer and sent to the program's coach; returns
    the coach's first name."""
    note = note.strip()[:MAX_NOTE]
    async with uow as tx:
        enrolment = await answerable(tx, actor, enrolment_id, week, day, today)
        found = await queries.program_with_coach(tx, enrolment.program_id)
        assert found is not None
        program, _coach, coach_user = found
        athlete = await queries.athlete_user(tx, enrolment.athlete_id)
        await queries.set_note(tx, enrolment_id=enrolment.id, week=week, day=day, note=note)
        await tx.outbox.enqueue(
            recipient_id=coach_user.id,
            kind=NotificationKind.PROGRAM_NOTE,
            dedup_key=f"{NotificationKind.PROGRAM_NOTE}:{uuid.uuid4()}",
            payload={
                "name": athlete.first_name if athlete else "",
                "program": program.title,
                "week": week,
                "day": day,
                "note": note,
            },
            due_at=now,
        )
        await tx.commit()
    return coach_user.first_name
