"""The food table: a food's energy and macros per 100 g, and finding foods by a typed name.

Search runs in the database (pg_trgm over `food_search_key`, lower case without accents, GIN
indexed per language; migration 0018), so "platano", "Plátano" and "platno" all find the
banana. Names in the reader's language rank first; the other language's count slightly less,
so an English speaker in Spain typing "jamón" still finds the ham.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Float, Row, bindparam, func, literal, select

from domain.models import Allergen, Diet, FoodComposition, FoodKind
from domain.uow import Transaction

__all__ = ["Food", "FoodKind", "foods_by_ids", "search_foods"]

# A typed name longer than any food's is no name; trimming it keeps the trigram work bounded.
MAX_QUERY = 60
# Whole words are compared (strict_word_similarity: "chiken" is nearer "Roast chicken" than
# "Oven chips"). pg_trgm's `<<%` threshold (0.5, its default) decides what the index finds;
# when nothing is that close, the nearest names down to this score are offered instead.
NEAREST = 0.3
# A name in the reader's other language ranks just below an equal one in their own.
OTHER_LANGUAGE = 0.05

FOODS = FoodComposition.__table__


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
    return language.lower().startswith("es")


def _food(row: Row) -> Food:
    return Food(
        id=row.id,
        name_en=row.name_en,
        name_es=row.name_es,
        kind=FoodKind(row.kind),
        energy_kcal=row.energy_kcal,
        protein_g=row.protein_g,
        carbohydrate_g=row.carbohydrate_g,
        fat_g=row.fat_g,
        allergens=frozenset(Allergen(a) for a in row.allergens),
        breaks=frozenset(Diet(d) for d in row.breaks_diets),
    )


def _key(value: ColumnElement[str]) -> ColumnElement[str]:
    return func.food_search_key(value)


def _search(language: str, limit: int, *, nearest: bool):
    own, other = (FOODS.c.name_es, FOODS.c.name_en)
    if not is_spanish(language):
        own, other = other, own
    typed = _key(bindparam("typed"))
    score = func.greatest(
        func.strict_word_similarity(typed, _key(own)),
        func.strict_word_similarity(typed, _key(other)) - literal(OTHER_LANGUAGE),
        type_=Float,
    )
    if nearest:
        found = score >= NEAREST
    else:
        found = typed.op("<<%")(_key(own)) | typed.op("<<%")(_key(other))
    # Among equals the closest whole name first: "rice" puts "White rice" before "Rice drink".
    whole = func.greatest(func.similarity(typed, _key(own)), func.similarity(typed, _key(other)))
    return select(FOODS).where(found).order_by(score.desc(), whole.desc(), FOODS.c.id).limit(limit)


async def search_foods(tx: Transaction, text: str, language: str, *, limit: int = 8) -> list[Food]:
    """Foods whose name is near the typed text, best first; [] only when nothing is near."""
    typed = " ".join(text.split())[:MAX_QUERY]
    if not typed or limit < 1:
        return []
    connection = await tx.connection()
    for nearest in (False, True):
        statement = _search(language, limit, nearest=nearest)
        rows = (await connection.execute(statement, {"typed": typed})).all()
        if rows:
            return [_food(row) for row in rows]
    return []


async def foods_by_ids(tx: Transaction, ids: Iterable[int]) -> dict[int, Food]:
    """The foods with these ids (an id not in the table is left out)."""
    wanted: Sequence[int] = sorted(set(ids))
    if not wanted:
        return {}
    connection = await tx.connection()
    rows = await connection.execute(select(FOODS).where(FOODS.c.id.in_(wanted)))
    return {row.id: _food(row) for row in rows}
