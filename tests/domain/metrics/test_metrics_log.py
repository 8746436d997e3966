"""Logging values through the domain service: who may log, personal bests, undo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from domain.actors import actor_for_user
from domain.adapters.cache import RedisKeys
from domain.errors import NotAllowed
from domain.metrics.catalogue import MetricKind, catalogue_for
from domain.metrics.entry import athletes_to_log_for, log_typed
from domain.metrics.latest import LatestMetrics
from domain.metrics.log import AlreadyUndone, Implausible, Logged, UndoExpired, log_metric, undo
from domain.metrics.log_line import LogLine, parse_log_line
from domain.models import Athlete, Notification, PerformanceMetric, User
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import BookingWorld, booking_world, session_at

NOW = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)


@dataclass
class MetricsWorld:
    """Booking's two families, a coach who coaches Kim (only), and an athlete on her own."""

    booking: BookingWorld
    parent: Actor
    other_parent: Actor
    coach: Actor
    ari: Actor  # an athlete with her own account, logging for herself
    catalogue: list[MetricKind]

    @property
    def kim(self) -> Athlete:
        return self.booking.child


async def actor_of(uow: UnitOfWork, user_id: object) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user_id))


async def metrics_world(uow: UnitOfWork) -> MetricsWorld:
    """Commit the people; the coach has a session with Kim, none with the other family."""
    world = await booking_world(uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, NOW + timedelta(days=3)))
        ari = tx.users.add(
            User(role="athlete", first_name="Ari", telegram_user_id=91_001, telegram_chat_id=1)
        )
        await tx.flush()
        tx.athletes.add(Athlete(user_id=ari.id, primary_sport="athletics"))
        await tx.commit()
    return MetricsWorld(
        booking=world,
        parent=await actor_of(uow, world.parent.id),
        other_parent=await actor_of(uow, world.other_parent.id),
        coach=await actor_of(uow, world.coach_user.id),
        ari=await actor_of(uow, ari.id),
        catalogue=await catalogue_for(uow, athlete_id=None),
    )


def line(world: MetricsWorld, text: str, now: datetime = NOW) -> LogLine:
    return parse_log_line(text, world.catalogue, now=now, timezone="Europe/Berlin")


async def log(
    uow: UnitOfWork,
    latest: LatestMetrics,
    world: MetricsWorld,
    text: str,
    *,
    actor: Actor | None = None,
    athlete_id: object = None,
    now: datetime = NOW,
    confirmed: bool = False,
) -> Logged:
    return await log_metric(
        uow,
        actor=actor or world.parent,
        athlete_id=athlete_id or world.kim.id,  # type: ignore[arg-type]
        line=line(world, text, now),
        now=now,
        latest=latest,
        confirmed=confirmed,
    )


async def stored(uow: UnitOfWork) -> list[PerformanceMetric]:
    async with uow as tx:
        query = select(PerformanceMetric).order_by(PerformanceMetric.created_at)
        return list((await tx.session.scalars(query)).all())


async def notices(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        query = select(Notification).order_by(Notification.kind)
        return list((await tx.session.scalars(query)).all())


async def test_a_parent_logs_for_their_child_and_the_entry_is_kept_as_typed(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)

    logged = await log(uow, latest, world, "squat 265 lb x5 yesterday 18:00 # felt strong")

    (row,) = await stored(uow)
    assert (row.athlete_id, row.metric_type, row.unit) == (world.kim.id, "squat", "kg")
    assert row.metric_value == Decimal("120.2020")
    assert row.value == {"typed": "265", "typed_unit": "lb", "reps": 5}
    assert (row.recorded_by, row.notes) == (world.parent.user_id, "felt strong")
    assert row.recorded_at == datetime(2026, 11, 19, 17, 0, tzinfo=UTC)  # 18:00 in Berlin
    assert (logged.metric_id, logged.athlete_name, logged.first_entry) == (row.id, "Kim", True)


async def test_the_first_value_is_a_baseline_not_a_personal_best(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)

    first = await log(uow, latest, world, "40m sprint 5.30s", actor=world.coach)

    assert (first.is_pb, first.first_entry, first.previous_best) == (False, True, None)
    assert await notices(uow) == []


async def test_a_faster_time_is_a_best_and_a_tie_or_a_slower_one_is_not(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "40m sprint 5.30s")

    faster = await log(uow, latest, world, "40m sprint 5120 ms")
    tie = await log(uow, latest, world, "40m sprint 5.12")
    slower = await log(uow, latest, world, "40m sprint 5.4")

    assert (faster.is_pb, faster.previous_best, faster.first_entry) == (
        True,
        Decimal("5.3000"),
        False,
    )
    assert (tie.is_pb, tie.previous_best) == (False, Decimal("5.1200"))
    assert (slower.is_pb, slower.previous_best) == (False, Decimal("5.1200"))


async def test_a_heavier_lift_is_a_best_and_a_tie_or_a_lighter_one_is_not(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    first = await log(uow, latest, world, "squat 100kg")

    heavier = await log(uow, latest, world, "squat 110kg")
    tie = await log(uow, latest, world, "squat 110")
    lighter = await log(uow, latest, world, "squat 105kg")

    assert (first.is_pb, heavier.is_pb, tie.is_pb, lighter.is_pb) == (False, True, False, False)
    assert heavier.previous_best == Decimal("100.0000")


async def test_a_metric_where_neither_direction_is_better_has_no_bests(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "weight 40")

    for value in ("38", "45"):
        logged = await log(uow, latest, world, f"weight {value}")
        assert (logged.is_pb, logged.previous_best, logged.first_entry) == (False, None, False)
    assert await notices(uow) == []


async def test_a_best_logged_by_the_parent_is_noted_to_the_coach_and_not_to_the_parent(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")

    best = await log(uow, latest, world, "squat 110kg")

    # Kim has no Telegram and the parent, who logged it, reads it in the reply.
    (note,) = await notices(uow)
    assert (note.kind, note.recipient_id) == ("personal_best_coach", world.coach.user_id)
    assert note.dedup_key == f"personal_best:{best.metric_id}:{world.coach.user_id}"
    assert note.payload == {
        "athlete": "Kim",
        "metric": {"code": "squat"},
        "value": "110 kg",
        "previous": "100 kg",
        "metric_id": str(best.metric_id),
    }


async def test_a_best_logged_by_the_coach_congratulates_the_family_in_their_units(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    async with uow as tx:
        (await tx.users.get(world.parent.user_id)).units = "imperial"
        await tx.commit()
    await log(uow, latest, world, "squat 100kg", actor=world.coach)

    await log(uow, latest, world, "squat 110kg", actor=world.coach)

    (note,) = await notices(uow)
    assert (note.kind, note.recipient_id) == ("personal_best", world.parent.user_id)
    assert (note.payload["value"], note.payload["previous"]) == ("242.51 lb", "220.46 lb")


async def test_an_implausible_value_is_questioned_and_stored_once_confirmed(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)

    with pytest.raises(Implausible) as refused:
        await log(uow, latest, world, "squat 1200 kg")
    assert await stored(uow) == []
    assert refused.value.message_key == "metrics.error.implausible"
    assert refused.value.params == {
        "value": "1200 kg",
        "metric": {"code": "squat"},
        "low": "5 kg",
        "high": "400 kg",
    }

    logged = await log(uow, latest, world, "squat 1200 kg", confirmed=True)

    (row,) = await stored(uow)
    assert (row.id, row.metric_value) == (logged.metric_id, Decimal("1200.0000"))


async def test_a_parent_cannot_log_for_another_familys_child(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)

    with pytest.raises(NotAllowed):
        await log(uow, latest, world, "squat 100kg", actor=world.other_parent)
    assert await stored(uow) == []


async def test_a_coach_logs_for_an_athlete_they_coach_and_not_for_another(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)

    await log(uow, latest, world, "squat 100kg", actor=world.coach)
    with pytest.raises(NotAllowed):
        await log(
            uow,
            latest,
            world,
            "squat 100kg",
            actor=world.coach,
            athlete_id=world.booking.other_child.id,
        )

    (row,) = await stored(uow)
    assert (row.athlete_id, row.recorded_by) == (world.kim.id, world.coach.user_id)


async def test_each_person_may_log_for_their_own_athletes(uow: UnitOfWork) -> None:
    world = await metrics_world(uow)

    def names(targets: list) -> list[tuple[str, bool]]:  # type: ignore[type-arg]
        return [(target.first_name, target.is_self) for target in targets]

    assert names(await athletes_to_log_for(uow, actor=world.parent)) == [("Kim", False)]
    assert names(await athletes_to_log_for(uow, actor=world.coach)) == [("Kim", False)]
    assert names(await athletes_to_log_for(uow, actor=world.ari)) == [("Ari", True)]
    assert names(await athletes_to_log_for(uow, actor=world.other_parent)) == [("Lea", False)]


async def test_an_athlete_logs_a_typed_line_for_herself(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    assert world.ari.own_athlete_id is not None

    logged = await log_typed(
        uow,
        actor=world.ari,
        athlete_id=world.ari.own_athlete_id,
        text="5.12",
        metric_key="sprint_40m",
        now=NOW,
        timezone="UTC",
        latest=latest,
    )

    assert (logged.kind.key, logged.value, logged.athlete_name) == (
        "sprint_40m",
        Decimal("5.1200"),
        "Ari",
    )


async def test_undo_removes_the_value_and_its_unsent_notices(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")
    best = await log(uow, latest, world, "squat 110kg")

    undone = await undo(
        uow,
        actor=world.parent,
        metric_id=best.metric_id,
        recorded_at=best.recorded_at,
        latest=latest,
    )

    assert (undone.metric, undone.value, undone.athlete_name) == (
        {"code": "squat"},
        Decimal("110.0000"),
        "Kim",
    )
    assert [row.metric_value for row in await stored(uow)] == [Decimal("100.0000")]
    assert await notices(uow) == []
    with pytest.raises(AlreadyUndone):
        await undo(
            uow,
            actor=world.parent,
            metric_id=best.metric_id,
            recorded_at=best.recorded_at,
            latest=latest,
        )


async def test_the_coach_undoes_their_own_entry_but_not_the_familys(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    by_parent = await log(uow, latest, world, "squat 100kg")
    by_coach = await log(uow, latest, world, "squat 105kg", actor=world.coach)

    with pytest.raises(NotAllowed):
        await undo(
            uow,
            actor=world.coach,
            metric_id=by_parent.metric_id,
            recorded_at=by_parent.recorded_at,
            latest=latest,
        )
    with pytest.raises(NotAllowed):
        await undo(
            uow,
            actor=world.other_parent,
            metric_id=by_coach.metric_id,
            recorded_at=by_coach.recorded_at,
            latest=latest,
        )
    # The family owns the record: the parent may take back what the coach wrote.
    await undo(
        uow,
        actor=world.parent,
        metric_id=by_coach.metric_id,
        recorded_at=by_coach.recorded_at,
        latest=latest,
    )
    assert [row.id for row in await stored(uow)] == [by_parent.metric_id]


async def test_a_value_cannot_be_undone_after_a_day(uow: UnitOfWork, latest: LatestMetrics) -> None:
    world = await metrics_world(uow)
    logged = await log(uow, latest, world, "squat 100kg")

    with pytest.raises(UndoExpired):
        await undo(
            uow,
            actor=world.parent,
            metric_id=logged.metric_id,
            recorded_at=logged.recorded_at,
            latest=latest,
            now=datetime.now(UTC) + timedelta(hours=24, minutes=1),
        )
    assert len(await stored(uow)) == 1


async def test_the_reply_compares_with_the_value_before_and_never_with_an_undone_one(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)

    first = await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(hours=2))
    second = await log(uow, latest, world, "squat 110kg", now=NOW - timedelta(hours=1))
    await undo(
        uow,
        actor=world.parent,
        metric_id=second.metric_id,
        recorded_at=second.recorded_at,
        latest=latest,
        now=NOW,
    )
    third = await log(uow, latest, world, "squat 105kg")
    backdated = await log(uow, latest, world, "squat 90kg yesterday 10:00")

    assert first.previous is None
    assert second.previous is not None and second.previous.value == Decimal("100.0000")
    # Had the undo left 110 kg in Redis, it would be the value before.
    assert third.previous is not None
    assert (third.previous.value, third.previous.recorded_at) == (
        Decimal("100.0000"),
        NOW - timedelta(hours=2),
    )
    assert backdated.previous is None  # 105 kg stays the latest: 90 kg follows nothing


async def test_the_value_before_is_read_from_redis_once_cached(
    uow: UnitOfWork, latest: LatestMetrics, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg", now=NOW - timedelta(hours=1))
    # What Redis says is what the reply shows: a value only Redis has proves where it was read.
    key = keys.latest_metrics(world.kim.id)
    field = (await redis_client.hget(key, "squat")).decode()
    await redis_client.hset(key, "squat", field.replace(" 100.0000 ", " 99.5000 "))

    logged = await log(uow, latest, world, "squat 105kg")

    assert logged.previous is not None and logged.previous.value == Decimal("99.5000")
