"""`sportscenter worker` killed with SIGKILL in the middle of a video: another worker finishes it.

The real command, the real pipeline, the real queue: the first worker is a child process that is
killed (no exception, no clean-up: as when a machine dies), and a second worker, here in the test
process, takes the job over once the first has stopped sending heartbeats.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.wiring import Services
from domain.models import VideoAnalysis
from domain.uow import UnitOfWork
from domain.videos.processing import WORKDIR_PREFIX, remove_orphaned_workdirs
from domain.videos.uploads import IncomingVideo, receive_video
from tests.domain.videos.test_uploads import actor_of
from tests.factories import booking_world
from tests.video_clips import make_clip
from tests.video_steps import video_worker

TAKEOVER_S = 1.0


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def wait_for(condition: Callable[[], Awaitable[bool]], *, timeout: float, what: str) -> None:
    try:
        async with asyncio.timeout(timeout):
            # Polling: the conditions live in Redis and Postgres, with no event to wait on.
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"waited {timeout} s for {what}") from None


@pytest.mark.slow
async def test_a_worker_killed_mid_job_leaves_it_to_another_worker(
    services: Services, uow: UnitOfWork, database_url: str, key_prefix: str, tmp_path: Path
) -> None:
    services.video_job_timeout_s = TAKEOVER_S
    world = await booking_world(uow)
    # Long and noisy enough that the job is still running when the worker is killed.
    data = make_clip(
        tmp_path / "long.mp4", reps=12, period_s=2.0, size=(640, 360), noise=6.0
    ).read_bytes()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_KEY_PREFIX": key_prefix,
        "STORAGE_BACKEND": "local",
        "MEDIA_DIR": str(tmp_path / "media"),  # the `services` fixture's storage
        "VIDEO_JOB_TIMEOUT_S": str(TAKEOVER_S),
        "HEALTH_PORT": "0",
    }
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "worker", env=env, cwd=tmp_path
    )
    try:
        received = await receive_video(
            services.uow,
            services.videos,
            actor=await actor_of(uow, world.parent),
            athlete_id=world.child.id,
            # Noisy and 30 MB: no size given, as when Telegram does not tell one.
            incoming=IncomingVideo("file-1", "video", None),
            chunks=one_chunk(data),
            now=datetime.now(UTC),
        )
        video_id = received.video_id

        async def processing() -> bool:
            status = (await services.video_status.statuses([video_id])).get(video_id)
            return status is not None and status.status == "processing"

        await wait_for(processing, timeout=60, what="the first worker to start the job")
        os.kill(first.pid, signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()

    second = video_worker(
        services,
        consumer=f"second-{uuid.uuid4().hex[:6]}",
        heartbeat_s=TAKEOVER_S / 3,
        block_ms=200,
    )

    async def analysed() -> bool:
        await second.run_once()
        async with uow as tx:
            video = await tx.session.get(VideoAnalysis, video_id)
        return video is not None and video.status == "analyzed"

    await wait_for(analysed, timeout=120, what="the second worker to finish the job")
    status = (await services.video_status.statuses([video_id])).get(video_id)
    assert status.status == "analyzed" and status.attempts == 2
    # Done and acknowledged: nothing is left in the stream.
    assert await services.redis.xlen(services.keys.video_jobs()) == 0


def test_work_directories_of_dead_workers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / f"{WORKDIR_PREFIX}{2**22 + 12345}-abc"  # above any pid_max: never alive
    live = tmp_path / f"{WORKDIR_PREFIX}{os.getpid()}-def"
    other = tmp_path / "sc-video-notes"
    for folder in (dead, live, other):
        (folder / "out").mkdir(parents=True)
        (folder / "raw.mp4").write_bytes(b"x")

    assert remove_orphaned_workdirs(tmp_path) == 1

    assert not dead.exists() and live.exists() and other.exists()
