"""`sportscenter worker` as a process: killed with SIGKILL mid-video, another worker finishes it;
and its memory flat from video to video.

The real command, the real pipeline, the real task engine: the first worker is killed (no
exception, no clean-up: as when a machine dies), and a second `sportscenter worker` runs the job
again once the first has been silent for VIDEO_JOB_TIMEOUT_S.
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
from tests.conftest import REDIS_URL, VIDEO_JOB_TIMEOUT_S
from tests.domain.videos.test_uploads import actor_of
from tests.factories import booking_world
from tests.video_clips import make_clip


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


def worker_env(database_url: str, key_prefix: str, tmp_path: Path) -> dict[str, str]:
    """`sportscenter worker` on the test's database, Redis prefix and media directory."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": key_prefix,
        "STORAGE_BACKEND": "local",
        "MEDIA_DIR": str(tmp_path / "media"),  # the `services` fixture's storage
        "VIDEO_JOB_TIMEOUT_S": str(VIDEO_JOB_TIMEOUT_S),
        "HEALTH_PORT": "0",
    }


async def start_worker(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "worker", env=env, cwd=cwd
    )


async def end(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await asyncio.wait_for(process.wait(), 60)


async def send(services: Services, uow: UnitOfWork, world, data: bytes, name: str) -> uuid.UUID:
    received = await receive_video(
        services.uow,
        services.videos,
        actor=await actor_of(uow, world.parent),
        athlete_id=world.child.id,
        # No size given, as when Telegram does not tell one.
        incoming=IncomingVideo(name, "video", None),
        chunks=one_chunk(data),
        now=datetime.now(UTC),
    )
    return received.video_id


def mirrored(services: Services, video_id: uuid.UUID, status: str) -> Callable[[], Awaitable[bool]]:
    async def says() -> bool:
        state = (await services.video_status.statuses([video_id])).get(video_id)
        return state is not None and state.status == status

    return says


@pytest.mark.slow
async def test_a_worker_killed_mid_job_leaves_it_to_another_worker(
    services: Services, uow: UnitOfWork, database_url: str, key_prefix: str, tmp_path: Path
) -> None:
    world = await booking_world(uow)
    # Long and noisy enough that the job is still running when the worker is killed.
    data = make_clip(
        tmp_path / "long.mp4", reps=12, period_s=2.0, size=(640, 360), noise=6.0
    ).read_bytes()
    env = worker_env(database_url, key_prefix, tmp_path)
    first = await start_worker(env, tmp_path)
    try:
        video_id = await send(services, uow, world, data, "file-1")
        await wait_for(mirrored(services, video_id, "processing"), timeout=60, what="the job")
        os.kill(first.pid, signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()

    # Another `sportscenter worker`, as on another machine, once the first is silent.
    second = await start_worker(env, tmp_path)
    try:
        await wait_for(mirrored(services, video_id, "analyzed"), timeout=180, what="another worker")
    finally:
        await end(second)
    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id)
    assert video is not None and video.status == "analyzed"
    status = (await services.video_status.statuses([video_id])).get(video_id)
    assert status is not None and status.attempts == 2
    # Done and acknowledged: nothing is left in the broker.
    assert await services.video_queue.queued_videos() == set()


@pytest.mark.slow
async def test_the_worker_process_memory_stays_flat_from_video_to_video(
    services: Services, uow: UnitOfWork, database_url: str, key_prefix: str, tmp_path: Path
) -> None:
    world = await booking_world(uow)
    data = make_clip(tmp_path / "short.mp4", reps=3, period_s=1.0).read_bytes()
    worker = await start_worker(worker_env(database_url, key_prefix, tmp_path), tmp_path)
    rss_mb: list[float] = []
    try:
        for n in range(3):
            video_id = await send(services, uow, world, data, f"file-{n}")
            await wait_for(mirrored(services, video_id, "analyzed"), timeout=120, what="a video")
            rss_mb.append(vm_rss_mb(worker.pid))
        # The pipeline (numpy, OpenCV) ran in each video's own process, never in the worker's.
        maps = await asyncio.to_thread(Path(f"/proc/{worker.pid}/maps").read_text)
    finally:
        await end(worker)

    assert "cv2" not in maps and "numpy" not in maps
    assert rss_mb[-1] - rss_mb[0] < 10, rss_mb


def vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def test_work_directories_of_dead_workers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / f"{WORKDIR_PREFIX}{2**22 + 12345}-abc"  # above any pid_max: never alive
    live = tmp_path / f"{WORKDIR_PREFIX}{os.getpid()}-def"
    other = tmp_path / "sc-video-notes"
    for folder in (dead, live, other):
        (folder / "out").mkdir(parents=True)
        (folder / "raw.mp4").write_bytes(b"x")

    assert remove_orphaned_workdirs(tmp_path) == 1

    assert not dead.exists() and live.exists() and other.exists()
