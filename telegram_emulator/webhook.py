"""Webhook delivery as Telegram's Bot API server does it.

Updates wait in queues: one per chat for what happens in a chat (messages, edits, member
changes), one per sender and kind for the rest (button presses, pre-checkout queries, ...), one
of its own for an update with neither. A queue has at most one update in flight, so a chat's
messages reach the bot one at a time and in order; different queues go out at once, up to the
webhook's `max_connections`. A delivery that fails (no answer, an answer other than 2xx) is
retried with growing backoff, and its queue waits for it; the others go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass, field

import aiohttp

from telegram_emulator.world import BotState, Json, World

log = logging.getLogger(__name__)

QueueId = tuple[str, int]


def queue_of(update: Json) -> QueueId:
    """The delivery queue an update waits in: its chat, else its sender for its kind."""
    kind = next((name for name in update if name != "update_id"), "update")
    payload = update.get(kind)
    if isinstance(payload, dict):
        chat = payload.get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return ("chat", chat["id"])
        sender = payload.get("from") or payload.get("user")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return (kind, sender["id"])
    return ("update", update["update_id"])


@dataclass
class _Delivery:
    """One bot's queues while its webhook is set."""

    bot: BotState
    config: tuple[object, ...]
    queues: dict[QueueId, deque[Json]] = field(default_factory=dict)
    ready: deque[QueueId] = field(default_factory=deque)  # queues with nothing in flight
    in_flight: int = 0
    seen_upto: int = -1  # the newest update already put in a queue
    sends: set[asyncio.Task[None]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None

    def take_new(self) -> bool:
        """Put updates that arrived since the last look into their queues; any ready?"""
        bot = self.bot
        fresh: list[Json] = []
        for update in reversed(bot.updates):
            if update["update_id"] <= self.seen_upto:
                break
            fresh.append(update)
        if fresh:
            self.seen_upto = fresh[0]["update_id"]
        wanted = bot.allowed_updates
        for update in reversed(fresh):
            if wanted and not any(kind in update for kind in wanted):
                bot.confirm(update["update_id"])  # dropped, as Telegram drops unwanted kinds
                continue
            queue_id = queue_of(update)
            queue = self.queues.get(queue_id)
            if queue is None:
                self.queues[queue_id] = deque([update])
                self.ready.append(queue_id)
            else:
                queue.append(update)
        return bool(self.ready)


class WebhookDeliverer:
    """Delivers each bot's updates to its webhook, queue by queue, several queues at once."""

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
        self._deliveries: dict[str, _Delivery] = {}
        self._session: aiohttp.ClientSession | None = None
        world.on_webhook_change = self.changed

    def changed(self, bot: BotState) -> None:
        """(Re)start or stop delivery for a bot whose webhook changed."""
        hook = bot.webhook
        config = (
            None
            if hook is None
            else (hook.url, hook.secret_token, hook.max_connections, hook.allowed_updates)
        )
        running = self._deliveries.get(bot.token)
        if running is not None and running.config == config and bot.updates:
            # Set again as it was (each replica of a bot does at start): delivery goes on
            # undisturbed. With no update left (dropped, or none) a restart costs nothing.
            return
        if running is not None:
            self._cancel(self._deliveries.pop(bot.token))
        if config is not None:
            delivery = _Delivery(bot, config)
            delivery.task = asyncio.get_running_loop().create_task(self._dispatch(delivery))
            self._deliveries[bot.token] = delivery

    async def _dispatch(self, delivery: _Delivery) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        bot = delivery.bot
        while bot.webhook is not None:
            limit = bot.webhook.max_connections
            async with bot.updates_changed:
                await bot.updates_changed.wait_for(
                    lambda: delivery.take_new() and delivery.in_flight < limit  # noqa: B023
                )
            while delivery.ready and delivery.in_flight < limit:
                queue_id = delivery.ready.popleft()
                delivery.in_flight += 1
                send = asyncio.get_running_loop().create_task(self._send(delivery, queue_id))
                delivery.sends.add(send)
                send.add_done_callback(delivery.sends.discard)

    async def _send(self, delivery: _Delivery, queue_id: QueueId) -> None:
        bot = delivery.bot
        queue = delivery.queues[queue_id]
        update = queue[0]
        backoff = self.first_backoff_s
        while True:
            hook = bot.webhook
            if hook is None:
                return  # removed meanwhile: the update stays pending, for getUpdates
            error = await self._post(hook.url, hook.secret_token, update)
            if error is None:
                break
            hook.last_error_date = self.world.now()
            hook.last_error_message = error
            log.info("webhook delivery of update %s failed: %s", update["update_id"], error)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff_s)
        bot.confirm(update["update_id"])
        queue.popleft()
        if queue:
            delivery.ready.append(queue_id)
        else:
            del delivery.queues[queue_id]
        delivery.in_flight -= 1
        async with bot.updates_changed:
            bot.updates_changed.notify_all()

    async def _post(self, url: str, secret: str | None, update: Json) -> str | None:
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

    @staticmethod
    def _cancel(delivery: _Delivery) -> list[asyncio.Task[None]]:
        tasks = [*delivery.sends, *([delivery.task] if delivery.task else [])]
        for task in tasks:
            task.cancel()
        return tasks

    async def close(self) -> None:
        """Stop every delivery."""
        tasks = [task for d in self._deliveries.values() for task in self._cancel(d)]
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._deliveries.clear()
        if self._session is not None:
            await self._session.close()
