"""Videos past retention, as people see them in chat: the analysis stays, no broken link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.retention import RetentionPeriods, apply_retention
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.factories import session_at
from tests.handlers.chat_steps import open_chats
from tests.handlers.videos.test_videos import cast, videos
from tests.video_clips import make_clip
from tests.video_steps import run_video_jobs


async def test_after_retention_videos_says_the_rendition_is_gone_and_offers_no_dead_link(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, s3_storage, s3_client, tmp_path: Path
) -> None:
    world, cora, pia, _ = await cast(emulator, uow)
    services.storage = s3_storage
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, datetime.now(UTC) - timedelta(days=1)))
        await tx.commit()
    clip = make_clip(tmp_path / "c.mp4", reps=3, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(cora, pia)
        await pia.send_video(clip, caption="drill")
        await pia.expect_reply(contains="Got Kim's video")
        await run_video_jobs(services)
        report = await apply_retention(
            uow,
            s3_storage,
            RetentionPeriods(raw_video_days=90, rendition_days=365),
            now=datetime.now(UTC) + timedelta(days=400),
        )
        assert report is not None and report.renditions_deleted == 1
        await cora.send("/videos")
        listing = await cora.expect_reply(contains="Training videos")
        await cora.press(listing["reply_markup"]["inline_keyboard"][0][0]["text"], listing)
        shown = await cora.expect("message", contains="Kim's video")
    caption = shown.get("caption") or shown.get("text")
    assert "Repetitions: 3" in caption
    assert "removed at the end of its retention period" in caption
    assert not shown.get("reply_markup")
    [video] = await videos(uow)
    assert video.processed_url is None
    head = s3_client.head_object(Bucket=s3_storage.bucket, Key=video.video_url)
    assert head["StorageClass"] == "GLACIER_IR"
