"""Every SQL statement of nutrition plans: plans and templates, the athlete they are for, the
days and meal reminders queued for delivery in one statement each, check-ins and water."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from domain.models import (
    Athlete,
    AthleteLink,
    NotificationKind,
    NutritionCheckin,
    NutritionPlan,
    NutritionPlanStatus,
    NutritionWater,
    User,
)
from domain.uow import Transaction

DAY_KIND = NotificationKind.NUTRITION_DAY
MEAL_KIND = NotificationKind.NUTRITION_MEAL
WEEK_KIND = NotificationKind.NUTRITION_WEEK


async def plan(tx: Transaction, plan_id: uuid.UUID, *, lock: bool = False) -> NutritionPlan | None:
    """A plan or template by id."""
    statement = select(NutritionPlan).where(NutritionPlan.id == plan_id)
    if lock:
        statement = statement.with_for_update()
    return await tx.session.scalar(statement)


async def plan_with_athlete(tx: Transaction, plan_id: uuid.UUID) -> Row[Any] | None:
    """A plan, its athlete and the athlete's user in one row (None: no such plan or athlete)."""
    return (
        await tx.session.execute(
            select(NutritionPlan, Athlete, User)
            .join(Athlete, Athlete.id == NutritionPlan.athlete_id)
            .join(User, User.id == Athlete.user_id)
            .where(NutritionPlan.id == plan_id)
        )
    ).first()


async def answers_and_water(
    tx: Transaction, plan_id: uuid.UUID, on: date
) -> tuple[dict[str, str], int]:
    """A day's meal answers (meal → status) and its water, in one statement."""
    water = (
        select(NutritionWater.water_ml)
        .where(NutritionWater.plan_id == plan_id, NutritionWater.day == on)
        .scalar_subquery()
    )
    rows = (
        await tx.session.execute(
            select(NutritionCheckin.meal, NutritionCheckin.status, water)
            .select_from(NutritionPlan)
            .outerjoin(
                NutritionCheckin,
                (NutritionCheckin.plan_id == NutritionPlan.id) & (NutritionCheckin.day == on),
            )
            .where(NutritionPlan.id == plan_id)
        )
    ).all()
    answers = {meal: status for meal, status, _ml in rows if meal is not None}
    return answers, (rows[0][2] or 0) if rows else 0


async def athlete(tx: Transaction, athlete_id: uuid.UUID) -> Row[Any] | None:
    """The athlete and their user (name, zone, encrypted date of birth) in one row."""
    return (
        await tx.session.execute(
            select(Athlete, User)
            .join(User, User.id == Athlete.user_id)
            .where(Athlete.id == athlete_id)
        )
    ).first()


async def athletes(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> Sequence[Row[Any]]:
    """(athlete, user) of each athlete, by first name."""
    return (
        await tx.session.execute(
            select(Athlete, User)
            .join(User, User.id == Athlete.user_id)
            .where(Athlete.id.in_(athlete_ids))
            .order_by(User.first_name)
        )
    ).all()


async def plans_of(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> Sequence[Row[Any]]:
    """The drafts and published plans of these athletes with the athlete's first name, newest
    start first."""
    return (
        await tx.session.execute(
            select(NutritionPlan, User.first_name)
            .join(Athlete, Athlete.id == NutritionPlan.athlete_id)
            .join(User, User.id == Athlete.user_id)
            .where(
                NutritionPlan.athlete_id.in_(athlete_ids),
                NutritionPlan.status != NutritionPlanStatus.REPLACED,
            )
            .order_by(NutritionPlan.start_date.desc(), NutritionPlan.created_at.desc())
        )
    ).all()


async def templates_of(tx: Transaction, author_id: uuid.UUID) -> Sequence[NutritionPlan]:
    """A coach's templates, by title."""
    return (
        await tx.session.scalars(
            select(NutritionPlan)
            .where(NutritionPlan.is_template, NutritionPlan.created_by == author_id)
            .order_by(NutritionPlan.title)
        )
    ).all()


async def overlapping(
    tx: Transaction, athlete_id: uuid.UUID, start: date, end: date, *, but: uuid.UUID
) -> Sequence[NutritionPlan]:
    """The athlete's published plans sharing a day with [start, end], locked."""
    return (
        await tx.session.scalars(
            select(NutritionPlan)
            .where(
                NutritionPlan.athlete_id == athlete_id,
                NutritionPlan.status == NutritionPlanStatus.PUBLISHED,
                NutritionPlan.start_date <= end,
                NutritionPlan.end_date >= start,
                NutritionPlan.id != but,
            )
            .order_by(NutritionPlan.start_date)
            .with_for_update()
        )
    ).all()


async def mark_replaced(tx: Transaction, plan_ids: Collection[uuid.UUID]) -> None:
    """These plans gave way to a newer one; their unsent deliveries are dropped."""
    await tx.session.execute(
        update(NutritionPlan)
        .where(NutritionPlan.id.in_(plan_ids))
        .values(status=NutritionPlanStatus.REPLACED)
    )
    await tx.session.execute(
        text(
            "DELETE FROM notifications WHERE sent_at IS NULL AND kind = ANY(:kinds)"
            " AND payload->>'plan_id' = ANY(:plans)"
        ),
        {"kinds": [DAY_KIND, MEAL_KIND], "plans": [str(p) for p in plan_ids]},
    )


async def guardian_ids(tx: Transaction, athlete_id: uuid.UUID) -> list[uuid.UUID]:
    """The athlete's parent and linked guardians."""
    parent = await tx.session.scalar(select(Athlete.parent_id).where(Athlete.id == athlete_id))
    linked = await tx.session.scalars(
        select(AthleteLink.user_id).where(
            AthleteLink.athlete_id == athlete_id, AthleteLink.relation == "guardian"
        )
    )
    found = [parent] if parent else []
    return found + [user for user in linked if user not in found]


async def record_checkin(
    tx: Transaction,
    *,
    plan_id: uuid.UUID,
    day: date,
    meal: str,
    status: str,
    logged_by: uuid.UUID,
    now: datetime,
) -> None:
    """Record (or change) the answer to one meal of one day."""
    values: dict[str, Any] = {"status": status, "logged_by": logged_by, "logged_at": now}
    await tx.session.execute(
        insert(NutritionCheckin)
        .values(id=uuid.uuid4(), plan_id=plan_id, day=day, meal=meal, **values)
        .on_conflict_do_update(index_elements=["plan_id", "day", "meal"], set_=values)
    )


async def set_photo(
    tx: Transaction, *, plan_id: uuid.UUID, day: date, meal: str, key: str
) -> str | None:
    """Keep a meal's photo key; the key it replaces (None: none). The meal must be answered."""
    row = await tx.session.execute(
        select(NutritionCheckin.id, NutritionCheckin.photo_key)
        .where(
            NutritionCheckin.plan_id == plan_id,
            NutritionCheckin.day == day,
            NutritionCheckin.meal == meal,
        )
        .with_for_update()
    )
    found = row.first()
    if found is None:
        raise LookupError("meal not answered")
    await tx.session.execute(
        update(NutritionCheckin).where(NutritionCheckin.id == found.id).values(photo_key=key)
    )
    return found.photo_key


async def add_water(
    tx: Transaction, *, plan_id: uuid.UUID, day: date, ml: int, now: datetime, most: int
) -> int:
    """Add water to a day (capped at `most`); the day's total."""
    statement = (
        insert(NutritionWater)
        .values(id=uuid.uuid4(), plan_id=plan_id, day=day, water_ml=min(ml, most), logged_at=now)
        .on_conflict_do_update(
            index_elements=["plan_id", "day"],
            set_={
                "water_ml": func.least(NutritionWater.water_ml + ml, most),
                "logged_at": now,
            },
        )
        .returning(NutritionWater.water_ml)
    )
    return int((await tx.session.execute(statement)).scalar_one())


async def checkins(
    tx: Transaction, plan_id: uuid.UUID, first: date, last: date
) -> Sequence[NutritionCheckin]:
    """The plan's meal answers between two dates (inclusive)."""
    return (
        await tx.session.scalars(
            select(NutritionCheckin).where(
                NutritionCheckin.plan_id == plan_id,
                NutritionCheckin.day >= first,
                NutritionCheckin.day <= last,
            )
        )
    ).all()


async def water(tx: Transaction, plan_id: uuid.UUID, first: date, last: date) -> dict[date, int]:
    """The plan's water by day between two dates (inclusive)."""
    rows = await tx.session.execute(
        select(NutritionWater.day, NutritionWater.water_ml).where(
            NutritionWater.plan_id == plan_id,
            NutritionWater.day >= first,
            NutritionWater.day <= last,
        )
    )
    return {day: ml for day, ml in rows}


# One statement queues the day's plan of every published plan whose athlete's local breakfast
# time has come by :horizon (the day before too, for a time late in the evening), for the
# athlete (when on Telegram) and every guardian. The instant is that local date at the plan's
# breakfast time in the athlete's zone (a child without Telegram: the parent's), which Postgres
# resolves across DST. A day more than :stale old is not sent any more. The dedup key makes it
# idempotent however often and by however many it runs.
_RECIPIENTS = """
), recipients AS (
    SELECT due.*, due.athlete_user AS recipient FROM due WHERE due.reachable
    UNION
    SELECT due.*, due.parent_id FROM due WHERE due.parent_id IS NOT NULL
    UNION
    SELECT due.*, l.user_id FROM due
    JOIN athlete_links l ON l.athlete_id = due.athlete_id AND l.relation = 'guardian'
)
"""
_PLANNED = """
WITH planned AS (
    SELECT p.id, p.athlete_id, p.start_date, p.end_date, p.breakfast_time, a.parent_id,
           u.id AS athlete_user,
           (u.telegram_chat_id IS NOT NULL OR u.telegram_user_id IS NOT NULL) AS reachable,
           COALESCE(CASE WHEN u.telegram_user_id IS NOT NULL THEN u.timezone END, pu.timezone,
                    u.timezone, 'UTC') AS tz
    FROM nutrition_plans p
    JOIN athletes a ON a.id = p.athlete_id
    JOIN users u ON u.id = a.user_id
    LEFT JOIN users pu ON pu.id = a.parent_id
    WHERE p.status = 'published' {extra}
      AND p.start_date <= CAST(:horizon AS timestamptz)::date + 1
      AND p.end_date >= CAST(:horizon AS timestamptz)::date - 2
), days AS (
    SELECT pl.*, d.on_day
    FROM planned pl
    CROSS JOIN LATERAL (
        SELECT (CAST(:horizon AS timestamptz) AT TIME ZONE pl.tz)::date - back AS on_day
        FROM (VALUES (0), (1)) AS b(back)
    ) d
    WHERE d.on_day BETWEEN pl.start_date AND pl.end_date
"""
_QUEUE_DAYS = text(
    _PLANNED.format(extra="")
    + """
), due AS (
    SELECT * FROM (
        SELECT days.*, (days.on_day + days.breakfast_time) AT TIME ZONE days.tz AS due_at
        FROM days
    ) timed
    WHERE timed.due_at <= CAST(:horizon AS timestamptz)
      AND timed.due_at > CAST(:horizon AS timestamptz) - CAST(:stale AS interval)
"""
    + _RECIPIENTS
    + """
INSERT INTO notifications (id, recipient_id, kind, payload, due_at, dedup_key)
SELECT gen_random_uuid(), r.recipient, CAST(:kind AS text),
       jsonb_build_object('plan_id', r.id::text, 'day', r.on_day::text,
                          'athlete_id', r.athlete_id::text),
       r.due_at,
       concat_ws(':', CAST(:kind AS text), r.id, r.on_day, r.recipient)
FROM recipients r
ON CONFLICT (dedup_key) DO NOTHING
"""
)
# Meal reminders (a plan's option): the same days, one row per slot at its usual local time, to
# the athlete (a child without Telegram: the parent).
# Whether the day has that meal is read when the row is sent (the day's kind can change).
_QUEUE_MEALS = text(
    _PLANNED.format(extra="AND p.meal_reminders")
    + """
), due AS (
    SELECT * FROM (
        SELECT days.*, m.meal, (days.on_day + m.at) AT TIME ZONE days.tz AS due_at
        FROM days
        CROSS JOIN (VALUES ('lunch', TIME '12:30'), ('snacks', TIME '16:30'),
                           ('dinner', TIME '19:30')) AS m(meal, at)
    ) timed
    WHERE (timed.reachable OR timed.parent_id IS NOT NULL)
      AND timed.due_at <= CAST(:horizon AS timestamptz)
      AND timed.due_at > CAST(:horizon AS timestamptz) - CAST(:stale AS interval)
)
INSERT INTO notifications (id, recipient_id, kind, payload, due_at, dedup_key)
SELECT gen_random_uuid(),
       CASE WHEN d.reachable THEN d.athlete_user ELSE d.parent_id END, CAST(:kind AS text),
       jsonb_build_object('plan_id', d.id::text, 'day', d.on_day::text, 'meal', d.meal,
                          'athlete_id', d.athlete_id::text),
       d.due_at,
       concat_ws(':', CAST(:kind AS text), d.id, d.on_day, d.meal)
FROM due d
ON CONFLICT (dedup_key) DO NOTHING
"""
)


async def queue_days(tx: Transaction, *, horizon: datetime, stale: timedelta) -> int:
    """Queue the plan days due by `horizon` (not older than `stale`); how many were new."""
    result = await tx.session.execute(
        _QUEUE_DAYS, {"horizon": horizon, "stale": stale, "kind": str(DAY_KIND)}
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def queue_meals(tx: Transaction, *, horizon: datetime, stale: timedelta) -> int:
    """Queue the meal reminders due by `horizon` (not older than `stale`); how many were new."""
    result = await tx.session.execute(
        _QUEUE_MEALS, {"horizon": horizon, "stale": stale, "kind": str(MEAL_KIND)}
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def plans_for_week(tx: Transaction, first: date, last: date) -> Sequence[Row[Any]]:
    """Published plans with a day in [first, last]: id, athlete, author, athlete's zone."""
    return (
        await tx.session.execute(
            select(NutritionPlan.id, NutritionPlan.athlete_id, NutritionPlan.created_by, User)
            .join(Athlete, Athlete.id == NutritionPlan.athlete_id)
            .join(User, User.id == Athlete.user_id)
            .where(
                NutritionPlan.status == NutritionPlanStatus.PUBLISHED,
                NutritionPlan.start_date <= last,
                NutritionPlan.end_date >= first,
            )
        )
    ).all()


async def drop_unsent_meals(tx: Transaction, plan_id: uuid.UUID) -> None:
    """Drop the plan's meal reminders queued and not yet sent (reminders turned off)."""
    await tx.session.execute(
        text(
            "DELETE FROM notifications WHERE sent_at IS NULL AND kind = :kind"
            " AND payload->>'plan_id' = :plan"
        ),
        {"kind": str(MEAL_KIND), "plan": str(plan_id)},
    )
