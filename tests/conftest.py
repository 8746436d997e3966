"""Shared fixtures: a fresh, migrated Postgres database per test run."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis.asyncio as aioredis
from botocore.client import BaseClient
from dramatiq.brokers.redis import RedisBroker
from moto.server import ThreadedMotoServer
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import BotApplication, build_application
from bot.migrate import drop_database, ensure_database, ensure_metric_partitions, upgrade_to_head
from bot.runner import BOT_NAME
from bot.settings import Settings
from bot.wiring import Services
from domain.adapters.cache import Cache, RateLimiter, RedisKeys, connect_redis
from domain.adapters.db import create_engine, create_session_factory
from domain.adapters.storage import S3Storage, build_storage
from domain.models import Base, MetricType
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork
from domain.videos.queue import video_broker as make_video_broker
from telegram_emulator import Emulator
from tests.clock import FakeClock

SERVER_URL = os.environ.get(
    "TEST_DATABASE_SERVER_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Short, so a dead worker's jobs go to another within the tests' patience.
VIDEO_JOB_TIMEOUT_S = 2.0
# Rows every database gets from its migrations and no test writes: the food table.
REFERENCE_TABLES = {"foods"}
# Nothing listens on port 1, so connecting is refused at once.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


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


@pytest.fixture(scope="session")
async def seeded_catalogue(engine: AsyncEngine) -> list[dict[str, Any]]:
    """The built-in metric types the migration seeded, to put back after each test's wipe."""
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT * FROM metric_types WHERE coach_id IS NULL"))
        return [dict(row._mapping) for row in rows]


@pytest.fixture
async def uow(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    seeded_catalogue: list[dict[str, Any]],
) -> AsyncIterator[UnitOfWork]:
    """A unit of work on a database emptied after the test (seeded reference data kept)."""
    yield UnitOfWork(session_factory)
    tables = ", ".join(
        table.name for table in Base.metadata.sorted_tables if table.name not in REFERENCE_TABLES
    )
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} CASCADE"))
        if seeded_catalogue:
            await conn.execute(MetricType.__table__.insert(), seeded_catalogue)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def key_prefix() -> str:
    """A Redis key prefix no other test or run uses; its keys are deleted afterwards."""
    return f"test:{uuid.uuid4().hex}:"


@pytest.fixture
def keys(key_prefix: str) -> RedisKeys:
    return RedisKeys(key_prefix)


@pytest.fixture
async def redis_client(key_prefix: str) -> AsyncIterator[aioredis.Redis]:
    client = connect_redis(REDIS_URL)
    try:
        yield client
    finally:
        stale = [key async for key in client.scan_iter(match=f"{key_prefix}*", count=500)]
        if stale:
            await client.delete(*stale)
        await client.aclose()


@pytest.fixture
async def dead_redis() -> AsyncIterator[aioredis.Redis]:
    """A client to a port where nothing listens."""
    client = connect_redis(DEAD_REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
def video_broker(keys: RedisKeys) -> Iterator[RedisBroker]:
    """The task engine's broker on the test Redis, under this test's key prefix."""
    broker = make_video_broker(REDIS_URL, keys, heartbeat_timeout_s=VIDEO_JOB_TIMEOUT_S)
    yield broker
    broker.client.close()


@pytest.fixture
def make_services(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    keys: RedisKeys,
    video_broker: RedisBroker,
    tmp_path: Path,
) -> Callable[[aioredis.Redis], Services]:
    """Services on this run's database and the given Redis client."""

    def make(redis: aioredis.Redis) -> Services:
        storage = build_storage(
            backend="local",
            media_dir=tmp_path / "media",
            bucket="unused",
            endpoint_url=None,
            region="us-east-1",
            signing_key=b"k" * 32,
            public_base_url="http://127.0.0.1:1",
        )
        return Services(
            engine=engine,
            session_factory=session_factory,
            redis=redis,
            keys=keys,
            cache=Cache(redis),
            limiter=RateLimiter(redis, keys),
            storage=storage,
            secrets=SecretBox([b"s" * 32]),
            video_broker=video_broker,
        )

    return make


@pytest.fixture
def services(
    make_services: Callable[[aioredis.Redis], Services], redis_client: aioredis.Redis
) -> Services:
    return make_services(redis_client)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Telegram, emulated, with its limits off (tests that need them build their own)."""
    async with Emulator(limits=False, bot_name=BOT_NAME) as running:
        yield running


@pytest.fixture
def run_bot(services: Services, key_prefix: str):
    """Run the real SportsCenter application against an emulator inside `async with`.

    `setup` may add test-only handlers; `admins` are Telegram ids treated as admins.
    """

    @asynccontextmanager
    async def running(
        emulator: Emulator,
        setup: Callable[[BotApplication], None] | None = None,
        polling: bool = True,
        admins: Collection[int] = (),
    ) -> AsyncIterator[BotApplication]:
        settings = Settings(redis_key_prefix=key_prefix, admin_telegram_ids=list(admins))
        services.admin_telegram_ids = frozenset(admins)
        application = build_application(
            settings,
            services,
            base_url=emulator.base_url,
            base_file_url=emulator.base_file_url,
            token=emulator.token,
        )
        if setup is not None:
            setup(application)
        async with application:
            await application.start()
            if polling:
                await application.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield application
            finally:
                if polling:
                    await application.updater.stop()
                await application.stop()

    return running


# Storage on moto's S3 server over real HTTP, for tests that run on both backends.
S3_REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """Run moto's S3 server on a free local port, with dummy credentials for boto3."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_SESSION_TOKEN", "testing")
        env.setenv("AWS_DEFAULT_S3_REGION", S3_REGION)
        # A developer's own profile must never be what the tests authenticate with.
        env.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="session")
def bucket() -> str:
    """A bucket name no earlier run has used."""
    return f"sportscenter-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
async def s3_storage(moto_endpoint: str, bucket: str) -> S3Storage:
    """S3Storage on the moto server, its bucket created."""
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name=S3_REGION)
    await asyncio.to_thread(client.create_bucket, Bucket=bucket)
    return S3Storage(bucket=bucket, endpoint_url=moto_endpoint, region=S3_REGION)


@pytest.fixture(scope="session")
def s3_client(moto_endpoint: str) -> BaseClient:
    """A plain boto3 client, to look at the bucket behind the storage's back."""
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name=S3_REGION)
