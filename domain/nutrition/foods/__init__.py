"""The food table: a food's energy and macros per 100 g, and finding foods by a typed name.

Search runs in the database (pg_trgm over `food_search_key`, lower case without accents, GIN
indexed per language; migration 0018), so "platano", "Plátano" and "platno" all find the
banana. Names in the reader's language rank first; the other language's count slightly less,
so an English speaker in Spain typing "jamón" still finds the ham.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import Row

from domain.models import Allergen, Diet, FoodKind
from domain.nutrition.foods.queries import BY_IDS, NEAREST, SEARCH, SET_THRESHOLD
from domain.uow import Transaction

__all__ = ["Food", "FoodKind", "foods_by_ids", "search_foods"]

# A typed name longer than any food's is no name; trimming it keeps the trigram work bounded.
MAX_QUERY = 60


@dataclass(frozen=True)
class Food:
    """A food of the table; energy and macros per 100 g."""

    id: int
    name_en: str
    name_es: str
    kind: FoodKind
    energy_kcal: Decimal
    protein_g: Decimal
    carbohydrate_g: Decimal
    fat_g: Decimal
    allergens: frozenset[Allergen]
    breaks: frozenset[Diet]

    def name(self, language: str) -> str:
        """The food's name in this language (Spanish or English)."""
        return self.name_es if is_spanish(language) else self.name_en


def is_spanish(language: str) -> bool:
    """Whether a language code ("es", "es-MX") reads the Spanish names."""
    return language.lower().startswith("es")


@cache
def _allergens(values: tuple[str, ...]) -> frozenset[Allergen]:
    return frozenset(map(Allergen, values))


@cache
def _diets(values: tuple[str, ...]) -> frozenset[Diet]:
    return frozenset(map(Diet, values))


def _food(row: Row) -> Food:
    # Tags repeat across foods (a few dozen combinations): each set is built once per process.
    return Food(
        id=row.id,
        name_en=row.name_en,
        name_es=row.name_es,
        kind=FoodKind(row.kind),
        energy_kcal=row.energy_kcal,
        protein_g=row.protein_g,
        carbohydrate_g=row.carbohydrate_g,
        fat_g=row.fat_g,
        allergens=_allergens(tuple(row.allergens)),
        breaks=_diets(tuple(row.breaks_diets)),
    )


async def search_foods(tx: Transaction, text: str, language: str, *, limit: int = 8) -> list[Food]:
    """Foods whose name is near the typed text, best first; [] only when nothing is near."""
    typed = " ".join(text.split())[:MAX_QUERY]
    if not typed or limit < 1:
        return []
    await (await tx.connection()).execute(SET_THRESHOLD, {"near": str(NEAREST)})
    rows = await SEARCH[is_spanish(language)].rows(tx, {"typed": typed, "limit": limit})
    return [_food(row) for row in rows]


async def foods_by_ids(tx: Transaction, ids: Iterable[int]) -> dict[int, Food]:
    """The foods with these ids (an id not in the table is left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row.id: _food(row) for row in await BY_IDS.rows(tx, {"ids": wanted})}
