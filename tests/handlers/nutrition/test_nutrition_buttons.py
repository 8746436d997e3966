"""Forged nutrition buttons: another family's presses neither publish, answer nor water a plan."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from domain.models import CheckinStatus, MealSlot, NutritionCheckin, NutritionPlan, NutritionWater
from domain.nutrition.plan_content import DayKind
from domain.uow import UnitOfWork
from handlers.nutrition.callbacks import AddTo, MealAnswer, PlanAction, PlanPress, Water
from handlers.nutrition.render import yyyymmdd
from tests.handlers.booking.booking_steps import latest, press_data
from tests.handlers.chat_steps import forged_data, open_chats
from tests.handlers.nutrition.nutrition_world import nutrition_cast
from tests.handlers.nutrition.test_nutrition_plans_in_chat import last_monday


async def test_another_familys_forged_presses_change_nothing(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    start = last_monday().date()
    cast = await nutrition_cast(emulator, uow, session_on=start)
    plan_id = await _draft_for_ana(uow, cast)
    omar = cast.omar
    async with run_bot(emulator):
        await open_chats(omar)
        on = yyyymmdd(start)
        for data in (
            PlanPress(PlanAction.PUBLISH, plan_id).pack(),
            PlanPress(PlanAction.OPEN, plan_id).pack(),
            AddTo(plan_id, DayKind.REST, MealSlot.LUNCH).pack(),
            MealAnswer(CheckinStatus.AS_PLANNED, plan_id, on, MealSlot.LUNCH).pack(),
            Water(plan_id, on, 500).pack(),
            forged_data("nc:w", plan_id, on, 999999),
            forged_data("nu:p", "zz", plan_id),
        ):
            await press_data(emulator, omar, latest(omar), data)
            await omar.expect("callback_answer")
    async with uow as tx:
        plan = await tx.session.get(NutritionPlan, plan_id)
        answers = await tx.session.scalar(select(func.count()).select_from(NutritionCheckin))
        water = await tx.session.scalar(select(func.count()).select_from(NutritionWater))
    assert plan is not None and plan.status == "draft"
    assert (answers, water) == (0, 0)


async def _draft_for_ana(uow: UnitOfWork, cast) -> object:  # type: ignore[no-untyped-def]
    async with uow as tx:
        plan = NutritionPlan(
            athlete_id=cast.ana_athlete,
            plan_type="maintenance",
            start_date=last_monday().date(),
            end_date=last_monday().date() + timedelta(days=6),
            daily_plans={"schema_version": 1},
        )
        tx.session.add(plan)
        await tx.commit()
    return plan.id
