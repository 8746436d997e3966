"""The `nutrition_plans.daily_plans` schema: targets, a training-day and a rest-day template of
meals made of food ids and grams, and optional per-date overrides; versioned (`schema_version`).

Documented in docs/schema.md ("daily_plans"). A change of shape raises `schema_version` and
keeps reading the old one.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.models import MAX_WATER_ML, MealSlot

SCHEMA_VERSION = 1
MAX_ITEMS_PER_MEAL = 30
MAX_GRAMS = 2000  # per item: beyond it is a typo, not a meal (the foods' own bound)
MAX_OVERRIDES = 366
GRAM_STEP = Decimal(1)


class DayKind(StrEnum):
    """Which template a day follows: a training day (a session or a program workout) or not."""

    TRAINING = "training"
    REST = "rest"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Targets(_Frozen):
    """What a day should add up to."""

    energy_kcal: Annotated[int, Field(gt=0, le=10_000)]
    protein_g: Annotated[int, Field(ge=0, le=1_000)]
    carbohydrate_g: Annotated[int, Field(ge=0, le=2_000)]
    fat_g: Annotated[int, Field(ge=0, le=1_000)]
    water_ml: Annotated[int, Field(ge=0, le=MAX_WATER_ML)]


class Item(_Frozen):
    """An amount of one food of the bundled table."""

    food_id: Annotated[int, Field(gt=0)]
    grams: Annotated[int, Field(gt=0, le=MAX_GRAMS)]  # whole grams: quick to read back


Meal = Annotated[list[Item], Field(max_length=MAX_ITEMS_PER_MEAL)]


class DayMeals(_Frozen):
    """The meals of one day, by slot; a slot not listed has nothing planned."""

    meals: dict[MealSlot, Meal] = {}

    def items(self) -> list[Item]:
        """Every item of the day, meal after meal."""
        return [item for slot in MealSlot for item in self.meals.get(slot, [])]

    def slots(self) -> list[MealSlot]:
        """The slots with something planned, in the order they are eaten."""
        return [slot for slot in MealSlot if self.meals.get(slot)]

    def with_item(self, slot: MealSlot, item: Item) -> DayMeals:
        """The day with an item added to a meal."""
        return DayMeals(meals={**self.meals, slot: [*self.meals.get(slot, []), item]})

    def without_item(self, slot: MealSlot, index: int) -> DayMeals:
        """The day without a meal's item at `index` (0-based); unchanged when there is none."""
        meal = list(self.meals.get(slot, []))
        if not 0 <= index < len(meal):
            return self
        del meal[index]
        rest = {s: m for s, m in self.meals.items() if s != slot}
        return DayMeals(meals={**rest, slot: meal} if meal else rest)

    def scaled(self, factor: Decimal) -> DayMeals:
        """Every amount multiplied by `factor`, to the gram (at least 1 g, at most the bound)."""
        return DayMeals(
            meals={
                slot: [
                    Item(food_id=item.food_id, grams=_scaled(item.grams, factor)) for item in meal
                ]
                for slot, meal in self.meals.items()
            }
        )


def _scaled(grams: int, factor: Decimal) -> int:
    value = int((grams * factor).quantize(GRAM_STEP, ROUND_HALF_UP))
    return min(max(value, 1), MAX_GRAMS)


class DailyPlans(_Frozen):
    """What `daily_plans` holds."""

    schema_version: Literal[1] = SCHEMA_VERSION
    targets: Targets | None = None
    training_day: DayMeals = DayMeals()
    rest_day: DayMeals = DayMeals()
    overrides: Annotated[dict[date, DayMeals], Field(max_length=MAX_OVERRIDES)] = {}

    def template(self, kind: DayKind) -> DayMeals:
        """The training-day or rest-day template."""
        return self.training_day if kind == DayKind.TRAINING else self.rest_day

    def for_day(self, on: date, kind: DayKind) -> DayMeals:
        """What a date's meals are: its override, else the template of its kind."""
        return self.overrides.get(on) or self.template(kind)

    def with_template(self, kind: DayKind, meals: DayMeals) -> DailyPlans:
        """The plan with one template replaced."""
        field = "training_day" if kind == DayKind.TRAINING else "rest_day"
        return self.model_copy(update={field: meals})

    def food_ids(self) -> set[int]:
        """Every food the plan names, templates and overrides."""
        days = [self.training_day, self.rest_day, *self.overrides.values()]
        return {item.food_id for day in days for item in day.items()}

    def scaled(self, factor: Decimal) -> DailyPlans:
        """Every amount (and the energy and macro targets) scaled, e.g. by body weight."""
        targets = self.targets
        if targets is not None:
            targets = Targets(
                energy_kcal=_whole(targets.energy_kcal, factor, 10_000),
                protein_g=_whole(targets.protein_g, factor, 1_000),
                carbohydrate_g=_whole(targets.carbohydrate_g, factor, 2_000),
                fat_g=_whole(targets.fat_g, factor, 1_000),
                water_ml=_whole(targets.water_ml, factor, MAX_WATER_ML),
            )
        return DailyPlans(
            targets=targets,
            training_day=self.training_day.scaled(factor),
            rest_day=self.rest_day.scaled(factor),
            overrides={on: day.scaled(factor) for on, day in self.overrides.items()},
        )

    def stored(self) -> dict[str, Any]:
        """The JSON kept in `daily_plans`."""
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> DailyPlans:
        """Read `daily_plans` back (an empty column is an empty plan)."""
        return cls.model_validate(stored or {})


def _whole(value: int, factor: Decimal, bound: int) -> int:
    return min(int((value * factor).quantize(Decimal(1), ROUND_HALF_UP)), bound)
