"""Erasure on request (issue 18, item 7): `erasure_requests`.

A person's /deleteme is a row: erased by the scheduled job once `due_at` (7 days on) passes,
unless /start withdrew it (the row is deleted). A replica claims one by locking its row
(`FOR UPDATE SKIP LOCKED`) for the erasure's one transaction; `claimed_at` records the last
attempt, `erased_at` that it is done (the row stays, as the proof the erasure ran).
`users.status` gains the value `erased` (no CHECK constrains it).

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-07 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("user_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_erasure_requests_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_erasure_requests"),
    )
    op.create_index(
        "idx_erasure_requests_due",
        "erasure_requests",
        ["due_at"],
        postgresql_where=sa.text("erased_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("idx_erasure_requests_due", table_name="erasure_requests")
    op.drop_table("erasure_requests")
