"""Undoing a value that was announced as a personal best: those who were told get a correction,
those who were not hear nothing, and the best before it is the best again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from domain.metrics.latest import LatestMetrics
from domain.metrics.log import Logged, undo
from domain.models import Notification
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.domain.metrics.test_metrics_log import log, metrics_world, notices

WITHDRAWN = "personal_best_withdrawn"


async def mark_all_sent(uow: UnitOfWork) -> None:
    """What the outbox sender does once it has delivered everything due."""
    async with uow as tx:
        await tx.session.execute(
            update(Notification)
            .where(Notification.sent_at.is_(None))
            .values(sent_at=datetime.now(UTC))
        )
        await tx.commit()


async def take_back(uow: UnitOfWork, latest: LatestMetrics, actor: Actor, logged: Logged) -> None:
    await undo(
        uow,
        actor=actor,
        metric_id=logged.metric_id,
        recorded_at=logged.recorded_at,
        latest=latest,
    )


async def unsent(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        query = (
            select(Notification).where(Notification.sent_at.is_(None)).order_by(Notification.kind)
        )
        return list((await tx.session.scalars(query)).all())


async def test_undoing_an_announced_best_corrects_it_for_the_family_in_their_units(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    async with uow as tx:
        (await tx.users.get(world.parent.user_id)).units = "imperial"
        await tx.commit()
    await log(uow, latest, world, "squat 100kg", actor=world.coach)
    best = await log(uow, latest, world, "squat 110kg", actor=world.coach)
    await mark_all_sent(uow)  # the parent has read "New personal best for Kim!"

    await take_back(uow, latest, world.coach, best)

    (correction,) = await unsent(uow)
    assert (correction.kind, correction.recipient_id) == (WITHDRAWN, world.parent.user_id)
    assert correction.dedup_key == f"{WITHDRAWN}:{best.metric_id}:{world.parent.user_id}"
    assert correction.payload == {
        "athlete": "Kim",
        "metric": {"code": "squat"},
        "value": "242.51 lb",
        "best": "220.46 lb",
        "metric_id": str(best.metric_id),
    }


async def test_the_coach_who_was_told_hears_the_correction_and_the_old_best_is_back(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")
    best = await log(uow, latest, world, "squat 110kg")
    await log(uow, latest, world, "squat 104kg")
    await mark_all_sent(uow)  # the coach has read "Kim set a personal best"

    await take_back(uow, latest, world.parent, best)
    again = await log(uow, latest, world, "squat 105kg")

    (*others, correction) = await unsent(uow)
    assert (correction.kind, correction.recipient_id) == (WITHDRAWN, world.coach.user_id)
    assert (correction.payload["value"], correction.payload["best"]) == ("110 kg", "104 kg")
    # 105 kg beats what is left on record, so it is announced as a best in its own right.
    assert (again.is_pb, again.previous_best) == (True, 104)
    assert [note.kind for note in others] == ["personal_best_coach"]


async def test_a_best_undone_before_anyone_heard_of_it_is_dropped_without_a_correction(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    await log(uow, latest, world, "squat 100kg")
    best = await log(uow, latest, world, "squat 110kg")

    await take_back(uow, latest, world.parent, best)

    assert await notices(uow) == []


async def test_undoing_a_value_that_was_no_best_tells_nobody(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    first = await log(uow, latest, world, "squat 100kg")
    await log(uow, latest, world, "squat 110kg")
    await mark_all_sent(uow)

    await take_back(uow, latest, world.parent, first)

    assert await unsent(uow) == []


async def test_a_withdrawn_best_with_nothing_left_on_record_says_so(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await metrics_world(uow)
    first = await log(uow, latest, world, "squat 100kg")
    best = await log(uow, latest, world, "squat 110kg")
    await mark_all_sent(uow)

    await take_back(uow, latest, world.parent, first)
    await take_back(uow, latest, world.parent, best)

    (correction,) = await unsent(uow)
    assert (correction.kind, correction.recipient_id) == (
        "personal_best_withdrawn_last",
        world.coach.user_id,
    )
    assert correction.payload == {
        "athlete": "Kim",
        "metric": {"code": "squat"},
        "value": "110 kg",
        "metric_id": str(best.metric_id),
    }
