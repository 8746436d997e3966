"""Booking: who booked, payment status, group capacity, notes and rating, cancellations, quiet hours.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:52:30.924141
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration must not change when the models do.
CHECKS = {
    "status": "status IN ('requested', 'scheduled', 'completed', 'no_show', 'cancelled')",
    "payment_status": (
        "payment_status IN ('pending', 'paid', 'refunded', 'waived', 'not_required')"
    ),
    "rating": "rating BETWEEN 1 AND 5",
    "capacity": "capacity >= 1",
    "participants_within_capacity": "participant_count BETWEEN 0 AND capacity",
}


def upgrade() -> None:
    op.create_table(
        "session_participants",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=False),
        sa.Column("booked_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_session_participants_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booked_by"],
            ["users.id"],
            name=op.f("fk_session_participants_booked_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_session_participants_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_participants")),
        sa.UniqueConstraint(
            "session_id", "athlete_id", name=op.f("uq_session_participants_session_id_athlete_id")
        ),
    )
    op.create_index(
        "idx_session_participants_athlete_id", "session_participants", ["athlete_id"], unique=False
    )
    op.add_column("training_sessions", sa.Column("booked_by", sa.UUID(), nullable=True))
    op.add_column(
        "training_sessions",
        sa.Column(
            "payment_status",
            sa.String(length=20),
            server_default=sa.text("'pending'"),
            nullable=False,
        ),
    )
    op.add_column(
        "training_sessions",
        sa.Column("capacity", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column(
        "training_sessions",
        sa.Column(
            "participant_count", sa.SmallInteger(), server_default=sa.text("1"), nullable=False
        ),
    )
    op.add_column("training_sessions", sa.Column("coach_notes", sa.Text(), nullable=True))
    op.add_column("training_sessions", sa.Column("athlete_feedback", sa.Text(), nullable=True))
    op.add_column("training_sessions", sa.Column("rating", sa.SmallInteger(), nullable=True))
    op.add_column(
        "training_sessions",
        sa.Column("sequence", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "training_sessions", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("training_sessions", sa.Column("cancelled_by", sa.UUID(), nullable=True))
    op.add_column(
        "training_sessions", sa.Column("cancel_reason", sa.String(length=30), nullable=True)
    )
    op.create_foreign_key(
        op.f("fk_training_sessions_booked_by_users"),
        "training_sessions",
        "users",
        ["booked_by"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_training_sessions_cancelled_by_users"),
        "training_sessions",
        "users",
        ["cancelled_by"],
        ["id"],
        ondelete="SET NULL",
    )
    for name, condition in CHECKS.items():
        op.create_check_constraint(
            op.f(f"ck_training_sessions_{name}"), "training_sessions", condition
        )
    op.create_index(
        "idx_notifications_unsent_session",
        "notifications",
        [sa.text("(payload ->> 'session_id')")],
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.add_column(
        "users",
        sa.Column("quiet_from", sa.Time(), server_default=sa.text("'21:00'"), nullable=False),
    )
    op.add_column(
        "users",
        sa.Column("quiet_until", sa.Time(), server_default=sa.text("'07:00'"), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("idx_notifications_unsent_session", table_name="notifications")
    for name in CHECKS:
        op.drop_constraint(op.f(f"ck_training_sessions_{name}"), "training_sessions", type_="check")
    op.drop_column("users", "quiet_until")
    op.drop_column("users", "quiet_from")
    op.drop_constraint(
        op.f("fk_training_sessions_cancelled_by_users"), "training_sessions", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("fk_training_sessions_booked_by_users"), "training_sessions", type_="foreignkey"
    )
    op.drop_column("training_sessions", "cancel_reason")
    op.drop_column("training_sessions", "cancelled_by")
    op.drop_column("training_sessions", "cancelled_at")
    op.drop_column("training_sessions", "sequence")
    op.drop_column("training_sessions", "rating")
    op.drop_column("training_sessions", "athlete_feedback")
    op.drop_column("training_sessions", "coach_notes")
    op.drop_column("training_sessions", "participant_count")
    op.drop_column("training_sessions", "capacity")
    op.drop_column("training_sessions", "payment_status")
    op.drop_column("training_sessions", "booked_by")
    op.drop_index("idx_session_participants_athlete_id", table_name="session_participants")
    op.drop_table("session_participants")
