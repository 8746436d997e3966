"""Videos past retention: the raw file to colder storage, the processed rendition deleted."""

from __future__ import annotations

import logging
from datetime import datetime

from domain.adapters.storage import MediaStorage, ObjectMissing
from domain.retention.queries import raw_videos_to_archive, renditions_to_delete
from domain.uow import UnitOfWork

log = logging.getLogger(__name__)
# Rows per transaction: a crash loses at most one batch's row updates (the files' moves are
# idempotent, so the next run finishes them).
BATCH = 50


async def archive_raw_videos(
    uow: UnitOfWork, storage: MediaStorage, *, before: datetime, now: datetime
) -> int:
    """Move settled videos' raw files sent before `before` to colder storage; how many."""
    moved = 0
    while True:
        async with uow as tx:
            videos = await raw_videos_to_archive(tx, before=before, limit=BATCH)
            for video in videos:
                try:
                    video.video_url = await storage.archive(video.video_url)
                except ObjectMissing:
                    log.warning("video %s: raw file %s already gone", video.id, video.video_url)
                video.raw_archived_at = now
            await tx.commit()
        moved += len(videos)
        if len(videos) < BATCH:
            return moved


async def delete_old_renditions(
    uow: UnitOfWork, storage: MediaStorage, *, before: datetime, now: datetime
) -> int:
    """Delete the processed renditions of videos sent before `before`; how many."""
    deleted = 0
    while True:
        async with uow as tx:
            videos = await renditions_to_delete(tx, before=before, limit=BATCH)
            for video in videos:
                assert video.processed_url is not None  # selected for it
                await storage.delete(video.processed_url)
                video.processed_url = None
                video.rendition_deleted_at = now
            await tx.commit()
        deleted += len(videos)
        if len(videos) < BATCH:
            return deleted
