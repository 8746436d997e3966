"""Writing, publishing and applying nutrition plans against the real database and food table."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from domain.errors import InvalidInput, NotAllowed
from domain.models import (
    MealSlot,
    NutritionPlan,
    ProgramEnrolment,
    ProgramStatus,
    ProgramVersion,
    TrainingProgram,
)
from domain.nutrition import days, plans, templates, weeks
from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.plan_content import DailyPlans, DayKind, DayMeals, Item
from domain.nutrition.restrictions import Restrictions
from domain.programs.content import ProgramContent
from domain.programs.program_text import parse_program_text
from tests.domain.nutrition.plan_rows import (
    BANANA,
    CHICKEN,
    NOW,
    OATS,
    TODAY,
    WHITE_RICE,
    WHOLE_MILK,
    family,
    new_plan,
)
from tests.factories import session_at

NO_GLUTEN = Restrictions(allergens=frozenset({Allergen.GLUTEN}))


async def _add(uow, actor, plan_id, food, grams, kind=DayKind.TRAINING, slot=MealSlot.BREAKFAST):
    return await plans.add_item(
        uow,
        actor=actor,
        box=None,
        plan_id=plan_id,
        kind=kind,
        slot=slot,
        food_id=food,
        grams=Decimal(grams),
        today=TODAY,
    )


async def test_a_food_with_a_declared_allergen_is_refused_with_the_allergen(uow) -> None:
    cast = await family(uow)
    plan_id = await plans.create(
        uow,
        actor=cast.parent,
        box=None,
        new=new_plan(cast.world.child.id, restrictions=NO_GLUTEN),
        today=TODAY,
    )

    with pytest.raises(plans.FoodRefused) as refused:
        await _add(uow, cast.parent, plan_id, OATS, 80)
    view = await _add(uow, cast.parent, plan_id, BANANA, 120)

    assert refused.value.reasons == ["gluten"]
    assert refused.value.food.name("en") == "Oats"
    (meal,) = view.days[DayKind.TRAINING].meals
    assert [(line.food.id, line.grams) for line in meal.lines] == [(BANANA, Decimal(120))]
    # 89 kcal per 100 g of banana.
    assert view.days[DayKind.TRAINING].totals.energy_kcal == Decimal("106.80")


async def test_a_diet_refuses_the_foods_that_break_it(uow) -> None:
    cast = await family(uow)
    vegan = Restrictions(diets=frozenset({Diet.VEGAN}))
    plan_id = await plans.create(
        uow,
        actor=cast.coach,
        box=None,
        new=new_plan(cast.world.child.id, restrictions=vegan),
        today=TODAY,
    )

    with pytest.raises(plans.FoodRefused) as refused:
        await _add(uow, cast.coach, plan_id, CHICKEN, 150, slot=MealSlot.LUNCH)

    assert refused.value.reasons == ["vegan"]


async def test_absurd_amounts_and_an_end_before_the_start_are_refused(uow) -> None:
    cast = await family(uow)
    with pytest.raises(plans.EndBeforeStart):
        await plans.create(
            uow,
            actor=cast.parent,
            box=None,
            new=new_plan(cast.world.child.id, days=-2),
            today=TODAY,
        )
    plan_id = await plans.create(
        uow, actor=cast.parent, box=None, new=new_plan(cast.world.child.id), today=TODAY
    )

    with pytest.raises(InvalidInput):
        await _add(uow, cast.parent, plan_id, WHITE_RICE, 50_000)
    with pytest.raises(InvalidInput):
        await _add(uow, cast.parent, plan_id, WHITE_RICE, -5)


async def test_another_family_cannot_write_or_see_the_childs_plan(uow) -> None:
    cast = await family(uow)
    plan_id = await plans.create(
        uow, actor=cast.parent, box=None, new=new_plan(cast.world.child.id), today=TODAY
    )
    async with uow as tx:
        from domain.actors import actor_for_user

        other = await actor_for_user(tx, cast.world.other_parent)

    with pytest.raises(NotAllowed):
        await _add(uow, other, plan_id, BANANA, 100)
    with pytest.raises(NotAllowed):
        await plans.view(uow, actor=other, box=None, plan_id=plan_id, today=TODAY)


async def test_a_plan_in_conflict_is_never_published(uow) -> None:
    cast = await family(uow)
    plan_id = await plans.create(
        uow,
        actor=cast.parent,
        box=None,
        new=new_plan(cast.world.child.id, restrictions=NO_GLUTEN),
        today=TODAY,
    )
    # Written around the rule (an older draft, a hand edit): publishing still checks.
    oats = DayMeals().with_item(MealSlot.BREAKFAST, Item(food_id=OATS, grams=Decimal(80)))
    async with uow as tx:
        await tx.session.execute(
            update(NutritionPlan)
            .where(NutritionPlan.id == plan_id)
            .values(daily_plans=DailyPlans(training_day=oats).stored())
        )
        await tx.commit()

    with pytest.raises(plans.PlanInConflict):
        await plans.publish(uow, actor=cast.parent, box=None, plan_id=plan_id, now=NOW, today=TODAY)
    view = await plans.view(uow, actor=cast.parent, box=None, plan_id=plan_id, today=TODAY)

    assert view.status == "draft"
    assert [(food.id, why) for food, why in view.conflicts] == [(OATS, ["gluten"])]


async def test_a_second_plan_over_the_same_days_replaces_the_first_only_when_confirmed(
    uow,
) -> None:
    cast = await family(uow)
    child = cast.world.child.id
    first = await plans.create(uow, actor=cast.parent, box=None, new=new_plan(child), today=TODAY)
    await _add(uow, cast.parent, first, BANANA, 100)
    await plans.publish(uow, actor=cast.parent, box=None, plan_id=first, now=NOW, today=TODAY)
    second = await plans.create(
        uow,
        actor=cast.coach,
        box=None,
        new=new_plan(child, start=TODAY + timedelta(days=3)),
        today=TODAY,
    )
    await _add(uow, cast.coach, second, WHITE_RICE, 150, slot=MealSlot.LUNCH)

    with pytest.raises(plans.OverlapsPlan) as overlaps:
        await plans.publish(uow, actor=cast.coach, box=None, plan_id=second, now=NOW, today=TODAY)
    assert (overlaps.value.start, overlaps.value.end) == (TODAY, TODAY + timedelta(days=6))
    done = await plans.publish(
        uow, actor=cast.coach, box=None, plan_id=second, now=NOW, today=TODAY, replace=True
    )

    assert done.replaced == [(TODAY, TODAY + timedelta(days=6))]
    async with uow as tx:
        statuses = dict(
            (await tx.session.execute(select(NutritionPlan.id, NutritionPlan.status))).all()
        )
    assert statuses == {first: "replaced", second: "published"}


async def test_a_booked_session_or_a_program_workout_makes_a_training_day(uow) -> None:
    cast = await family(uow)
    kim, coach = cast.world.child, cast.world.coach
    async with uow as tx:
        start = NOW.replace(hour=16) + timedelta(days=2)
        tx.session.add(session_at(coach, kim, start, status="scheduled"))
        cancelled = session_at(coach, kim, start + timedelta(days=1), status="cancelled")
        tx.session.add(cancelled)
        program = TrainingProgram(coach_id=coach.id, title="Base", duration_weeks=1)
        tx.session.add(program)
        await tx.flush()
        content = ProgramContent(weeks=parse_program_text("W1D5: squat 3x5 60kg", weeks=1))
        version = ProgramVersion(
            program_id=program.id,
            number=1,
            content=content.stored(),
            schema_version=1,
            duration_weeks=1,
        )
        tx.session.add(version)
        await tx.flush()
        program.status = ProgramStatus.PUBLISHED
        program.current_version_id = version.id
        tx.session.add(
            ProgramEnrolment(
                program_id=program.id,
                program_version_id=version.id,
                athlete_id=kim.id,
                start_date=TODAY,
                how="parent",
            )
        )
        await tx.commit()

    async with uow as tx:
        kinds = [
            await days.day_kind(tx, kim.id, TODAY + timedelta(days=n), "UTC") for n in range(6)
        ]

    assert kinds[2] == DayKind.TRAINING  # the booked session
    assert kinds[3] == DayKind.REST  # its session was cancelled
    assert kinds[4] == DayKind.TRAINING  # program day 5
    assert kinds[0] == kinds[1] == kinds[5] == DayKind.REST


async def test_a_template_is_applied_to_two_athletes_scaled_by_body_weight(uow) -> None:
    cast = await family(uow, weights=("40", "60"))
    plan_id = await plans.create(
        uow, actor=cast.coach, box=None, new=new_plan(cast.world.child.id), today=TODAY
    )
    await _add(uow, cast.coach, plan_id, WHITE_RICE, 100, slot=MealSlot.LUNCH)
    template_id = await templates.save_as_template(
        uow, actor=cast.coach, box=None, plan_id=plan_id, today=TODAY
    )
    start = TODAY + timedelta(days=14)

    results = await templates.apply(
        uow,
        actor=cast.coach,
        box=None,
        template_id=template_id,
        athlete_ids=[cast.world.child.id, cast.world.other_child.id],
        start=start,
        today=TODAY,
        now=NOW,
    )

    assert sorted((r.name, r.outcome, r.factor) for r in results) == [
        ("Kim", "published", Decimal(1)),
        ("Lea", "published", Decimal("1.5")),
    ]
    async with uow as tx:
        made = {
            p.athlete_id: p
            for p in await tx.session.scalars(
                select(NutritionPlan).where(NutritionPlan.start_date == start)
            )
        }
    lea = DailyPlans.from_stored(made[cast.world.other_child.id].daily_plans)
    kim = DailyPlans.from_stored(made[cast.world.child.id].daily_plans)
    assert [i.grams for i in kim.training_day.items()] == [Decimal(100)]
    assert [i.grams for i in lea.training_day.items()] == [Decimal(150)]
    assert lea.targets is not None and lea.targets.energy_kcal == 3600
    assert made[cast.world.other_child.id].end_date == start + timedelta(days=6)


async def test_the_printable_week_sums_grams_by_kind_of_food(uow) -> None:
    cast = await family(uow)
    plan_id = await plans.create(
        uow, actor=cast.parent, box=None, new=new_plan(cast.world.child.id), today=TODAY
    )
    for kind in DayKind:
        await _add(uow, cast.parent, plan_id, WHOLE_MILK, 250, kind=kind)
        await _add(uow, cast.parent, plan_id, BANANA, 100, kind=kind, slot=MealSlot.SNACKS)

    week = await weeks.printable_week(
        uow, actor=cast.parent, box=None, plan_id=plan_id, first=TODAY, today=TODAY
    )

    assert len(week.days) == 7
    shopping = {kind: [(f.id, g) for f, g in foods] for kind, foods in week.shopping.items()}
    assert shopping == {"fruit": [(BANANA, Decimal(700))], "dairy": [(WHOLE_MILK, Decimal(1750))]}
