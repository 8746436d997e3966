"""A real Application on real Redis and Postgres, with Telegram replaced by a recording fake.

Updates go in through `application.process_update`, exactly as the updater would hand them
over; every Bot API call the bot makes is recorded by `FakeTelegram` and answered from memory,
so nothing touches the network. The over-HTTP tests live with the emulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import BotApplication, build_application
from bot.settings import Settings
from bot.wiring import Services
from domain.cache import Cache, RateLimiter, RedisKeys
from domain.secrets_box import SecretBox
from domain.storage import build_storage
from tests.bot.runtime.fakes import TOKEN, AppFactory, FakeTelegram


@pytest.fixture
def make_services(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    keys: RedisKeys,
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
        )

    return make


@pytest.fixture
def services(
    make_services: Callable[[aioredis.Redis], Services], redis_client: aioredis.Redis
) -> Services:
    return make_services(redis_client)


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def make_app(
    services: Services, telegram: FakeTelegram, key_prefix: str
) -> AsyncIterator[AppFactory]:
    """Build and initialize applications; each is shut down (and persisted) after the test."""
    built: list[BotApplication] = []

    async def make(
        *,
        with_services: Services | None = None,
        request: FakeTelegram | None = None,
        before_initialize: Callable[[BotApplication], None] | None = None,
    ) -> BotApplication:
        settings = Settings(redis_key_prefix=key_prefix, admin_telegram_ids=[])
        application = build_application(
            settings,
            with_services or services,
            base_url="http://telegram.invalid/bot",
            base_file_url="http://telegram.invalid/file/bot",
            token=TOKEN,
            request=request or telegram,
        )
        if before_initialize is not None:
            before_initialize(application)
        await application.initialize()
        built.append(application)
        return application

    yield make
    for application in built:
        await application.shutdown()


@pytest.fixture
async def app(make_app: AppFactory) -> BotApplication:
    return await make_app()
