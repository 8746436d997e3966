"""Nutrition plans through the emulator: a coach writes a plan in /nutrition (an allergen refused,
an end before the start and an absurd amount refused), publishes it; each day arrives at 07:00
in the athlete's zone on a frozen clock, a training day picked from a booked session; the
athlete checks meals in (with a photo) and drinks water; Monday brings the week's adherence with
its chart to the athlete and the coach. A template is applied to two athletes, scaled."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from domain.models import NutritionCheckin, NutritionPlan, NutritionWater
from domain.nutrition.plan_content import DailyPlans
from domain.uow import UnitOfWork
from tests.factories import tiny_png
from tests.handlers.chat_steps import open_chats
from tests.handlers.nutrition.nutrition_world import (
    TARGETS,
    berlin,
    label_starting,
    nutrition_cast,
    run_morning,
    run_weekly,
    texts,
)


def last_monday() -> datetime:
    today = datetime.now(UTC).date()
    return datetime.combine(today - timedelta(days=today.weekday() + 7), time(0), tzinfo=UTC)


async def test_a_plan_is_written_published_delivered_checked_in_and_its_week_reported(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    start = last_monday().date()
    cast = await nutrition_cast(emulator, uow, session_on=start + timedelta(days=1))
    cora, ana = cast.cora, cast.ana
    async with run_bot(emulator) as application:
        await open_chats(cora, ana)
        await cora.send("/nutrition")
        await cora.expect_reply(contains="No nutrition plans yet")
        await cora.press("➕ New plan")
        await cora.expect("edit", contains="Who is the plan for?")
        await cora.press("Ana")
        await cora.expect("edit", contains="What kind of plan?")
        await cora.press("Maintenance")
        await cora.expect("edit", contains="From when?")
        await cora.send(start.isoformat())
        await cora.expect_reply(contains="until when?")
        await cora.send((start - timedelta(days=3)).isoformat())
        await cora.expect_reply(contains="The last day comes before the first")
        await cora.press(label_starting(cora, "1 wk"))
        await cora.expect_reply(contains="Goals")
        await cora.send("stay strong, recover faster")
        await cora.expect_reply(contains="Daily targets")
        await cora.send(TARGETS)
        await cora.expect_reply(contains="Anything to avoid?")
        await cora.press("Gluten")
        await cora.expect("edit", contains="Anything to avoid?")
        await cora.press("Done")
        card = await cora.expect("edit", contains="🥗 Ana: Maintenance (draft)")
        assert "Avoid: Gluten" in card["text"]

        # The training day: oats refused for the gluten, an absurd amount refused, a typo found.
        await cora.press("🏋️ Training day")
        await cora.expect("edit", contains="Training day of Ana's plan")
        await cora.press("➕ Breakfast")
        await cora.expect_reply(contains="type a food's name")
        await cora.send("oats")
        await cora.expect_reply(contains="Foods like “oats”")
        await cora.press("Oats")
        await cora.expect_reply(contains="How many grams?")
        await cora.send("80")
        await cora.expect_reply(contains="Oats can't go in: it contains gluten")
        await cora.send("banan")
        await cora.expect_reply(contains="Foods like “banan”")
        await cora.press("Banana")
        await cora.expect_reply(contains="How many grams?")
        await cora.send("50 kg")
        await cora.expect_reply(contains="more than a meal holds")
        await cora.send("120")
        day = await cora.expect_reply(contains="Breakfast: Banana 120 g")
        assert "Day: 107/2,400 kcal" in day["text"]

        # The rest day: rice for lunch.
        await cora.press("⬅️ Plan")
        await cora.expect("edit", contains="🥗 Ana")
        await cora.press("🛋 Rest day")
        await cora.expect("edit", contains="Rest day of Ana's plan")
        await cora.press("➕ Lunch")
        await cora.send("white rice")
        await cora.expect_reply(contains="Foods like")
        await cora.press("White rice")
        await cora.send("150")
        await cora.expect_reply(contains="Lunch: White rice 150 g")
        await cora.press("⬅️ Plan")
        await cora.expect("edit", contains="🥗 Ana")
        await cora.press("🚀 Publish")
        await cora.expect("edit", contains="🥗 Ana: Maintenance (published)")
        await cora.expect_reply(contains="Published")
        await cora.press("🖨 Printable week")
        sheet = await cora.expect("message", contains="ready to print")
        page = emulator.world.files[sheet["document"]["file_id"]].path.read_text("utf-8")
        assert sheet["document"]["file_name"].startswith("nutrition-Ana-")
        # The plan's seven days: six rest days of rice, Tuesday's session a training day.
        assert "<h1>Shopping list</h1>" in page
        assert "<li>☐ White rice 900 g</li>" in page and "<li>☐ Banana 120 g</li>" in page

        # Day 1 (a rest day) at 07:00 in Berlin, not before; twice run, sent once.
        day1 = berlin(start, time(7))
        await run_morning(application, day1 - timedelta(minutes=5))
        assert texts(ana, "🛋 Ana's food") == []
        await run_morning(application, day1)
        await run_morning(application, day1 + timedelta(minutes=1))
        (rest,) = texts(ana, "🛋 Ana's food")
        assert "Rest day" in str(rest["text"]) and "Lunch: White rice 150 g" in str(rest["text"])
        # Day 2 has the booked session: a training day.
        await run_morning(application, berlin(start + timedelta(days=1), time(7)))
        (training,) = texts(ana, "🏋️ Ana's food")
        assert "Training day" in str(training["text"])
        assert "Breakfast: Banana 120 g" in str(training["text"])

        await ana.press("✅ Lunch", rest)
        await ana.expect("edit", contains="Lunch ✅")
        await ana.expect_reply(contains="Send a photo")
        await ana.send_photo(tiny_png())
        await ana.expect_reply(contains="Photo kept")
        await ana.press("💧 +500 ml", rest)
        await ana.expect("callback_answer", contains="500 ml today")
        await ana.press("⏭ Breakfast", training)
        await ana.expect("edit", contains="Breakfast ⏭")

        # The next Monday at 08:00 in Berlin: the week's adherence, with its chart.
        await run_weekly(application, berlin(start + timedelta(days=7), time(8, 5)))
        (week,) = texts(ana, "📊 Ana's week")
        (for_coach,) = texts(cora, "📊 Ana's week")
    assert "photo" in week
    # Of 7 days' meals (one each), one eaten as planned.
    assert "14% of meals as planned" in str(week["caption"])
    assert "✅ 1 · ✏️ 0 · ⏭ 1 · ❔ 5" in str(for_coach["caption"])
    async with uow as tx:
        answers = list(await tx.session.scalars(select(NutritionCheckin)))
        water = list(await tx.session.scalars(select(NutritionWater)))
    lunch = next(a for a in answers if a.meal == "lunch")
    assert (lunch.day, lunch.status) == (start, "as_planned")
    assert lunch.photo_key is not None and lunch.photo_key.startswith("nutrition/meals/")
    assert [(w.day, w.water_ml) for w in water] == [(start, 500)]


async def test_a_template_is_applied_to_two_athletes_scaled_by_their_weight(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    start = last_monday().date()
    cast = await nutrition_cast(emulator, uow, session_on=start)
    cora = cast.cora
    async with run_bot(emulator) as application:
        await open_chats(cora)
        await cora.send("/nutrition")
        await cora.expect_reply(contains="nutrition plans")
        await cora.press("➕ New plan")
        await cora.expect("edit", contains="Who is the plan for?")
        await cora.press("Ana")
        await cora.expect("edit", contains="What kind of plan?")
        await cora.press("Recovery")
        await cora.expect("edit", contains="From when?")
        await cora.press(label_starting(cora, "Tomorrow"))
        await cora.expect("edit", contains="until when?")
        await cora.press(label_starting(cora, "2 wk"))
        await cora.expect("edit", contains="Goals")
        await cora.press("Skip")
        await cora.expect("edit", contains="Daily targets")
        await cora.send(TARGETS)
        await cora.expect_reply(contains="Anything to avoid?")
        await cora.press("Done")
        await cora.expect("edit", contains="🥗 Ana: Recovery (draft)")
        await cora.press("⏰ 08:00")
        await cora.expect("edit", contains="The day's plan arrives at 08:00")
        await cora.press("🛋 Rest day")
        await cora.expect("edit", contains="Rest day of Ana's plan")
        await cora.press("➕ Dinner")
        await cora.expect_reply(contains="type a food's name")
        await cora.send("chikcen brest")
        await cora.expect_reply(contains="No food called “chikcen brest”. The nearest names:")
        await cora.press("Chicken breast")
        await cora.expect_reply(contains="How many grams?")
        await cora.send("120")
        await cora.expect_reply(contains="Dinner: Chicken breast 120 g")
        await cora.press("⬅️ Plan")
        await cora.expect("edit", contains="🥗 Ana")
        await cora.press("💾 Save as template")
        await cora.expect("callback_answer", contains="Saved as a template")

        await cora.press("⬅️ Plans")
        await cora.expect("edit", contains="Nutrition plans")
        await cora.press("📋 Templates")
        await cora.expect("edit", contains="Your templates")
        await cora.press(label_starting(cora, "Recovery"))
        await cora.expect("edit", contains="Apply to whom?")
        await cora.press("Kim")
        await cora.expect("edit", contains="Apply to whom?")
        await cora.press("Lea")
        await cora.expect("edit", contains="Apply to whom?")
        await cora.press(label_starting(cora, "Next Monday"))
        applied = await cora.expect("edit", contains="Template applied")
        del application
    assert "Kim: published, scaled to 67%" in applied["text"]
    assert "Lea: published, scaled to 150%" in applied["text"]
    async with uow as tx:
        made = {
            plan.athlete_id: plan
            for plan in await tx.session.scalars(
                select(NutritionPlan).where(NutritionPlan.status == "published")
            )
        }
    kim = DailyPlans.from_stored(made[cast.world.child.id].daily_plans)
    lea = DailyPlans.from_stored(made[cast.world.other_child.id].daily_plans)
    assert [i.grams for i in kim.rest_day.items()] == [Decimal(80)]
    assert [i.grams for i in lea.rest_day.items()] == [Decimal(180)]
    assert lea.targets is not None and lea.targets.protein_g == 225
    plan = made[cast.world.child.id]
    assert plan.start_date is not None and plan.end_date is not None
    assert (plan.end_date - plan.start_date).days == 13
