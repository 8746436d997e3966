"""Minors' consent to videos (issue 18, item 8): `video_consents`, one row per child.

A guardian's consent is on record before a minor's video is stored or shown to a coach: who
gave it and when, and who revoked it and when (NULL while it holds). Giving it again after a
revocation updates the row; each change is also an audit entry. Profile images (item 9) need no
schema change: `users.profile_image_url` (the spec's column) holds the storage key.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-07 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "video_consents",
        sa.Column(
            "athlete_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("athletes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "given_by",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "revoked_by",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("video_consents")
