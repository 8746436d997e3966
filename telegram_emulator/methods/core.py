"""Identity, updates (polling and webhook) and command menus."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from telegram_emulator import errors
from telegram_emulator.errors import ApiError, bad_request
from telegram_emulator.methods import api_method
from telegram_emulator.params import Params
from telegram_emulator.world import BotState, Json, Webhook

MAX_POLL_TIMEOUT = 50
SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}


@api_method("getMe")
async def get_me(bot: BotState, p: Params) -> Json:
    return bot.as_user()


@api_method("logOut")
async def log_out(bot: BotState, p: Params) -> bool:
    return True


@api_method("close")
async def close(bot: BotState, p: Params) -> bool:
    return True


@api_method("getUpdates", "offset", "limit", "timeout", "allowed_updates")
async def get_updates(bot: BotState, p: Params) -> list[Json]:
    if bot.webhook is not None:
        raise ApiError(409, f"Conflict: {errors.WEBHOOK_ACTIVE}")
    allowed = p.json("allowed_updates")
    if allowed is not None:
        bot.allowed_updates = allowed  # remembered, as Telegram does, until changed
    limit = min(max(p.int("limit") or 100, 1), 100)
    timeout = min(max(p.int("timeout") or 0, 0), MAX_POLL_TIMEOUT)
    me = object()
    bot.poller = me  # a newer getUpdates ends an older one with 409, as on Telegram
    async with bot.updates_changed:
        bot.updates_changed.notify_all()
    offset = p.int("offset")
    ready = bot.pending(offset, bot.allowed_updates)
    if not ready and timeout:
        async with bot.updates_changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    bot.updates_changed.wait_for(
                        lambda: bot.poller is not me or bool(bot.pending(None, bot.allowed_updates))
                    ),
                    timeout,
                )
        if bot.poller is not me:
            raise ApiError(409, f"Conflict: {errors.OTHER_GET_UPDATES}")
        ready = bot.pending(None, bot.allowed_updates)
    return ready[:limit]


@api_method(
    "setWebhook",
    "url",
    "certificate",
    "max_connections",
    "allowed_updates",
    "ip_address",
    "drop_pending_updates",
    "secret_token",
)
async def set_webhook(bot: BotState, p: Params) -> bool:
    url = p.str("url")
    if not url:
        return await delete_webhook(bot, p)
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    secret = p.str("secret_token")
    allowed = all((c.isascii() and c.isalnum()) or c in "_-" for c in secret or "")
    if secret and (len(secret) > 256 or not allowed):
        raise bad_request("secret token contains unallowed characters")
    if p.bool("drop_pending_updates"):
        bot.updates.clear()
    if p.json("allowed_updates") is not None:
        bot.allowed_updates = p.json("allowed_updates")  # shared with getUpdates, as on Telegram
    bot.webhook = Webhook(
        url=url,
        secret_token=secret,
        max_connections=p.int("max_connections") or 40,
        allowed_updates=p.json("allowed_updates"),
    )
    bot.world.webhooks_changed(bot)
    return True


@api_method("deleteWebhook", "drop_pending_updates")
async def delete_webhook(bot: BotState, p: Params) -> bool:
    if p.bool("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = None
    bot.world.webhooks_changed(bot)
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(bot: BotState, p: Params) -> Json:
    hook = bot.webhook
    info: Json = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


def scope_key(scope: Any) -> str:
    """A hashable name for a BotCommandScope."""
    scope = scope or {"type": "default"}
    kind = scope.get("type")
    if kind not in SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    if kind in ("chat", "chat_administrators", "chat_member"):
        return f"{kind}:{scope.get('chat_id')}:{scope.get('user_id', '')}"
    return str(kind)


@api_method("setMyCommands", "commands", "scope", "language_code")
async def set_my_commands(bot: BotState, p: Params) -> bool:
    commands = p.json("commands") or []
    if len(commands) > 100:
        raise bad_request("too many commands")
    for command in commands:
        name = str(command.get("command", ""))
        valid = 1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)
        if not valid:
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    bot.commands[(scope_key(p.json("scope")), p.str("language_code") or "")] = list(commands)
    return True


@api_method("getMyCommands", "scope", "language_code")
async def get_my_commands(bot: BotState, p: Params) -> list[Json]:
    return bot.commands.get((scope_key(p.json("scope")), p.str("language_code") or ""), [])


@api_method("deleteMyCommands", "scope", "language_code")
async def delete_my_commands(bot: BotState, p: Params) -> bool:
    bot.commands.pop((scope_key(p.json("scope")), p.str("language_code") or ""), None)
    return True


@api_method("setChatMenuButton", "chat_id", "menu_button")
async def set_chat_menu_button(bot: BotState, p: Params) -> bool:
    button = p.json("menu_button") or {"type": "default"}
    if button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse MenuButton JSON object")
    bot.menu_buttons[p.int("chat_id")] = button
    return True


@api_method("getChatMenuButton", "chat_id")
async def get_chat_menu_button(bot: BotState, p: Params) -> Json:
    return bot.menu_buttons.get(p.int("chat_id"), bot.menu_buttons.get(None, {"type": "commands"}))
