"""The bot's side of the notifications outbox: render a notification and send it to Telegram.

What to send and when lives in `domain.notifications`; here a claimed notification becomes text
from the catalogue (`notification.<kind>`, filled in from its payload) in the recipient's
language, and Telegram's answer becomes a delivery outcome.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.i18n import t
from bot.sending import send_text
from domain.notifications import Claimed, Deliver, DeliveryResult, drain

if TYPE_CHECKING:
    from bot.app import BotContext

log = logging.getLogger(__name__)
BATCH_SIZE = 50
# Bounds one run, so a huge backlog cannot keep a run going past the next one's start.
MAX_BATCHES_PER_RUN = 20


def render(notification: Claimed) -> str:
    """The text of a notification in its recipient's language; KeyError for an unknown kind."""
    return t(f"notification.{notification.kind}", notification.language, **notification.payload)


def telegram_deliverer(bot: Bot) -> Deliver:
    """A `deliver` for `domain.notifications.drain` that sends through `bot`."""

    async def deliver(notification: Claimed) -> DeliveryResult:
        if notification.chat_id is None:
            return DeliveryResult.final("recipient has no Telegram chat")
        try:
            text = render(notification)
        except (KeyError, ValueError, IndexError) as err:
            log.error(
                "notification %s (%s) cannot be rendered: %r",
                notification.id,
                notification.kind,
                err,
            )
            return DeliveryResult.final(f"cannot render: {err!r}")
        return await _send(bot, notification.chat_id, text)

    return deliver


async def _send(bot: Bot, chat_id: int, text: str) -> DeliveryResult:
    try:
        await send_text(bot, chat_id, text)
    except Forbidden as err:  # bot.errors.RecipientBlocked included
        return DeliveryResult.blocked(err.message)
    except BadRequest as err:  # before NetworkError: PTB derives it from NetworkError
        return DeliveryResult.final(err.message)
    except (RetryAfter, NetworkError) as err:  # TimedOut is a NetworkError
        return DeliveryResult.retry(err.message)
    except TelegramError as err:
        return DeliveryResult.retry(err.message)
    except ValueError as err:  # send_text refuses an empty text
        return DeliveryResult.final(str(err))
    return DeliveryResult.SENT


async def send_due_notifications(context: BotContext) -> None:
    """Job: send what is due, batch after batch, until nothing is left (bounded per run)."""
    deliver = telegram_deliverer(context.bot)
    for _ in range(MAX_BATCHES_PER_RUN):
        try:
            report = await drain(
                context.services.uow, now=datetime.now(UTC), limit=BATCH_SIZE, deliver=deliver
            )
        except SQLAlchemyError:
            # Nothing of the batch was committed; the next run sends it again.
            log.exception("could not send due notifications")
            return
        if report.claimed < BATCH_SIZE:
            return
