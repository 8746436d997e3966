"""The video worker `sportscenter run` keeps beside the bot when VIDEO_WORKER=embedded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence

from bot.settings import Settings

log = logging.getLogger(__name__)
WORKER_COMMAND = (sys.executable, "-m", "bot.cli", "worker")
FIRST_RESTART_S = 1.0
MAX_RESTART_S = 60.0
# A worker that ran this long before dying is restarted after the first wait again.
STEADY_S = 60.0


class EmbeddedWorker:
    """One worker child process: restarted whenever it dies, stopped with the bot."""

    def __init__(
        self,
        command: Sequence[str] = WORKER_COMMAND,
        *,
        grace_s: float,
        first_restart_s: float = FIRST_RESTART_S,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._command = tuple(command)
        self._env = dict(env) if env is not None else None
        self._grace_s = grace_s
        self._first_restart_s = first_restart_s
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        """The running child's process id, if one is running."""
        process = self._process
        return process.pid if process is not None and process.returncode is None else None

    async def start(self) -> None:
        """Start the child and keep it running."""
        self._supervisor = asyncio.create_task(self._keep_running())

    async def stop(self) -> None:
        """SIGTERM the child (it finishes its job in hand); SIGKILL it after the grace period."""
        if self._supervisor is None:
            return
        self._supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._supervisor
        self._supervisor = None

    async def _keep_running(self) -> None:
        wait_s = self._first_restart_s
        while True:
            # Its own session: a Ctrl-C in the terminal reaches the bot, which stops the child;
            # the child stopping on its own at the same moment would look like a crash.
            process = await asyncio.create_subprocess_exec(
                *self._command, start_new_session=True, env=self._env
            )
            self._process = process
            started = time.monotonic()
            try:
                code = await process.wait()
            except asyncio.CancelledError:
                await self._end(process)
                raise
            if time.monotonic() - started >= STEADY_S:
                wait_s = self._first_restart_s
            log.error(
                "video worker process %d exited with %s; starting another in %.0f s",
                process.pid,
                code,
                wait_s,
            )
            await asyncio.sleep(wait_s)
            wait_s = min(wait_s * 2, MAX_RESTART_S)

    async def _end(self, process: asyncio.subprocess.Process) -> None:
        if process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), self._grace_s)
        except TimeoutError:
            log.warning("video worker process %d ignored SIGTERM; killing it", process.pid)
            process.kill()
            await process.wait()


@contextlib.asynccontextmanager
async def embedded_worker(settings: Settings, *, grace_s: float) -> AsyncIterator[None]:
    """Inside: a video worker process runs beside the bot, if VIDEO_WORKER=embedded."""
    if settings.video_worker != "embedded":
        yield
        return
    # Its own port for /healthz, /readyz and /metrics: the bot's is taken by the bot.
    env = {**os.environ, "HEALTH_PORT": str(settings.embedded_worker_health_port)}
    worker = EmbeddedWorker(grace_s=grace_s, env=env)
    await worker.start()
    try:
        yield
    finally:
        await worker.stop()
