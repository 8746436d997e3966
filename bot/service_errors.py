"""Start-up failures an operator fixes outside the code: a service down, a database missing.

They deserve one line naming the service and where it was looked for, not a traceback of the
driver's internals; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

from asyncpg.exceptions import InvalidCatalogNameError
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.settings import Settings

_CONNECTION_FAILURES = (ConnectionRefusedError, TimeoutError, socket.gaierror, OSError)


def describe_unreachable(err: BaseException, settings: Settings) -> str | None:
    """The line for `err` if it means Postgres or Redis cannot be used; else None."""
    chain = list(_causes(err))
    postgres, redis = _where(settings.database_url), _where(settings.redis_url)
    if any(isinstance(e, InvalidCatalogNameError) for e in chain) or any(
        "does not exist" in str(e) and "database" in str(e) for e in chain
    ):
        database = urlsplit(settings.database_url).path.lstrip("/")
        return f'database "{database}" does not exist on {postgres}: run `sportscenter migrate`'
    if any(isinstance(e, RedisConnectionError) for e in chain):
        return f"cannot reach Redis at {redis} (REDIS_URL): {_reason(chain)}"
    if any(isinstance(e, _CONNECTION_FAILURES) for e in chain) and _from_postgres(chain):
        return f"cannot reach PostgreSQL at {postgres} (DATABASE_URL): {_reason(chain)}"
    return None


def _causes(err: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _from_postgres(chain: list[BaseException]) -> bool:
    modules = {type(e).__module__.split(".")[0] for e in chain}
    # asyncpg raises plain OSErrors from its connect; SQLAlchemy wraps them.
    return bool(modules & {"sqlalchemy", "asyncpg"}) or _raised_in(chain, ("asyncpg", "sqlalchemy"))


def _raised_in(chain: list[BaseException], packages: tuple[str, ...]) -> bool:
    for e in chain:
        tb = e.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_globals.get("__name__", "")
            if name.split(".")[0] in packages:
                return True
            tb = tb.tb_next
    return False


def _reason(chain: list[BaseException]) -> str:
    for e in chain:
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, socket.gaierror):
            return "unknown host"
        if isinstance(e, TimeoutError):
            return "timed out"
    return str(chain[-1]).splitlines()[0] if chain else "unreachable"


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or ''}".rstrip(":")
