"""Initial schema: the spec's nine tables, audit log, notifications outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 14:55:20.035715
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Kept in the database so raw SQL updates (psql, scripts) stamp updated_at too.
SET_UPDATED_AT = """
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$
"""
EXTENSIONS = ("uuid-ossp", "btree_gist", "pgcrypto")
TABLES_WITH_UPDATED_AT = (
    "users",
    "athletes",
    "coaches",
    "training_sessions",
    "video_analysis",
    "training_programs",
    "nutrition_plans",
    "payments",
    "notifications",
)


def upgrade() -> None:
    for extension in EXTENSIONS:
        op.execute(f'CREATE EXTENSION IF NOT EXISTS "{extension}"')
    op.create_table(
        "users",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), server_default=sa.text("''"), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("profile_image_url", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'active'"), nullable=True
        ),
        sa.Column(
            "verification_status", sa.Boolean(), server_default=sa.text("false"), nullable=True
        ),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("language_code", sa.String(length=10), nullable=True),
        sa.Column(
            "timezone", sa.String(length=64), server_default=sa.text("'UTC'"), nullable=False
        ),
        sa.CheckConstraint(
            "role IN ('athlete', 'parent', 'coach', 'mentor', 'admin')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_users_telegram_user_id")),
    )
    op.create_index("idx_users_email", "users", ["email"], unique=False)
    op.create_index("idx_users_role", "users", ["role"], unique=False)
    op.create_table(
        "athletes",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("current_level", sa.String(length=50), nullable=True),
        sa.Column("primary_sport", sa.String(length=100), nullable=False),
        sa.Column("secondary_sports", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("height_cm", sa.Integer(), nullable=True),
        sa.Column("weight_kg", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("goals", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("medical_conditions", sa.Text(), nullable=True),
        sa.Column("emergency_contact_name", sa.String(length=100), nullable=True),
        sa.Column("emergency_contact_phone", sa.String(length=20), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["users.id"], name=op.f("fk_athletes_parent_id_users")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_athletes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athletes")),
        sa.UniqueConstraint("user_id", name=op.f("uq_athletes_user_id")),
    )
    op.create_index("idx_athletes_parent_id", "athletes", ["parent_id"], unique=False)
    op.create_index("idx_athletes_primary_sport", "athletes", ["primary_sport"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("idx_audit_actor_at", "audit_log", ["actor_id", "at"], unique=False)
    op.create_index("idx_audit_entity", "audit_log", ["entity", "entity_id"], unique=False)
    op.create_table(
        "coaches",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("specializations", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("certification_ids", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("years_experience", sa.Integer(), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("hourly_rate", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("availability", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("rating", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("total_reviews", sa.Integer(), server_default=sa.text("0"), nullable=True),
        sa.Column("verification_documents", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_coaches_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaches")),
        sa.UniqueConstraint("user_id", name=op.f("uq_coaches_user_id")),
    )
    op.create_index("idx_coaches_rating", "coaches", ["rating"], unique=False)
    op.create_index(
        "idx_coaches_specializations",
        "coaches",
        ["specializations"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("recipient_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "due_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_notifications_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_notifications_dedup_key")),
    )
    op.create_index(
        "idx_notifications_due",
        "notifications",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_index("idx_notifications_recipient", "notifications", ["recipient_id"], unique=False)
    op.create_table(
        "nutrition_plans",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("plan_type", sa.String(length=50), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("daily_plans", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("dietary_restrictions", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("goals", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athletes.id"], name=op.f("fk_nutrition_plans_athlete_id_athletes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_nutrition_plans_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nutrition_plans")),
    )
    op.create_index("idx_nutrition_athlete_id", "nutrition_plans", ["athlete_id"], unique=False)
    op.create_table(
        "training_programs",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("difficulty_level", sa.String(length=50), nullable=True),
        sa.Column("duration_weeks", sa.Integer(), nullable=True),
        sa.Column("sport_type", sa.String(length=100), nullable=True),
        sa.Column("target_skills", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("program_content", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["coaches.id"], name=op.f("fk_training_programs_coach_id_coaches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_programs")),
    )
    op.create_index("idx_programs_coach_id", "training_programs", ["coach_id"], unique=False)
    op.create_index("idx_programs_sport_type", "training_programs", ["sport_type"], unique=False)
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=True),
        sa.Column("athlete_id", sa.UUID(), nullable=True),
        sa.Column("session_type", sa.String(length=50), nullable=False),
        sa.Column(
            "status", sa.String(length=50), server_default=sa.text("'scheduled'"), nullable=False
        ),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("coach_id"), "="),
            (sa.text("tstzrange(start_time, end_time, '[)')"), "&&"),
            where=sa.text("status <> 'cancelled'"),
            using="gist",
            name="training_sessions_coach_no_overlap",
        ),
        sa.CheckConstraint(
            "end_time > start_time", name=op.f("ck_training_sessions_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athletes.id"], name=op.f("fk_training_sessions_athlete_id_athletes")
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["coaches.id"], name=op.f("fk_training_sessions_coach_id_coaches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_index("idx_sessions_athlete_id", "training_sessions", ["athlete_id"], unique=False)
    op.create_index("idx_sessions_coach_id", "training_sessions", ["coach_id"], unique=False)
    op.create_index("idx_sessions_start_time", "training_sessions", ["start_time"], unique=False)
    op.create_table(
        "payments",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("payer_id", sa.UUID(), nullable=True),
        sa.Column("recipient_id", sa.UUID(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'USD'"), nullable=True),
        sa.Column(
            "status", sa.String(length=50), server_default=sa.text("'pending'"), nullable=True
        ),
        sa.Column("payment_type", sa.String(length=50), nullable=True),
        sa.Column("session_id", sa.UUID(), nullable=True),
        sa.Column("program_id", sa.UUID(), nullable=True),
        sa.Column("transaction_id", sa.String(length=255), nullable=True),
        sa.Column("payment_method_id", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["users.id"], name=op.f("fk_payments_payer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_payments_program_id_training_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_payments_recipient_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_payments_session_id_training_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index("idx_payments_payer", "payments", ["payer_id"], unique=False)
    op.create_index("idx_payments_recipient", "payments", ["recipient_id"], unique=False)
    op.create_index("idx_payments_status", "payments", ["status"], unique=False)
    op.create_table(
        "performance_metrics",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=True),
        sa.Column("metric_type", sa.String(length=100), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recorded_by", sa.UUID(), nullable=True),
        sa.Column("session_id", sa.UUID(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athletes.id"], name=op.f("fk_performance_metrics_athlete_id_athletes")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_performance_metrics_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_performance_metrics_session_id_training_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", "recorded_at", name=op.f("pk_performance_metrics")),
        postgresql_partition_by="RANGE (recorded_at)",
    )
    op.create_index("idx_metrics_athlete_id", "performance_metrics", ["athlete_id"], unique=False)
    op.create_index("idx_metrics_type", "performance_metrics", ["metric_type"], unique=False)
    op.create_table(
        "video_analysis",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=True),
        sa.Column("session_id", sa.UUID(), nullable=True),
        sa.Column("video_url", sa.Text(), nullable=False),
        sa.Column("thumbnail_url", sa.Text(), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("analysis_results", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ai_feedback", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("coach_feedback", sa.Text(), nullable=True),
        sa.Column(
            "status", sa.String(length=50), server_default=sa.text("'pending'"), nullable=True
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athletes.id"], name=op.f("fk_video_analysis_athlete_id_athletes")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_video_analysis_session_id_training_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_analysis")),
    )
    op.create_index("idx_video_athlete_id", "video_analysis", ["athlete_id"], unique=False)
    op.create_index("idx_video_session_id", "video_analysis", ["session_id"], unique=False)
    # Rows whose month has no partition yet land here; ensure_partitions moves them out.
    op.execute("CREATE TABLE performance_metrics_default PARTITION OF performance_metrics DEFAULT")
    op.execute(SET_UPDATED_AT)
    for table in TABLES_WITH_UPDATED_AT:
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )


def downgrade() -> None:
    # Extensions stay: other schemas in the database may rely on them.
    op.drop_index("idx_video_session_id", table_name="video_analysis")
    op.drop_index("idx_video_athlete_id", table_name="video_analysis")
    op.drop_table("video_analysis")
    op.drop_index("idx_metrics_type", table_name="performance_metrics")
    op.drop_index("idx_metrics_athlete_id", table_name="performance_metrics")
    op.drop_table("performance_metrics")
    op.drop_index("idx_payments_status", table_name="payments")
    op.drop_index("idx_payments_recipient", table_name="payments")
    op.drop_index("idx_payments_payer", table_name="payments")
    op.drop_table("payments")
    op.drop_index("idx_sessions_start_time", table_name="training_sessions")
    op.drop_index("idx_sessions_coach_id", table_name="training_sessions")
    op.drop_index("idx_sessions_athlete_id", table_name="training_sessions")
    op.drop_table("training_sessions")
    op.drop_index("idx_programs_sport_type", table_name="training_programs")
    op.drop_index("idx_programs_coach_id", table_name="training_programs")
    op.drop_table("training_programs")
    op.drop_index("idx_nutrition_athlete_id", table_name="nutrition_plans")
    op.drop_table("nutrition_plans")
    op.drop_index("idx_notifications_recipient", table_name="notifications")
    op.drop_index(
        "idx_notifications_due",
        table_name="notifications",
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.drop_table("notifications")
    op.drop_index("idx_coaches_specializations", table_name="coaches", postgresql_using="gin")
    op.drop_index("idx_coaches_rating", table_name="coaches")
    op.drop_table("coaches")
    op.drop_index("idx_audit_entity", table_name="audit_log")
    op.drop_index("idx_audit_actor_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("idx_athletes_primary_sport", table_name="athletes")
    op.drop_index("idx_athletes_parent_id", table_name="athletes")
    op.drop_table("athletes")
    op.drop_index("idx_users_role", table_name="users")
    op.drop_index("idx_users_email", table_name="users")
    op.drop_table("users")
    op.execute("DROP FUNCTION IF EXISTS set_updated_at()")
