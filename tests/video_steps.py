"""Steps video tests share: the task engine's worker running the real processing job."""

from __future__ import annotations

import asyncio

from bot.video_worker import GiveUp, JobHandler, VideoJobs, chart_words, engine_worker
from bot.wiring import Services
from domain.videos.processing import video_jobs
from domain.videos.queue import QUEUE_NAME, video_broker
from tests.conftest import REDIS_URL, VIDEO_JOB_TIMEOUT_S

JOBS_TIMEOUT_S = 120


async def run_video_jobs(
    services: Services, *, handle: JobHandler | None = None, give_up: GiveUp | None = None
) -> None:
    """Run every queued video job, retries included, through a worker of the task engine (in
    this process, as `sportscenter worker` runs it); the real job unless `handle` replaces it."""
    real_handle, real_give_up = video_jobs(services, max_duration_s=600, chart_words=chart_words)
    jobs = VideoJobs(services.video_status, handle or real_handle, give_up or real_give_up)
    # A broker of its own: a worker of its own, as another process's would be.
    broker = video_broker(REDIS_URL, services.keys, heartbeat_timeout_s=VIDEO_JOB_TIMEOUT_S)
    try:
        async with engine_worker(broker, jobs):
            # Waits until every job is acknowledged: done, or given up.
            await asyncio.to_thread(broker.join, QUEUE_NAME, timeout=JOBS_TIMEOUT_S * 1000)
    finally:
        broker.client.close()
