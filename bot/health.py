"""Does every service SportsCenter depends on answer? Used by `sportscenter check`."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from bot.settings import Settings
from bot.wiring import Services, build_services
from domain.adapters.cache import REDIS_UNAVAILABLE
from domain.adapters.storage import StorageError, profile_image_key

PROBE_KEY = profile_image_key(uuid.UUID(int=0), "healthcheck")


async def _postgres(services: Services) -> str | None:
    try:
        async with services.engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception as err:  # any failure here is the answer we report
        return f"postgres: {type(err).__name__}: {err}".splitlines()[0]
    return None if version else "postgres: not migrated; run `sportscenter migrate`"


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


async def probe_services(services: Services, *, storage: bool = True) -> dict[str, str | None]:
    """Each dependency's problem, or None where it answers."""
    probes = {"postgres": _postgres, "redis": _redis}
    if storage:
        probes["storage"] = _storage
    return {name: await probe(services) for name, probe in probes.items()}


async def check_services(settings: Settings) -> list[str]:
    """One line per service that does not answer; empty when all is well."""
    services = build_services(settings)
    try:
        results = await probe_services(services)
    finally:
        await services.close()
    return [problem for problem in results.values() if problem]
