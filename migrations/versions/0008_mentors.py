"""Mentors: a guardian's consent to show a mentor the athlete's videos, and mentors' requests to
be linked to an athlete, pending until a guardian answers (issue 15).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "athlete_links",
        sa.Column("video_consent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_table(
        "mentor_requests",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            primary_key=True,
            server_default=sa.text("uuid_generate_v4()"),
        ),
        sa.Column(
            "mentor_user_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "guardian_user_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(10), server_default=sa.text("'pending'"), nullable=False),
        sa.Column(
            "athlete_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("athletes.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined')", name="ck_mentor_requests_status"
        ),
    )
    op.create_index("idx_mentor_requests_guardian_user_id", "mentor_requests", ["guardian_user_id"])
    op.create_index(
        "uq_mentor_requests_pending",
        "mentor_requests",
        ["mentor_user_id", "guardian_user_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("mentor_requests")
    op.drop_column("athlete_links", "video_consent")
