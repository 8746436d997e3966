"""A food conflicts with a declared allergen it contains or a declared diet it breaks; the
bundled table carries the tags those rules read."""

from __future__ import annotations

import pytest

from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.foods import Food, FoodKind
from domain.nutrition.restrictions import Conflict, ConflictReason, Restrictions, conflicts
from tests.domain.nutrition.food_rows import bundled_foods, food

FOODS = bundled_foods()
BY_NAME = {f.name_en: f for f in FOODS}
PANCAKES = food(
    "Pancakes",
    allergens={Allergen.GLUTEN, Allergen.EGGS, Allergen.MILK},
    breaks={Diet.VEGAN, Diet.GLUTEN_FREE, Diet.LACTOSE_FREE},
)


def named(name: str) -> Food:
    return BY_NAME[name]


def test_a_declared_allergen_the_food_contains_is_a_conflict_saying_which() -> None:
    found = conflicts(PANCAKES, Restrictions(allergens=frozenset({Allergen.MILK})))

    assert found == [Conflict(ConflictReason.CONTAINS_ALLERGEN, allergen=Allergen.MILK)]


def test_a_declared_diet_the_food_breaks_is_a_conflict_saying_which() -> None:
    found = conflicts(PANCAKES, Restrictions(diets=frozenset({Diet.VEGAN})))

    assert found == [Conflict(ConflictReason.BREAKS_DIET, diet=Diet.VEGAN)]


def test_every_conflict_is_listed_allergens_first_in_the_eu_order() -> None:
    declared = Restrictions(
        allergens=frozenset({Allergen.MILK, Allergen.GLUTEN, Allergen.PEANUTS}),
        diets=frozenset({Diet.LACTOSE_FREE, Diet.VEGETARIAN}),
    )

    assert conflicts(PANCAKES, declared) == [
        Conflict(ConflictReason.CONTAINS_ALLERGEN, allergen=Allergen.GLUTEN),
        Conflict(ConflictReason.CONTAINS_ALLERGEN, allergen=Allergen.MILK),
        Conflict(ConflictReason.BREAKS_DIET, diet=Diet.LACTOSE_FREE),
    ]


def test_a_food_free_of_what_is_declared_has_no_conflict() -> None:
    declared = Restrictions(
        allergens=frozenset(Allergen), diets=frozenset(Diet), other="no spicy food"
    )

    assert conflicts(named("Apple"), declared) == []
    assert conflicts(PANCAKES, Restrictions()) == []


def test_free_text_restrictions_are_kept_for_people_and_checked_by_no_rule() -> None:
    assert conflicts(PANCAKES, Restrictions(other="no pancakes")) == []


@pytest.mark.parametrize(
    ("diet", "broken_by", "kept_by"),
    [
        (
            Diet.VEGETARIAN,
            ["Chicken breast", "Salmon", "Prawns", "Chilli con carne"],
            ["Egg", "Whole milk", "Honey", "Firm tofu"],
        ),
        (
            Diet.VEGAN,
            ["Egg", "Whole milk", "Honey", "Butter", "Chicken breast", "Mayonnaise"],
            ["Firm tofu", "Soy drink", "Almond drink", "Olive oil", "Honeydew melon"],
        ),
        (
            Diet.HALAL,
            ["Bacon", "Cooked ham", "Chorizo", "Lard", "Beer", "Red wine"],
            ["Chicken breast", "Hamburger", "Salmon", "Prawns"],
        ),
        (
            Diet.KOSHER,
            ["Bacon", "Prawns", "Mussels", "Squid", "Catfish", "Cheeseburger"],
            ["Salmon", "Chicken breast", "Hamburger", "Cheddar cheese"],
        ),
        (
            Diet.GLUTEN_FREE,
            ["White bread", "Cooked pasta", "Oats", "Couscous", "Beer", "Soy sauce"],
            ["Cooked white rice", "Cooked quinoa", "Corn tortilla", "Cooked buckwheat"],
        ),
        (
            Diet.LACTOSE_FREE,
            ["Whole milk", "Plain yogurt", "Butter", "Milk chocolate"],
            ["Parmesan", "Cheddar cheese", "Soy drink", "Almond drink", "Coconut milk"],
        ),
    ],
)
def test_each_diet_rule_holds_in_the_bundled_table(
    diet: Diet, broken_by: list[str], kept_by: list[str]
) -> None:
    declared = Restrictions(diets=frozenset({diet}))

    assert [name for name in broken_by if not conflicts(named(name), declared)] == []
    assert [name for name in kept_by if conflicts(named(name), declared)] == []


@pytest.mark.parametrize(
    ("allergen", "examples"),
    [
        (Allergen.GLUTEN, ["White bread", "Oats", "Beer", "Fish fingers", "Corn flakes"]),
        (Allergen.CRUSTACEANS, ["Prawns", "Crab", "Lobster"]),
        (Allergen.EGGS, ["Egg", "Mayonnaise", "Pancakes", "Cooked egg noodles"]),
        (Allergen.FISH, ["Salmon", "Canned tuna in water", "Anchovies", "Fish fingers"]),
        (Allergen.PEANUTS, ["Peanuts", "Peanut butter", "Mixed nuts"]),
        (Allergen.SOYBEANS, ["Firm tofu", "Soy drink", "Soy sauce", "Edamame", "Tempeh"]),
        (Allergen.MILK, ["Whole milk", "Butter", "Cheddar cheese", "Milk chocolate", "Pesto"]),
        (Allergen.NUTS, ["Almonds", "Walnuts", "Hazelnuts", "Almond drink", "Mixed nuts"]),
        (Allergen.CELERY, ["Celery"]),
        (Allergen.MUSTARD, ["Mustard"]),
        (Allergen.SESAME, ["Sesame seeds", "Tahini", "Hummus"]),
        (Allergen.SULPHITES, ["Red wine", "Dried apricots"]),
        (Allergen.LUPIN, ["Cooked lupin beans"]),
        (Allergen.MOLLUSCS, ["Mussels", "Squid", "Octopus", "Clams"]),
    ],
)
def test_each_allergen_is_tagged_on_the_foods_that_contain_it(
    allergen: Allergen, examples: list[str]
) -> None:
    declared = Restrictions(allergens=frozenset({allergen}))

    assert [name for name in examples if not conflicts(named(name), declared)] == []


def test_every_dairy_food_is_tagged_milk() -> None:
    untagged = [
        f.name_en for f in FOODS if f.kind is FoodKind.DAIRY and Allergen.MILK not in f.allergens
    ]

    assert untagged == []


def test_every_food_named_after_a_peanut_is_tagged_peanuts() -> None:
    untagged = [
        f.name_en
        for f in FOODS
        if "peanut" in f.name_en.lower() and Allergen.PEANUTS not in f.allergens
    ]

    assert untagged == []


def test_the_eu_tree_nuts_do_not_include_pine_nuts_chestnuts_or_coconut() -> None:
    for name in ("Pine nuts", "Roasted chestnuts", "Coconut", "Coconut milk"):
        assert Allergen.NUTS not in named(name).allergens, name


def test_an_allergen_implies_the_diets_it_breaks_everywhere_in_the_table() -> None:
    implied = {
        Allergen.GLUTEN: Diet.GLUTEN_FREE,
        Allergen.EGGS: Diet.VEGAN,
        Allergen.FISH: Diet.VEGETARIAN,
        Allergen.CRUSTACEANS: Diet.KOSHER,
        Allergen.MOLLUSCS: Diet.KOSHER,
    }
    wrong = [
        (f.name_en, allergen, diet)
        for f in FOODS
        for allergen, diet in implied.items()
        if allergen in f.allergens and diet not in f.breaks
    ]

    assert wrong == []


def test_a_food_breaking_vegetarian_breaks_vegan_too() -> None:
    assert [
        f.name_en for f in FOODS if Diet.VEGETARIAN in f.breaks and Diet.VEGAN not in f.breaks
    ] == []
