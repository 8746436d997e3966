"""Foods built in memory for rule tests, and the bundled table read as the migration reads it."""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib.resources import files

from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.foods import Food, FoodKind


def food(
    name: str = "Rice",
    *,
    kind: FoodKind = FoodKind.GRAINS,
    per_100_g: tuple[str, str, str, str] = ("130", "2.69", "28.17", "0.28"),
    allergens: set[Allergen] | None = None,
    breaks: set[Diet] | None = None,
    id: int = 1,
) -> Food:
    energy, protein, carbohydrate, fat = (Decimal(v) for v in per_100_g)
    return Food(
        id=id,
        name_en=name,
        name_es=f"{name} (es)",
        kind=kind,
        energy_kcal=energy,
        protein_g=protein,
        carbohydrate_g=carbohydrate,
        fat_g=fat,
        allergens=frozenset(allergens or ()),
        breaks=frozenset(breaks or ()),
    )


def bundled_rows() -> list[dict[str, str]]:
    data = files("domain.nutrition").joinpath("data/foods.csv")
    with data.open(encoding="utf-8", newline="") as lines:
        return list(csv.DictReader(lines))


def bundled_foods() -> list[Food]:
    return [
        Food(
            id=int(row["id"]),
            name_en=row["name_en"],
            name_es=row["name_es"],
            kind=FoodKind(row["kind"]),
            energy_kcal=Decimal(row["energy_kcal"]),
            protein_g=Decimal(row["protein_g"]),
            carbohydrate_g=Decimal(row["carbohydrate_g"]),
            fat_g=Decimal(row["fat_g"]),
            allergens=frozenset(Allergen(a) for a in row["allergens"].split(";") if a),
            breaks=frozenset(Diet(d) for d in row["breaks_diets"].split(";") if d),
        )
        for row in bundled_rows()
    ]
