"""A received video: streamed to storage under the spec's layout, recorded, mirrored, queued.

Runs on both storage backends: the local folder and moto's S3 server over real HTTP.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import func, select

from domain.actors import actor_for_user
from domain.adapters.cache import RateLimiter, RedisKeys
from domain.adapters.storage import LocalStorage, MediaStorage
from domain.errors import NotAllowed
from domain.models import User, VideoAnalysis
from domain.policy import Actor
from domain.uow import UnitOfWork
from domain.videos.queue import VideoQueue
from domain.videos.status import VideoStatusMirror
from domain.videos.uploads import (
    STALE_UPLOAD,
    IncomingVideo,
    NotAVideo,
    TooManyVideos,
    VideoIntake,
    VideoTooLarge,
    receive_video,
    requeue_stale_uploads,
)
from tests.factories import BookingWorld, booking_world, session_at
from tests.video_clips import make_clip, make_pdf_named_mp4

NOW = datetime.now(UTC)


@pytest.fixture(params=["local", "s3"])
def video_storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    """Each backend in turn."""
    if request.param == "local":
        return LocalStorage(tmp_path / "media", b"k" * 32, "http://media.test")
    return request.getfixturevalue("s3_storage")


@pytest.fixture
def intake(
    video_storage: MediaStorage,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    video_broker: RedisBroker,
) -> VideoIntake:
    return VideoIntake(
        video_storage, VideoStatusMirror(redis_client, keys), VideoQueue(video_broker)
    )


async def actor_of(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def chunks_of(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_a_parents_video_of_their_child_is_stored_recorded_mirrored_and_queued(
    uow: UnitOfWork,
    intake: VideoIntake,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    tmp_path: Path,
) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, NOW - timedelta(days=2)))
        await tx.commit()
    data = make_clip(tmp_path / "squat.mp4", reps=3, period_s=1.0).read_bytes()
    received = await receive_video(
        uow,
        intake,
        actor=await actor_of(uow, world.parent),
        athlete_id=world.child.id,
        incoming=IncomingVideo("file-1", "video", len(data), "squat set 3"),
        chunks=chunks_of(data),
        now=NOW,
    )

    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, received.video_id)
    assert video is not None and video.status == "uploaded" and video.caption == "squat set 3"
    assert video.uploaded_by == world.parent.id and video.telegram_file_id == "file-1"
    # The spec's layout, under the athlete's own user: videos/raw/{userId}/{videoId}/
    assert video.video_url == f"videos/raw/{world.child_user.id}/{received.video_id}/original.mp4"
    assert await intake.storage.read_bytes(video.video_url) == data
    status = (await intake.mirror.statuses([received.video_id])).get(received.video_id)
    assert status is not None and status.status == "uploaded"
    assert await intake.queue.queued_videos() == {received.video_id}
    assert received.queued and received.athlete_name == "Kim"
    assert [s.coach_name for s in received.recent_sessions] == ["Cora Klein"]


async def test_a_renamed_pdf_is_refused_and_leaves_nothing_behind(
    uow: UnitOfWork, intake: VideoIntake, tmp_path: Path
) -> None:
    world = await booking_world(uow)
    data = make_pdf_named_mp4(tmp_path / "squat.mp4").read_bytes()
    with pytest.raises(NotAVideo):
        await receive_video(
            uow,
            intake,
            actor=await actor_of(uow, world.parent),
            athlete_id=world.child.id,
            incoming=IncomingVideo("file-2", "document", len(data)),
            chunks=chunks_of(data),
            now=NOW,
        )
    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(VideoAnalysis)) == 0


async def test_a_file_over_the_limit_is_refused_before_a_byte_is_read(
    uow: UnitOfWork, intake: VideoIntake
) -> None:
    world = await booking_world(uow)

    async def never_read() -> AsyncIterator[bytes]:
        raise AssertionError("the download must not start")
        yield b""

    with pytest.raises(VideoTooLarge) as refused:
        await receive_video(
            uow,
            intake,
            actor=await actor_of(uow, world.parent),
            athlete_id=world.child.id,
            incoming=IncomingVideo("file-3", "video", 21 * 1024 * 1024),
            chunks=never_read(),
            now=NOW,
        )
    assert refused.value.params == {"size_mb": "21.0", "limit_mb": 20}


@pytest.mark.parametrize("who", ["coach", "other_parent"])
async def test_only_the_athletes_side_may_send_their_videos(
    uow: UnitOfWork, intake: VideoIntake, tmp_path: Path, who: str
) -> None:
    world: BookingWorld = await booking_world(uow)
    user = world.coach_user if who == "coach" else world.other_parent
    data = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0).read_bytes()
    with pytest.raises(NotAllowed):
        await receive_video(
            uow,
            intake,
            actor=await actor_of(uow, user),
            athlete_id=world.child.id,
            incoming=IncomingVideo(f"file-{uuid.uuid4()}", "video", len(data)),
            chunks=chunks_of(data),
            now=NOW,
        )


async def test_past_the_hourly_limit_a_video_is_refused_before_it_is_fetched(
    uow: UnitOfWork,
    intake: VideoIntake,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    tmp_path: Path,
) -> None:
    world = await booking_world(uow)
    limited = replace(intake, limiter=RateLimiter(redis_client, keys), uploads_per_hour=1)
    data = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0).read_bytes()
    actor = await actor_of(uow, world.parent)

    async def send(file_id: str, chunks: AsyncIterator[bytes]) -> None:
        await receive_video(
            uow,
            limited,
            actor=actor,
            athlete_id=world.child.id,
            incoming=IncomingVideo(file_id, "video", len(data)),
            chunks=chunks,
            now=NOW,
        )

    async def never_read() -> AsyncIterator[bytes]:
        raise AssertionError("the download must not start")
        yield b""

    await send("file-1", chunks_of(data))
    with pytest.raises(TooManyVideos) as refused:
        await send("file-2", never_read())
    assert refused.value.params["limit"] == 1 and 1 <= refused.value.params["minutes"] <= 60


async def test_the_sweep_queues_again_only_uploads_whose_job_was_lost(
    uow: UnitOfWork, intake: VideoIntake, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        lost, waiting = (
            VideoAnalysis(athlete_id=world.child.id, video_url=f"videos/raw/{n}", status="uploaded")
            for n in range(2)
        )
        tx.session.add_all([lost, waiting])
        await tx.commit()
    await intake.queue.enqueue(waiting.id)  # still in the queue, behind a backlog
    sweep = partial(requeue_stale_uploads, uow, intake.queue)

    assert await sweep(now=datetime.now(UTC)) == 0  # too recent to be called lost
    assert await sweep(now=datetime.now(UTC) + STALE_UPLOAD + timedelta(seconds=1)) == 1

    assert await intake.queue.queued_videos() == {waiting.id, lost.id}
    # One job each: the waiting video got no second copy.
    assert await redis_client.hlen(f"{keys.task_engine()}:videos.msgs") == 2


async def test_sweeps_of_several_replicas_at_once_queue_a_lost_upload_once(
    uow: UnitOfWork, intake: VideoIntake
) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        lost = VideoAnalysis(athlete_id=world.child.id, video_url="videos/raw/x", status="uploaded")
        tx.session.add(lost)
        await tx.commit()
    later = datetime.now(UTC) + STALE_UPLOAD + timedelta(seconds=1)

    await asyncio.gather(*(requeue_stale_uploads(uow, intake.queue, now=later) for _ in range(3)))

    assert await intake.queue.depth() == 1
