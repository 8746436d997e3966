"""A coach's session card kept true after the fact: news about the session refreshes it in place.

When the coach is shown a session's card (a request accepted from its notice, a card opened
from /schedule), the chat and message are remembered (`domain.adapters.cache.card_places`).
When a notice about that session reaches the coach afterwards (a payment received), the card is
edited to the session as it is now, in the coach's language and time, with the buttons it had.
A card that cannot be edited any more (too old, deleted, unchanged) is left as it is.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telegram import Bot, Message, Update
from telegram.error import TelegramError

from domain.adapters.cache.card_places import CardPlace
from domain.booking import schedule
from domain.booking.sessions import SessionView
from domain.notifications.outbox import Claimed
from handlers.booking import session_render as render

if TYPE_CHECKING:  # bot.app imports the outbox, which imports this
    from bot.app import BotContext
    from bot.wiring import Services

log = logging.getLogger(__name__)


async def remember_card(
    update: Update, context: BotContext, view: SessionView, *, buttons: bool
) -> None:
    """The pressed message now shows the coach's card of `view`: note where."""
    message = _pressed_message(update)
    if message is None:
        return
    place = CardPlace(message.message_id, buttons=buttons, caption=message.text is None)
    await context.services.card_places.remember(message.chat_id, view.id, place, ends=view.end)


async def forget_card(update: Update, context: BotContext) -> None:
    """The pressed message shows something else now (the list, a question): no card to refresh."""
    message = _pressed_message(update)
    if message is not None:
        await context.services.card_places.forget_message(message.chat_id, message.message_id)


def _pressed_message(update: Update) -> Message | None:
    query = update.callback_query
    message = query.message if query is not None else None
    return message if isinstance(message, Message) else None


async def refresh_card(bot: Bot, services: Services, notification: Claimed) -> None:
    """After a notice about a session reached its coach, show the fresh card where it is."""
    session_id, chat_id = uuid.UUID(str(notification.payload["session_id"])), notification.chat_id
    place = await services.card_places.place_of(chat_id, session_id) if chat_id else None
    if chat_id is None or place is None:
        return
    view = await schedule.coach_view(
        services.uow, coach_user_id=notification.recipient_id, session_id=session_id
    )
    if view is None:
        return
    lang = notification.language
    text = render.card_text(view, coach_side=True, timezone=notification.timezone, lang=lang)
    now = datetime.now(UTC)
    keyboard = (
        render.card_markup(view, coach_side=True, now=now, lang=lang) if place.buttons else None
    )
    try:
        if place.caption:
            await bot.edit_message_caption(
                chat_id, place.message_id, caption=text, reply_markup=keyboard
            )
        else:
            await bot.edit_message_text(text, chat_id, place.message_id, reply_markup=keyboard)
    except TelegramError as err:  # too old, deleted, or already saying this: the notice stands
        log.debug("could not refresh the card of session %s: %r", session_id, err)
