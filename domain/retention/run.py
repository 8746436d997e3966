"""One retention run: what is past its time moves to cold storage or goes, on one replica."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.adapters.storage import MediaStorage
from domain.metrics.queries.partitions import add_months, month_start
from domain.retention.metric_archives import archive_metric_months
from domain.retention.videos import archive_raw_videos, delete_old_renditions
from domain.uow import UnitOfWork

log = logging.getLogger(__name__)
RETENTION_LOCK = "retention-run"


@dataclass(frozen=True, slots=True)
class RetentionPeriods:
    """How long raw videos, processed renditions and metric months stay hot."""

    raw_video_days: int = 90
    rendition_days: int = 365
    metrics_months: int = 36


@dataclass(slots=True)
class RetentionReport:
    """What one run did."""

    raw_videos_archived: int = 0
    renditions_deleted: int = 0
    metric_months_archived: list[str] = field(default_factory=list)


async def apply_retention(
    uow: UnitOfWork, storage: MediaStorage, periods: RetentionPeriods, *, now: datetime
) -> RetentionReport | None:
    """Apply the retention periods at `now`; None when another replica is already at it."""
    async with uow as guard:
        # Held by this open transaction while the work commits in its own, short ones.
        if not await guard.try_hold_lock(RETENTION_LOCK):
            return None
        report = RetentionReport()
        report.raw_videos_archived = await archive_raw_videos(
            uow, storage, before=now - timedelta(days=periods.raw_video_days), now=now
        )
        report.renditions_deleted = await delete_old_renditions(
            uow, storage, before=now - timedelta(days=periods.rendition_days), now=now
        )
        oldest_hot = add_months(month_start(now.date()), -periods.metrics_months)
        report.metric_months_archived = await archive_metric_months(
            uow, storage, before=oldest_hot, now=now
        )
    return report
