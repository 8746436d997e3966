"""Who is pressing or typing, as domain.policy sees them, and domain refusals in words."""

from __future__ import annotations

from telegram import Update

from bot.app import BotContext
from bot.i18n import t
from bot.i18n.formats import money_text
from domain.actors import actor_for_telegram, timezone_of
from domain.errors import DomainError
from domain.policy import Actor
from handlers.shared.echo import echoed


async def current_actor(update: Update, context: BotContext) -> Actor | None:
    """The signed-up user behind this update with their relations, or None."""
    if update.effective_user is None:
        return None
    async with context.uow() as uow:
        return await actor_for_telegram(
            uow, update.effective_user.id, admin_telegram_ids=context.services.admin_telegram_ids
        )


async def current_timezone(update: Update, context: BotContext) -> str:
    """The time zone the person behind this update sees times in."""
    if update.effective_user is None:
        return "UTC"
    return await timezone_of(context.uow(), telegram_user_id=update.effective_user.id)


def refusal_text(err: DomainError, context: BotContext) -> str:
    """The words for a domain refusal, with its parameters filled in."""
    # Domain errors carry what the person typed ("“25:00-07:00” isn't a time range"): echoed.
    params = {key: money_text(value, context.lang) for key, value in echoed(err.params).items()}
    return t(err.message_key, context.lang, **params)
