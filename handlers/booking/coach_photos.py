"""Coaches' profile photos beside the booking's coach list and coach card (issue 18).

The flow's own message is edited in place as the booker moves on, and Telegram cannot turn a
text message into a photo; so the photos go as their own message under it: one photo captioned
with the coach's name on the card, an album captioned "1. Name", "2. Name", ... for a page of
the list (the numbers of the list's lines and buttons). Coaches without a photo are left out; a
photo that cannot be read or sent is logged and skipped: the flow goes on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import InputMediaPhoto, Update
from telegram.error import TelegramError

from bot.app import BotContext
from domain.adapters.storage import StorageError
from domain.booking.schedule import CoachCard

log = logging.getLogger(__name__)
ALBUM_MAX = 10  # Telegram's limit for one album


async def send_coach_photos(
    update: Update, context: BotContext, cards: Sequence[CoachCard], *, first_number: int | None
) -> None:
    """The photos of these coaches (numbered from `first_number` as in the list, or by name)."""
    chat = update.effective_chat
    if chat is None:
        return
    captioned = []
    for n, card in enumerate(cards, start=first_number or 1):
        if card.image_key is None:
            continue
        try:
            picture = await context.services.storage.read_bytes(card.image_key)
        except StorageError:
            log.warning("coach %s: profile image %s unreadable", card.coach_id, card.image_key)
            continue
        caption = card.name if first_number is None else f"{n}. {card.name}"
        captioned.append((picture, caption))
    try:
        if len(captioned) == 1:
            picture, caption = captioned[0]
            await context.bot.send_photo(chat.id, picture, caption=caption)
        elif captioned:
            media = [
                InputMediaPhoto(picture, caption=caption, filename=f"coach-{i}.jpg")
                for i, (picture, caption) in enumerate(captioned[:ALBUM_MAX])
            ]
            await context.bot.send_media_group(chat.id, media)
    except TelegramError as err:
        log.warning("coaches' photos not sent: %r", err)
