"""/mydata and erasure cover nutrition plans, check-ins, water and meal photos."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from domain.models import CheckinStatus, MealSlot, NutritionCheckin, NutritionPlan
from domain.nutrition import days, plans
from domain.nutrition.plan_content import DayKind
from domain.privacy import export
from domain.privacy.erasure import GRACE, request_erasure
from tests.domain.nutrition.plan_rows import BANANA, NOW, TODAY, family, new_plan
from tests.domain.privacy.test_erasure import erase
from tests.factories import tiny_png


async def _checked_in_with_a_photo(uow, services):  # type: ignore[no-untyped-def]
    cast = await family(uow)
    start = TODAY - timedelta(days=2)
    plan_id = await plans.create(
        uow, actor=cast.parent, box=None, new=new_plan(cast.world.child.id, start=start),
        today=TODAY,
    )  # fmt: skip
    for kind in DayKind:
        await plans.add_item(
            uow, actor=cast.parent, box=None, plan_id=plan_id, kind=kind,
            slot=MealSlot.LUNCH, food_id=BANANA, grams=Decimal(100), today=TODAY,
        )  # fmt: skip
    await plans.publish(uow, actor=cast.parent, box=None, plan_id=plan_id, now=NOW, today=TODAY)
    await days.check_in(
        uow, actor=cast.parent, box=None, plan_id=plan_id, on=start, meal=MealSlot.LUNCH,
        status=CheckinStatus.AS_PLANNED, today=TODAY, now=NOW,
    )  # fmt: skip
    key = await days.keep_photo(
        uow, actor=cast.parent, box=None, storage=services.storage, plan_id=plan_id, on=start,
        meal=MealSlot.LUNCH, content=tiny_png(), today=TODAY,
    )  # fmt: skip
    await days.add_water(
        uow, actor=cast.parent, box=None, plan_id=plan_id, on=start, ml=500, today=TODAY, now=NOW
    )
    return cast, plan_id, key


async def test_mydata_holds_the_plans_the_answers_the_water_and_the_meal_photos(
    uow, services
) -> None:
    cast, plan_id, key = await _checked_in_with_a_photo(uow, services)

    made = await export.export_my_data(
        uow, actor=cast.parent, storage=services.storage, box=services.secrets, now=NOW
    )

    try:
        with zipfile.ZipFile(made.path) as archive:
            names = archive.namelist()
            (plan,) = json.loads(archive.read("nutrition_plans.json"))
            (answer,) = json.loads(archive.read("nutrition_checkins.json"))
            (water,) = json.loads(archive.read("nutrition_water.json"))
        assert plan["id"] == str(plan_id) and plan["status"] == "published"
        assert (answer["meal"], answer["status"], answer["photo_key"]) == (
            "lunch",
            "as_planned",
            key,
        )
        assert water["water_ml"] == 500
        assert [n for n in names if n.startswith("meal_photos/")] == [
            "meal_photos/" + key.removeprefix("nutrition/meals/").replace("/", "-")
        ]
    finally:
        shutil.rmtree(made.path.parent)


async def test_erasing_the_parent_deletes_the_childs_plans_answers_and_photos(
    uow, services
) -> None:
    cast, _plan_id, key = await _checked_in_with_a_photo(uow, services)
    asked = NOW - GRACE - timedelta(minutes=1)
    await request_erasure(uow, actor=cast.parent, now=asked)

    assert await erase(uow, services.storage, NOW) == 1

    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(NutritionPlan)) == 0
        assert await tx.session.scalar(select(func.count()).select_from(NutritionCheckin)) == 0
    assert not await services.storage.exists(key)
