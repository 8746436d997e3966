"""The video worker on the task engine (Dramatiq) and real Redis: attempts, retries, giving up,
and a dead worker's job run by another."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import os
import pickle
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest
import redis.asyncio as aioredis
from dramatiq import Message
from prometheus_client import REGISTRY

from bot.settings import Settings
from bot.video_worker import GiveUp, JobHandler, VideoJobs, chart_words, engine_worker, run_worker
from bot.worker_process import EmbeddedWorker
from domain.adapters.cache import RedisKeys
from domain.videos.media.chart_words import ChartWords
from domain.videos.media.job import run_pipeline
from domain.videos.queue import ACTOR_NAME, QUEUE_NAME, VideoQueue, video_broker
from domain.videos.status import VideoStatusMirror
from tests.conftest import REDIS_URL

ROOT = Path(__file__).parents[3]
CHILD = Path(__file__).with_name("video_worker_child.py")
TIMEOUT_S = 1.0
MESSAGES = (f"{QUEUE_NAME}.msgs", f"{QUEUE_NAME}.DQ.msgs")
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
def queue(video_broker) -> VideoQueue:
    return VideoQueue(video_broker)


@pytest.fixture
def mirror(redis_client: aioredis.Redis, keys: RedisKeys) -> VideoStatusMirror:
    return VideoStatusMirror(redis_client, keys)


@pytest.fixture
def worker(
    keys: RedisKeys, mirror: VideoStatusMirror
) -> Callable[..., contextlib.AbstractAsyncContextManager[None]]:
    """A worker of the engine in this process, with a broker (and so heartbeats) of its own."""

    @contextlib.asynccontextmanager
    async def run(handle: JobHandler, give_up: GiveUp) -> AsyncIterator[None]:
        broker = video_broker(REDIS_URL, keys, heartbeat_timeout_s=TIMEOUT_S)
        try:
            async with engine_worker(broker, VideoJobs(mirror, handle, give_up)):
                yield
        finally:
            broker.client.close()

    return run


async def queue_empty(redis: aioredis.Redis, keys: RedisKeys) -> bool:
    """No job waiting, in hand or due a retry."""
    waiting = [await redis.hlen(f"{keys.task_engine()}:{name}") for name in MESSAGES]
    return waiting == [0, 0]


OUTCOMES = ("done", "failed", "given_up", "crashed")


def job_counts() -> dict[str, tuple[float, float]]:
    """sportscenter_video_jobs_total and the attempts timed, by outcome, in this process."""
    return {
        outcome: (
            REGISTRY.get_sample_value("sportscenter_video_jobs_total", {"outcome": outcome}) or 0,
            REGISTRY.get_sample_value("sportscenter_video_job_seconds_count", {"outcome": outcome})
            or 0,
        )
        for outcome in OUTCOMES
    }


def counted_since(before: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    after = job_counts()
    return {
        outcome: (after[outcome][0] - before[outcome][0], after[outcome][1] - before[outcome][1])
        for outcome in OUTCOMES
        if after[outcome] != before[outcome]
    }


async def test_a_job_is_run_once_and_acknowledged(
    worker, queue: VideoQueue, mirror: VideoStatusMirror, redis_client: aioredis.Redis, keys
) -> None:
    jobs = Recorder()
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    before = job_counts()

    async with worker(jobs.handle, jobs.give_up):
        await eventually(lambda: queue_empty(redis_client, keys), "the job done")

    assert counted_since(before) == {"done": (1, 1)}  # counted and timed
    assert jobs.attempts == [(video_id, 1)]
    assert jobs.given_up == []
    status = (await mirror.statuses([video_id])).get(video_id)
    assert status is not None and status.attempts == 1


async def test_a_handler_failing_every_attempt_is_retried_then_given_up_once_as_failed(
    worker, queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    jobs = Recorder(failures=3)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    before = job_counts()

    async with worker(jobs.handle, jobs.give_up):
        await eventually(lambda: jobs.given_up, "giving up")
        await eventually(lambda: queue_empty(redis_client, keys), "the job done with")

    assert counted_since(before) == {"failed": (2, 2), "given_up": (1, 1)}
    assert jobs.attempts == [(video_id, 1), (video_id, 2), (video_id, 3)]
    assert jobs.given_up == [(video_id, "failed")]


async def test_a_handler_that_succeeds_on_a_retry_is_not_given_up(
    worker, queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    jobs = Recorder(failures=1)
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)

    async with worker(jobs.handle, jobs.give_up):
        await eventually(lambda: len(jobs.attempts) == 2, "the retry")
        await eventually(lambda: queue_empty(redis_client, keys), "the job done")

    assert jobs.attempts == [(video_id, 1), (video_id, 2)]
    assert jobs.given_up == []


async def test_a_job_whose_workers_all_died_is_given_up_as_crashed_without_running_it(
    worker, queue: VideoQueue, mirror: VideoStatusMirror, redis_client: aioredis.Redis, keys
) -> None:
    video_id = uuid.uuid4()
    for _ in range(3):
        # What a worker does before it runs the job; then it died, never acknowledging it.
        await mirror.begin_attempt(video_id)
    await queue.enqueue(video_id)  # the job handed out a fourth time
    jobs = Recorder()
    before = job_counts()

    async with worker(jobs.handle, jobs.give_up):
        await eventually(lambda: jobs.given_up, "giving up")
        await eventually(lambda: queue_empty(redis_client, keys), "the job done with")

    assert counted_since(before) == {"crashed": (1, 0)}  # nothing ran, so nothing timed
    assert jobs.attempts == []
    assert jobs.given_up == [(video_id, "crashed")]


async def test_a_malformed_job_is_dropped_and_the_next_one_run(
    worker, video_broker, queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    await asyncio.to_thread(
        video_broker.enqueue,
        Message(queue_name=QUEUE_NAME, actor_name=ACTOR_NAME, args=("x",), kwargs={}, options={}),
    )
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    jobs = Recorder()

    async with worker(jobs.handle, jobs.give_up):
        await eventually(lambda: queue_empty(redis_client, keys), "both jobs done with")

    assert jobs.attempts == [(video_id, 1)] and jobs.given_up == []


async def test_a_long_job_stays_with_its_live_worker_while_others_look_for_dead_ones(
    worker, queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def long_job(video_id: uuid.UUID, attempt: int) -> None:
        started.set()
        await release.wait()

    rival = Recorder()
    await queue.enqueue(uuid.uuid4())
    async with worker(long_job, Recorder().give_up):
        await asyncio.wait_for(started.wait(), 10)
        async with worker(rival.handle, rival.give_up):
            # Three timeouts long, while an idle worker polls, looking for dead workers' jobs.
            await asyncio.sleep(3 * TIMEOUT_S)
        release.set()
        await eventually(lambda: queue_empty(redis_client, keys), "the job done")

    assert rival.attempts == []


async def test_stopping_the_worker_lets_the_job_in_hand_finish(
    worker, queue: VideoQueue, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[uuid.UUID] = []

    async def slow_job(video_id: uuid.UUID, attempt: int) -> None:
        started.set()
        await release.wait()
        finished.append(video_id)

    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    running = worker(slow_job, Recorder().give_up)
    await running.__aenter__()
    await asyncio.wait_for(started.wait(), 10)

    stopping = asyncio.create_task(running.__aexit__(None, None, None))
    await asyncio.sleep(0.2)
    assert not stopping.done()  # waits for the job in hand
    release.set()
    await asyncio.wait_for(stopping, 10)

    assert finished == [video_id]
    assert await queue_empty(redis_client, keys)


async def test_a_job_whose_worker_was_killed_mid_job_is_run_by_another(
    worker, queue: VideoQueue, mirror: VideoStatusMirror, redis_client, keys, key_prefix: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    video_id = uuid.uuid4()
    await queue.enqueue(video_id)
    marker = tmp_path / "started"
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), REDIS_URL, key_prefix, str(marker), str(TIMEOUT_S), cwd=ROOT
    )
    try:
        # An empty file is the child between creating the marker and writing it: not yet.
        await eventually(lambda: (marker.exists() and marker.read_text()) or None, "the job")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        await child.wait()
    assert marker.read_text() == f"{video_id} 1"

    jobs = Recorder()
    async with worker(jobs.handle, jobs.give_up):
        await eventually(lambda: jobs.attempts, "another worker to run it")
        await eventually(lambda: queue_empty(redis_client, keys), "the job done")

    assert jobs.attempts == [(video_id, 2)]
    assert jobs.given_up == []
    status = (await mirror.statuses([video_id])).get(video_id)
    assert status is not None and status.attempts == 2


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
