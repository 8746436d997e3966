"""/readyz says what keeps a process from serving; in webhook mode the webhook server answers
the probes itself when it listens on HEALTH_PORT."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.health_server import health_server
from bot.migrate import script_heads
from bot.runner import BOT_NAME, run_bot
from bot.settings import Settings
from bot.wiring import build_services
from domain.adapters.db import create_engine
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.conftest import REDIS_URL


async def get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


@pytest.fixture
def empty_database(make_scratch_database: Callable[[], str]) -> str:
    return make_scratch_database()


async def test_readyz_says_not_ready_while_migrations_are_behind(
    empty_database: str, tmp_path: Path
) -> None:
    url = empty_database
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE alembic_version (version_num varchar(32))"))
        await conn.execute(text("INSERT INTO alembic_version VALUES ('0009')"))
    await engine.dispose()
    settings = Settings(database_url=url, redis_url=REDIS_URL, media_dir=tmp_path, health_port=0)
    services = build_services(settings)
    try:
        async with health_server(settings, services, outbox=True) as port:
            alive = await get(port, "/healthz")
            status, body = await get(port, "/readyz")
    finally:
        await services.close()

    assert alive[0] == 200
    assert status == 503
    problems = json.loads(body)
    (head,) = script_heads()
    assert problems["postgres"] == (f"postgres: schema at 0009, the code needs {head}; run migrate")
    assert problems["redis"] == "ok"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_the_webhook_server_answers_the_probes_on_its_own_port(
    database_url: str, key_prefix: str, uow: UnitOfWork, tmp_path: Path
) -> None:
    port = free_port()
    async with Emulator(limits=False, bot_name=BOT_NAME) as emulator:
        settings = Settings(
            database_url=database_url,
            redis_url=REDIS_URL,
            redis_key_prefix=key_prefix,
            media_dir=tmp_path,
            telegram_bot_token=emulator.token,
            telegram_api_url=emulator.url,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_secret="s3cret",
            webhook_listen="127.0.0.1",
            webhook_port=port,
            health_port=port,
            video_worker="separate",
        )
        stop = asyncio.Event()
        running = asyncio.create_task(run_bot(settings, stop=stop))
        try:
            ana = emulator.user("Ana")
            await ana.send("/start")  # delivered once the webhook is set
            await ana.expect_reply(contains="SportsCenter", timeout=20)
            alive = await get(port, "/healthz")
            ready = await get(port, "/readyz")
            status, metrics = await get(port, "/metrics")
        finally:
            stop.set()
            await asyncio.wait_for(running, 40)

    assert alive == (200, '{"status": "alive"}')
    assert ready[0] == 200, ready
    assert status == 200 and "sportscenter_bot_api_calls_total" in metrics
