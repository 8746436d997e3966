"""The bundled food table: its invariants, and the rows every migrated database holds."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.foods import FoodKind
from tests.domain.nutrition.food_rows import bundled_foods, bundled_rows

FOODS = bundled_foods()
DATA = Path(__file__).parents[3] / "domain" / "nutrition" / "data" / "foods.csv"


def test_ids_and_source_ids_are_unique() -> None:
    rows = bundled_rows()

    assert len({row["id"] for row in rows}) == len(rows)
    assert len({(row["source"], row["source_id"]) for row in rows}) == len(rows)


def test_a_few_hundred_common_foods_each_named_in_english_and_spanish() -> None:
    assert 300 <= len(FOODS) <= 3000
    assert DATA.stat().st_size < 2_000_000
    assert all(f.name_en.strip() and f.name_es.strip() for f in FOODS)
    for language in ("en", "es"):
        repeated = [n for n, c in Counter(f.name(language) for f in FOODS).items() if c > 1]
        assert repeated == [], language


def test_every_kind_of_the_shopping_list_has_foods() -> None:
    assert {f.kind for f in FOODS} == set(FoodKind)


def test_macros_per_100_g_are_plausible() -> None:
    for f in FOODS:
        macros = (f.protein_g, f.carbohydrate_g, f.fat_g)
        assert all(Decimal(0) <= g <= 100 for g in macros), f.name_en
        assert sum(macros) <= 100, f.name_en
        assert Decimal(0) <= f.energy_kcal <= 1000, f.name_en


def test_energy_agrees_with_4_4_9_for_most_foods() -> None:
    # Alcohol (7 kcal/g), fibre and organic acids are why spices, wine and lemons differ.
    def agrees(f) -> bool:
        estimate = 4 * f.protein_g + 4 * f.carbohydrate_g + 9 * f.fat_g
        return abs(estimate - f.energy_kcal) <= max(Decimal(15), f.energy_kcal * Decimal("0.15"))

    disagreeing = [f.name_en for f in FOODS if not agrees(f)]

    assert len(disagreeing) <= len(FOODS) // 10, disagreeing


def test_tags_are_the_eu_allergens_and_our_diets_only() -> None:
    assert set().union(*(f.allergens for f in FOODS)) == set(Allergen)
    assert set().union(*(f.breaks for f in FOODS)) == set(Diet)


async def test_the_migration_loaded_every_bundled_food(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM foods ORDER BY id"))).mappings().all()

    assert len(rows) == len(FOODS)
    by_id = {row["id"]: row for row in rows}
    for f in FOODS:
        row = by_id[f.id]
        assert (row["name_en"], row["name_es"], row["kind"]) == (f.name_en, f.name_es, f.kind)
        assert row["energy_kcal"] == f.energy_kcal and row["fat_g"] == f.fat_g
        assert set(row["allergens"]) == f.allergens and set(row["breaks_diets"]) == f.breaks


async def test_the_database_refuses_impossible_foods(engine: AsyncEngine) -> None:
    insert = text(
        "INSERT INTO foods (id, name_en, name_es, kind, energy_kcal, protein_g, carbohydrate_g,"
        " fat_g, allergens, source, source_id) VALUES (-1, 'x', 'x', :kind, 100, :protein, 10,"
        " 10, :allergens, 'test', 'x')"
    )
    bad = [
        {"kind": "grains", "protein": 120, "allergens": []},
        {"kind": "grains", "protein": 90, "allergens": []},  # 110 g of macros in 100 g
        {"kind": "grains", "protein": 10, "allergens": ["pollen"]},
        {"kind": "snacks", "protein": 10, "allergens": []},
    ]
    for values in bad:
        async with engine.connect() as conn:
            try:
                await conn.execute(insert, values)
            except DBAPIError as err:
                assert "check" in str(err).lower(), values
            else:
                raise AssertionError(f"accepted {values}")
