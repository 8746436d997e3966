"""`sportscenter run` (polling) and `sportscenter worker` as an operator runs them: /healthz,
/readyz and /metrics answer on HEALTH_PORT, and with LOG_FORMAT=json every line on stderr is
one JSON object, with no personal data in it."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runner import BOT_NAME
from domain.adapters.cache import RedisKeys, connect_redis
from domain.uow import UnitOfWork
from domain.videos.queue import VideoQueue, video_broker
from telegram_emulator import Emulator
from tests.conftest import DEAD_REDIS_URL, REDIS_URL

# The key the test services encrypt with, so the bot's start-up key check agrees with them.
TEST_KEY = base64.urlsafe_b64encode(b"s" * 32).decode()
START = {"handler": "people.onboarding.begin", "outcome": "ok"}
PORT_LINE = re.compile(r"health checks and metrics on port (\d+)")


class Process:
    """A `sportscenter` child process whose stderr is kept, line by line, as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._new_line = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode().rstrip("\n"))
            self._new_line.set()
        self._new_line.set()

    async def health_port(self) -> int:
        """The port the process said its health server listens on."""
        async with asyncio.timeout(60):
            while True:
                for line in self.lines:
                    if match := PORT_LINE.search(line):
                        return int(match[1])
                assert self.process.returncode is None, "\n".join(self.lines[-20:])
                self._new_line.clear()
                await self._new_line.wait()

    async def stop(self) -> int:
        """SIGTERM, wait for the exit and the last lines; the exit status."""
        if self.process.returncode is None:
            self.process.terminate()
        code = await asyncio.wait_for(self.process.wait(), 40)
        await asyncio.wait_for(self._reader, 10)
        return code


@asynccontextmanager
async def sportscenter(command: str, tmp_path: Path, **env: str) -> AsyncIterator[Process]:
    settings = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATA_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", command,
        env={**settings, "HEALTH_PORT": "0", "MEDIA_DIR": str(tmp_path / "media"),
             "LOG_FORMAT": "json", **env},
        cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    running = Process(process)
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


def sample(metrics: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus' text format, or None if it is not there."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in metrics.splitlines():
        head, _, value = line.rpartition(" ")
        if head == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    return None


async def scraped(port: int, name: str, **labels: str) -> str:
    """/metrics once the sample is there (waiting up to 30 s)."""
    async with asyncio.timeout(30):
        while True:
            status, metrics = await get(port, "/metrics")
            assert status == 200
            if sample(metrics, name, **labels) is not None:
                return metrics
            await asyncio.sleep(0.1)


def json_lines(lines: list[str]) -> list[dict[str, Any]]:
    """Every line parsed; fails naming the first line that is not one JSON object."""
    parsed = []
    for line in lines:
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON log line: {line!r}")
        assert isinstance(value, dict), line
        assert {"time", "level", "logger", "message"} <= value.keys(), line
        parsed.append(value)
    return parsed


async def test_polling_bot_serves_health_and_metrics_and_logs_json_without_names(
    database_url: str, key_prefix: str, uow: UnitOfWork, tmp_path: Path
) -> None:
    async with (
        Emulator(limits=False, bot_name=BOT_NAME) as emulator,
        sportscenter(
            "run", tmp_path,
            DATABASE_URL=database_url, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=key_prefix,
            TELEGRAM_BOT_TOKEN=emulator.token, TELEGRAM_API_URL=emulator.url,
            DATA_ENCRYPTION_KEY=TEST_KEY, VIDEO_WORKER="separate", LOG_LEVEL="DEBUG",
        ) as bot,
    ):  # fmt: skip
        port = await bot.health_port()
        assert await get(port, "/healthz") == (200, '{"status": "alive"}')
        status, ready = await get(port, "/readyz")
        assert (status, json.loads(ready)) == (
            200,
            {"postgres": "ok", "redis": "ok", "storage": "ok"},
        )
        zoe = emulator.user("Zoeline", last_name="Quintanar")
        await zoe.send("/start")
        await zoe.expect_reply(contains="SportsCenter", timeout=20)
        # The reply goes out before the update is done (its state saved, then counted).
        metrics = await scraped(port, "sportscenter_updates_total", **START)
        assert await bot.stop() == 0

    assert sample(metrics, "sportscenter_updates_total", **START) == 1.0
    assert sample(metrics, "sportscenter_update_seconds_count", handler=START["handler"]) == 1.0
    assert sample(metrics, "sportscenter_bot_api_calls_total", method="sendMessage", result="ok")
    assert sample(metrics, "sportscenter_outbox_backlog") == 0.0
    assert sample(metrics, "sportscenter_video_queue_depth") == 0.0
    assert str(zoe.id) not in metrics  # no label carries a user id

    logs = json_lines(bot.lines)
    handled = [line for line in logs if line["message"] == "update handled"]
    assert handled, "no line closed the update"
    assert handled[0]["handler"] == "people.onboarding.begin"
    assert handled[0]["update_id"] >= 1 and handled[0]["duration_ms"] > 0
    assert re.fullmatch(r"[0-9a-f]{12}", handled[0]["user"])
    text = "\n".join(bot.lines)
    assert "Zoeline" not in text and "Quintanar" not in text
    assert f'"{zoe.id}"' not in text and f" {zoe.id}" not in text


async def test_worker_serves_health_and_counts_its_jobs(
    database_url: str, key_prefix: str, tmp_path: Path
) -> None:
    redis = connect_redis(REDIS_URL)
    broker = video_broker(REDIS_URL, RedisKeys(key_prefix), heartbeat_timeout_s=60)
    try:
        await VideoQueue(broker).enqueue(uuid.uuid4())  # no such video: a job done at once
        async with sportscenter(
            "worker", tmp_path,
            DATABASE_URL=database_url, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=key_prefix,
        ) as worker:  # fmt: skip
            port = await worker.health_port()
            assert (await get(port, "/healthz"))[0] == 200
            status, ready = await get(port, "/readyz")
            assert status == 200, ready
            metrics = await scraped(port, "sportscenter_video_jobs_total", outcome="done")
            assert await worker.stop() == 0
    finally:
        async for key in redis.scan_iter(match=f"{key_prefix}*"):
            await redis.delete(key)
        await redis.aclose()
        broker.client.close()
    assert sample(metrics, "sportscenter_video_job_seconds_count", outcome="done") == 1.0
    # A worker reads no outbox: that figure is the bot's.
    assert sample(metrics, "sportscenter_outbox_backlog") is None
    json_lines(worker.lines)


async def test_worker_without_redis_is_alive_but_not_ready(
    database_url: str, key_prefix: str, tmp_path: Path
) -> None:
    async with sportscenter(
        "worker", tmp_path, DATABASE_URL=database_url, REDIS_URL=DEAD_REDIS_URL,
        REDIS_KEY_PREFIX=key_prefix,
    ) as worker:  # fmt: skip
        port = await worker.health_port()
        assert (await get(port, "/healthz"))[0] == 200
        status, ready = await get(port, "/readyz")
        metrics_status, metrics = await get(port, "/metrics")
        assert await worker.stop() == 0
    assert status == 503
    problems = json.loads(ready)
    assert problems["postgres"] == "ok" and problems["storage"] == "ok"
    assert problems["redis"].startswith("redis: ")
    # Scrapes still answer; what cannot be read is NaN, not a stale figure.
    assert metrics_status == 200
    assert "sportscenter_video_queue_depth NaN" in metrics
    json_lines(worker.lines)


# A video is processed in a process of its own (domain.videos.processing), which starts with no
# logging set up; the worker hands it its own.
VIDEO_PROCESS_LOGS = """
import asyncio, logging
from functools import partial
from bot.logs import configure_logging
from domain.videos.processing import _in_own_process

setup = partial(configure_logging, "INFO", fmt="json", user_key=b"k")
setup()
logging.getLogger("sportscenter").warning("before the video")
job = partial(logging.getLogger("domain.videos.media.pose").warning, "pose estimation failed")
asyncio.run(_in_own_process(job, setup))
"""


async def test_a_videos_own_process_logs_json_lines_too(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", VIDEO_PROCESS_LOGS,
        cwd=Path(__file__).parents[2], stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    logs = json_lines(stderr.decode().splitlines())
    assert [line["message"] for line in logs] == ["before the video", "pose estimation failed"]
