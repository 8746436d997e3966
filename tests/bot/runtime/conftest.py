"""A real Application on real Redis and Postgres, with Telegram replaced by a recording fake.

Updates go in through `application.process_update`, exactly as the updater would hand them
over; every Bot API call the bot makes is recorded by `FakeTelegram` and answered from memory,
so nothing touches the network. The over-HTTP tests live with the emulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.app import BotApplication, build_application
from bot.settings import Settings
from bot.wiring import Services
from tests.bot.runtime.fakes import TOKEN, AppFactory, FakeTelegram


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
        replicated: bool = False,
    ) -> BotApplication:
        settings = Settings(redis_key_prefix=key_prefix)
        if replicated:  # behind a webhook, where several processes may share the updates
            settings = Settings(
                redis_key_prefix=key_prefix,
                webhook_url="https://bot.invalid/telegram",
                webhook_secret="replica-secret",
            )
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
