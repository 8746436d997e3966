"""Bring a database to the current schema: create it if missing, upgrade, add partitions."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

import migrations
from domain.adapters.db import create_engine, create_session_factory
from domain.metrics import partitions
from domain.models import METRICS_TABLE
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork

log = logging.getLogger(__name__)

# Monthly partitions are created at run time, not declared as models.
RUNTIME_PARTITION = re.compile(rf"^{METRICS_TABLE}_(y\d{{4}}m\d{{2}}|default)$")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave run-time partitions (and their indexes) out of autogenerate."""
    if type_ == "table" and name and RUNTIME_PARTITION.match(name):
        return False
    table = getattr(obj, "table", None)
    return not (table is not None and RUNTIME_PARTITION.match(getattr(table, "name", "")))


def alembic_config(database_url: str, secrets: SecretBox | None = None) -> Config:
    """An Alembic config that needs no alembic.ini (works from an installed wheel too);
    `secrets` is for revisions that encrypt stored values (the key is not in the database)."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    # ConfigParser treats % as interpolation; URL-encoded passwords contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    config.attributes["secret_box"] = secrets
    return config


async def ensure_database(database_url: str) -> bool:
    """Create the target database if it does not exist; True if it was created."""
    url = make_url(database_url)
    server = url.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", url.database)
        if exists:
            return False
        await conn.execute(f'CREATE DATABASE "{url.database}"')
        log.info("created database %s", url.database)
        return True
    finally:
        await conn.close()


async def drop_database(database_url: str) -> None:
    """Drop a database, disconnecting its sessions (scratch databases of tests and benchmarks)."""
    url = make_url(database_url)
    server = url.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await conn.close()


async def ensure_metric_partitions(database_url: str, months_ahead: int = 3) -> list[str]:
    """Create the coming months' performance_metrics partitions."""
    engine = create_engine(database_url, pool_size=2)
    try:
        uow = UnitOfWork(create_session_factory(engine))
        return await partitions.ensure_metric_partitions(uow, months_ahead=months_ahead)
    finally:
        await engine.dispose()


def upgrade_to_head(database_url: str, secrets: SecretBox | None = None) -> None:
    """Run Alembic up to head (a no-op when already there)."""
    command.upgrade(alembic_config(database_url, secrets), "head")


def migrate(database_url: str, secrets: SecretBox | None = None) -> list[str]:
    """Everything `sportscenter migrate` does; returns the partitions it created."""
    asyncio.run(ensure_database(database_url))
    # Alembic's async env runs its own event loop, so it is called outside ours.
    upgrade_to_head(database_url, secrets)
    return asyncio.run(ensure_metric_partitions(database_url))


def script_heads() -> frozenset[str]:
    """The newest Alembic revisions the code ships: a database at one of them is up to date."""
    # The URL is not used: only the scripts are read.
    config = alembic_config("postgresql+asyncpg://unused/unused")
    return frozenset(ScriptDirectory.from_config(config).get_heads())
