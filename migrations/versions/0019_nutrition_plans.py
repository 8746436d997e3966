"""Nutrition plans in chat (issue 17).

- `nutrition_plans`: `status` (draft, published, replaced), `is_template`, `title`,
  `template_weight_kg`, `breakfast_time`, `meal_reminders`, `published_at`; an end never before
  the start; one published plan per athlete and day (exclusion constraint).
- `nutrition_checkins`: a meal's answer (as planned, changed, skipped) and its photo's key.
- `nutrition_water`: the water drunk on a day of a plan.

Revision ID: 0019
Revises: 0021
Create Date: 2026-12-07 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
SLOTS = "'breakfast', 'before_training', 'lunch', 'snacks', 'after_training', 'dinner'"


def _id() -> sa.Column:
    return sa.Column("id", UUID, server_default=sa.text("uuid_generate_v4()"), nullable=False)


def upgrade() -> None:
    add = op.add_column
    add(
        "nutrition_plans",
        sa.Column("status", sa.String(20), server_default=sa.text("'draft'"), nullable=False),
    )
    add(
        "nutrition_plans",
        sa.Column("is_template", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    add("nutrition_plans", sa.Column("title", sa.String(100), nullable=True))
    add("nutrition_plans", sa.Column("template_weight_kg", sa.Numeric(5, 2), nullable=True))
    add(
        "nutrition_plans",
        sa.Column("breakfast_time", sa.Time(), server_default=sa.text("'07:00'"), nullable=False),
    )
    add(
        "nutrition_plans",
        sa.Column("meal_reminders", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    add("nutrition_plans", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    checks = {
        "status": "status IN ('draft', 'published', 'replaced')",
        "ends_after_start": "end_date >= start_date",
        "template_has_no_athlete": "is_template = (athlete_id IS NULL)",
        "template_weight": "template_weight_kg > 0",
    }
    for name, clause in checks.items():
        op.create_check_constraint(op.f(f"ck_nutrition_plans_{name}"), "nutrition_plans", clause)
    op.execute(
        "ALTER TABLE nutrition_plans ADD CONSTRAINT nutrition_plans_no_overlap"
        " EXCLUDE USING gist (athlete_id WITH =, daterange(start_date, end_date, '[]') WITH &&)"
        " WHERE (status = 'published')"
    )
    op.create_table(
        "nutrition_checkins",
        _id(),
        sa.Column(
            "plan_id",
            UUID,
            sa.ForeignKey(
                "nutrition_plans.id",
                ondelete="CASCADE",
                name=op.f("fk_nutrition_checkins_plan_id_nutrition_plans"),
            ),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("meal", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("photo_key", sa.Text(), nullable=True),
        sa.Column(
            "logged_by",
            UUID,
            sa.ForeignKey(
                "users.id", ondelete="SET NULL", name=op.f("fk_nutrition_checkins_logged_by_users")
            ),
            nullable=True,
        ),
        sa.Column(
            "logged_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nutrition_checkins")),
        sa.UniqueConstraint(
            "plan_id", "day", "meal", name=op.f("uq_nutrition_checkins_plan_id_day_meal")
        ),
        sa.CheckConstraint(f"meal IN ({SLOTS})", name=op.f("ck_nutrition_checkins_meal")),
        sa.CheckConstraint(
            "status IN ('as_planned', 'changed', 'skipped')",
            name=op.f("ck_nutrition_checkins_status"),
        ),
        sa.CheckConstraint(
            "photo_key LIKE 'nutrition/meals/%'", name=op.f("ck_nutrition_checkins_photo_key")
        ),
    )
    op.create_table(
        "nutrition_water",
        _id(),
        sa.Column(
            "plan_id",
            UUID,
            sa.ForeignKey(
                "nutrition_plans.id",
                ondelete="CASCADE",
                name=op.f("fk_nutrition_water_plan_id_nutrition_plans"),
            ),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("water_ml", sa.Integer(), nullable=False),
        sa.Column(
            "logged_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nutrition_water")),
        sa.UniqueConstraint("plan_id", "day", name=op.f("uq_nutrition_water_plan_id_day")),
        sa.CheckConstraint(
            "water_ml BETWEEN 0 AND 20000", name=op.f("ck_nutrition_water_water_ml")
        ),
    )


def downgrade() -> None:
    op.drop_table("nutrition_water")
    op.drop_table("nutrition_checkins")
    op.execute("ALTER TABLE nutrition_plans DROP CONSTRAINT nutrition_plans_no_overlap")
    for name in ("status", "ends_after_start", "template_has_no_athlete", "template_weight"):
        op.drop_constraint(op.f(f"ck_nutrition_plans_{name}"), "nutrition_plans", type_="check")
    for column in (
        "published_at",
        "meal_reminders",
        "breakfast_time",
        "template_weight_kg",
        "title",
        "is_template",
        "status",
    ):
        op.drop_column("nutrition_plans", column)
