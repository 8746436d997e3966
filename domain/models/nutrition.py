"""The food table nutrition plans are made of (issue 17): energy and macros per 100 g, allergen
tags and the diets a food breaks, loaded from the bundled domain/nutrition/data/foods.csv."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Integer, Numeric, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, one_of


class Allergen(StrEnum):
    """The 14 allergens EU law requires to be declared (Regulation 1169/2011, Annex II)."""

    GLUTEN = "gluten"
    CRUSTACEANS = "crustaceans"
    EGGS = "eggs"
    FISH = "fish"
    PEANUTS = "peanuts"
    SOYBEANS = "soybeans"
    MILK = "milk"
    NUTS = "nuts"
    CELERY = "celery"
    MUSTARD = "mustard"
    SESAME = "sesame"
    SULPHITES = "sulphites"
    LUPIN = "lupin"
    MOLLUSCS = "molluscs"


class Diet(StrEnum):
    """A diet a person may declare; a food either keeps it or breaks it."""

    VEGETARIAN = "vegetarian"
    VEGAN = "vegan"
    HALAL = "halal"
    KOSHER = "kosher"
    GLUTEN_FREE = "gluten_free"
    LACTOSE_FREE = "lactose_free"


class FoodKind(StrEnum):
    """What aisle a food is bought in: the shopping list's groups."""

    GRAINS = "grains"
    VEGETABLES = "vegetables"
    FRUIT = "fruit"
    MEAT = "meat"
    FISH = "fish"
    DAIRY = "dairy"
    EGGS = "eggs"
    LEGUMES = "legumes"
    NUTS_SEEDS = "nuts_seeds"
    FATS_OILS = "fats_oils"
    DRINKS = "drinks"
    SWEETS = "sweets"
    OTHER = "other"


def _subset_of(column: str, values: type[StrEnum]) -> str:
    listed = ", ".join(repr(v.value) for v in values)
    return f"{column} <@ ARRAY[{listed}]::text[]"


# The search key of a name: lower case, accents removed (unaccent behind an IMMUTABLE wrapper,
# created by migration 0018, so that indexes can be built on it).
SEARCH_KEY = "food_search_key"


class FoodComposition(Base):
    """One food of the table: per 100 g, from an open source (`source`, `source_id`)."""

    __tablename__ = "foods"
    __table_args__ = (
        CheckConstraint(one_of("kind", FoodKind), name="kind"),
        CheckConstraint("energy_kcal >= 0 AND energy_kcal <= 1000", name="energy_kcal"),
        CheckConstraint("protein_g >= 0 AND protein_g <= 100", name="protein_g"),
        CheckConstraint("carbohydrate_g >= 0 AND carbohydrate_g <= 100", name="carbohydrate_g"),
        CheckConstraint("fat_g >= 0 AND fat_g <= 100", name="fat_g"),
        CheckConstraint("protein_g + carbohydrate_g + fat_g <= 100", name="macros_per_100_g"),
        CheckConstraint(_subset_of("allergens", Allergen), name="allergens"),
        CheckConstraint(_subset_of("breaks_diets", Diet), name="breaks_diets"),
        UniqueConstraint("source", "source_id"),
        # Typo-tolerant search by name in either language (pg_trgm, migration 0018).
        Index(
            "idx_foods_name_en_trgm",
            text(f"{SEARCH_KEY}(name_en) gin_trgm_ops"),
            postgresql_using="gin",
        ),
        Index(
            "idx_foods_name_es_trgm",
            text(f"{SEARCH_KEY}(name_es) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    # The source's own number (USDA's NDB number), stable across rebuilds of the table.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name_en: Mapped[str] = mapped_column(Text)
    name_es: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    energy_kcal: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    protein_g: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    carbohydrate_g: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    fat_g: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    allergens: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    breaks_diets: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'::text[]")
    )
    source: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(Text)
