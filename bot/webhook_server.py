"""Webhook mode: Telegram POSTs updates here.

The probes and metrics are `bot.health_server`'s, on HEALTH_PORT; when that is WEBHOOK_PORT
the runner adds them to this server (`add_health_routes`).
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.wiring import Services

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"


def webhook_app(
    application: Application, services: Services, *, secret: str, path: str = WEBHOOK_PATH
) -> web.Application:
    """An aiohttp app that feeds verified updates to the PTB application."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call with a wrong secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        update = await _update_in(request, application)
        if update is None:
            log.warning("webhook body from %s is not an update", request.remote)
            return web.Response(status=400, text="not an update")
        # Processed inline: Telegram sees 200 only once the update's effects are committed,
        # and shutdown (which waits for in-flight requests) finishes them.
        await application.process_update(update)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def _update_in(request: web.Request, application: Application) -> Update | None:
    """The update the body carries, or None when it is not one (only Telegram's are processed)."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    update_id = body.get("update_id") if isinstance(body, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    try:
        return Update.de_json(body, application.bot)
    # PTB parses without validating: a field of the wrong shape surfaces as any of these.
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
