"""Restrictions a plan declares and the foods that break them (issue 17, item 4).

A food conflicts with a declared allergen it contains or a declared diet it breaks; the food
table holds both per food (derived by explicit rules, reviewed by hand: scripts/build_foods.py).
Free-text restrictions are kept for people to read; no rule can check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.foods import Food


@dataclass(frozen=True)
class Restrictions:
    """What a plan's athlete must not eat: allergens, diets, and anything else in words."""

    allergens: frozenset[Allergen] = field(default_factory=frozenset)
    diets: frozenset[Diet] = field(default_factory=frozenset)
    other: str | None = None


class ConflictReason(StrEnum):
    """Why a food may not go into a plan."""

    CONTAINS_ALLERGEN = "contains_allergen"
    BREAKS_DIET = "breaks_diet"


@dataclass(frozen=True)
class Conflict:
    """A food against a restriction: which allergen it contains, or which diet it breaks."""

    reason: ConflictReason
    allergen: Allergen | None = None
    diet: Diet | None = None


def conflicts(food: Food, restrictions: Restrictions) -> list[Conflict]:
    """Every declared allergen the food contains and declared diet it breaks, in list order."""
    found = [
        Conflict(ConflictReason.CONTAINS_ALLERGEN, allergen=allergen)
        for allergen in Allergen
        if allergen in restrictions.allergens and allergen in food.allergens
    ]
    found += [
        Conflict(ConflictReason.BREAKS_DIET, diet=diet)
        for diet in Diet
        if diet in restrictions.diets and diet in food.breaks
    ]
    return found
