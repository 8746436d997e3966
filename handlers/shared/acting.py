"""Domain refusals in words (who is acting is `context.actor`, loaded by bot.guards)."""

from __future__ import annotations

from bot.app import BotContext
from bot.i18n import t
from bot.i18n.formats import money_text
from domain.errors import DomainError
from handlers.shared.echo import echoed


def refusal_text(err: DomainError, context: BotContext) -> str:
    """The words for a domain refusal, with its parameters filled in."""
    # Domain errors carry what the person typed ("“25:00-07:00” isn't a time range"): echoed.
    params = {key: money_text(value, context.lang) for key, value in echoed(err.params).items()}
    return t(err.message_key, context.lang, **params)
