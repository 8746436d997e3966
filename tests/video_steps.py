"""Steps video tests share: a worker running the real processing job."""

from __future__ import annotations

from bot.video_worker import GiveUp, JobHandler, VideoWorker, chart_words
from bot.wiring import Services
from domain.videos.processing import video_jobs


def video_worker(
    services: Services,
    *,
    consumer: str = "test-worker",
    heartbeat_s: float = 5.0,
    block_ms: int = 1000,
    handle: JobHandler | None = None,
    give_up: GiveUp | None = None,
) -> VideoWorker:
    """A worker on the test's queue, running the real job unless `handle` replaces it."""
    real_handle, real_give_up = video_jobs(services, max_duration_s=600, chart_words=chart_words)
    return VideoWorker(
        services.video_queue,
        services.video_status,
        handle or real_handle,
        give_up or real_give_up,
        consumer=consumer,
        heartbeat_s=heartbeat_s,
        block_ms=block_ms,
    )
