"""What the benchmarks share: a scratch database, and the emulator in a process of its own.

Imported by the scripts beside it as `_common` (they run as `python benchmarks/<name>.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator

from sqlalchemy.engine import make_url

from bot.migrate import drop_database, ensure_database, upgrade_to_head

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


class EmulatorProcess:
    """`sportscenter emulator` in a child process, so it does not share the bot's CPU core."""

    def __init__(self, *, limits: bool) -> None:
        env = {
            **os.environ,
            "EMULATOR_PORT": "0",
            "EMULATOR_LIMITS": "true" if limits else "false",
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
