"""Seats and a waitlist for full group sessions (issue 19, item 4).

- `session_waitlist`: an athlete in line for a session, in the order they joined (`line`, an
  identity), with the offer of a freed place and its deadline; one place in line per athlete
  and session at a time (a partial unique index).

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-07 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IN_LINE = sa.text("status IN ('waiting', 'offered')")


def upgrade() -> None:
    op.create_table(
        "session_waitlist",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("uuid_generate_v4()"),
            nullable=False,
        ),
        sa.Column("line", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("session_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("athlete_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("joined_by", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("status", sa.String(10), server_default=sa.text("'waiting'"), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'offered', 'accepted', 'declined', 'expired', 'left', 'closed')",
            name=op.f("ck_session_waitlist_status"),
        ),
        sa.CheckConstraint(
            "status <> 'offered' OR (offered_at IS NOT NULL AND offer_expires_at IS NOT NULL)",
            name=op.f("ck_session_waitlist_offer_has_deadline"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name="fk_session_waitlist_session_id_training_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name="fk_session_waitlist_athlete_id_athletes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["joined_by"],
            ["users.id"],
            name="fk_session_waitlist_joined_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_session_waitlist"),
    )
    op.create_index(
        "uq_session_waitlist_in_line",
        "session_waitlist",
        ["session_id", "athlete_id"],
        unique=True,
        postgresql_where=_IN_LINE,
    )
    op.create_index(
        "idx_session_waitlist_line",
        "session_waitlist",
        ["session_id", "line"],
        postgresql_where=_IN_LINE,
    )
    op.create_index(
        "idx_session_waitlist_offers",
        "session_waitlist",
        ["offer_expires_at"],
        postgresql_where=sa.text("status = 'offered'"),
    )
    op.create_index("idx_session_waitlist_athlete_id", "session_waitlist", ["athlete_id"])


def downgrade() -> None:
    op.drop_table("session_waitlist")
