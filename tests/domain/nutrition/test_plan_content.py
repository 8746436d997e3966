"""The daily_plans schema and what people type while writing a plan: fast, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidAnswer
from domain.models import MealSlot
from domain.nutrition.plan_content import DailyPlans, DayKind, DayMeals, Item, Targets
from domain.nutrition.typed import parse_day, parse_grams, parse_targets

OATS, MILK = 20038, 1077
TARGETS = Targets(energy_kcal=2400, protein_g=150, carbohydrate_g=300, fat_g=80, water_ml=2500)


def _breakfast() -> DayMeals:
    return (
        DayMeals()
        .with_item(MealSlot.BREAKFAST, Item(food_id=OATS, grams=Decimal(80)))
        .with_item(MealSlot.BREAKFAST, Item(food_id=MILK, grams=Decimal(250)))
    )


def test_a_plan_reads_back_what_it_stored_with_its_schema_version() -> None:
    plan = DailyPlans(targets=TARGETS, training_day=_breakfast())

    stored = plan.stored()

    assert stored["schema_version"] == 1
    assert DailyPlans.from_stored(stored) == plan


def test_a_date_override_wins_over_the_template_of_its_kind() -> None:
    other = DayMeals().with_item(MealSlot.DINNER, Item(food_id=MILK, grams=Decimal(100)))
    plan = DailyPlans(training_day=_breakfast(), overrides={date(2026, 12, 8): other})

    assert plan.for_day(date(2026, 12, 8), DayKind.TRAINING) == other
    assert plan.for_day(date(2026, 12, 9), DayKind.TRAINING) == _breakfast()
    assert plan.for_day(date(2026, 12, 9), DayKind.REST) == DayMeals()


def test_removing_an_item_keeps_the_others_and_drops_an_emptied_meal() -> None:
    day = _breakfast().without_item(MealSlot.BREAKFAST, 0)

    assert day.meals[MealSlot.BREAKFAST] == [Item(food_id=MILK, grams=Decimal(250))]
    assert day.without_item(MealSlot.BREAKFAST, 0).meals == {}
    assert day.without_item(MealSlot.BREAKFAST, 5) == day


def test_scaling_multiplies_amounts_and_targets_to_the_gram() -> None:
    plan = DailyPlans(targets=TARGETS, training_day=_breakfast()).scaled(Decimal("1.5"))

    assert [i.grams for i in plan.training_day.items()] == [Decimal(120), Decimal(375)]
    assert plan.targets == Targets(
        energy_kcal=3600, protein_g=225, carbohydrate_g=450, fat_g=120, water_ml=3750
    )


def test_an_item_over_two_kilos_or_not_above_zero_is_not_a_plan() -> None:
    with pytest.raises(ValueError):
        Item(food_id=OATS, grams=Decimal(2001))
    with pytest.raises(ValueError):
        Item(food_id=OATS, grams=Decimal(0))


def test_targets_are_five_numbers_in_order_words_between_them_ignored() -> None:
    assert parse_targets("2400 kcal, 150 protein, 300 carbs, 80 fat, 2500 ml") == TARGETS
    with pytest.raises(InvalidAnswer):
        parse_targets("2400 kcal")
    with pytest.raises(InvalidAnswer):
        parse_targets("0 0 0 0 0")


def test_grams_are_read_with_or_without_a_unit_and_kilos_converted() -> None:
    assert parse_grams("80") == Decimal(80)
    assert parse_grams("80 g") == Decimal(80)
    assert parse_grams("50 kg") == Decimal(50000)
    assert parse_grams("-5") == Decimal(-5)  # refused by the foods' rule, with its words
    with pytest.raises(InvalidAnswer):
        parse_grams("a handful")


def test_a_date_is_read_as_iso_or_day_and_month() -> None:
    today = date(2026, 12, 7)
    assert parse_day("2026-12-14", today=today) == date(2026, 12, 14)
    assert parse_day("14/12", today=today) == date(2026, 12, 14)
    assert parse_day("14/12/27", today=today) == date(2027, 12, 14)
    with pytest.raises(InvalidAnswer):
        parse_day("31/02", today=today)
