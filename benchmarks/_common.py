"""What the benchmarks share: a scratch database, the bot's services on it, timing and
percentiles, and the emulator in a process of its own.

Imported by the scripts beside it as `_common` (they run as `python benchmarks/<name>.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.migrate import drop_database, ensure_database, upgrade_to_head
from bot.settings import Settings, load_settings
from bot.tuning import tune_gc
from bot.wiring import Services, build_services

Figures = dict[str, float | int]

SERVER_URL = os.environ.get(
    "BENCH_DATABASE_SERVER_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """The URL of a new, migrated database, dropped when the block ends."""
    url = (
        make_url(SERVER_URL)
        .set(database=f"sportscenter_bench_{uuid.uuid4().hex[:8]}")
        .render_as_string(hide_password=False)
    )
    asyncio.run(ensure_database(url))
    try:
        upgrade_to_head(url)
        yield url
    finally:
        asyncio.run(drop_database(url))


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as plain asyncpg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank q-quantile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def p50_p95(values: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, rounded to the thousandth."""
    return round(statistics.median(values), 3), round(percentile(values, 0.95), 3)


async def rate(worker: Callable[[int], Awaitable[None]], tasks: int, done: int) -> float:
    """`done` units of work per second, with `tasks` workers (0, 1, ...) running at once."""
    began = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(tasks)))
    return done / (time.perf_counter() - began)


@contextlib.asynccontextmanager
async def bot_services(
    url: str, prefix: str, **env: str
) -> AsyncIterator[tuple[Settings, Services]]:
    """The bot's settings and services on this database; their Redis keys go when it ends."""
    os.environ.update(DATABASE_URL=url, REDIS_KEY_PREFIX=prefix, LOG_LEVEL="WARNING", **env)
    settings = load_settings()
    services = build_services(settings)
    try:
        yield settings, services
    finally:
        async for key in services.redis.scan_iter(match=f"{prefix}*"):
            await services.redis.delete(key)
        await services.close()


def run_benchmark(
    run: Callable[[argparse.Namespace, str, str], Awaitable[Figures]], args: argparse.Namespace
) -> None:
    """Run a benchmark on a scratch database and print its figures as one JSON line."""
    tune_gc()  # as `sportscenter run` does: the runtime measured is the one we ship
    random.seed(7)
    with scratch_database() as url:
        figures = asyncio.run(run(args, url, f"bench{uuid.uuid4().hex[:8]}:"))
    print(json.dumps(figures))


class EmulatorProcess:
    """`sportscenter emulator` in a child process, so it does not share the bot's CPU core."""

    def __init__(self, *, limits: bool) -> None:
        # A state file of its own, gone when it stops: the default one (var/) keeps every
        # person and message of every earlier run, and the emulator rewrites it as it works,
        # so each run was slower than the one before (the state, not the bot, was measured).
        self._state_dir = tempfile.TemporaryDirectory(prefix="bench-emulator-")
        env = {
            **os.environ,
            "EMULATOR_PORT": "0",
            "EMULATOR_LIMITS": "true" if limits else "false",
            "EMULATOR_STATE_FILE": str(Path(self._state_dir.name) / "state.json"),
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "emulator"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self.token = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if m := re.search(r"web chat: (http://\S+)/", line):
                self.url = m[1]
            if m := re.search(r"Bot token for this emulator: (\S+)", line):
                self.token = m[1]
            if self.url and self.token:
                break

    def stop(self) -> None:
        """End the process (and wait a little for it)."""
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self._state_dir.cleanup()
