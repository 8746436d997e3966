"""A video worker in a process of its own, for test_video_worker to kill mid-job.

Usage: python video_worker_child.py REDIS_URL KEY_PREFIX MARKER_FILE HEARTBEAT_S

Its handler writes "<video_id> <attempt>" to MARKER_FILE, then hangs until the process dies.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

from bot.video_worker import VideoWorker, consumer_name
from domain.adapters.cache import RedisKeys, connect_redis
from domain.videos.queue import VideoQueue
from domain.videos.status import VideoStatusMirror


async def main(redis_url: str, prefix: str, marker: Path, heartbeat_s: float) -> None:
    redis = connect_redis(redis_url)
    keys = RedisKeys(prefix)

    async def handle(video_id: uuid.UUID, attempt: int) -> None:
        await asyncio.to_thread(marker.write_text, f"{video_id} {attempt}")
        await asyncio.Event().wait()

    async def give_up(video_id: uuid.UUID, reason: str) -> None:
        raise AssertionError(f"gave up on {video_id}: {reason}")

    worker = VideoWorker(
        VideoQueue(redis, keys, claim_after_s=heartbeat_s * 3),
        VideoStatusMirror(redis, keys),
        handle,
        give_up,
        consumer=consumer_name(),
        heartbeat_s=heartbeat_s,
    )
    await worker.run(asyncio.Event())


if __name__ == "__main__":
    url, key_prefix, marker_file, beat = sys.argv[1:]
    asyncio.run(main(url, key_prefix, Path(marker_file), float(beat)))
