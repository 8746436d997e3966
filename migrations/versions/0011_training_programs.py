"""Training programs (issue 16): the spec's `training_programs` gets a catalogue status, a price
currency and its current published version; published content is frozen in `program_versions`
(a trigger refuses any UPDATE), files in `program_materials`, athletes follow a version through
`program_enrolments`, answer each day in `program_workout_logs`, and a value logged from a
program day says so in `performance_metrics`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What an enrolled athlete received must never change under them: a published version is
# written once. (Deleting the program still cascades.)
FROZEN_VERSIONS = """
CREATE OR REPLACE FUNCTION program_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published program version cannot be changed'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'program_versions_frozen';
END;
$$;
"""

UUID = postgresql.UUID(as_uuid=True)


def _id() -> sa.Column:
    return sa.Column("id", UUID, server_default=sa.text("uuid_generate_v4()"), nullable=False)


def _stamp(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=sa.text("CURRENT_TIMESTAMP"),
        nullable=nullable,
    )


def upgrade() -> None:
    _extend_programs()
    _create_versions()
    _create_materials()
    _create_enrolments()
    _create_workout_logs()
    _extend_metrics()
    op.create_foreign_key(
        "fk_training_programs_current_version",
        "training_programs",
        "program_versions",
        ["current_version_id", "id"],
        ["id", "program_id"],
    )
    op.execute(FROZEN_VERSIONS)
    op.execute(
        "CREATE TRIGGER program_versions_frozen BEFORE UPDATE ON program_versions "
        "FOR EACH ROW EXECUTE FUNCTION program_versions_frozen()"
    )
    for table in ("program_enrolments", "program_workout_logs"):
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )


def _extend_programs() -> None:
    op.add_column(
        "training_programs",
        sa.Column("currency", sa.String(3), server_default=sa.text("'EUR'"), nullable=False),
    )
    op.add_column(
        "training_programs",
        sa.Column("status", sa.String(20), server_default=sa.text("'draft'"), nullable=False),
    )
    op.add_column("training_programs", sa.Column("current_version_id", UUID, nullable=True))
    op.add_column(
        "training_programs", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True)
    )
    for name, clause in (
        ("status", "status IN ('draft', 'published', 'unpublished')"),
        ("duration_weeks", "duration_weeks BETWEEN 1 AND 52"),
        ("price", "price >= 0"),
        ("currency", "currency ~ '^[A-Z]{3}$'"),
        ("published_has_version", "status = 'draft' OR current_version_id IS NOT NULL"),
    ):
        op.create_check_constraint(
            op.f(f"ck_training_programs_{name}"), "training_programs", clause
        )
    op.create_index(
        "idx_programs_catalogue",
        "training_programs",
        ["sport_type", "difficulty_level", "status"],
    )


def _create_versions() -> None:
    op.create_table(
        "program_versions",
        _id(),
        sa.Column("program_id", UUID, nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("schema_version", sa.SmallInteger(), nullable=False),
        sa.Column("duration_weeks", sa.SmallInteger(), nullable=False),
        sa.Column("published_by", UUID, nullable=True),
        _stamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_versions")),
        sa.UniqueConstraint(
            "program_id", "number", name=op.f("uq_program_versions_program_id_number")
        ),
        sa.UniqueConstraint("id", "program_id", name=op.f("uq_program_versions_id_program_id")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_program_versions_number")),
        sa.CheckConstraint(
            "duration_weeks BETWEEN 1 AND 52", name=op.f("ck_program_versions_duration_weeks")
        ),
        sa.CheckConstraint("schema_version >= 1", name=op.f("ck_program_versions_schema_version")),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_program_versions_program_id_training_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["users.id"],
            name=op.f("fk_program_versions_published_by_users"),
            ondelete="SET NULL",
        ),
    )


def _create_materials() -> None:
    op.create_table(
        "program_materials",
        _id(),
        sa.Column("program_id", UUID, nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("telegram_file_id", sa.Text(), nullable=True),
        sa.Column("uploaded_by", UUID, nullable=True),
        _stamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_materials")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_program_materials_storage_key")),
        sa.CheckConstraint(
            "kind IN ('pdf', 'image', 'video')", name=op.f("ck_program_materials_kind")
        ),
        sa.CheckConstraint(
            "size_bytes BETWEEN 1 AND 52428800", name=op.f("ck_program_materials_size_bytes")
        ),
        sa.CheckConstraint(
            "storage_key LIKE 'training-materials/' || program_id::text || '/%'",
            name=op.f("ck_program_materials_storage_key_under_program"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_program_materials_program_id_training_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_program_materials_uploaded_by_users"),
            ondelete="SET NULL",
        ),
    )
    op.create_index("idx_program_materials_program_id", "program_materials", ["program_id"])


def _create_enrolments() -> None:
    op.create_table(
        "program_enrolments",
        _id(),
        sa.Column("program_id", UUID, nullable=False),
        sa.Column("program_version_id", UUID, nullable=False),
        sa.Column("athlete_id", UUID, nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("delivery_time", sa.Time(), server_default=sa.text("'07:00'"), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("guardians_copy", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("enrolled_by", UUID, nullable=True),
        sa.Column("how", sa.String(20), nullable=False),
        sa.Column("payment_id", UUID, nullable=True),
        sa.Column("status", sa.String(20), server_default=sa.text("'active'"), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_enrolments")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_program_enrolments_payment_id")),
        sa.CheckConstraint(
            "how IN ('self', 'parent', 'coach_assigned', 'paid')",
            name=op.f("ck_program_enrolments_how"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'completed', 'cancelled')",
            name=op.f("ck_program_enrolments_status"),
        ),
        sa.CheckConstraint(
            "(how = 'paid') = (payment_id IS NOT NULL)",
            name=op.f("ck_program_enrolments_paid_has_payment"),
        ),
        sa.ForeignKeyConstraint(
            ["program_version_id", "program_id"],
            ["program_versions.id", "program_versions.program_id"],
            name="fk_program_enrolments_version_of_program",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_program_enrolments_program_id_training_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_program_enrolments_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_by"],
            ["users.id"],
            name=op.f("fk_program_enrolments_enrolled_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_program_enrolments_payment_id_payments"),
        ),
    )
    op.create_index(
        "uq_program_enrolments_active",
        "program_enrolments",
        ["athlete_id", "program_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("idx_program_enrolments_program_id", "program_enrolments", ["program_id"])
    op.create_index(
        "idx_program_enrolments_deliverable",
        "program_enrolments",
        ["delivery_time"],
        postgresql_where=sa.text("status = 'active' AND paused_at IS NULL"),
    )


def _create_workout_logs() -> None:
    op.create_table(
        "program_workout_logs",
        _id(),
        sa.Column("enrolment_id", UUID, nullable=False),
        sa.Column("week", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("logged_by", UUID, nullable=True),
        _stamp("logged_at", nullable=False),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_workout_logs")),
        sa.UniqueConstraint(
            "enrolment_id",
            "week",
            "day",
            name=op.f("uq_program_workout_logs_enrolment_id_week_day"),
        ),
        sa.CheckConstraint("week BETWEEN 1 AND 52", name=op.f("ck_program_workout_logs_week")),
        sa.CheckConstraint("day BETWEEN 1 AND 7", name=op.f("ck_program_workout_logs_day")),
        sa.CheckConstraint(
            "status IN ('done', 'partly', 'skipped')", name=op.f("ck_program_workout_logs_status")
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["program_enrolments.id"],
            name=op.f("fk_program_workout_logs_enrolment_id_program_enrolments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["logged_by"],
            ["users.id"],
            name=op.f("fk_program_workout_logs_logged_by_users"),
            ondelete="SET NULL",
        ),
    )


def _extend_metrics() -> None:
    op.add_column("performance_metrics", sa.Column("program_enrolment_id", UUID, nullable=True))
    for name in ("program_week", "program_day", "program_exercise"):
        op.add_column("performance_metrics", sa.Column(name, sa.SmallInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_performance_metrics_program_enrolment_id_program_enrolments"),
        "performance_metrics",
        "program_enrolments",
        ["program_enrolment_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_performance_metrics_program_day_whole"),
        "performance_metrics",
        "(program_enrolment_id IS NULL) = (program_week IS NULL)"
        " AND (program_enrolment_id IS NULL) = (program_day IS NULL)"
        " AND (program_exercise IS NULL OR program_enrolment_id IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_performance_metrics_program_day_bounds"),
        "performance_metrics",
        "program_week BETWEEN 1 AND 52 AND program_day BETWEEN 1 AND 7"
        " AND program_exercise BETWEEN 1 AND 50",
    )
    op.create_index(
        "idx_metrics_program_day",
        "performance_metrics",
        ["program_enrolment_id", "program_week", "program_day"],
        postgresql_where=sa.text("program_enrolment_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("idx_metrics_program_day", table_name="performance_metrics")
    op.drop_constraint(
        op.f("ck_performance_metrics_program_day_bounds"), "performance_metrics", type_="check"
    )
    op.drop_constraint(
        op.f("ck_performance_metrics_program_day_whole"), "performance_metrics", type_="check"
    )
    op.drop_constraint(
        op.f("fk_performance_metrics_program_enrolment_id_program_enrolments"),
        "performance_metrics",
        type_="foreignkey",
    )
    for name in ("program_exercise", "program_day", "program_week", "program_enrolment_id"):
        op.drop_column("performance_metrics", name)
    op.drop_table("program_workout_logs")
    op.drop_table("program_enrolments")
    op.drop_table("program_materials")
    op.drop_constraint(
        "fk_training_programs_current_version", "training_programs", type_="foreignkey"
    )
    op.drop_table("program_versions")
    op.execute("DROP FUNCTION IF EXISTS program_versions_frozen()")
    op.drop_index("idx_programs_catalogue", table_name="training_programs")
    for name in ("published_has_version", "currency", "price", "duration_weeks", "status"):
        op.drop_constraint(op.f(f"ck_training_programs_{name}"), "training_programs", type_="check")
    for name in ("published_at", "current_version_id", "status", "currency"):
        op.drop_column("training_programs", name)
