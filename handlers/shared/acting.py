"""Who is acting and for whom, and domain refusals in words.

Who is acting is `context.actor`, loaded by bot.guards. A parent may pick a child to act for
(/children, "Act for Mia"): the choice is kept in user_data until changed, and /log and /book
then use that child without asking. It is checked again on every read, so a choice of a child
who was unlinked since (or a forged one) is ignored and the flows ask as before.
"""

from __future__ import annotations

import uuid

from bot.app import BotContext
from bot.i18n import t
from bot.i18n.formats import money_text
from bot.local_time import WORDS, coded
from domain.errors import DomainError
from domain.people import family
from handlers.shared.echo import echoed

ACTING_FOR = "acting_for"  # user_data: str(athlete id) the parent acts for, until changed


def child_acted_for(context: BotContext) -> uuid.UUID | None:
    """The child the person chose to act for in /children, if they still may act for them."""
    chosen = context.user_data.get(ACTING_FOR)
    if context.actor is None or not isinstance(chosen, str):
        return None
    try:
        athlete_id = uuid.UUID(chosen)
    except ValueError:
        return None
    return family.child_acted_for(context.actor, athlete_id)


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
