"""The retention run on a frozen clock: raw videos to cold storage, renditions deleted, old
metric months archived to storage and restored; run twice, and run by two replicas at once."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from botocore.client import BaseClient
from sqlalchemy import func, select

from domain.adapters.storage import (
    LocalStorage,
    MediaStorage,
    S3Storage,
    metrics_archive_key,
    processed_video_key,
    raw_video_key,
)
from domain.metrics.queries.partitions import ensure_partitions, existing_partitions
from domain.metrics.queries.results import points
from domain.models import MetricArchive, VideoAnalysis, VideoStatus
from domain.retention import (
    MetricArchiveMissing,
    RetentionPeriods,
    apply_retention,
    restore_metric_month,
)
from domain.retention.run import RETENTION_LOCK
from domain.uow import UnitOfWork
from tests.domain.metrics.test_partitions import log_metric
from tests.factories import coach_and_athlete

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
PERIODS = RetentionPeriods(raw_video_days=90, rendition_days=365, metrics_months=36)
OLD_MONTH = "performance_metrics_y2020m01"
ROOT = Path(__file__).parents[3]


@pytest.fixture
def local_storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "media", b"k" * 32, "http://127.0.0.1:1")


async def video_sent(
    uow: UnitOfWork,
    storage: MediaStorage,
    athlete_id: uuid.UUID,
    user_id: uuid.UUID,
    age: timedelta,
) -> uuid.UUID:
    video_id = uuid.uuid4()
    raw = raw_video_key(user_id, video_id, "original.mp4")
    processed = processed_video_key(user_id, video_id, "video.mp4")
    await storage.put(raw, b"raw bytes", content_type="video/mp4")
    await storage.put(processed, b"rendition", content_type="video/mp4")
    async with uow as tx:
        tx.session.add(
            VideoAnalysis(
                id=video_id,
                athlete_id=athlete_id,
                video_url=raw,
                processed_url=processed,
                status=VideoStatus.ANALYZED,
                created_at=NOW - age,
            )
        )
        await tx.commit()
    return video_id


async def video(uow: UnitOfWork, video_id: uuid.UUID) -> VideoAnalysis:
    async with uow as tx:
        found = await tx.session.get(VideoAnalysis, video_id)
    assert found is not None
    return found


async def old_metrics(uow: UnitOfWork, athlete_id: uuid.UUID, count: int = 3) -> None:
    async with uow as tx:
        await ensure_partitions(tx, today=date(2020, 1, 10), months_ahead=0)
        await tx.commit()
    for day in range(1, count + 1):
        await log_metric(uow, athlete_id, datetime(2020, 1, day, 9, tzinfo=UTC))


async def metrics_in_january_2020(uow: UnitOfWork, athlete_id: uuid.UUID) -> int:
    async with uow as tx:
        found = await points(
            tx,
            athlete_id,
            "sprint_40m",
            datetime(2020, 1, 1, tzinfo=UTC),
            datetime(2020, 2, 1, tzinfo=UTC),
        )
    return len(found)


async def test_a_run_archives_old_raw_videos_deletes_old_renditions_and_keeps_new_ones(
    uow: UnitOfWork, local_storage: LocalStorage
) -> None:
    _, athlete = await coach_and_athlete(uow)
    ancient = await video_sent(uow, local_storage, athlete.id, athlete.user_id, timedelta(days=400))
    oldish = await video_sent(uow, local_storage, athlete.id, athlete.user_id, timedelta(days=100))
    fresh = await video_sent(uow, local_storage, athlete.id, athlete.user_id, timedelta(days=10))

    report = await apply_retention(uow, local_storage, PERIODS, now=NOW)

    assert report is not None
    assert (report.raw_videos_archived, report.renditions_deleted) == (2, 1)
    for video_id in (ancient, oldish):
        row = await video(uow, video_id)
        assert row.raw_archived_at == NOW
        assert row.video_url.startswith("archive/videos/raw/")
        assert await local_storage.read_bytes(row.video_url) == b"raw bytes"
    gone = await video(uow, ancient)
    assert (gone.processed_url, gone.rendition_deleted_at) == (None, NOW)
    kept = await video(uow, oldish)
    assert kept.rendition_deleted_at is None
    assert await local_storage.exists(kept.processed_url)
    untouched = await video(uow, fresh)
    assert untouched.raw_archived_at is None
    assert untouched.video_url.startswith("videos/raw/")
    assert not await local_storage.exists(
        processed_video_key(athlete.user_id, ancient, "video.mp4")
    )


async def test_on_s3_an_old_raw_video_moves_to_the_archive_storage_class_under_its_key(
    uow: UnitOfWork, s3_storage: S3Storage, s3_client: BaseClient
) -> None:
    _, athlete = await coach_and_athlete(uow)
    old = await video_sent(uow, s3_storage, athlete.id, athlete.user_id, timedelta(days=100))
    key = (await video(uow, old)).video_url

    await apply_retention(uow, s3_storage, PERIODS, now=NOW)

    assert (await video(uow, old)).video_url == key
    head = s3_client.head_object(Bucket=s3_storage.bucket, Key=key)
    assert head["StorageClass"] == "GLACIER_IR"
    assert await s3_storage.read_bytes(key) == b"raw bytes"


async def test_old_metric_months_are_archived_to_storage_and_restored_with_their_rows(
    uow: UnitOfWork, local_storage: LocalStorage
) -> None:
    _, athlete = await coach_and_athlete(uow)
    await old_metrics(uow, athlete.id, count=3)

    report = await apply_retention(uow, local_storage, PERIODS, now=NOW)

    assert report is not None and OLD_MONTH in report.metric_months_archived
    async with uow as tx:
        assert OLD_MONTH not in await existing_partitions(tx)
        record = await tx.session.get(MetricArchive, OLD_MONTH)
    assert record is not None and record.row_count == 3
    assert record.storage_key == metrics_archive_key(OLD_MONTH)
    assert record.storage_key == "archive/metrics/performance_metrics_y2020m01.csv.gz"
    assert await local_storage.exists(record.storage_key)
    assert await metrics_in_january_2020(uow, athlete.id) == 0

    restored = await restore_metric_month(uow, local_storage, "2020-01", now=NOW)

    assert restored == 3
    assert await metrics_in_january_2020(uow, athlete.id) == 3
    assert await restore_metric_month(uow, local_storage, OLD_MONTH, now=NOW) is None
    # A restored month stays attached a while, then is archived again with the same rows.
    assert (
        OLD_MONTH
        not in (await apply_retention(uow, local_storage, PERIODS, now=NOW)).metric_months_archived
    )
    later = NOW + timedelta(days=31)
    assert (
        OLD_MONTH
        in (await apply_retention(uow, local_storage, PERIODS, now=later)).metric_months_archived
    )
    assert await restore_metric_month(uow, local_storage, "2020-01", now=later) == 3


async def test_a_row_logged_into_an_archived_month_joins_its_archive(
    uow: UnitOfWork, local_storage: LocalStorage
) -> None:
    _, athlete = await coach_and_athlete(uow)
    await old_metrics(uow, athlete.id, count=2)
    await apply_retention(uow, local_storage, PERIODS, now=NOW)
    await old_metrics(uow, athlete.id, count=1)  # the month's partition is made again

    await apply_retention(uow, local_storage, PERIODS, now=NOW)

    assert await restore_metric_month(uow, local_storage, "2020-01", now=NOW) == 3


async def test_restoring_a_month_never_archived_is_refused(
    uow: UnitOfWork, local_storage: LocalStorage
) -> None:
    with pytest.raises(MetricArchiveMissing):
        await restore_metric_month(uow, local_storage, "1999-01", now=NOW)
    with pytest.raises(ValueError):
        await restore_metric_month(uow, local_storage, "users", now=NOW)


async def test_a_second_run_finds_nothing_left_to_do(
    uow: UnitOfWork, local_storage: LocalStorage
) -> None:
    _, athlete = await coach_and_athlete(uow)
    await video_sent(uow, local_storage, athlete.id, athlete.user_id, timedelta(days=400))
    await old_metrics(uow, athlete.id)
    await apply_retention(uow, local_storage, PERIODS, now=NOW)

    again = await apply_retention(uow, local_storage, PERIODS, now=NOW)

    assert again is not None
    assert (again.raw_videos_archived, again.renditions_deleted) == (0, 0)
    assert again.metric_months_archived == []


async def test_two_replicas_running_at_once_do_each_thing_once(
    uow: UnitOfWork, local_storage: LocalStorage
) -> None:
    _, athlete = await coach_and_athlete(uow)
    for _ in range(3):
        await video_sent(uow, local_storage, athlete.id, athlete.user_id, timedelta(days=400))
    await old_metrics(uow, athlete.id)

    first, second = await asyncio.gather(
        apply_retention(uow, local_storage, PERIODS, now=NOW),
        apply_retention(uow, local_storage, PERIODS, now=NOW),
    )

    reports = [report for report in (first, second) if report is not None]
    assert sum(report.raw_videos_archived for report in reports) == 3
    assert sum(report.renditions_deleted for report in reports) == 3
    assert sum(OLD_MONTH in report.metric_months_archived for report in reports) == 1
    async with uow as tx:
        archived = await tx.session.scalar(
            select(func.count()).where(VideoAnalysis.raw_archived_at.is_not(None))
        )
    assert archived == 3
    assert await restore_metric_month(uow, local_storage, "2020-01", now=NOW) == 3


async def test_while_one_replica_runs_another_returns_at_once_and_touches_nothing(
    uow: UnitOfWork, local_storage: LocalStorage
) -> None:
    _, athlete = await coach_and_athlete(uow)
    old = await video_sent(uow, local_storage, athlete.id, athlete.user_id, timedelta(days=400))

    async with uow as running:
        assert await running.try_hold_lock(RETENTION_LOCK)
        assert await apply_retention(uow, local_storage, PERIODS, now=NOW) is None
    assert (await video(uow, old)).raw_archived_at is None


async def run_command(*args: str, database_url: str, media_dir: Path) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "STORAGE_BACKEND": "local",
        "MEDIA_DIR": str(media_dir),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_restore_metrics_command_brings_a_month_back_and_explains_a_missing_one(
    uow: UnitOfWork, local_storage: LocalStorage, database_url: str
) -> None:
    _, athlete = await coach_and_athlete(uow)
    await old_metrics(uow, athlete.id, count=2)
    await apply_retention(uow, local_storage, PERIODS, now=NOW)

    code, out, err = await run_command(
        "restore-metrics", "2020-01", database_url=database_url, media_dir=local_storage.root
    )

    assert code == 0, err
    assert "restored 2 metric rows of 2020-01" in out
    assert await metrics_in_january_2020(uow, athlete.id) == 2
    code, _, err = await run_command(
        "restore-metrics", "1999-01", database_url=database_url, media_dir=local_storage.root
    )
    assert code == 1
    assert "no archive of performance_metrics_y1999m01 is kept" in err
