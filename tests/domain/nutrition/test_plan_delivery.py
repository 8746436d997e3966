"""Queueing plan days and meal reminders: at the local breakfast time, to the athlete and every
guardian (a child without Telegram: the guardians), once however often the job runs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from domain.models import MealSlot, Notification, NutritionPlan
from domain.nutrition import days, plans
from domain.nutrition.plan_content import DayKind
from tests.domain.nutrition.plan_rows import BANANA, NOW, TODAY, family, new_plan


async def _rows(uow) -> list[tuple[str, object, dict]]:  # type: ignore[no-untyped-def]
    async with uow as tx:
        found = await tx.session.scalars(select(Notification).order_by(Notification.due_at))
        return [(n.kind, n.recipient_id, n.payload) for n in found]


async def test_a_childs_day_goes_to_the_guardian_at_breakfast_once_and_reminders_follow(
    uow,
) -> None:
    cast = await family(uow)
    plan_id = await plans.create(
        uow, actor=cast.parent, box=None, new=new_plan(cast.world.child.id), today=TODAY
    )
    for kind in DayKind:
        await plans.add_item(
            uow, actor=cast.parent, box=None, plan_id=plan_id, kind=kind,
            slot=MealSlot.LUNCH, food_id=BANANA, grams=Decimal(100), today=TODAY,
        )  # fmt: skip
    await plans.publish(uow, actor=cast.parent, box=None, plan_id=plan_id, now=NOW, today=TODAY)
    async with uow as tx:
        await tx.session.execute(
            update(NutritionPlan).where(NutritionPlan.id == plan_id).values(meal_reminders=True)
        )
        await tx.commit()
    # Kim has no Telegram: her clock is Pia's (UTC in this world).
    breakfast = datetime.combine(TODAY, time(7), tzinfo=UTC)

    assert await days.queue_due_days(uow, now=breakfast - timedelta(minutes=3)) == 0
    assert await days.queue_due_days(uow, now=breakfast) == 1
    assert await days.queue_due_days(uow, now=breakfast + timedelta(minutes=1)) == 0
    lunch = datetime.combine(TODAY, time(12, 30), tzinfo=UTC)
    assert await days.queue_due_days(uow, now=lunch) == 1

    rows = await _rows(uow)
    assert [(kind, who) for kind, who, _ in rows] == [
        ("nutrition_day", cast.world.parent.id),
        ("nutrition_meal", cast.world.parent.id),
    ]
    assert rows[0][2] == {
        "plan_id": str(plan_id),
        "day": TODAY.isoformat(),
        "athlete_id": str(cast.world.child.id),
    }
    assert rows[1][2]["meal"] == "lunch"
    found = await days.plan_day(uow, plan_id=plan_id, on=TODAY)
    assert found is not None and [m.slot for m in found.day.meals] == [MealSlot.LUNCH]
    assert found.day.kind == DayKind.REST
