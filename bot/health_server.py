"""`/healthz`, `/readyz` and `/metrics` on HEALTH_PORT, in every mode: polling, webhook, worker.

- `/healthz`: the process is alive and its event loop answers (no dependency is asked, so a
  database outage does not get every replica restarted at once).
- `/readyz`: Postgres, Redis and media storage answer and the schema is at the code's Alembic
  head; 503 with what is wrong otherwise (take the process out of rotation, do not restart it).
- `/metrics`: Prometheus' text format (`bot.metrics`), the backlog figures read at scrape time.
Requests are not logged: probes and scrapes every few seconds are no news.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

from bot.health import probe_services
from bot.metrics import VIDEO_QUEUE_DEPTH, outbox_gauges
from bot.migrate import script_heads
from bot.settings import Settings
from bot.wiring import Services

log = logging.getLogger(__name__)


# Prometheus scrapes every 15-60 s; several replicas and a dashboard refresh must not each
# cost a query.
SCRAPE_CACHE_S = 10.0
SCRAPE_TIMEOUT_S = 2.0


class Backlog:
    """The outbox backlog and the video queue's depth, read at scrape time with a short cache."""

    def __init__(self, services: Services, *, outbox: bool = True) -> None:
        self._services = services
        self._outbox = outbox
        if outbox:
            outbox_gauges()
        self._read_at = -SCRAPE_CACHE_S
        self._failing: set[str] = set()
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Read the figures again unless they were read within the last SCRAPE_CACHE_S."""
        async with self._lock:
            if time.monotonic() - self._read_at < SCRAPE_CACHE_S:
                return
            self._read_at = time.monotonic()
            if self._outbox:
                await self._read("outbox backlog", self._read_outbox(), *outbox_gauges())
            await self._read("video queue depth", self._read_queue(), VIDEO_QUEUE_DEPTH)

    async def _read_outbox(self) -> None:
        # Imported here: the worker, which reads no outbox, need not load the notifications.
        from domain.notifications.outbox import outbox_backlog

        now = datetime.now(UTC)
        backlog = await outbox_backlog(self._services.uow, now=now)
        due, oldest_age = outbox_gauges()
        due.set(backlog.due)
        oldest = backlog.oldest_due_at
        oldest_age.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)

    async def _read_queue(self) -> None:
        VIDEO_QUEUE_DEPTH.set(await self._services.video_queue.depth())

    async def _read(self, what: str, reading: Awaitable[None], *gauges: Gauge) -> None:
        try:
            async with asyncio.timeout(SCRAPE_TIMEOUT_S):
                await reading
        # A scrape must answer even with Postgres or Redis down (/readyz says what is wrong);
        # NaN, not the last value read, so a stale figure is never taken for a current one.
        except Exception as err:
            if what not in self._failing:  # once per outage, not once per scrape
                log.warning("metrics: could not read the %s: %r", what, err)
            self._failing.add(what)
            for gauge in gauges:
                gauge.set(float("nan"))
        else:
            self._failing.discard(what)


class HealthPortUnavailable(Exception):
    """HEALTH_PORT cannot be listened on (taken by another process, or not ours to take)."""


def add_health_routes(app: web.Application, services: Services, *, outbox: bool) -> None:
    """Serve /healthz, /readyz and /metrics from `app`; `outbox`: this process sends notices."""
    heads = script_heads()
    backlog = Backlog(services, outbox=outbox)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    said = [""]  # what the last probe found wrong: a change is news, a repeat every 10 s is not

    async def readyz(request: web.Request) -> web.Response:
        problems = await probe_services(services, heads=heads)
        ready = not any(problems.values())
        body = {name: problem or "ok" for name, problem in problems.items()}
        wrong = "; ".join(problem for problem in problems.values() if problem)
        if wrong != said[0]:
            if wrong:
                log.warning("not ready: %s", wrong)
            else:
                log.info("ready again")
            said[0] = wrong
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(request: web.Request) -> web.Response:
        await backlog.refresh()
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


@contextlib.asynccontextmanager
async def health_server(
    settings: Settings, services: Services, *, outbox: bool
) -> AsyncIterator[int]:
    """Inside: the health and metrics server listens; yields its port (HEALTH_PORT=0: any)."""
    app = web.Application()
    add_health_routes(app, services, outbox=outbox)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.health_listen, settings.health_port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise HealthPortUnavailable(
            f"cannot serve health checks on {settings.health_listen}:{settings.health_port} "
            f"(HEALTH_PORT): {err.strerror or err}"
        ) from err
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    log.info("health checks and metrics on port %d: /healthz /readyz /metrics", bound)
    try:
        yield bound
    finally:
        await runner.cleanup()
