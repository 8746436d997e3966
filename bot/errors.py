"""The global error handler: log the whole story, tell the user a short, polite one."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.guards import release_update
from bot.i18n import t
from bot.logs import user_hash
from bot.update_scope import note_outcome
from domain.errors import DomainError
from domain.people.reachability import mark_unreachable

if TYPE_CHECKING:
    from bot.app import BotContext

logger = logging.getLogger(__name__)


class RecipientBlocked(Forbidden):
    """Telegram refused a message to `chat_id`: the person blocked the bot or left Telegram."""

    def __init__(self, chat_id: int | str, message: str) -> None:
        super().__init__(message)
        self.chat_id = chat_id


def error_reference() -> str:
    """A short random reference that ties what the user was told to the log line."""
    return secrets.token_hex(4)


async def on_error(update: object, context: BotContext) -> None:
    """Handle any exception a handler, job or persistence write raised."""
    error = context.error
    message = update if isinstance(update, Update) else None
    note_outcome(_outcome(error))
    if isinstance(error, Forbidden):
        # Not retried: the person will not read a retry either.
        await _forget_unreachable(message, error, context)
    elif isinstance(error, DomainError):
        # A refusal a handler should have put into words itself; still, say it, not "oops".
        logger.warning("update %s: unhandled %r", _update_id(update), error)
        if message is not None:
            await _tell(message, context, _refusal(error, context.lang), alert=True)
    else:
        ref = error_reference()
        logger.error("update %s failed [ref %s]", _update_id(update), ref, exc_info=error)
        if message is not None:
            # Telegram may deliver the update again; let that copy through to try once more.
            await release_update(context.application, message)
            await _tell(message, context, t("error.unexpected", context.lang, ref=ref))
    # No later handler group (the fallbacks) should answer an update that failed.
    raise ApplicationHandlerStop


async def _forget_unreachable(update: Update | None, error: Forbidden, context: BotContext) -> None:
    chat_id = error.chat_id if isinstance(error, RecipientBlocked) else _private_chat_id(update)
    # Only a private chat's id is a person's id; a group that removed the bot is not a person.
    if not isinstance(chat_id, int) or chat_id <= 0:
        logger.warning("update %s: forbidden: %s", _update_id(update), error.message)
        return
    try:
        known = await mark_unreachable(context.uow, telegram_user_id=chat_id)
    except (SQLAlchemyError, OSError):
        logger.exception("could not mark Telegram user %s unreachable", user_hash(chat_id))
        return
    logger.info(
        "Telegram user %s is unreachable (%s); registered: %s", user_hash(chat_id), error, known
    )


def _private_chat_id(update: Update | None) -> int | None:
    chat = update.effective_chat if update is not None else None
    return chat.id if chat is not None and chat.type == ChatType.PRIVATE else None


def _refusal(error: DomainError, lang: str | None) -> str:
    try:
        return t(error.message_key, lang, **error.params)
    except KeyError:
        logger.warning("no message for %s, saying the generic one", error.message_key)
        return t("error.generic", lang)


async def _tell(update: Update, context: BotContext, text: str, *, alert: bool = False) -> None:
    query = update.callback_query
    if query is not None:
        try:
            # Stops the button's spinner; an alert is the whole answer for a refusal.
            await query.answer(text if alert else None, show_alert=alert)
            if alert:
                return
        except TelegramError as err:
            logger.warning(
                "could not answer callback query of update %s: %r", update.update_id, err
            )
    if update.effective_chat is None:
        return
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as err:
        logger.warning("could not tell update %s about its failure: %r", update.update_id, err)


def _outcome(error: BaseException | None) -> str:
    if isinstance(error, Forbidden):
        return "blocked"
    return "refused" if isinstance(error, DomainError) else "error"


def _update_id(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None
