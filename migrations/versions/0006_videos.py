"""Training videos: who uploaded what, the Telegram file, the processed rendition, why a video
failed, media feedback, a status CHECK, and the coach messages a reply is feedback to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "video_analysis",
        sa.Column(
            "uploaded_by",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.add_column("video_analysis", sa.Column("telegram_file_id", sa.Text(), nullable=True))
    op.add_column("video_analysis", sa.Column("media_kind", sa.String(20), nullable=True))
    op.add_column("video_analysis", sa.Column("caption", sa.Text(), nullable=True))
    op.add_column("video_analysis", sa.Column("processed_url", sa.Text(), nullable=True))
    op.add_column("video_analysis", sa.Column("failure_reason", sa.Text(), nullable=True))
    op.add_column(
        "video_analysis",
        sa.Column("session_chosen_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "video_analysis",
        sa.Column(
            "feedback_media",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.create_check_constraint(
        "ck_video_analysis_status",
        "video_analysis",
        "status IN ('pending', 'uploaded', 'processing', 'analyzed', 'failed')",
    )
    op.create_table(
        "video_review_messages",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "video_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("video_analysis.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "coach_user_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("chat_id", "message_id"),
    )
    op.create_index("idx_video_review_messages_video", "video_review_messages", ["video_id"])


def downgrade() -> None:
    op.drop_index("idx_video_review_messages_video", table_name="video_review_messages")
    op.drop_table("video_review_messages")
    op.drop_constraint("ck_video_analysis_status", "video_analysis", type_="check")
    for column in (
        "feedback_media",
        "session_chosen_at",
        "failure_reason",
        "processed_url",
        "caption",
        "media_kind",
        "telegram_file_id",
        "uploaded_by",
    ):
        op.drop_column("video_analysis", column)
