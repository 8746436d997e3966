"""The statements of retention: videos past their time, and a metric month's table going."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text

from domain.metrics.queries.partitions import PARTITION_LOCK_ID
from domain.models import METRICS_TABLE, VideoAnalysis, VideoStatus
from domain.uow import Transaction

# A video still waiting for, or in, processing is read by a worker: its raw file stays put.
SETTLED = (VideoStatus.ANALYZED, VideoStatus.FAILED)


async def raw_videos_to_archive(
    tx: Transaction, *, before: datetime, limit: int
) -> Sequence[VideoAnalysis]:
    """Settled videos sent before `before` whose raw file is still hot, locked for this run."""
    return (
        await tx.session.scalars(
            select(VideoAnalysis)
            .where(
                VideoAnalysis.raw_archived_at.is_(None),
                VideoAnalysis.created_at < before,
                VideoAnalysis.status.in_(SETTLED),
            )
            .order_by(VideoAnalysis.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def renditions_to_delete(
    tx: Transaction, *, before: datetime, limit: int
) -> Sequence[VideoAnalysis]:
    """Videos sent before `before` that still have a processed rendition, locked for this run."""
    return (
        await tx.session.scalars(
            select(VideoAnalysis)
            .where(VideoAnalysis.processed_url.is_not(None), VideoAnalysis.created_at < before)
            .order_by(VideoAnalysis.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def hold_partition_maintenance(tx: Transaction) -> None:
    """Wait for, then hold, the lock every change to metric partitions takes."""
    await tx.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PARTITION_LOCK_ID})


async def detach_and_drop(tx: Transaction, partition: str) -> None:
    """Take a monthly partition out of performance_metrics and drop its table."""
    await tx.session.execute(text(f"ALTER TABLE {METRICS_TABLE} DETACH PARTITION {partition}"))
    await tx.session.execute(text(f"DROP TABLE {partition}"))
