"""One processing job: the raw video in, its rendition, thumbnail and analysis stored, the row
moved on, and the people concerned told, in the row's transaction.

Status moves uploaded → processing → analyzed | failed, in the row and in the Redis mirror.
A job may run twice (a retry, a worker taken over, a re-queued upload): the row is re-read and
locked at each step, so a finished video is never processed or announced again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from multiprocessing import forkserver
from pathlib import Path
from typing import Protocol

from redis.asyncio import Redis

from domain.adapters.cache import RedisKeys
from domain.adapters.storage import MediaStorage
from domain.adapters.storage.keys import RAW_VIDEOS, processed_video_key, video_thumbnail_key
from domain.models import VideoAnalysis, VideoStatus
from domain.people.family import people_to_notify
from domain.uow import Transaction, UnitOfWork
from domain.videos.media.chart_words import ChartWordsFor
from domain.videos.media.job import Processed, Refusal, run_pipeline
from domain.videos.notices import queue_outcome_notices
from domain.videos.status import VideoStatusMirror

log = logging.getLogger(__name__)
FINISHED = frozenset({VideoStatus.ANALYZED, VideoStatus.FAILED})
# A fresh, single-threaded server forks each job's process; an ImportError (no pose extra) in
# the preload list is skipped. A job's process loads nothing more: its job and results are in
# `media.job`, which imports none of this module's clients.
_JOBS = multiprocessing.get_context("forkserver")
_JOBS.set_forkserver_preload(
    ["domain.videos.media.pipeline", "domain.videos.media.job", "mediapipe"]
)
# Work directories are named after their worker's pid, so one left by a killed worker is known.
WORKDIR_PREFIX = "sc-video-"

JobHandler = Callable[[uuid.UUID, int], Awaitable[None]]
GiveUp = Callable[[uuid.UUID, str], Awaitable[None]]


class VideoServices(Protocol):
    """What a job needs: the database, storage and Redis."""

    storage: MediaStorage
    redis: Redis
    keys: RedisKeys
    uow: UnitOfWork


@dataclass(frozen=True)
class _Outputs:
    thumbnail: str
    rendition: str
    charts: dict[str, str]  # storage key by language


def video_jobs(
    services: VideoServices,
    *,
    max_duration_s: int,
    chart_words: ChartWordsFor,
    process_setup: Callable[[], None] | None = None,
) -> tuple[JobHandler, GiveUp]:
    """The worker's job handler and what it calls once a video has failed for good.

    `chart_words` gives the motion chart's labels in the languages of those told about a video:
    its chart is drawn in each of those, and no other. `process_setup` runs first in each
    video's own process (the runtime's logging: a picklable callable)."""
    mirror = VideoStatusMirror(services.redis, services.keys)

    async def handle(video_id: uuid.UUID, attempt: int) -> None:
        await process_video(
            services,
            mirror,
            video_id,
            max_duration_s=max_duration_s,
            chart_words=chart_words,
            process_setup=process_setup,
        )

    async def give_up(video_id: uuid.UUID, reason: str) -> None:
        await fail_video(services, mirror, video_id, reason=reason)

    return handle, give_up


async def process_video(
    services: VideoServices,
    mirror: VideoStatusMirror,
    video_id: uuid.UUID,
    *,
    max_duration_s: int,
    chart_words: ChartWordsFor,
    process_setup: Callable[[], None] | None = None,
) -> None:
    """Process one video; a refusal (too long, no frames) fails it at once; anything else raises."""
    started = await _start(services, video_id)
    if started is None:
        return
    raw_key, readers = started
    await mirror.set(video_id, VideoStatus.PROCESSING)
    with tempfile.TemporaryDirectory(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-") as tmp:
        workdir = Path(tmp)
        raw = workdir / ("raw" + Path(raw_key).suffix)
        await services.storage.download_to(raw_key, raw)
        processed = await _in_own_process(
            partial(
                run_pipeline,
                raw,
                workdir / "out",
                max_duration_s=max_duration_s,
                chart_words=chart_words(readers),
            ),
            process_setup,
        )
        if isinstance(processed, Refusal):
            log.info("video %s refused: %s %s", video_id, processed.message_key, processed.detail)
            await fail_video(
                services, mirror, video_id, reason=processed.message_key.rsplit(".")[-1]
            )
            return
        outputs = await _store(services.storage, raw_key, video_id, processed)
    if await _finish(services, video_id, processed, outputs):
        await mirror.set(video_id, VideoStatus.ANALYZED)


async def _in_own_process(
    job: Callable[[], Processed | Refusal], setup: Callable[[], None] | None = None
) -> Processed | Refusal:
    """Run the pipeline in a process of its own, forked from a server with it already loaded.

    What a video needed (decoders, OpenCV and MediaPipe buffers, the allocator's fragments) goes
    back to the system when that process ends: in the worker's own process memory grew with
    every video (by about 50 MB a video with pose). A crash in native code fails this attempt,
    not the worker.
    """
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_JOBS, initializer=setup)
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, job)
    finally:
        # The process has finished its one job; joining it must not hold up the event loop.
        await asyncio.to_thread(pool.shutdown)


def start_job_server() -> None:
    """Start the server videos' processes are forked from; it loads the pipeline in the
    background, so the first video need not wait for numpy, OpenCV and matplotlib (0.6 s of
    CPU). Without this it starts with the first video."""
    forkserver.ensure_running()


def remove_orphaned_workdirs(root: Path | None = None) -> int:
    """Delete work directories whose worker is gone (killed mid-job: no clean-up ran); how many."""
    removed = 0
    for workdir in Path(root or tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*-*"):
        pid = workdir.name.removeprefix(WORKDIR_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(workdir, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, and not ours to judge
        return True
    return True


async def fail_video(
    services: VideoServices, mirror: VideoStatusMirror, video_id: uuid.UUID, *, reason: str
) -> None:
    """Mark the video failed (the raw file stays, for the coach) and tell who needs to know."""
    async with services.uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id, with_for_update=True)
        if video is None or video.status in FINISHED:
            return
        video.status, video.failure_reason = VideoStatus.FAILED, reason
        await queue_outcome_notices(tx, video, now=datetime.now(UTC))
        await tx.commit()
    await mirror.set(video_id, VideoStatus.FAILED, reason=reason)


async def _start(
    services: VideoServices, video_id: uuid.UUID
) -> tuple[str, list[str | None]] | None:
    """Move the row to processing; its raw key and the language codes of those who will be
    shown the analysis in chat, or None if there is nothing to do."""
    async with services.uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id, with_for_update=True)
        if video is None or video.status in FINISHED:
            log.info("video %s: nothing to do (%s)", video_id, video and video.status)
            return None
        video.status = VideoStatus.PROCESSING
        raw_key = video.video_url
        readers = await _readers(tx, video)
        await tx.commit()
    return raw_key, readers


async def _readers(tx: Transaction, video: VideoAnalysis) -> list[str | None]:
    """Language codes of the athlete's side reachable in chat: who `queue_outcome_notices` will
    show the analysis (and so the chart) to."""
    if video.athlete_id is None:
        return []
    family = await people_to_notify(tx, video.athlete_id)
    return [
        person.language_code
        for person in family
        if person.telegram_chat_id or person.telegram_user_id
    ]


async def _store(
    storage: MediaStorage, raw_key: str, video_id: uuid.UUID, processed: Processed
) -> _Outputs:
    owner = _owner_of(raw_key)
    outputs = _Outputs(
        thumbnail=video_thumbnail_key(owner, video_id, "thumbnail.jpg"),
        rendition=processed_video_key(owner, video_id, "video.mp4"),
        charts={
            language: processed_video_key(owner, video_id, f"motion-{language}.png")
            for language in processed.charts
        },
    )
    with processed.thumbnail.open("rb") as file:
        await storage.put(outputs.thumbnail, file, content_type="image/jpeg")
    with processed.rendition.open("rb") as file:
        await storage.put(outputs.rendition, file, content_type="video/mp4")
    for language, chart in processed.charts.items():
        with chart.open("rb") as file:
            await storage.put(outputs.charts[language], file, content_type="image/png")
    return outputs


async def _finish(
    services: VideoServices, video_id: uuid.UUID, processed: Processed, outputs: _Outputs
) -> bool:
    """Record the results and queue the notices, unless another run finished it first."""
    async with services.uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id, with_for_update=True)
        if video is None or video.status != VideoStatus.PROCESSING:
            return False
        video.status = VideoStatus.ANALYZED
        video.failure_reason = None
        video.thumbnail_url = outputs.thumbnail
        video.processed_url = outputs.rendition
        video.duration = round(processed.duration_s)
        video.analysis_results = {**processed.analysis, "chart_keys": outputs.charts}
        await queue_outcome_notices(tx, video, now=datetime.now(UTC))
        await tx.commit()
    return True


def _owner_of(raw_key: str) -> uuid.UUID:
    # videos/raw/{userId}/{videoId}/name: derived files sit under the same person.
    return uuid.UUID(raw_key.removeprefix(f"{RAW_VIDEOS}/").split("/", 1)[0])
