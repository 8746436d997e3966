"""Retention and archival (issue 18, item 10).

- `video_analysis.raw_archived_at`: when the raw file moved to colder storage (S3: another
  storage class, same key; local: under archive/, and `video_url` says where).
- `video_analysis.rendition_deleted_at`: when the processed rendition was deleted past its
  retention (`processed_url` is then NULL); /videos and the coach's review say so.
- `metric_archives`: each month of performance_metrics detached into a gzipped CSV in storage,
  its row count, and when `sportscenter restore-metrics` brought it back.

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-07 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "video_analysis", sa.Column("raw_archived_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "video_analysis",
        sa.Column("rendition_deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "metric_archives",
        sa.Column("partition_name", sa.String(63), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("partition_name", name="pk_metric_archives"),
    )


def downgrade() -> None:
    op.drop_table("metric_archives")
    op.drop_column("video_analysis", "rendition_deleted_at")
    op.drop_column("video_analysis", "raw_archived_at")
