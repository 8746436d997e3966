"""A video worker of the task engine in a process of its own, for test_video_worker to kill.

Usage: python video_worker_child.py REDIS_URL KEY_PREFIX MARKER_FILE HEARTBEAT_TIMEOUT_S

Its handler writes "<video_id> <attempt>" to MARKER_FILE, then hangs until the process dies.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from bot.video_worker import VideoJobs, engine_worker
from domain.adapters.cache import RedisKeys, connect_redis
from domain.videos.queue import video_broker
from domain.videos.status import VideoStatusMirror


async def main(redis_url: str, prefix: str, marker: Path, timeout_s: float) -> None:
    keys = RedisKeys(prefix)

    async def handle(video_id: uuid.UUID, attempt: int) -> None:
        await asyncio.to_thread(marker.write_text, f"{video_id} {attempt}")
        await asyncio.Event().wait()

    async def give_up(video_id: uuid.UUID, reason: str) -> None:
        raise AssertionError(f"gave up on {video_id}: {reason}")

    jobs = VideoJobs(VideoStatusMirror(connect_redis(redis_url), keys), handle, give_up)
    broker = video_broker(redis_url, keys, heartbeat_timeout_s=timeout_s)
    async with engine_worker(broker, jobs):
        await asyncio.Event().wait()


if __name__ == "__main__":
    url, key_prefix, marker_file, timeout = sys.argv[1:]
    asyncio.run(main(url, key_prefix, Path(marker_file), float(timeout)))
