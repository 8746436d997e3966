"""Weekly summaries: once a week per athlete and person, on Monday at 08:00 where each one lives."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.outbox import render
from domain.metrics import weekly_summaries
from domain.metrics.queries.partitions import ensure_partitions
from domain.metrics.weekly_summaries import last_week, queue_weekly_summaries
from domain.models import Athlete, AthleteLink, Notification, PerformanceMetric, User
from domain.notifications.outbox import Claimed
from domain.uow import UnitOfWork
from tests.factories import BookingWorld, booking_world, session_at
from tests.sql_statements import sql_statements

# Monday 7 December 2026, 08:00 in London (UTC); the week before is 30 Nov - 6 Dec.
MONDAY_8_UTC = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
MONDAY_8_BERLIN = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def at(day: int, hour: int = 12) -> datetime:
    """An instant in December 2026 (day 0 is 30 November)."""
    return datetime(2026, 11, 30, hour, tzinfo=UTC) + timedelta(days=day)


async def log(
    uow: UnitOfWork, athlete_id: uuid.UUID, metric: str, unit: str, **values: str
) -> None:
    """Values keyed by when: d<n> is `at(n)`, n counted from 30 November (may be negative)."""
    async with uow as tx:
        for when, value in values.items():
            tx.metrics.add(
                PerformanceMetric(
                    athlete_id=athlete_id,
                    metric_type=metric,
                    value={"value": value, "unit": unit},
                    metric_value=Decimal(value),
                    unit=unit,
                    recorded_at=at(int(when.removeprefix("d").replace("m", "-"))),
                )
            )
        await tx.commit()


async def kims_week(uow: UnitOfWork) -> BookingWorld:
    """Kim: a completed session, a sprint best, a squat best, a next session. Lea: nothing."""
    world = await booking_world(uow)
    async with uow as tx:
        await ensure_partitions(tx, today=date(2026, 11, 1), months_ahead=2)
        tx.sessions.add(session_at(world.coach, world.child, at(2, 16), status="completed"))
        tx.sessions.add(session_at(world.coach, world.child, at(-3, 16), status="completed"))
        tx.sessions.add(session_at(world.coach, world.child, at(9, 16), status="scheduled"))
        tx.sessions.add(session_at(world.coach, world.child, at(8, 16), status="cancelled"))
        await tx.commit()
    await log(uow, world.child.id, "sprint_40m", "s", dm10="5.40", d1="5.30", d3="5.35")
    await log(uow, world.child.id, "squat", "kg", dm10="90", d4="100")
    await log(uow, world.child.id, "body_weight", "kg", d4="40")
    return world


def bests_of(payload: dict) -> str:
    """The bests a summary carries, as "metric-code value" pairs ("–" for none)."""
    items = payload["bests"]["items"]
    return ", ".join(f"{i['metric']['code']} {i['value']}" for i in items if i) or "–"


def bests(row: Notification) -> str:
    return bests_of(row.payload)


def render_text(row: Notification, lang: str) -> str:
    """The summary as its recipient reads it (the domain queues values only)."""
    claimed = Claimed(row.id, row.recipient_id, row.kind, row.payload, 0, 1, lang, "Europe/Madrid")
    return render(claimed).text


async def summaries(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        query = select(Notification).where(Notification.kind == "weekly_summary")
        return list(await tx.session.scalars(query.order_by(Notification.created_at)))


async def test_each_person_gets_kims_week_at_eight_on_monday_in_their_own_zone(
    uow: UnitOfWork,
) -> None:
    world = await kims_week(uow)

    assert await queue_weekly_summaries(uow, now=MONDAY_8_BERLIN - timedelta(hours=1)) == 0
    assert await queue_weekly_summaries(uow, now=MONDAY_8_BERLIN) == 1  # the coach, in Berlin
    assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC) == 1  # the parent, in UTC
    assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC + timedelta(minutes=40)) == 0
    assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC + timedelta(hours=1)) == 0

    coach, parent = await summaries(uow)
    assert (coach.recipient_id, parent.recipient_id) == (world.coach_user.id, world.parent.id)
    assert parent.dedup_key == f"weekly_summary:{world.child.id}:2026-W49:{world.parent.id}"
    assert parent.due_at == MONDAY_8_UTC
    assert {k: v for k, v in parent.payload.items() if k != "bests"} == {
        "athlete": "Kim",
        "week_start_date": "2026-11-30",
        "week_end_date": "2026-12-06",
        "sessions_done": 1,
        "metrics_logged": 4,
        "next_at": at(9, 16).isoformat(),
        "athlete_id": str(world.child.id),
    }
    # Body weight has no better direction: no best, however it moved.
    assert bests(parent) == "sprint_40m 5.3 s, squat 100 kg"
    assert coach.payload == parent.payload
    text = render_text(parent, "es")
    assert "(30 nov – 6 dic)" in text
    assert "• Sprint de 40 m: 5.3 s\n• Sentadilla trasera: 100 kg" in text
    assert "• 40 m sprint: 5.3 s\n• Back squat: 100 kg" in render_text(parent, "en")


async def test_an_hourly_run_all_week_long_reaches_everyone_exactly_once(uow: UnitOfWork) -> None:
    world = await kims_week(uow)
    async with uow as tx:
        # A second guardian in India, half an hour off the hour: 08:30 there is 03:00 UTC.
        guardian = tx.users.add(
            User(role="parent", first_name="Ravi", timezone="Asia/Kolkata", units="imperial")
        )
        await tx.flush()
        tx.session.add(
            AthleteLink(athlete_id=world.child.id, user_id=guardian.id, relation="guardian")
        )
        await tx.commit()

    start = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    for hour in range(72):
        await queue_weekly_summaries(uow, now=start + timedelta(hours=hour))

    found = await summaries(uow)
    assert Counter(row.recipient_id for row in found) == {
        world.coach_user.id: 1,
        world.parent.id: 1,
        guardian.id: 1,
    }
    (ravis,) = [row for row in found if row.recipient_id == guardian.id]
    assert ravis.due_at == datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    assert bests(ravis) == "sprint_40m 5.3 s, squat 220.46 lb"
    assert world.other_parent.id not in Counter(row.recipient_id for row in found)


async def test_a_run_that_failed_at_eight_is_made_up_for_at_nine(uow: UnitOfWork) -> None:
    world = await kims_week(uow)

    # No run at 08:00 UTC (the database was down): 09:00 still finds the parent's summary due.
    assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC + timedelta(hours=1)) == 2

    assert {row.recipient_id for row in await summaries(uow)} == {
        world.parent.id,
        world.coach_user.id,
    }


async def test_a_quiet_week_sends_nothing_and_the_next_active_week_sends_again(
    uow: UnitOfWork,
) -> None:
    world = await kims_week(uow)
    await queue_weekly_summaries(uow, now=MONDAY_8_UTC)

    # Nothing done in the week of 7 December; a result in the week of 14 December.
    assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC + timedelta(weeks=1)) == 0
    await log(uow, world.child.id, "sprint_40m", "s", d15="5.50")
    assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC + timedelta(weeks=2)) == 2

    weeks = Counter(row.dedup_key.split(":")[2] for row in await summaries(uow))
    assert weeks == {"2026-W49": 2, "2026-W51": 2}  # the parent's and the coach's
    assert bests((await summaries(uow))[-1]) == "–"
    assert "• none this week" in render_text((await summaries(uow))[-1], "en")


def test_last_week_is_the_local_monday_to_monday_before_eight_oclock() -> None:
    week = last_week(MONDAY_8_BERLIN, "Europe/Berlin")

    assert week is not None and week.iso == "2026-W49"
    assert week.start == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert week.end == datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    assert last_week(MONDAY_8_BERLIN - timedelta(hours=1), "Europe/Berlin") is None
    # 09:00 and 10:00 catch up on a run that failed; 11:00 is too late for this week.
    assert last_week(MONDAY_8_BERLIN + timedelta(hours=2), "Europe/Berlin") == week
    assert last_week(MONDAY_8_BERLIN + timedelta(hours=3), "Europe/Berlin") is None
    assert last_week(MONDAY_8_UTC - timedelta(days=7), "UTC") is not None


async def athletes_with_a_week(
    uow: UnitOfWork, world: BookingWorld, count: int, *, day: int
) -> list[uuid.UUID]:
    """`count` more athletes of Cora's, each with a parent in UTC, a session completed on `day`
    (from 30 November) and a sprint best that day, beating one of ten days before."""
    athletes = []
    async with uow as tx:
        for n in range(count):
            parent = tx.users.add(User(role="parent", first_name=f"Parent {n}", timezone="UTC"))
            child = tx.users.add(User(role="athlete", first_name=f"Child {n}"))
            await tx.flush()
            athlete = Athlete(user_id=child.id, parent_id=parent.id, primary_sport="athletics")
            tx.athletes.add(athlete)
            await tx.flush()
            start = at(day, 0) + timedelta(hours=n)  # one coach: sessions one after the other
            tx.sessions.add(session_at(world.coach, athlete, start, status="completed"))
            athletes.append(athlete.id)
        await tx.commit()
    for athlete_id in athletes:
        await log(uow, athlete_id, "sprint_40m", "s", **{f"d{day - 10}": "5.40", f"d{day}": "5.30"})
    return athletes


async def test_a_batch_of_athletes_costs_the_same_few_queries_whatever_its_size(
    uow: UnitOfWork, engine: AsyncEngine
) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        await ensure_partitions(tx, today=date(2026, 11, 1), months_ahead=2)
        await tx.commit()
    three = await athletes_with_a_week(uow, world, 3, day=1)  # the week of 30 November
    thirty = await athletes_with_a_week(uow, world, 30, day=8)  # the week of 7 December

    with sql_statements(engine) as for_three:
        assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC) == 2 * 3
    with sql_statements(engine) as for_thirty:
        assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC + timedelta(weeks=1)) == 2 * 30

    # The parents' week (UTC) and Cora's (Berlin, 09:00 there) are both due: per week, who was
    # active, then per batch who hears, names, sessions, results, metric types, the insert.
    assert len(for_three) == len(for_thirty) == 1 + 2 * (1 + 6)
    found = await summaries(uow)
    assert Counter(row.payload["athlete_id"] for row in found) == {
        str(athlete_id): 2 for athlete_id in three + thirty
    }
    assert {bests(row) for row in found} == {"sprint_40m 5.3 s"}
    assert {row.payload["sessions_done"] for row in found} == {1}


async def test_athletes_split_over_several_batches_get_the_same_summaries(
    uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await kims_week(uow)
    others = await athletes_with_a_week(uow, world, 4, day=3)
    monkeypatch.setattr(weekly_summaries, "BATCH", 2)  # Kim and four more: three batches

    assert await queue_weekly_summaries(uow, now=MONDAY_8_UTC) == 2 * 5

    by_athlete = {
        (row.payload["athlete_id"], row.recipient_id): row.payload for row in await summaries(uow)
    }
    kims = by_athlete[(str(world.child.id), world.parent.id)]
    assert (kims["sessions_done"], kims["metrics_logged"]) == (1, 4)
    assert bests_of(kims) == "sprint_40m 5.3 s, squat 100 kg"
    assert {athlete for athlete, _ in by_athlete} == {str(a) for a in [world.child.id, *others]}
