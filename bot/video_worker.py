"""`sportscenter worker`: Dramatiq's worker, running the video jobs the upload flow queues.

Any number of workers may run, on any hosts sharing Redis, Postgres and storage; each takes one
video at a time. Dramatiq hands a job out until one acknowledges it: the jobs of a worker that
has been silent for VIDEO_JOB_TIMEOUT_S (killed, its machine gone) go to another worker, and a
failed attempt is retried after a short wait. Each video gets up to MAX_ATTEMPTS attempts,
counted in the status mirror before each starts, so a video that kills its worker every time
is given up too. The jobs run on this process's event loop (with its database and Redis pools);
the pipeline itself runs in a process of its own per video (domain.videos.processing). Each
attempt is counted and timed by outcome on /metrics, served with /healthz and /readyz on
HEALTH_PORT (bot.health_server) while the worker runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from functools import partial

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from bot.health_server import health_server
from bot.i18n import resolve, t
from bot.logs import configure_logging
from bot.metrics import count_video_job
from bot.settings import Settings
from bot.signals import stop_on_signals
from bot.wiring import Services, build_services
from domain.videos.media.chart_words import ChartWords
from domain.videos.queue import ACTOR_NAME, QUEUE_NAME
from domain.videos.status import VideoStatusMirror

log = logging.getLogger(__name__)

# (video_id, attempt 1..MAX_ATTEMPTS); raising means this attempt failed.
JobHandler = Callable[[uuid.UUID, int], Awaitable[None]]
# (video_id, reason) once no attempt is left: "failed" or "crashed".
GiveUp = Callable[[uuid.UUID, str], Awaitable[None]]
HandlerFactory = Callable[[Services], tuple[JobHandler, GiveUp]]
MAX_ATTEMPTS = 3
# The longest an idle worker waits between polls of Redis (each is also its heartbeat): a new
# job waits for it at most this long. Dramatiq's default, a second, cost 0.02 of a 30 s clip's
# processing time in benchmarks/video.py; a poll is one small Lua script.
MAX_POLL_MS = 100


class VideoJobs:
    """One delivery of a video job: counted, run, and given up after the last attempt."""

    def __init__(
        self,
        status: VideoStatusMirror,
        handle: JobHandler,
        give_up: GiveUp,
        *,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._status = status
        self._handle = handle
        self._give_up = give_up
        self._max_attempts = max_attempts

    async def run(self, video: str) -> None:
        """Run one attempt; raising hands the job back to Dramatiq for a retry."""
        try:
            video_id = uuid.UUID(video)
        except ValueError:
            # Retrying cannot mend it: done with, so it is not handed out again.
            log.error("dropping malformed video job %r", video)
            return
        attempt = await self._status.begin_attempt(video_id)
        if attempt > self._max_attempts:
            # Every earlier attempt ended with its worker dead (nobody acknowledged it).
            log.error("video %s: %d attempts crashed their workers", video_id, attempt - 1)
            await self._give_up(video_id, "crashed")
            count_video_job("crashed")
            return
        began = time.perf_counter()
        try:
            await self._handle(video_id, attempt)
        except Exception:
            seconds = time.perf_counter() - began
            if attempt < self._max_attempts:
                log.warning(
                    "video %s: attempt %d of %d failed", video_id, attempt, self._max_attempts
                )
                count_video_job("failed", seconds)
                raise
            log.exception("video %s: the last attempt (%d) failed", video_id, attempt)
            await self._give_up(video_id, "failed")
            count_video_job("given_up", seconds)
            return
        count_video_job("done", time.perf_counter() - began)


@contextlib.asynccontextmanager
async def engine_worker(broker: RedisBroker, jobs: VideoJobs) -> AsyncIterator[dramatiq.Worker]:
    """Inside: Dramatiq's worker takes video jobs off `broker` (one worker per broker) and runs
    them on this event loop, one at a time; leaving, it finishes the job in hand."""
    loop = asyncio.get_running_loop()

    def process_video(video: str) -> None:
        # Dramatiq's thread waits while the job runs on the loop that owns the pools.
        asyncio.run_coroutine_threadsafe(jobs.run(video), loop).result()

    dramatiq.Actor(
        process_video,
        broker=broker,
        actor_name=ACTOR_NAME,
        queue_name=QUEUE_NAME,
        priority=0,
        options={},
    )
    # Several polls (heartbeats) per timeout: one late poll never gets a live worker's jobs
    # handed to another.
    poll_ms = max(50, min(MAX_POLL_MS, broker.heartbeat_timeout // 4))
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=poll_ms)
    # Only the job in hand: a second one waiting here could run sooner on an idle worker.
    worker.queue_prefetch = 1
    worker.start()
    try:
        yield worker
    finally:
        # Off the loop: the job in hand needs it to finish.
        await asyncio.to_thread(worker.stop)


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    handler_factory: HandlerFactory | None = None,
) -> None:
    """Process video jobs until SIGINT or SIGTERM (or `stop`), then release connections."""
    if stop is None:
        stop = stop_on_signals()
    services = build_services(settings)
    try:
        async with health_server(settings, services, outbox=False):
            handle, give_up = (handler_factory or _video_processing(settings))(services)
            jobs = VideoJobs(services.video_status, handle, give_up)
            async with engine_worker(services.video_broker, jobs):
                log.info("video worker waiting for jobs")
                await stop.wait()
            log.info("video worker stopped")
    finally:
        await services.close()


def _video_processing(settings: Settings) -> HandlerFactory:
    # Imported here: the processing pipeline is heavy and only workers need it.
    from domain.videos.processing import remove_orphaned_workdirs, start_job_server, video_jobs

    def factory(services: Services) -> tuple[JobHandler, GiveUp]:
        start_job_server()
        # A worker killed mid-job left its work directory (and the video in it) behind.
        if removed := remove_orphaned_workdirs():
            log.info("removed %d work directories of workers that died", removed)
        return video_jobs(
            services,
            max_duration_s=settings.video_max_duration_s,
            chart_words=chart_words,
            # Each video's process starts with no logging set up: its lines would be plain text.
            process_setup=partial(
                configure_logging,
                settings.log_level,
                fmt=settings.log_format,
                user_key=settings.signing_key,
            ),
        )

    return factory


def chart_words(readers: Iterable[str | None]) -> dict[str, ChartWords]:
    """The motion chart's axis labels in the catalogue language of each reader's language code."""
    return {
        language: ChartWords(t("video.chart.time", language), t("video.chart.movement", language))
        for language in sorted({resolve(code) for code in readers})
    }
