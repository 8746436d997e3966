"""Shared fixtures: a fresh, migrated Postgres database per test run."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.migrate import (
    drop_database,
    ensure_database,
    ensure_metric_partitions,
    upgrade_to_head,
)
from domain.db import create_engine, create_session_factory
from domain.models import Base
from domain.uow import UnitOfWork

SERVER_URL = os.environ.get(
    "TEST_DATABASE_SERVER_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def scratch_database_url(prefix: str = "sportscenter_test") -> str:
    """A URL naming a database no other run uses."""
    return (
        make_url(SERVER_URL)
        .set(database=f"{prefix}_{uuid.uuid4().hex[:12]}")
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def make_scratch_database() -> Iterator[Callable[[], str]]:
    """Create empty databases on demand; all are dropped at the end of the run."""
    created: list[str] = []

    def make() -> str:
        url = scratch_database_url()
        asyncio.run(ensure_database(url))
        created.append(url)
        return url

    yield make
    for url in created:
        asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
def database_url(make_scratch_database: Callable[[], str]) -> str:
    """This run's database, migrated to head by Alembic (not by create_all)."""
    url = make_scratch_database()
    upgrade_to_head(url)
    asyncio.run(ensure_metric_partitions(url))
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def uow(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> AsyncIterator[UnitOfWork]:
    """A unit of work on a database emptied after the test."""
    yield UnitOfWork(session_factory)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} CASCADE"))
