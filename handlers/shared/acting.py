"""Domain refusals in words (who is acting is `context.actor`, loaded by bot.guards)."""

from __future__ import annotations

from bot.app import BotContext
from bot.i18n import t
from bot.i18n.formats import money_text
from bot.local_time import WORDS, coded
from domain.errors import DomainError
from handlers.shared.echo import echoed


def refusal_text(err: DomainError, context: BotContext) -> str:
    """The words for a domain refusal, with its parameters filled in."""
    return t(err.message_key, context.lang, **refusal_params(err, context.lang))


def refusal_params(err: DomainError, lang: str | None) -> dict[str, object]:
    """A refusal's parameters in the reader's words: typed text echoed, codes and money worded."""
    # Domain errors carry what the person typed ("“25:00-07:00” isn't a time range"): echoed.
    return {key: _worded(key, value, lang) for key, value in echoed(err.params).items()}


def _worded(key: str, value: object, lang: str | None) -> object:
    # Only a value the domain marked as a code ({"code": ...}); typed text is shown as typed.
    if key in WORDS and isinstance(value, dict):
        return coded(key, value, lang)
    return money_text(value, lang)
