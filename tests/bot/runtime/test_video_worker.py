"""The video worker on real Redis: attempts, retries, giving up, takeover of dead workers' jobs."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import os
import pickle
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.settings import Settings
from bot.video_worker import GiveUp, JobHandler, VideoWorker, chart_words, run_worker
from bot.worker_process import EmbeddedWorker
from domain.adapters.cache import RedisKeys
from domain.videos.media.chart_words import ChartWords
from domain.videos.media.job import run_pipeline
from domain.videos.queue import Job, VideoQueue
from domain.videos.status import VideoStatusMirror
from tests.conftest import REDIS_URL

ROOT = Path(__file__).parents[3]
CHILD = Path(__file__).with_name("video_worker_child.py")
CLAIM_AFTER_S = 0.3
T = TypeVar("T")


class Recorder:
    """A job handler and give-up that record their calls; `failures` attempts raise first."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts: list[tuple[uuid.UUID, int]] = []
        self.given_up: list[tuple[uuid.UUID, str]] = []

    async def handle(self, video_id: uuid.UUID, attempt: int) -> None:
        self.attempts.append((video_id, attempt))
        if len(self.attempts) <= self.failures:
            raise RuntimeError(f"attempt {attempt} breaks")

    async def give_up(self, video_id: uuid.UUID, reason: str) -> None:
        self.given_up.append((video_id, reason))


class ReportCountingQueue(VideoQueue):
    """The real queue, counting the heartbeats it is sent."""

    reports = 0

    async def heartbeat(self, job: Job, consumer: str) -> bool:
        self.reports += 1
        return await super().heartbeat(job, consumer)


class FlakyReportsQueue(VideoQueue):
    """The real queue whose heartbeats fail while `silent`; their answers are kept after."""

    def __init__(self, redis: aioredis.Redis, keys: RedisKeys, *, claim_after_s: float) -> None:
        super().__init__(redis, keys, claim_after_s=claim_after_s)
        self.silent = True
        self.answers: list[bool] = []

    async def heartbeat(self, job: Job, consumer: str) -> bool:
        if self.silent:
            raise RedisConnectionError("Redis is away")
        self.answers.append(await super().heartbeat(job, consumer))
        return self.answers[-1]


async def eventually(probe: Callable[[], T | Awaitable[T | None] | None], what: str) -> T:
    """Poll `probe` until it gives something other than None or False (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value is not None and value is not False:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


@pytest.fixture
def queue(redis_client: aioredis.Redis, keys: RedisKeys) -> VideoQueue:
    return VideoQueue(redis_client, keys, claim_after_s=CLAIM_AFTER_S)


@pytest.fixture
def mirror(redis_client: aioredis.Redis, keys: RedisKeys) -> VideoStatusMirror:
    return VideoStatusMirror(redis_client, keys)


@pytest.fixture
def make_worker(queue: VideoQueue, mirror: VideoStatusMirror) -> Callable[..., VideoWorker]:
    def make(
        handle: JobHandler,
        give_up: GiveUp,
        *,
        consumer: str = "worker-a",
        on: VideoQueue | None = None,
    ) -> VideoWorker:
        return VideoWorker(
            on or queue,
            mirror,
            handle,
            give_up,
            consumer=consumer,
            heartbeat_s=CLAIM_AFTER_S / 3,
            block_ms=100,
        )

    return make


async def queue_empty(redis: aioredis.Redis, keys: RedisKeys) -> bool:
    pending = await redis.xpending(keys.video_jobs(), "video-workers")
    return pending["pending"] == 0 and await redis.xlen(keys.video_jobs()) == 0


async def test_a_job_is_handled_once_and_acknowledged(
    make_worker: Callable[..., VideoWorker],
    queue: VideoQueue,
    mirror: VideoStatusMirror,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
) -> None:
    jobs = Recorder()
    worker = make_worker(jobs.handle, jobs.give_up)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)

    assert await worker.run_once()

    assert jobs.attempts == [(video_id, 1)]
    assert jobs.given_up == []
    assert await queue_empty(redis_client, keys)
    status = (await mirror.statuses([video_id])).get(video_id)
    assert status is not None and status.attempts == 1
    assert not await worker.run_once()


async def test_a_handler_failing_every_attempt_is_retried_then_given_up_once_as_failed(
    make_worker: Callable[..., VideoWorker],
    queue: VideoQueue,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
) -> None:
    jobs = Recorder(failures=3)
    worker = make_worker(jobs.handle, jobs.give_up)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)

    assert await worker.run_once()
    assert await redis_client.xlen(keys.video_jobs()) == 1  # queued again, not lost
    assert jobs.given_up == []
    assert await worker.run_once()
    assert await worker.run_once()

    assert jobs.attempts == [(video_id, 1), (video_id, 2), (video_id, 3)]
    assert jobs.given_up == [(video_id, "failed")]
    assert await queue_empty(redis_client, keys)
    assert not await worker.run_once()


async def test_a_handler_that_succeeds_on_a_retry_is_not_given_up(
    make_worker: Callable[..., VideoWorker], queue: VideoQueue
) -> None:
    jobs = Recorder(failures=1)
    worker = make_worker(jobs.handle, jobs.give_up)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)

    assert await worker.run_once()
    assert await worker.run_once()

    assert jobs.attempts == [(video_id, 1), (video_id, 2)]
    assert jobs.given_up == []


async def test_a_job_whose_workers_all_died_is_given_up_as_crashed_without_running_it(
    make_worker: Callable[..., VideoWorker],
    queue: VideoQueue,
    mirror: VideoStatusMirror,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
) -> None:
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    await queue.ensure_group()
    for consumer in ("died-1", "died-2", "died-3"):
        # What a worker does before it runs the job, and then it dies (never acknowledges).
        job = await eventually(lambda c=consumer: queue.next_job(c, block_ms=100), "a takeover")
        await mirror.begin_attempt(job.video_id)
    jobs = Recorder()
    worker = make_worker(jobs.handle, jobs.give_up)

    await eventually(worker.run_once, "the fourth delivery")

    assert jobs.attempts == []
    assert jobs.given_up == [(video_id, "crashed")]
    assert await queue_empty(redis_client, keys)


async def test_heartbeats_keep_a_long_job_with_its_worker(
    make_worker: Callable[..., VideoWorker],
    queue: VideoQueue,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def long_job(video_id: uuid.UUID, attempt: int) -> None:
        started.set()
        await release.wait()

    jobs = Recorder()
    reporting = ReportCountingQueue(redis_client, keys, claim_after_s=CLAIM_AFTER_S)
    worker = make_worker(long_job, jobs.give_up, on=reporting)
    await queue.enqueue(uuid.uuid4())
    running = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(started.wait(), 10)

    # Seven reports, a third of the timeout apart: the job has run for over twice the timeout.
    await eventually(lambda: reporting.reports >= 7, "seven heartbeats")
    taken = await queue.next_job("worker-b", block_ms=100)
    release.set()

    assert taken is None
    assert await asyncio.wait_for(running, 10)
    assert await queue_empty(redis_client, keys)


async def test_a_worker_whose_job_was_taken_over_leaves_it_to_the_new_owner(
    make_worker: Callable[..., VideoWorker],
    queue: VideoQueue,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def failing_job(video_id: uuid.UUID, attempt: int) -> None:
        started.set()
        await release.wait()
        raise RuntimeError("too late anyway")

    jobs = Recorder()
    flaky = FlakyReportsQueue(redis_client, keys, claim_after_s=CLAIM_AFTER_S)
    worker = make_worker(failing_job, jobs.give_up, on=flaky)
    await queue.enqueue(uuid.uuid4())
    running = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(started.wait(), 10)
    taken = await eventually(lambda: queue.next_job("worker-b", block_ms=100), "the takeover")

    flaky.silent = False
    await eventually(lambda: bool(flaky.answers), "a heartbeat answered")
    release.set()
    assert await asyncio.wait_for(running, 10)

    assert flaky.answers == [False]
    assert jobs.given_up == []
    [entry] = await redis_client.xpending_range(keys.video_jobs(), "video-workers", "-", "+", 10)
    assert (entry["message_id"].decode(), entry["consumer"]) == (taken.message_id, b"worker-b")
    assert await redis_client.xlen(keys.video_jobs()) == 1  # neither retried nor acknowledged


async def test_stopping_the_worker_lets_the_job_in_hand_finish(
    make_worker: Callable[..., VideoWorker],
    queue: VideoQueue,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
) -> None:
    started, release, stop = asyncio.Event(), asyncio.Event(), asyncio.Event()
    finished: list[uuid.UUID] = []

    async def slow_job(video_id: uuid.UUID, attempt: int) -> None:
        started.set()
        await release.wait()
        finished.append(video_id)

    worker = make_worker(slow_job, Recorder().give_up)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    running = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(started.wait(), 10)

    stop.set()
    release.set()
    await asyncio.wait_for(running, 10)

    assert finished == [video_id]
    assert await queue_empty(redis_client, keys)


async def test_the_worker_keeps_trying_while_redis_is_down(
    dead_redis: aioredis.Redis, keys: RedisKeys
) -> None:
    class CountingQueue(VideoQueue):
        tries = 0

        async def ensure_group(self) -> None:
            self.tries += 1
            await super().ensure_group()

    unreachable = CountingQueue(dead_redis, keys, claim_after_s=CLAIM_AFTER_S)
    jobs = Recorder()
    worker = VideoWorker(
        unreachable,
        VideoStatusMirror(dead_redis, keys),
        jobs.handle,
        jobs.give_up,
        consumer="worker-a",
        heartbeat_s=0.1,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))

    await eventually(lambda: unreachable.tries >= 2 or running.done(), "a second try")
    stop.set()
    await asyncio.wait_for(running, 10)  # returns (no exception) once stopped

    assert unreachable.tries >= 2


async def test_a_late_redis_answer_is_an_empty_poll_and_redis_down_one_line_not_a_traceback(
    redis_client: aioredis.Redis, dead_redis: aioredis.Redis, keys: RedisKeys, caplog
) -> None:
    class SlowQueue(VideoQueue):
        polls = 0

        async def next_job(self, consumer: str, *, block_ms: int) -> Job | None:
            self.polls += 1
            await asyncio.sleep(block_ms / 1000)  # the blocking read's wait, then no answer
            raise RedisTimeoutError("Timeout reading from 127.0.0.1:6379")

    for queue in (
        SlowQueue(redis_client, keys, claim_after_s=CLAIM_AFTER_S),
        VideoQueue(dead_redis, keys, claim_after_s=CLAIM_AFTER_S),
    ):
        jobs = Recorder()
        worker = VideoWorker(
            queue, VideoStatusMirror(redis_client, keys), jobs.handle, jobs.give_up,
            consumer="worker-a", heartbeat_s=0.1,
        )  # fmt: skip
        stop = asyncio.Event()
        with caplog.at_level(logging.DEBUG, logger="bot.video_worker"):
            running = asyncio.create_task(worker.run(stop))
            if isinstance(queue, SlowQueue):
                await eventually(lambda q=queue: q.polls >= 3 or None, "three late answers")
            else:
                await eventually(
                    lambda: any("Redis unavailable" in r.message for r in caplog.records) or None,
                    "the line about Redis being down",
                )
            stop.set()
            await asyncio.wait_for(running, 10)

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_job_whose_worker_was_killed_mid_job_is_completed_by_another(
    make_worker: Callable[..., VideoWorker],
    mirror: VideoStatusMirror,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    key_prefix: str,
    tmp_path: Path,
) -> None:
    rescue_queue = VideoQueue(redis_client, keys, claim_after_s=1.0)
    await rescue_queue.ensure_group()
    video_id = uuid.uuid4()
    await rescue_queue.enqueue(video_id)
    marker = tmp_path / "started"
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), REDIS_URL, key_prefix, str(marker), "0.3", cwd=ROOT
    )
    try:
        # An empty file is the child between creating the marker and writing it: not yet.
        await eventually(lambda: (marker.exists() and marker.read_text()) or None, "the job")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        await child.wait()
    assert marker.read_text() == f"{video_id} 1"

    jobs = Recorder()
    rescuer = make_worker(jobs.handle, jobs.give_up, consumer="rescuer", on=rescue_queue)
    await eventually(rescuer.run_once, "the takeover")

    assert jobs.attempts == [(video_id, 2)]
    assert jobs.given_up == []
    status = (await mirror.statuses([video_id])).get(video_id)
    assert status is not None and status.attempts == 2
    assert await queue_empty(redis_client, keys)


async def test_run_worker_runs_jobs_with_the_handler_it_is_given_until_stopped(
    queue: VideoQueue, key_prefix: str
) -> None:
    handled = asyncio.Event()
    jobs = Recorder()

    async def handle(video_id: uuid.UUID, attempt: int) -> None:
        await jobs.handle(video_id, attempt)
        handled.set()

    settings = Settings(
        redis_url=REDIS_URL, redis_key_prefix=key_prefix, video_job_timeout_s=1, health_port=0
    )
    stop = asyncio.Event()
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    running = asyncio.create_task(
        run_worker(settings, stop=stop, handler_factory=lambda _: (handle, jobs.give_up))
    )

    await asyncio.wait_for(handled.wait(), 10)
    stop.set()
    await asyncio.wait_for(running, 10)

    assert jobs.attempts == [(video_id, 1)]


def real_handler_missing() -> str | None:
    """Why the real job handler (domain.videos.processing) cannot be imported, if it cannot."""
    try:
        importlib.import_module("domain.videos.processing")
    except ImportError as err:
        return f"the real video job handler does not import yet: {err}"
    return None


@pytest.mark.skipif(real_handler_missing() is not None, reason=str(real_handler_missing()))
async def test_the_worker_command_starts_and_stops_cleanly_on_sigterm(
    database_url: str, key_prefix: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": key_prefix,
        "MEDIA_DIR": str(tmp_path / "media"),
        "STORAGE_BACKEND": "local",
        "HEALTH_PORT": "0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "worker",
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        async with asyncio.timeout(30):
            while b"waiting for jobs" not in (line := await process.stderr.readline()):
                assert line, "sportscenter worker exited before waiting for jobs"
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0  # SIGTERM is a clean shutdown


async def test_the_embedded_worker_process_is_restarted_when_it_dies() -> None:
    worker = EmbeddedWorker(
        (sys.executable, "-c", "import time; time.sleep(60)"), grace_s=10, first_restart_s=0.01
    )
    await worker.start()
    try:
        first = await eventually(lambda: worker.pid, "the first process")
        os.kill(first, signal.SIGKILL)
        second = await eventually(lambda: worker.pid not in (None, first) and worker.pid, "another")
    finally:
        await worker.stop()

    assert worker.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)


async def test_an_embedded_worker_ignoring_sigterm_is_killed_after_the_grace_period(
    tmp_path: Path,
) -> None:
    ready = tmp_path / "ready"
    stubborn = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "open(sys.argv[1], 'w').close(); time.sleep(60)"
    )
    worker = EmbeddedWorker((sys.executable, "-c", stubborn, str(ready)), grace_s=0.2)
    await worker.start()
    try:
        pid = await eventually(lambda: ready.exists() and worker.pid, "the stubborn process")
    finally:
        await worker.stop()

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# What a video's own process does before its job runs (see domain.videos.processing): the
# forkserver has the pipeline loaded; multiprocessing re-runs the command's module as
# `__mp_main__`, then unpickles the job. Whatever that loads beyond the pipeline, every video pays.
JOB_PROCESS = """
import pickle, runpy, sys
import domain.videos.media.pipeline
loaded = set(sys.modules)
runpy.run_module("bot.cli", run_name="__mp_main__")
pickle.loads(sys.stdin.buffer.read())
print(" ".join(sorted({name.split(".")[0] for name in set(sys.modules) - loaded})))
"""
CLIENTS_AND_SETTINGS = {"asyncpg", "boto3", "botocore", "pydantic", "redis", "sqlalchemy"}


def test_a_videos_own_process_loads_no_database_redis_storage_or_settings_code(
    tmp_path: Path,
) -> None:
    job = partial(
        run_pipeline,
        tmp_path / "raw.mp4",
        tmp_path / "out",
        max_duration_s=600,
        chart_words={"en": ChartWords("seconds", "How much they moved")},
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    loaded = subprocess.run(
        [sys.executable, "-c", JOB_PROCESS],
        input=pickle.dumps(job),
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=env,
    ).stdout.decode()

    assert not CLIENTS_AND_SETTINGS & set(loaded.split()), loaded


def test_the_chart_has_words_in_each_readers_catalogue_language_and_none_for_nobody() -> None:
    words = chart_words(["es-MX", None, "en-GB", "de", "es"])

    assert words == {
        "en": ChartWords("seconds", "How much they moved"),
        "es": ChartWords("segundos", "Cuánto se movió"),
    }
    assert chart_words([]) == {}  # nobody on Telegram to show it to: no chart is drawn
