"""Every SQL statement of following a program: enrolments, the day's deliveries queued in one
statement, the answers to program days, and the figures adherence is made of."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on, insert

from domain.models import (
    Athlete,
    Coach,
    EnrolmentStatus,
    NotificationKind,
    Payment,
    PerformanceMetric,
    ProgramEnrolment,
    ProgramStatus,
    ProgramVersion,
    ProgramWorkoutLog,
    TrainingProgram,
    User,
)
from domain.uow import Transaction

PROGRAM_DAY = NotificationKind.PROGRAM_DAY


async def program_with_coach(tx: Transaction, program_id: uuid.UUID) -> Row[Any] | None:
    """The program, its coach profile and the coach's user, in one row."""
    return (
        await tx.session.execute(
            select(TrainingProgram, Coach, User)
            .join(Coach, Coach.id == TrainingProgram.coach_id)
            .join(User, User.id == Coach.user_id)
            .where(TrainingProgram.id == program_id)
        )
    ).first()


async def running_enrolment(
    tx: Transaction, athlete_id: uuid.UUID, program_id: uuid.UUID
) -> ProgramEnrolment | None:
    """The athlete's active enrolment in the program, if any."""
    return await tx.session.scalar(
        select(ProgramEnrolment).where(
            ProgramEnrolment.athlete_id == athlete_id,
            ProgramEnrolment.program_id == program_id,
            ProgramEnrolment.status == EnrolmentStatus.ACTIVE,
        )
    )


async def enrolment_with_program(
    tx: Transaction, enrolment_id: uuid.UUID, *, lock: bool = False
) -> Row[Any] | None:
    """An enrolment, its program and the version it follows."""
    statement = (
        select(ProgramEnrolment, TrainingProgram, ProgramVersion)
        .join(TrainingProgram, TrainingProgram.id == ProgramEnrolment.program_id)
        .join(ProgramVersion, ProgramVersion.id == ProgramEnrolment.program_version_id)
        .where(ProgramEnrolment.id == enrolment_id)
    )
    if lock:
        statement = statement.with_for_update(of=ProgramEnrolment)
    return (await tx.session.execute(statement)).first()


# A program day as it is sent: built once, so SQLAlchemy compiles it once and asyncpg reuses one
# prepared statement for every day of a morning.
_DAY_TO_SEND = (
    select(
        ProgramEnrolment.status,
        ProgramEnrolment.paused_at,
        ProgramEnrolment.athlete_id,
        ProgramEnrolment.start_date,
        ProgramEnrolment.program_version_id,
        TrainingProgram.title,
        TrainingProgram.coach_id,
        ProgramVersion.duration_weeks,
        User.id.label("athlete_user_id"),
        User.first_name,
        ProgramWorkoutLog.status.label("answer"),
    )
    .join(TrainingProgram, TrainingProgram.id == ProgramEnrolment.program_id)
    .join(ProgramVersion, ProgramVersion.id == ProgramEnrolment.program_version_id)
    .join(Athlete, Athlete.id == ProgramEnrolment.athlete_id)
    .outerjoin(User, User.id == Athlete.user_id)
    .outerjoin(
        ProgramWorkoutLog,
        and_(
            ProgramWorkoutLog.enrolment_id == ProgramEnrolment.id,
            ProgramWorkoutLog.week == bindparam("week"),
            ProgramWorkoutLog.day == bindparam("day"),
        ),
    )
    .where(ProgramEnrolment.id == bindparam("enrolment_id"))
)


async def day_to_send(
    tx: Transaction, enrolment_id: uuid.UUID, week: int, day: int
) -> Row[Any] | None:
    """One program day in one row: the enrolment's state, athlete and version, the program's
    title and coach, the athlete's user and first name, and the day's answer (None yet)."""
    params = {"enrolment_id": enrolment_id, "week": week, "day": day}
    return (await tx.session.execute(_DAY_TO_SEND, params)).first()


async def version_content(tx: Transaction, version_id: uuid.UUID) -> dict[str, Any] | None:
    """The content of a published version (frozen: a trigger refuses any UPDATE)."""
    return await tx.session.scalar(
        select(ProgramVersion.content).where(ProgramVersion.id == version_id)
    )


async def enrolments_of(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> Sequence[Row[Any]]:
    """The running enrolments of these athletes with their programs' titles and weeks."""
    return (
        await tx.session.execute(
            select(ProgramEnrolment, TrainingProgram.title, ProgramVersion.duration_weeks)
            .join(TrainingProgram, TrainingProgram.id == ProgramEnrolment.program_id)
            .join(ProgramVersion, ProgramVersion.id == ProgramEnrolment.program_version_id)
            .where(
                ProgramEnrolment.athlete_id.in_(athlete_ids),
                ProgramEnrolment.status == EnrolmentStatus.ACTIVE,
            )
            .order_by(ProgramEnrolment.start_date)
        )
    ).all()


async def enrolments_with_content(tx: Transaction, athlete_id: uuid.UUID) -> Sequence[Row[Any]]:
    """The athlete's running enrolments with their programs' titles and versions' content."""
    return (
        await tx.session.execute(
            select(ProgramEnrolment, TrainingProgram.title, ProgramVersion.content)
            .join(TrainingProgram, TrainingProgram.id == ProgramEnrolment.program_id)
            .join(ProgramVersion, ProgramVersion.id == ProgramEnrolment.program_version_id)
            .where(
                ProgramEnrolment.athlete_id == athlete_id,
                ProgramEnrolment.status == EnrolmentStatus.ACTIVE,
            )
            .order_by(ProgramEnrolment.start_date)
        )
    ).all()


async def programs_for_digest(tx: Transaction) -> Sequence[Row[Any]]:
    """Programs with running enrolments: id, the coach's user, coach profile and zone."""
    return (
        await tx.session.execute(
            select(TrainingProgram.id, User.id, Coach.id, User.timezone)
            .join(Coach, Coach.id == TrainingProgram.coach_id)
            .join(User, User.id == Coach.user_id)
            .where(
                select(ProgramEnrolment.id)
                .where(
                    ProgramEnrolment.program_id == TrainingProgram.id,
                    ProgramEnrolment.status == EnrolmentStatus.ACTIVE,
                )
                .exists()
            )
        )
    ).all()


async def published_programs_of(tx: Transaction, coach_id: uuid.UUID) -> Sequence[Row[Any]]:
    """The coach's programs in the catalogue: id and title."""
    return (
        await tx.session.execute(
            select(TrainingProgram.id, TrainingProgram.title)
            .where(
                TrainingProgram.coach_id == coach_id,
                TrainingProgram.status == ProgramStatus.PUBLISHED,
            )
            .order_by(TrainingProgram.title)
        )
    ).all()


async def payment_by_charge(tx: Transaction, charge_id: str) -> Payment | None:
    """The payment recorded for a Telegram charge id."""
    return await tx.session.scalar(select(Payment).where(Payment.transaction_id == charge_id))


async def enrolment_of_payment(tx: Transaction, payment_id: uuid.UUID) -> ProgramEnrolment | None:
    """The enrolment a payment bought."""
    return await tx.session.scalar(
        select(ProgramEnrolment).where(ProgramEnrolment.payment_id == payment_id)
    )


async def answer_day(
    tx: Transaction,
    *,
    enrolment_id: uuid.UUID,
    week: int,
    day: int,
    status: str,
    note: str | None,
    logged_by: uuid.UUID,
    now: datetime,
) -> None:
    """Record (or change) the answer to one program day."""
    values: dict[str, Any] = {"status": status, "logged_by": logged_by, "logged_at": now}
    if note is not None:
        values["note"] = note
    statement = (
        insert(ProgramWorkoutLog)
        .values(id=uuid.uuid4(), enrolment_id=enrolment_id, week=week, day=day, **values)
        .on_conflict_do_update(index_elements=["enrolment_id", "week", "day"], set_=values)
    )
    await tx.session.execute(statement)


async def set_note(
    tx: Transaction, *, enrolment_id: uuid.UUID, week: int, day: int, note: str
) -> None:
    """Keep a note with a program day's answer (if it has one yet)."""
    await tx.session.execute(
        update(ProgramWorkoutLog)
        .where(
            ProgramWorkoutLog.enrolment_id == enrolment_id,
            ProgramWorkoutLog.week == week,
            ProgramWorkoutLog.day == day,
        )
        .values(note=note)
    )


async def answers(tx: Transaction, enrolment_ids: Collection[uuid.UUID]) -> Sequence[Row[Any]]:
    """(enrolment, week, day, status) of every answered program day of these enrolments."""
    return (
        await tx.session.execute(
            select(
                ProgramWorkoutLog.enrolment_id,
                ProgramWorkoutLog.week,
                ProgramWorkoutLog.day,
                ProgramWorkoutLog.status,
            ).where(ProgramWorkoutLog.enrolment_id.in_(enrolment_ids))
        )
    ).all()


async def program_enrolments(tx: Transaction, program_id: uuid.UUID) -> Sequence[Row[Any]]:
    """Every running enrolment of a program: the enrolment, its athlete's name and zone, and
    the version's content."""
    return (
        await tx.session.execute(
            select(ProgramEnrolment, User.first_name, User.timezone, ProgramVersion.content)
            .join(Athlete, Athlete.id == ProgramEnrolment.athlete_id)
            .join(User, User.id == Athlete.user_id)
            .join(ProgramVersion, ProgramVersion.id == ProgramEnrolment.program_version_id)
            .where(
                ProgramEnrolment.program_id == program_id,
                ProgramEnrolment.status == EnrolmentStatus.ACTIVE,
            )
            .order_by(User.first_name)
        )
    ).all()


async def latest_program_results(
    tx: Transaction, enrolment_ids: Collection[uuid.UUID]
) -> Sequence[Row[Any]]:
    """Each enrolment's newest value logged from a program day (metric, value, unit, when)."""
    return (
        await tx.session.execute(
            select(
                PerformanceMetric.program_enrolment_id,
                PerformanceMetric.metric_type,
                PerformanceMetric.metric_value,
                PerformanceMetric.unit,
                PerformanceMetric.recorded_at,
            )
            .ext(distinct_on(PerformanceMetric.program_enrolment_id))
            .where(PerformanceMetric.program_enrolment_id.in_(enrolment_ids))
            .order_by(PerformanceMetric.program_enrolment_id, PerformanceMetric.recorded_at.desc())
        )
    ).all()


async def coach_programs(tx: Transaction, coach_id: uuid.UUID) -> Sequence[Row[Any]]:
    """The coach's programs with running enrolments: id, title, how many athletes."""
    return (
        await tx.session.execute(
            select(TrainingProgram.id, TrainingProgram.title, func.count(ProgramEnrolment.id))
            .join(ProgramEnrolment, ProgramEnrolment.program_id == TrainingProgram.id)
            .where(
                TrainingProgram.coach_id == coach_id,
                ProgramEnrolment.status == EnrolmentStatus.ACTIVE,
            )
            .group_by(TrainingProgram.id, TrainingProgram.title)
            .order_by(TrainingProgram.title)
        )
    ).all()


async def set_paused(tx: Transaction, enrolment_id: uuid.UUID, paused_at: datetime | None) -> None:
    """Pause (a time) or resume (None) an enrolment's deliveries."""
    await tx.session.execute(
        update(ProgramEnrolment)
        .where(ProgramEnrolment.id == enrolment_id)
        .values(paused_at=paused_at)
    )


async def drop_unsent_days(tx: Transaction, enrolment_id: uuid.UUID) -> int:
    """Drop the enrolment's program days queued and not yet sent (paused or ended)."""
    result = await tx.session.execute(
        text(
            "DELETE FROM notifications WHERE sent_at IS NULL AND kind = :kind"
            " AND payload->>'enrolment_id' = :enrolment"
        ),
        {"kind": PROGRAM_DAY, "enrolment": str(enrolment_id)},
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


# One statement queues every program day that falls due by :horizon, for the athlete (when
# they are on Telegram) and their guardians (when they chose a copy, or the athlete is not on
# Telegram). The day is the athlete's local date at :horizon (or the day before, for a time
# late in the evening) counted from the start date; its instant is that date at the delivery
# time in the athlete's zone, which Postgres resolves across DST. A day the version does not
# list is a rest day: nothing is queued. A day more than :stale old is not sent any more.
# The dedup key makes the statement idempotent however often and by however many run it.
_QUEUE_DAYS = text(
    """
WITH enrolled AS (
    SELECT e.id, e.athlete_id, e.start_date, e.delivery_time, e.guardians_copy,
           e.program_version_id, v.duration_weeks, a.parent_id, u.id AS athlete_user,
           (u.telegram_chat_id IS NOT NULL OR u.telegram_user_id IS NOT NULL) AS reachable,
           -- A child without Telegram lives by the clock of the parent who gets the day.
           COALESCE(CASE WHEN u.telegram_user_id IS NOT NULL THEN u.timezone END, p.timezone,
                    u.timezone, 'UTC') AS tz
    FROM program_enrolments e
    JOIN program_versions v ON v.id = e.program_version_id
    JOIN athletes a ON a.id = e.athlete_id
    JOIN users u ON u.id = a.user_id
    LEFT JOIN users p ON p.id = a.parent_id
    WHERE e.status = 'active' AND e.paused_at IS NULL
      AND e.start_date <= CAST(:horizon AS timestamptz)::date + 1
), training AS MATERIALIZED (
    -- Each version's training days, read once per version (not once per enrolment).
    SELECT v.id AS version_id, CAST(w.value->>'week' AS int) AS week,
           CAST(d.value->>'day' AS int) AS day
    FROM program_versions v
    CROSS JOIN LATERAL jsonb_array_elements(v.content->'weeks') w
    CROSS JOIN LATERAL jsonb_array_elements(w.value->'days') d
    WHERE v.id IN (SELECT DISTINCT program_version_id FROM enrolled)
), days AS MATERIALIZED (
    SELECT en.*, n.n, n.n / 7 + 1 AS week, n.n % 7 + 1 AS day,
           ((en.start_date + n.n) + en.delivery_time) AT TIME ZONE en.tz AS due_at
    FROM enrolled en
    CROSS JOIN LATERAL (
        SELECT ((CAST(:horizon AS timestamptz) AT TIME ZONE en.tz)::date - back - en.start_date)
               AS n
        FROM (VALUES (0), (1)) AS b(back)
    ) n
    WHERE n.n >= 0 AND n.n < en.duration_weeks * 7
), due AS (
    SELECT d.* FROM days d
    JOIN training t
      ON t.version_id = d.program_version_id AND t.week = d.week AND t.day = d.day
    WHERE d.due_at <= CAST(:horizon AS timestamptz)
      AND d.due_at > CAST(:horizon AS timestamptz) - CAST(:stale AS interval)
), recipients AS (
    SELECT due.*, due.athlete_user AS recipient FROM due WHERE due.reachable
    UNION
    SELECT due.*, due.parent_id FROM due
    WHERE (due.guardians_copy OR NOT due.reachable) AND due.parent_id IS NOT NULL
    UNION
    SELECT due.*, l.user_id FROM due
    JOIN athlete_links l ON l.athlete_id = due.athlete_id AND l.relation = 'guardian'
    WHERE due.guardians_copy OR NOT due.reachable
)
INSERT INTO notifications (id, recipient_id, kind, payload, due_at, dedup_key)
SELECT gen_random_uuid(), r.recipient, CAST(:kind AS text),
       jsonb_build_object('enrolment_id', r.id::text, 'week', r.week, 'day', r.day,
                          'athlete_id', r.athlete_id::text),
       r.due_at,
       concat_ws(':', CAST(:kind AS text), r.id, r.week, r.day, r.recipient)
FROM recipients r
ON CONFLICT (dedup_key) DO NOTHING
"""
)


async def queue_days(tx: Transaction, *, horizon: datetime, stale: timedelta) -> int:
    """Queue the program days due by `horizon` (not older than `stale`); how many were new."""
    result = await tx.session.execute(
        _QUEUE_DAYS, {"horizon": horizon, "stale": stale, "kind": str(PROGRAM_DAY)}
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def athlete_user(tx: Transaction, athlete_id: uuid.UUID) -> User | None:
    """The athlete's own user row (its zone is the program's clock)."""
    return await tx.session.scalar(
        select(User).join(Athlete, Athlete.user_id == User.id).where(Athlete.id == athlete_id)
    )
