"""`/healthz`, `/readyz` and `/metrics` on HEALTH_PORT, in every mode: polling, webhook, worker.

- `/healthz`: the process is alive and its event loop answers (no dependency is asked, so a
  database outage does not get every replica restarted at once).
- `/readyz`: Postgres, Redis and media storage answer and the schema is at the code's Alembic
  head; 503 with what is wrong otherwise (take the process out of rotation, do not restart it).
- `/metrics`: Prometheus' text format (`bot.metrics`), the backlog figures read at scrape time.
Requests are not logged: probes and scrapes every few seconds are no news.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from bot.health import probe_services
from bot.metrics import Backlog
from bot.migrate import script_heads
from bot.settings import Settings
from bot.wiring import Services

log = logging.getLogger(__name__)


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
