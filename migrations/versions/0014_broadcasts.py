"""Admins' broadcasts (issue 18, item 4).

- `broadcasts`: what an admin sends to many (the message, the audience, who, the progress
  message to edit, how many were skipped as blocked); a draft until confirmed.
- Each recipient's copy is an ordinary outbox row of kind `broadcast` (dedup key
  `broadcast:<id>:<user id>`), so the outbox's rows are the truth of what is sent and a
  restarted sender goes on where it stopped; `idx_notifications_broadcast` lets the progress
  count and a cancel find a broadcast's rows.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    now = sa.text("CURRENT_TIMESTAMP")
    op.create_table(
        "broadcasts",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("uuid_generate_v4()"),
            nullable=False,
        ),
        sa.Column("created_by", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("audience_value", sa.String(length=100), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'draft'"), nullable=False
        ),
        sa.Column("recipients", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("skipped_blocked", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("progress_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=now, nullable=True),
        sa.CheckConstraint(
            "audience IN ('everyone', 'role', 'sport', 'coach')", name="ck_broadcasts_audience"
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'sending', 'done', 'cancelled')", name="ck_broadcasts_status"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="fk_broadcasts_created_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_broadcasts"),
    )
    op.execute(
        "CREATE TRIGGER broadcasts_set_updated_at BEFORE UPDATE ON broadcasts "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
    )
    op.create_index(
        "idx_broadcasts_sending",
        "broadcasts",
        ["id"],
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.execute(
        "CREATE INDEX idx_notifications_broadcast ON notifications ((payload ->> 'broadcast_id'))"
        " WHERE kind = 'broadcast'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX idx_notifications_broadcast")
    op.drop_index("idx_broadcasts_sending", table_name="broadcasts")
    op.drop_table("broadcasts")
