"""`sportscenter worker`: takes training videos off the job queue and processes them.

Any number of workers may run, on any hosts sharing Redis, Postgres and storage. Each job is
tried up to MAX_ATTEMPTS times; an attempt is counted before it starts, so a video that kills
its worker every time is given up too. While a job runs its worker reports on it every
`heartbeat_s`; a handler must therefore not block the event loop (CPU work belongs in a thread
or a process), or the job is taken over by another worker as if this one had died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from functools import partial

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.health_server import health_server
from bot.i18n import resolve, t
from bot.logs import configure_logging
from bot.metrics import count_video_job
from bot.settings import Settings
from bot.wiring import Services, build_services
from domain.videos.media.chart_words import ChartWords
from domain.videos.queue import Job, VideoQueue
from domain.videos.status import VideoStatusMirror

log = logging.getLogger(__name__)

# (video_id, attempt 1..MAX_ATTEMPTS); raising means this attempt failed.
JobHandler = Callable[[uuid.UUID, int], Awaitable[None]]
# (video_id, reason) once no attempt is left: "failed" or "crashed".
GiveUp = Callable[[uuid.UUID, str], Awaitable[None]]
HandlerFactory = Callable[[Services], tuple[JobHandler, GiveUp]]
MAX_ATTEMPTS = 3
# After an error (Redis unreachable, most likely) the worker waits, twice as long each time.
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0


def consumer_name() -> str:
    """This process's name in the consumer group, unique per host and process."""
    return f"{socket.gethostname()}-{os.getpid()}"


class VideoWorker:
    """Runs queued video jobs one at a time, with heartbeats, retries and giving up."""

    def __init__(
        self,
        queue: VideoQueue,
        status: VideoStatusMirror,
        handle: JobHandler,
        give_up: GiveUp,
        *,
        consumer: str,
        heartbeat_s: float,
        max_attempts: int = MAX_ATTEMPTS,
        block_ms: int = 1000,
    ) -> None:
        self.consumer = consumer
        self._queue = queue
        self._status = status
        self._handle = handle
        self._give_up = give_up
        self._heartbeat_s = heartbeat_s
        self._max_attempts = max_attempts
        self._block_ms = block_ms
        self._group_ready = False

    async def run(self, stop: asyncio.Event) -> None:
        """Take jobs until `stop` is set, finishing the job in hand; errors never end the loop."""
        log.info("video worker %s waiting for jobs", self.consumer)
        failures = 0
        while not stop.is_set():
            try:
                await self.run_once()
            except RedisTimeoutError:
                # A blocking read answered late (a busy machine): an empty poll, not an error.
                log.debug("video worker %s: Redis answered late; polling again", self.consumer)
            except Exception as err:
                failures += 1
                # Redis may have restarted empty: the group is made again on the next round.
                self._group_ready = False
                pause = min(FIRST_BACKOFF_S * 2 ** (failures - 1), MAX_BACKOFF_S)
                if isinstance(err, RedisError):
                    # Redis down is the operator's news, once a backoff step, not a traceback.
                    log.warning(
                        "video worker %s: Redis unavailable (%s); again in %.1f s",
                        self.consumer, err, pause,
                    )  # fmt: skip
                else:
                    log.exception("video worker %s: error; again in %.1f s", self.consumer, pause)
                await _set_within(stop, pause)
            else:
                failures = 0
        log.info("video worker %s stopped", self.consumer)

    async def run_once(self) -> bool:
        """Take one job, if any comes within block_ms, and see it through; True if there was one."""
        if not self._group_ready:
            await self._queue.ensure_group()
            self._group_ready = True
        job = await self._queue.next_job(self.consumer, block_ms=self._block_ms)
        if job is None:
            return False
        await self._see_through(job)
        return True

    async def _see_through(self, job: Job) -> None:
        attempt = await self._status.begin_attempt(job.video_id)
        if attempt > self._max_attempts:
            # Every earlier attempt ended with its worker dead (nobody acknowledged it).
            log.error("video %s: %d attempts crashed their workers", job.video_id, attempt - 1)
            await self._give_up(job.video_id, "crashed")
            await self._queue.ack(job)
            count_video_job("crashed")
            return
        began = time.perf_counter()
        failed, still_ours = await self._attempt(job, attempt)
        seconds = time.perf_counter() - began
        if not still_ours:
            count_video_job("taken_over", seconds)
            return  # the worker that took it over sees it through
        if failed:
            count_video_job(await self._after_failure(job, attempt), seconds)
        else:
            await self._queue.ack(job)
            count_video_job("done", seconds)

    async def _after_failure(self, job: Job, attempt: int) -> str:
        """Queue the job again, or give it up after the last attempt; which of the two."""
        if attempt < self._max_attempts:
            await self._queue.retry(job)
            return "failed"
        await self._give_up(job.video_id, "failed")
        await self._queue.ack(job)
        return "given_up"

    async def _attempt(self, job: Job, attempt: int) -> tuple[bool, bool]:
        """Run the handler while reporting on the job: (it failed, the job is still ours)."""
        handled = asyncio.Event()
        reports = asyncio.create_task(self._report(job, until=handled))
        failed = False
        try:
            await self._handle(job.video_id, attempt)
        except Exception:
            failed = True
            log.exception(
                "video %s: attempt %d of %d failed", job.video_id, attempt, self._max_attempts
            )
        finally:
            handled.set()
        # Ended by the event, never cancelled: redis-py can swallow a cancellation that lands
        # in the middle of a command, and the reports would then go on for ever.
        return failed, await reports

    async def _report(self, job: Job, *, until: asyncio.Event) -> bool:
        """Heartbeat until `until` is set; False once another worker has taken the job over."""
        while not await _set_within(until, self._heartbeat_s):
            try:
                if not await self._queue.heartbeat(job, self.consumer):
                    log.warning("video %s: taken over by another worker", job.video_id)
                    return False
            except Exception:
                # Keep working: the job is only taken over if reports fail past the timeout.
                log.warning("video %s: heartbeat failed", job.video_id, exc_info=True)
        return True


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    handler_factory: HandlerFactory | None = None,
) -> None:
    """Process video jobs until SIGINT or SIGTERM (or `stop`), then release connections."""
    if stop is None:
        # Here, not at the top: bot.runner brings in the whole Telegram application.
        from bot.runner import stop_on_signals

        stop = stop_on_signals()
    services = build_services(settings)
    try:
        async with health_server(settings, services, outbox=False):
            handle, give_up = (handler_factory or _video_processing(settings))(services)
            worker = VideoWorker(
                services.video_queue,
                services.video_status,
                handle,
                give_up,
                consumer=consumer_name(),
                # Three reports per timeout: one lost report never gets a live job taken over.
                heartbeat_s=settings.video_job_timeout_s / 3,
            )
            await worker.run(stop)
    finally:
        await services.close()


def _video_processing(settings: Settings) -> HandlerFactory:
    # Imported here: the processing pipeline is heavy and only workers need it.
    from domain.videos.processing import remove_orphaned_workdirs, video_jobs

    def factory(services: Services) -> tuple[JobHandler, GiveUp]:
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


async def _set_within(event: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` for the event; whether it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
    return event.is_set()
