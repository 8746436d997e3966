"""A plan's day waits out the athlete's quiet hours, and a meal's reminder comes only for a
meal the day has."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from sqlalchemy import update

from domain.actors import actor_for_user
from domain.models import MealSlot, NutritionPlan, User
from domain.nutrition import plans
from domain.nutrition.plan_content import DayKind, Targets
from domain.nutrition.plans import NewPlan
from domain.nutrition.restrictions import Restrictions
from domain.uow import UnitOfWork
from tests.handlers.chat_steps import open_chats
from tests.handlers.nutrition.nutrition_world import berlin, nutrition_cast, run_morning, texts
from tests.handlers.nutrition.test_nutrition_plans_in_chat import last_monday

BANANA, RICE = 9040, 20044


async def test_the_day_waits_for_the_end_of_quiet_hours_and_reminders_follow_the_meals(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    start = last_monday().date()
    cast = await nutrition_cast(emulator, uow, session_on=start + timedelta(days=3))
    async with uow as tx:
        coach = await actor_for_user(tx, cast.world.coach_user)
    plan_id = await plans.create(
        uow,
        actor=coach,
        box=None,
        new=NewPlan(
            athlete_id=cast.ana_athlete, plan_type="recovery", start=start,
            end=start + timedelta(days=6), goals=[],
            targets=Targets(
                energy_kcal=2000, protein_g=100, carbohydrate_g=250, fat_g=70, water_ml=2000
            ),
            restrictions=Restrictions(),
        ),
        today=start,
    )  # fmt: skip
    await plans.add_item(
        uow, actor=coach, box=None, plan_id=plan_id, kind=DayKind.REST, slot=MealSlot.LUNCH,
        food_id=RICE, grams=Decimal(150), today=start,
    )  # fmt: skip
    await plans.add_item(
        uow, actor=coach, box=None, plan_id=plan_id, kind=DayKind.TRAINING,
        slot=MealSlot.DINNER, food_id=BANANA, grams=Decimal(100), today=start,
    )  # fmt: skip
    await plans.publish(uow, actor=coach, box=None, plan_id=plan_id, now=berlin(start, time(6)),
                        today=start)  # fmt: skip
    async with uow as tx:
        await tx.session.execute(
            update(User)
            .where(User.telegram_user_id == cast.ana.id)
            .values(quiet_from=time(22), quiet_until=time(8, 30))
        )
        await tx.session.execute(
            update(NutritionPlan).where(NutritionPlan.id == plan_id).values(meal_reminders=True)
        )
        await tx.commit()
    async with run_bot(emulator) as application:
        await open_chats(cast.ana)
        await run_morning(application, berlin(start, time(7)))
        assert texts(cast.ana, "🛋 Ana's food") == []
        await run_morning(application, berlin(start, time(8, 31)))
        assert len(texts(cast.ana, "🛋 Ana's food")) == 1
        # A rest day has lunch, no dinner: the lunch reminder comes, the dinner one does not.
        await run_morning(application, berlin(start, time(12, 31)))
        await run_morning(application, berlin(start, time(19, 31)))
        assert [str(m["text"]) for m in texts(cast.ana, "🍽")] == ["🍽 Lunch time: White rice 150 g."]
