"""The food table (issue 17, item 3): `foods`, energy and macros per 100 g with allergen tags and
the diets each food breaks, loaded here from the bundled domain/nutrition/data/foods.csv (USDA
SR28, public domain; docs/schema.md, "Foods") so every database has the same rows.

Search by name is typo-tolerant and accent-insensitive in the database: `food_search_key(text)`
is lower(unaccent(text)) behind an IMMUTABLE wrapper (unaccent itself is only STABLE, so it
cannot be indexed), and a GIN trigram index per language is built on it.

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-07 06:20:00.000000
"""

import csv
from collections.abc import Sequence
from decimal import Decimal
from importlib.resources import files

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Schema-qualified with the dictionary named, so the function's result never depends on the
# caller's search_path: what IMMUTABLE promises, and what an index on it needs.
SEARCH_KEY = """
CREATE OR REPLACE FUNCTION food_search_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, name)) $$
"""

ALLERGENS = [
    "gluten",
    "crustaceans",
    "eggs",
    "fish",
    "peanuts",
    "soybeans",
    "milk",
    "nuts",
    "celery",
    "mustard",
    "sesame",
    "sulphites",
    "lupin",
    "molluscs",
]
DIETS = ("vegetarian", "vegan", "halal", "kosher", "gluten_free", "lactose_free")
KINDS = [
    "grains",
    "vegetables",
    "fruit",
    "meat",
    "fish",
    "dairy",
    "eggs",
    "legumes",
    "nuts_seeds",
    "fats_oils",
    "drinks",
    "sweets",
    "other",
]


def _listed(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(SEARCH_KEY)
    foods = _create_foods()
    for language in ("en", "es"):
        op.execute(
            f"CREATE INDEX idx_foods_name_{language}_trgm ON foods"
            f" USING gin (food_search_key(name_{language}) gin_trgm_ops)"
        )
    op.bulk_insert(foods, list(_bundled_foods()))
    # Statistics now, not whenever autovacuum comes: without them the planner scans the table,
    # unaccenting every name, instead of asking the trigram indexes.
    op.execute("ANALYZE foods")


def _create_foods() -> sa.Table:
    empty = sa.text("'{}'::text[]")
    return op.create_table(
        "foods",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_es", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("energy_kcal", sa.Numeric(6, 2), nullable=False),
        sa.Column("protein_g", sa.Numeric(5, 2), nullable=False),
        sa.Column("carbohydrate_g", sa.Numeric(5, 2), nullable=False),
        sa.Column("fat_g", sa.Numeric(5, 2), nullable=False),
        sa.Column("allergens", postgresql.ARRAY(sa.Text()), server_default=empty, nullable=False),
        sa.Column(
            "breaks_diets", postgresql.ARRAY(sa.Text()), server_default=empty, nullable=False
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.CheckConstraint(f"kind IN ({_listed(KINDS)})", name=op.f("ck_foods_kind")),
        sa.CheckConstraint(
            "energy_kcal >= 0 AND energy_kcal <= 1000", name=op.f("ck_foods_energy_kcal")
        ),
        sa.CheckConstraint("protein_g >= 0 AND protein_g <= 100", name=op.f("ck_foods_protein_g")),
        sa.CheckConstraint(
            "carbohydrate_g >= 0 AND carbohydrate_g <= 100", name=op.f("ck_foods_carbohydrate_g")
        ),
        sa.CheckConstraint("fat_g >= 0 AND fat_g <= 100", name=op.f("ck_foods_fat_g")),
        sa.CheckConstraint(
            "protein_g + carbohydrate_g + fat_g <= 100", name=op.f("ck_foods_macros_per_100_g")
        ),
        sa.CheckConstraint(
            f"allergens <@ ARRAY[{_listed(ALLERGENS)}]::text[]", name=op.f("ck_foods_allergens")
        ),
        sa.CheckConstraint(
            f"breaks_diets <@ ARRAY[{_listed(DIETS)}]::text[]", name=op.f("ck_foods_breaks_diets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foods")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_foods_source_source_id")),
    )


def _bundled_foods() -> list[dict[str, object]]:
    data = files("domain.nutrition").joinpath("data/foods.csv")
    with data.open(encoding="utf-8", newline="") as lines:
        return [
            {
                "id": int(row["id"]),
                "name_en": row["name_en"],
                "name_es": row["name_es"],
                "kind": row["kind"],
                **{
                    column: Decimal(row[column])
                    for column in ("energy_kcal", "protein_g", "carbohydrate_g", "fat_g")
                },
                "allergens": [a for a in row["allergens"].split(";") if a],
                "breaks_diets": [d for d in row["breaks_diets"].split(";") if d],
                "source": row["source"],
                "source_id": row["source_id"],
            }
            for row in csv.DictReader(lines)
        ]


def downgrade() -> None:
    op.drop_table("foods")
    op.execute("DROP FUNCTION food_search_key(text)")
    # unaccent and pg_trgm stay: other schemas in the database may use them (docs/schema.md).
