"""Does every service SportsCenter depends on answer, and is the schema the code's?

Used by `sportscenter check` and by `/readyz` (`bot.health_server`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Collection

from sqlalchemy import text

from bot.settings import Settings
from bot.wiring import Services, build_services
from domain.adapters.cache import REDIS_UNAVAILABLE
from domain.adapters.storage import StorageError, profile_image_key

PROBE_KEY = profile_image_key(uuid.UUID(int=0), "healthcheck")
# A dependency that has not answered in this long is as good as down for a probe.
PROBE_TIMEOUT_S = 3.0

Probe = Callable[[Services], Awaitable[str | None]]


def _postgres(heads: Collection[str] | None) -> Probe:
    async def probe(services: Services) -> str | None:
        try:
            async with services.engine.connect() as conn:
                version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        except Exception as err:  # any failure here is the answer we report
            return f"postgres: {type(err).__name__}: {err}".splitlines()[0]
        if not version:
            return "postgres: not migrated; run `sportscenter migrate`"
        if heads is not None and version not in heads:
            expected = ", ".join(sorted(heads))
            return f"postgres: schema at {version}, the code needs {expected}; run migrate"
        return None

    return probe


async def _redis(services: Services) -> str | None:
    try:
        await services.redis.ping()
    except REDIS_UNAVAILABLE as err:
        return f"redis: {type(err).__name__}: {err}".splitlines()[0]
    return None


async def _storage(services: Services) -> str | None:
    try:
        await services.storage.exists(PROBE_KEY)
    except (StorageError, OSError) as err:
        return f"storage: {type(err).__name__}: {err}".splitlines()[0]
    return None


async def probe_services(
    services: Services, *, storage: bool = True, heads: Collection[str] | None = None
) -> dict[str, str | None]:
    """Each dependency's problem, or None where it answers; with `heads`, a schema that is not
    at one of those Alembic revisions is a problem too. The probes run at once, each bounded."""
    probes: dict[str, Probe] = {"postgres": _postgres(heads), "redis": _redis}
    if storage:
        probes["storage"] = _storage
    answers = await asyncio.gather(
        *(_within(name, probe, services) for name, probe in probes.items())
    )
    return dict(zip(probes, answers, strict=True))


async def _within(name: str, probe: Probe, services: Services) -> str | None:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            return await probe(services)
    except TimeoutError:
        return f"{name}: no answer within {PROBE_TIMEOUT_S:.0f} s"


async def check_services(settings: Settings) -> list[str]:
    """One line per service that does not answer; empty when all is well."""
    from bot.migrate import script_heads

    services = build_services(settings)
    try:
        results = await probe_services(services, heads=script_heads())
    finally:
        await services.close()
    return [problem for problem in results.values() if problem]
