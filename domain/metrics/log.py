"""Logging a measured value for an athlete, and taking it back.

A value is stored as the spec's `performance_metrics` row: `metric_value` in the metric's
canonical unit (what charts and bests compare), `value` the entry as typed (number, unit,
reps). A value no measurement can give is refused (`domain.metrics.possible`), however the
person insists; one outside the metric's plausible bounds is questioned, not stored, until the
person confirms it. Whether it is a personal best, and who hears about it (and about its undo),
is `domain.metrics.bests`; the latest value per metric, which the reply compares the new value
with, is `domain.metrics.latest` (read from Redis, written through on log, dropped on undo).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain import policy
from domain.booking.queries.sessions import is_athletes_session
from domain.errors import DomainError, NotAllowed, NotFound
from domain.metrics.bests import (
    announce_best,
    beats,
    best_so_far,
    drop_unsent_announcements,
    hold_bests,
    withdraw_best,
)
from domain.metrics.catalogue import MetricKind, is_plausible
from domain.metrics.latest import Latest, LatestMetrics
from domain.metrics.log_line import LogLine
from domain.metrics.possible import require_possible
from domain.metrics.queries.types import type_with_key
from domain.metrics.units import display
from domain.models import (
    PerformanceMetric,
)
from domain.people.queries import first_names
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import Transaction, UnitOfWork

# Long enough to notice a typo the next morning, short enough that history stays put.
UNDO_WINDOW = timedelta(hours=24)


class Implausible(DomainError):
    """A value outside the metric's plausible bounds; logged only once the person confirms."""

    message_key = "metrics.error.implausible"


class UndoExpired(DomainError):
    """The value was logged too long ago to be undone from the chat."""

    message_key = "metrics.error.undo_expired"


class AlreadyUndone(NotFound):
    """The value is not there any more (undone already, or never was)."""

    message_key = "metrics.error.already_undone"


@dataclass(frozen=True)
class ProgramDayRef:
    """The program day a value was logged from (issue 16): enrolment, week, day, exercise."""

    enrolment_id: uuid.UUID
    week: int
    day: int
    exercise: int | None = None


@dataclass(frozen=True)
class Logged:
    """A stored value, whether it is a personal best, and what the reply needs to say so."""

    metric_id: uuid.UUID
    recorded_at: datetime
    kind: MetricKind
    value: Decimal  # in kind.unit
    unit: str
    is_pb: bool
    previous_best: Decimal | None  # None for the first value, and for 'neither' metrics
    athlete_id: uuid.UUID
    athlete_name: str
    typed_value: Decimal
    typed_unit: str
    reps: int | None
    first_entry: bool  # the athlete's first value of this metric: a baseline, not a best
    # The value that was the latest until this one; None for the first, and for a backdated
    # value that is not the latest (it did not follow anything).
    previous: Latest | None


@dataclass(frozen=True)
class Undone:
    """What an undo took back."""

    athlete_id: uuid.UUID
    athlete_name: str
    metric: dict[str, str]  # as MetricKind.reference() names it
    value: Decimal
    unit: str


async def log_metric(
    uow: UnitOfWork,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    line: LogLine,
    now: datetime,
    latest: LatestMetrics,
    session_id: uuid.UUID | None = None,
    confirmed: bool = False,
    program_day: ProgramDayRef | None = None,
) -> Logged:
    """Store one value for an athlete, detect a personal best and queue its notices."""
    policy.require(actor, Action.LOG_METRICS, AthleteTarget(athlete_id))
    kind = line.metric
    # Checked again here, whoever built the line: "Log anyway" confirms the unlikely only.
    require_possible(kind, line.value, line.typed_value, line.typed_unit)
    if not confirmed:
        require_plausible(line)
    async with uow as tx:
        if session_id is not None:
            await _require_session_of(tx, session_id, athlete_id)
        await hold_bests(tx, athlete_id=athlete_id, metric_key=kind.key)
        best = await best_so_far(tx, athlete_id=athlete_id, kind=kind)
        latest_before = (await latest.of_athlete(tx, athlete_id)).get(kind.key)
        row = tx.metrics.add(_row(actor, athlete_id, line, now, session_id, program_day))
        await tx.flush()
        athlete_name = await _name_of(tx, athlete_id)
        is_pb = beats(kind, line.value, best)
        if is_pb:
            assert best is not None
            await announce_best(
                tx,
                metric=row,
                kind=kind,
                athlete_name=athlete_name,
                previous=best,
                exclude=actor.user_id,
                now=now,
            )
        await tx.commit()
    logged = Latest(value=line.value, unit=kind.unit, recorded_at=row.recorded_at)
    await latest.logged(athlete_id, kind.key, logged, logged_at=row.created_at or now)
    return Logged(
        metric_id=row.id,
        recorded_at=row.recorded_at,
        kind=kind,
        value=line.value,
        unit=kind.unit,
        is_pb=is_pb,
        previous_best=best if kind.better != "neither" else None,
        athlete_id=athlete_id,
        athlete_name=athlete_name,
        typed_value=line.typed_value,
        typed_unit=line.typed_unit,
        reps=line.reps,
        first_entry=best is None,
        previous=_followed(latest_before, row.recorded_at),
    )


def require_plausible(line: LogLine) -> None:
    """Implausible unless the value lies within the metric's plausible bounds."""
    kind = line.metric
    if not is_plausible(kind, line.value):
        # The value as typed and the usual range: the words of "5.12 kg for a squat?".
        raise Implausible(
            "implausible value",
            value=display(line.typed_value, line.typed_unit),
            metric=kind.reference(),
            low=display(kind.min_value, kind.unit),
            high=display(kind.max_value, kind.unit),
        )


async def undo(
    uow: UnitOfWork,
    *,
    actor: Actor,
    metric_id: uuid.UUID,
    recorded_at: datetime,
    latest: LatestMetrics,
    now: datetime | None = None,
) -> Undone:
    """Take back a logged value within UNDO_WINDOW: its unsent personal-best notices are
    dropped, and whoever was already told it is a best gets a correction."""
    now = now or datetime.now(UTC)
    async with uow as tx:
        row = await tx.metrics.by_id(metric_id, recorded_at)
        if row is None or row.athlete_id is None:
            raise AlreadyUndone("metric gone")
        athlete_id = row.athlete_id
        if not may_undo(actor, row):
            raise NotAllowed("not allowed: undo", action="undo")
        logged_at = row.created_at or row.recorded_at
        if now - logged_at > UNDO_WINDOW:
            raise UndoExpired("too late to undo")
        # A value logged meanwhile must not be compared with the one being taken back.
        await hold_bests(tx, athlete_id=athlete_id, metric_key=row.metric_type)
        kind = await _kind_of(tx, row.metric_type)
        undone = Undone(
            athlete_id=athlete_id,
            athlete_name=await _name_of(tx, athlete_id),
            metric=kind.reference() if kind is not None else {"name": row.metric_type},
            value=row.metric_value if row.metric_value is not None else Decimal(0),
            unit=row.unit or "",
        )
        await tx.session.delete(row)
        await tx.flush()
        await drop_unsent_announcements(tx, metric_id)
        if kind is not None:
            await withdraw_best(
                tx,
                metric_id=metric_id,
                athlete_id=athlete_id,
                kind=kind,
                value=undone.value,
                athlete_name=undone.athlete_name,
                now=now,
            )
        await tx.commit()
    await latest.forget(athlete_id)
    return undone


def _followed(before: Latest | None, recorded_at: datetime) -> Latest | None:
    """The latest value before a new one, if the new one comes after it (is now the latest)."""
    return before if before is not None and before.recorded_at <= recorded_at else None


def may_undo(actor: Actor, row: PerformanceMetric) -> bool:
    """Who logged the value (while they may still log for the athlete), or the athlete's side."""
    assert row.athlete_id is not None
    target = AthleteTarget(row.athlete_id)
    logged_it = row.recorded_by == actor.user_id and policy.may(actor, Action.LOG_METRICS, target)
    # The athlete and their guardians own the record, whoever wrote into it.
    return logged_it or policy.may(actor, Action.ACT_FOR_ATHLETE, target)


def _row(
    actor: Actor,
    athlete_id: uuid.UUID,
    line: LogLine,
    now: datetime,
    session_id: uuid.UUID | None,
    program_day: ProgramDayRef | None = None,
) -> PerformanceMetric:
    typed: dict[str, object] = {"typed": str(line.typed_value), "typed_unit": line.typed_unit}
    if line.reps is not None:
        typed["reps"] = line.reps
    return PerformanceMetric(
        id=uuid.uuid4(),
        recorded_at=line.recorded_at or now,
        athlete_id=athlete_id,
        metric_type=line.metric.key,
        value=typed,
        metric_value=line.value,
        unit=line.metric.unit,
        recorded_by=actor.user_id,
        session_id=session_id,
        notes=line.notes,
        program_enrolment_id=program_day.enrolment_id if program_day else None,
        program_week=program_day.week if program_day else None,
        program_day=program_day.day if program_day else None,
        program_exercise=program_day.exercise if program_day else None,
    )


async def _require_session_of(
    tx: Transaction, session_id: uuid.UUID, athlete_id: uuid.UUID
) -> None:
    """NotFound unless the session is the athlete's (individually or in a group)."""
    if not await is_athletes_session(tx, session_id, athlete_id):
        raise NotFound("session not the athlete's")


async def _name_of(tx: Transaction, athlete_id: uuid.UUID) -> str:
    return (await first_names(tx, {athlete_id})).get(athlete_id) or ""


async def _kind_of(tx: Transaction, metric_key: str) -> MetricKind | None:
    row = await type_with_key(tx, metric_key)
    return MetricKind.from_row(row) if row is not None else None
