"""`sportscenter run` and `sportscenter emulator`: start the pieces, stop them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.app import build_application
from bot.health_server import add_health_routes, health_server
from bot.keycheck import check_encryption_key
from bot.settings import Settings
from bot.signals import stop_on_signals
from bot.tuning import tune_gc
from bot.webhook_server import WEBHOOK_PATH, webhook_app
from bot.wiring import build_services
from bot.worker_process import embedded_worker
from telegram_emulator import Emulator

log = logging.getLogger(__name__)
SHUTDOWN_GRACE_S = 30.0
# The emulator names no product: we brand our bot in getMe and the web chat.
BOT_NAME = "SportsCenter"


async def start_emulator(settings: Settings) -> Emulator:
    """The local Telegram stand-in, announced with the web chat URL."""
    emulator = Emulator(
        host=settings.emulator_host,
        port=settings.emulator_port,
        limits=settings.emulator_limits,
        bot_name=BOT_NAME,
        state_file=settings.emulator_state_file,
    )
    await emulator.start()
    limits = "on" if settings.emulator_limits else "OFF (EMULATOR_LIMITS=false)"
    print(f"Telegram emulator listening; Telegram's limits are {limits}.", flush=True)
    print(f"Open the web chat: {emulator.url}/", flush=True)
    print(
        f"People and chats are kept in {settings.emulator_state_file} across restarts.", flush=True
    )
    return emulator


async def run_bot(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run the bot until stopped: against Telegram with a token, else against the emulator."""
    stop = stop or stop_on_signals()
    tune_gc()
    services = build_services(settings)
    await check_encryption_key(services, dev_key=not settings.data_encryption_key)
    emulator = None if settings.telegram_bot_token else await start_emulator(settings)
    api = emulator.url if emulator else settings.telegram_api_url
    token = emulator.token if emulator else settings.telegram_bot_token
    assert token is not None
    application = build_application(
        settings, services, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot", token=token
    )
    webhook = bool(settings.webhook_url) and emulator is None
    # The webhook server answers the probes itself when it listens on HEALTH_PORT.
    own_health = not (webhook and settings.health_port == settings.webhook_port)
    try:
        async with (
            health_server(settings, services, outbox=True)
            if own_health
            else contextlib.nullcontext(),
            application,
        ):
            await application.start()
            async with embedded_worker(settings, grace_s=SHUTDOWN_GRACE_S):
                if webhook:
                    await _serve_webhook(settings, application, services, stop)
                else:
                    await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
                    log.info("polling for updates")
                    await stop.wait()
                    await application.updater.stop()
            await application.stop()
    finally:
        await services.close()
        if emulator is not None:
            await emulator.stop()


async def _serve_webhook(settings: Settings, application, services, stop: asyncio.Event) -> None:
    assert settings.webhook_url and settings.webhook_secret
    path = urlsplit(settings.webhook_url).path or WEBHOOK_PATH
    app = webhook_app(application, services, secret=settings.webhook_secret, path=path)
    if settings.health_port == settings.webhook_port:
        add_health_routes(app, services, outbox=True)
    runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_GRACE_S, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
    await application.bot.set_webhook(
        settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
    )
    log.info("webhook server on %s:%s%s", settings.webhook_listen, settings.webhook_port, path)
    await stop.wait()
    # Stop taking new updates, then let in-flight ones finish (aiohttp waits for them).
    await runner.cleanup()


async def run_emulator(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run the emulator alone (for a bot started elsewhere), printing its token."""
    stop = stop or stop_on_signals()
    emulator = await start_emulator(settings)
    print(f"Bot token for this emulator: {emulator.token}", flush=True)
    print(f"Point the bot at it: TELEGRAM_API_URL={emulator.url}", flush=True)
    try:
        await stop.wait()
    finally:
        await emulator.stop()
