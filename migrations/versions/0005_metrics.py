"""Metrics: the catalogue of metric types (seeded), a numeric value and unit on each metric,
and the index a chart or a best reads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:00:35.108562
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEED_COLUMNS = (
    "key",
    "name",
    "sport",
    "category",
    "unit",
    "better",
    "min_value",
    "max_value",
    "aliases",
)
# The built-in catalogue: canonical unit, which way is better, plausible bounds, other names.
# Written out here rather than imported: a migration must not change when the code does.
SEED = [
    (
        "sprint_30m",
        "30 m sprint",
        "football",
        "speed",
        "s",
        "lower",
        3,
        10,
        ["30m", "30 m", "30m sprint"],
    ),
    (
        "sprint_40m",
        "40 m sprint",
        "athletics",
        "speed",
        "s",
        "lower",
        3,
        15,
        ["40m", "40 m", "40m sprint"],
    ),
    (
        "sprint_100m",
        "100 m sprint",
        "athletics",
        "speed",
        "s",
        "lower",
        9,
        30,
        ["100m", "100 m", "100m sprint"],
    ),
    (
        "run_1km",
        "1 km run",
        "athletics",
        "endurance",
        "s",
        "lower",
        120,
        900,
        ["1km", "1 km", "1k"],
    ),
    (
        "run_5km",
        "5 km run",
        "athletics",
        "endurance",
        "s",
        "lower",
        720,
        4000,
        ["5km", "5 km", "5k"],
    ),
    (
        "beep_test",
        "Beep test",
        None,
        "endurance",
        "level",
        "higher",
        1,
        21,
        ["beep", "yo-yo", "bleep test"],
    ),
    ("plank", "Plank hold", None, "endurance", "s", "higher", 5, 1800, ["plank hold"]),
    (
        "cycling_ftp",
        "FTP",
        "cycling",
        "endurance",
        "W",
        "higher",
        50,
        600,
        ["ftp", "functional threshold power"],
    ),
    (
        "vertical_jump",
        "Vertical jump",
        None,
        "strength",
        "cm",
        "higher",
        5,
        130,
        ["vertical", "vj", "jump height"],
    ),
    ("long_jump", "Long jump", "athletics", "strength", "m", "higher", 1, 9.5, ["long jump", "lj"]),
    (
        "high_jump",
        "High jump",
        "athletics",
        "strength",
        "m",
        "higher",
        0.5,
        2.5,
        ["high jump", "hj"],
    ),
    ("squat", "Back squat", None, "strength", "kg", "higher", 5, 400, ["back squat", "sq"]),
    ("bench_press", "Bench press", None, "strength", "kg", "higher", 5, 300, ["bench", "bp"]),
    ("deadlift", "Deadlift", None, "strength", "kg", "higher", 10, 450, ["dl"]),
    (
        "pull_ups",
        "Pull-ups",
        None,
        "strength",
        "reps",
        "higher",
        0,
        100,
        ["pullups", "pull ups", "chin-ups"],
    ),
    ("push_ups", "Push-ups", None, "strength", "reps", "higher", 0, 300, ["pushups", "push ups"]),
    (
        "swim_50m_free",
        "50 m freestyle",
        "swimming",
        "speed",
        "s",
        "lower",
        20,
        180,
        ["50 free", "50m free", "50m freestyle"],
    ),
    (
        "swim_100m_free",
        "100 m freestyle",
        "swimming",
        "speed",
        "s",
        "lower",
        45,
        360,
        ["100 free", "100m free", "100m freestyle"],
    ),
    (
        "serve_speed",
        "Serve speed",
        "tennis",
        "technique",
        "km/h",
        "higher",
        30,
        270,
        ["serve", "first serve"],
    ),
    (
        "shots_on_target",
        "Shots on target",
        "football",
        "technique",
        "%",
        "higher",
        0,
        100,
        ["shots", "on target"],
    ),
    (
        "free_throws",
        "Free throws",
        "basketball",
        "technique",
        "%",
        "higher",
        0,
        100,
        ["ft", "free throw"],
    ),
    (
        "resting_hr",
        "Resting heart rate",
        None,
        "body",
        "bpm",
        "lower",
        30,
        120,
        ["heart rate", "hr", "rhr", "pulse"],
    ),
    ("body_weight", "Body weight", None, "body", "kg", "neither", 10, 250, ["weight", "bw"]),
    ("height", "Height", None, "body", "cm", "neither", 50, 250, ["stature"]),
]


def upgrade() -> None:
    op.create_table(
        "metric_types",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sport", sa.String(length=100), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("better", sa.String(length=10), nullable=False),
        sa.Column("min_value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("max_value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("aliases", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("coach_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint(
            "better IN ('higher', 'lower', 'neither')", name=op.f("ck_metric_types_better")
        ),
        sa.CheckConstraint(
            "category IN ('speed', 'strength', 'endurance', 'body', 'technique')",
            name=op.f("ck_metric_types_category"),
        ),
        sa.CheckConstraint("min_value < max_value", name=op.f("ck_metric_types_bounds")),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coaches.id"],
            name=op.f("fk_metric_types_coach_id_coaches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_types")),
        sa.UniqueConstraint("coach_id", "key", name=op.f("uq_metric_types_coach_id_key")),
    )
    op.create_index(
        "uq_metric_types_builtin_key",
        "metric_types",
        ["key"],
        unique=True,
        postgresql_where=sa.text("coach_id IS NULL"),
    )
    catalogue = sa.table(
        "metric_types",
        *(sa.column(name) for name in ("key", "name", "sport", "category", "unit", "better")),
        sa.column("min_value", sa.Numeric),
        sa.column("max_value", sa.Numeric),
        sa.column("aliases", postgresql.ARRAY(sa.Text())),
    )
    op.bulk_insert(
        catalogue,
        [dict(zip(SEED_COLUMNS, row, strict=True)) for row in SEED],
    )
    op.add_column(
        "performance_metrics",
        sa.Column("metric_value", sa.Numeric(precision=14, scale=4), nullable=True),
    )
    op.add_column("performance_metrics", sa.Column("unit", sa.String(length=16), nullable=True))
    op.create_index(
        "idx_metrics_athlete_type_time",
        "performance_metrics",
        ["athlete_id", "metric_type", "recorded_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("idx_metrics_athlete_type_time", table_name="performance_metrics")
    op.drop_column("performance_metrics", "unit")
    op.drop_column("performance_metrics", "metric_value")
    op.drop_index(
        "uq_metric_types_builtin_key",
        table_name="metric_types",
        postgresql_where=sa.text("coach_id IS NULL"),
    )
    op.drop_table("metric_types")
