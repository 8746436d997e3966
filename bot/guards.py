"""Checks every update passes before any feature handler sees it: once only, not too fast,
and from a private chat; then the acting user, loaded once.

All run as `TypeHandler(Update, ...)` in negative groups (see `bot.app`), so they come before
every feature handler; the first two stop the update with `ApplicationHandlerStop` when it
must go no further. The first (once only and not too fast, in one Redis round trip) fails
open when Redis is unavailable: a Redis outage must not silence the bot. The second keeps
every personal flow out of groups, in one place rather than a filter on each handler: what
someone does in a group (opening an invitation, /addchild, /quiet) would otherwise be stored
against the group, and their notices posted there for everyone to read. The third loads the
acting user for all the update's handlers: PTB builds one context per update and hands that
same context to the handler of every group.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.i18n import t
from bot.update_scope import note_outcome
from bot.user_turns import owner_of
from domain.actors import load_actor
from domain.adapters.cache import REDIS_UNAVAILABLE, batch_of
from domain.policy import is_suspended

if TYPE_CHECKING:
    from bot.app import BotApplication, BotContext

logger = logging.getLogger(__name__)

ADMISSION_GROUP = -4
PRIVATE_CHAT_GROUP = -3
ACTOR_GROUP = -2

# Long enough for any handler to finish. If the process dies mid-update, a redelivery of the
# update is handled anyway: under the user's turn a claim still "processing" is abandoned.
PROCESSING_TTL_S = 600
# Telegram redelivers within hours at most; a day of memory covers it with room to spare.
DONE_TTL_S = 24 * 3600
_REDIS_TIMEOUT_S = 0.5

# (hits, window in seconds) per endpoint: far above anyone tapping by hand, well below a script.
RATE_LIMITS: dict[str, tuple[int, float]] = {
    "message": (20, 10.0),
    "callback": (30, 10.0),
}
# What Telegram allows as a deep link's start parameter.
_START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def admit_update(update: Update, context: BotContext) -> None:
    """Let each update through once and its sender not too fast: a redelivered copy stops
    here, and so does a user's update past their rate limit (telling them once per window)."""
    app = context.application
    key = app.services.keys.processed_update(app.bot.id, update.update_id)
    endpoint, user = _endpoint(update), update.effective_user
    hit = None
    if endpoint is not None and user is not None:
        hit = (user.id, endpoint, *RATE_LIMITS[endpoint])
    # Both checks in one Redis round trip: every update pays for them.
    admission = await app.services.limiter.claim_then_hit(
        key, value=b"processing", ttl_s=PROCESSING_TTL_S, hit=hit
    )
    if admission.taken_before:
        if not await _abandoned(app, update, key):
            logger.info("update %s was already taken, skipping the copy", update.update_id)
            note_outcome("duplicate")
            raise ApplicationHandlerStop
        logger.warning(
            "update %s was left half-done by a stopped process; handling it", update.update_id
        )
        app.claimed_updates.add(update.update_id)
        return
    if admission.claimed:
        app.claimed_updates.add(update.update_id)
    if admission.decision.allowed or hit is None or user is None:
        return
    retry_after_s = admission.decision.retry_after_s
    if await _first_refusal(context, user.id, hit[1], retry_after_s):
        seconds = max(1, math.ceil(retry_after_s))
        await _tell_rate_limited(
            update, context, t("error.rate_limited", context.lang, seconds=seconds)
        )
    note_outcome("rate_limited")
    raise ApplicationHandlerStop


async def _abandoned(app: BotApplication, update: Update, key: str) -> bool:
    """Whether a claimed update's copy finds it still marked processing by no one.

    Under its user's turn no other process is handling that user's updates, so a claim still
    marked "processing" belongs to a process that stopped mid-update (killed, its host gone):
    its redelivery must be handled, not skipped as a copy, or the update would be lost.
    """
    owner = owner_of(update)
    if owner is None or not app.user_turns.holds(owner):
        return False
    try:
        async with asyncio.timeout(_REDIS_TIMEOUT_S):
            return await app.services.redis.get(key) == b"processing"
    except REDIS_UNAVAILABLE:
        return False


async def finish_update(app: BotApplication, update: Update) -> None:
    """Remember for a day that a claimed update was processed, unless its failure released it."""
    if update.update_id not in app.claimed_updates:
        return
    app.claimed_updates.discard(update.update_id)
    key = app.services.keys.processed_update(app.bot.id, update.update_id)
    # XX: a failed update's key was deleted by the error handler and must stay deleted.
    done = batch_of(app.services.redis).call("SET", key, b"done", "XX", "EX", DONE_TTL_S)
    await _quietly("finish", key, done)


async def release_update(app: BotApplication, update: Update) -> None:
    """Forget a failed update's claim, so that Telegram's redelivery of it is processed."""
    app.claimed_updates.discard(update.update_id)
    key = app.services.keys.processed_update(app.bot.id, update.update_id)
    await _quietly("release", key, app.services.redis.delete(key))


async def keep_to_private_chats(update: Update, context: BotContext) -> None:
    """Stop what comes from a group; a command or button there gets a link to the private chat."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    # The bot added to (or removed from) a group says nothing about anyone: a flow that serves
    # groups (a team's, handlers.clubs) hears of it.
    if update.my_chat_member is not None:
        return
    command = _command(update.message, context.bot.username)
    if command is not None and command[0] in context.application.group_commands:
        return
    text = t("common.private_only", context.lang, link=_private_link(context.bot.username, command))
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif command is not None and update.message is not None:
            await update.message.reply_text(text)
    except TelegramError as err:  # e.g. a group where the bot may not write
        logger.warning("could not point chat %s to the private chat: %r", chat.id, err)
    note_outcome("group_chat")
    raise ApplicationHandlerStop


# Commands a suspended person still reaches, for what domain.policy.ALLOWED_WHEN_SUSPENDED
# grants them: a copy of their own data.
SUSPENDED_MAY_USE = frozenset({"mydata"})


async def load_acting_user(update: Update, context: BotContext) -> None:
    """Load who is acting (None before sign-up) onto the context every handler gets."""
    # Last of the guards on purpose: a flood or a group's chatter stopped before costs no
    # database work.
    user = update.effective_user
    context.actor = (
        None if user is None else await load_actor(context.uow, telegram_user_id=user.id)
    )
    if context.actor is not None and is_suspended(context.actor):
        await _tell_suspended(update, context)


async def _tell_suspended(update: Update, context: BotContext) -> None:
    """A suspended person's message or press gets one polite line and goes no further.

    domain.policy already refuses every action of theirs; this spares them each flow's own
    wording of that refusal. Anything else (a payment Telegram already took) goes on.
    """
    if update.callback_query is None and (update.message is None or not update.message.text):
        return
    command = _command(update.message, context.bot.username)
    if command is not None and command[0] in SUSPENDED_MAY_USE:
        return
    text = t("account.suspended", context.lang)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await update.message.reply_text(text)
    except TelegramError as err:
        logger.warning("could not tell a suspended person so: %r", err)
    raise ApplicationHandlerStop


def _command(message: Message | None, bot_username: str) -> tuple[str, str] | None:
    """(command, what follows it) of a command to this bot; None for anything else."""
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset:
        return None
    name, _, addressee = message.text[1 : first.length].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None  # meant for another bot in the group: not ours to answer
    return name.lower(), message.text[first.length :].strip()


def _private_link(bot_username: str, command: tuple[str, str] | None) -> str:
    """t.me/<bot>; for "/start <payload>", the deep link that carries the payload over."""
    link = f"https://t.me/{bot_username}"
    if command is not None and command[0] == "start" and _START_PAYLOAD.fullmatch(command[1]):
        return f"{link}?start={command[1]}"
    return link


def _endpoint(update: Update) -> str | None:
    if update.callback_query is not None:
        return "callback"
    # Telegram has taken the money by the time successful_payment arrives: it is recorded
    # whatever the payer's pace, never dropped as a flood.
    if update.message is not None and update.message.successful_payment is None:
        return "message"
    return None


async def _first_refusal(
    context: BotContext, user_id: int, endpoint: str, retry_after_s: float
) -> bool:
    # One notice per refusal window: the notice key lives exactly as long as the refusal, so a
    # burst of 50 taps gets one reply and the next burst after the window gets its own.
    key = context.services.keys.ratelimit(user_id, f"{endpoint}.notice")
    ttl_ms = max(1000, math.ceil(retry_after_s * 1000))
    try:
        async with asyncio.timeout(_REDIS_TIMEOUT_S):
            return bool(await context.services.redis.set(key, b"1", nx=True, px=ttl_ms))
    except REDIS_UNAVAILABLE:
        return True


async def _tell_rate_limited(update: Update, context: BotContext, text: str) -> None:
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as err:
        logger.warning("could not send the rate-limit notice: %r", err)


async def _quietly(action: str, key: str, command: Awaitable[object]) -> None:
    try:
        async with asyncio.timeout(_REDIS_TIMEOUT_S):
            await command
    except REDIS_UNAVAILABLE as err:
        logger.warning("update claim %s skipped for %s, Redis unavailable: %r", action, key, err)
