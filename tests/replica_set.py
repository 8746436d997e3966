"""Bot replicas as real `sportscenter run` processes behind a round-robin proxy, for the
replicas test and `benchmarks/replicas.py`.

The proxy stands for a deployment's load balancer (nginx or any other). It is a few lines of
aiohttp rather than nginx itself: nginx is not on every developer machine or CI runner, and
here it must send each request to the next replica in turn, strictly, so that one person's
consecutive updates land on different processes, the hardest case for shared state; it also
counts what each replica answered. Like nginx's
`proxy_next_upstream error`, a request a replica refuses to connect for goes to the next one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

WEBHOOK_SECRET = "replicas-test-secret"
# The key the tests' services use (tests/conftest.py), so the start-up key check passes on the
# tests' database.
TEST_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"s" * 32).decode()
START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RoundRobinProxy:
    """Forwards each POST to the next backend in turn; counts what each one answered."""

    backends: list[str]
    port: int = field(default_factory=free_port)
    answered: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._next = itertools.cycle(self.backends)
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() in ("content-type", "x-telegram-bot-api-secret-token")
        }
        for _ in self.backends:
            backend = next(self._next)
            try:
                async with self._session.post(
                    backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    content = await answer.read()
            except aiohttp.ClientConnectionError:
                continue  # not listening (starting, stopped): the next one
            self.answered[backend] += 1
            return web.Response(status=answer.status, body=content)
        return web.Response(status=502, text="no replica answered")


@dataclass
class ReplicaSet:
    """The running replicas and the proxy in front of them."""

    proxy: RoundRobinProxy
    processes: list[asyncio.subprocess.Process]


def replica_env(
    *,
    api_url: str,
    token: str,
    database_url: str,
    key_prefix: str,
    webhook_url: str,
    port: int,
    media_dir: Path,
) -> dict[str, str]:
    """The environment of one replica: the emulator as Telegram, webhook mode on `port`."""
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": database_url,
        "REDIS_KEY_PREFIX": key_prefix,
        "DATA_ENCRYPTION_KEY": os.environ.get("REPLICAS_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
        "WEBHOOK_URL": f"{webhook_url}/telegram",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        # The webhook server answers the probes itself on its own port, one port per replica.
        "HEALTH_PORT": str(port),
        "VIDEO_WORKER": "separate",
        "STORAGE_BACKEND": "local",
        "MEDIA_DIR": str(media_dir),
        "OUTGOING_RATE_LIMIT": "off",
        "LOG_LEVEL": os.environ.get("REPLICAS_LOG_LEVEL", "WARNING"),
    }


@contextlib.asynccontextmanager
async def bot_replicas(
    count: int,
    *,
    api_url: str,
    token: str,
    database_url: str,
    key_prefix: str,
    workdir: Path,
) -> AsyncIterator[ReplicaSet]:
    """`count` replicas of `sportscenter run` behind a round-robin proxy, each answering its
    /healthz; stopped with SIGTERM (and checked to exit cleanly) when the block ends."""
    ports = [free_port() for _ in range(count)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
    await proxy.start()
    processes: list[asyncio.subprocess.Process] = []
    try:
        for port in ports:
            env = replica_env(
                api_url=api_url,
                token=token,
                database_url=database_url,
                key_prefix=key_prefix,
                webhook_url=proxy.url,
                port=port,
                media_dir=workdir / "media",
            )
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot.cli", "run", env=env, cwd=workdir
                )
            )
        await _wait_until_healthy(processes, ports)
        yield ReplicaSet(proxy, processes)
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        codes = [await asyncio.wait_for(p.wait(), 40) for p in processes]
        await proxy.stop()
    assert codes == [0] * count, f"replicas exited with {codes}"


async def _wait_until_healthy(processes: list[asyncio.subprocess.Process], ports: list[int]):
    async with aiohttp.ClientSession() as http, asyncio.timeout(START_TIMEOUT_S):
        for process, port in zip(processes, ports, strict=True):
            while True:
                assert process.returncode is None, f"replica on {port} exited at start"
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                        if answer.status == 200:
                            break
                await asyncio.sleep(0.1)
