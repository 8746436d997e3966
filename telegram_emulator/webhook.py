"""Webhook delivery: POST each update, retry with backoff until the bot answers 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from telegram_emulator.world import BotState, World

log = logging.getLogger(__name__)


class WebhookDeliverer:
    """One delivery task per bot with a webhook, like Telegram's (one connection suffices)."""

    def __init__(
        self,
        world: World,
        *,
        timeout_s: float = 10.0,
        first_backoff_s: float = 0.05,
        max_backoff_s: float = 5.0,
    ) -> None:
        self.world = world
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        world.on_webhook_change = self.changed

    def changed(self, bot: BotState) -> None:
        """(Re)start or stop delivery for a bot whose webhook changed."""
        task = self._tasks.pop(bot.token, None)
        if task is not None:
            task.cancel()
        if bot.webhook is not None:
            self._tasks[bot.token] = asyncio.get_running_loop().create_task(self._deliver(bot))

    async def _deliver(self, bot: BotState) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        backoff = self.first_backoff_s
        while bot.webhook is not None:
            async with bot.updates_changed:
                await bot.updates_changed.wait_for(
                    lambda: bool(bot.pending(None, bot.allowed_updates))
                )
            hook = bot.webhook
            if hook is None:
                return
            update = bot.pending(None, bot.allowed_updates)[0]
            error = await self._post(hook.url, hook.secret_token, update)
            if error is None:
                # Confirmed, together with any earlier update of a kind the bot does not want.
                bot.pending(update["update_id"] + 1, None)
                backoff = self.first_backoff_s
                continue
            hook.last_error_date = self.world.now()
            hook.last_error_message = error
            log.info("webhook delivery of update %s failed: %s", update["update_id"], error)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff_s)

    async def _post(self, url: str, secret: str | None, update: dict) -> str | None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        assert self._session is not None
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as err:
            return f"Connection refused: {err}"

    async def close(self) -> None:
        """Stop every delivery task."""
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
