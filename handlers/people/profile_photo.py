"""The profile photo, from /profile's "🖼 Profile photo" button (issue 18).

The person is asked first: their Telegram profile photo is read (getUserProfilePhotos, getFile)
only when they press "Use my Telegram photo". Or they send a picture, or remove the one kept.
Coaches' photos are shown on their card and in /book's coach list (`handlers.booking`).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, PhotoSize, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.telegram_files import telegram_file_chunks
from domain.adapters.storage import StorageError
from domain.errors import DomainError, NotAllowed, NotFound
from domain.people import profile_images
from handlers.people.callbacks import PhotoFromTelegram, PhotoMenu, PhotoRemove, PhotoSend
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_pressed

log = logging.getLogger(__name__)
WAITING = "waiting_photo"
END = ConversationHandler.END
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add the profile photo's buttons and the wait for a sent picture."""
    application.add_handler(CallbackQueryHandler(menu, pattern=PhotoMenu.pattern()))
    application.add_handler(
        CallbackQueryHandler(from_telegram, pattern=PhotoFromTelegram.pattern())
    )
    application.add_handler(CallbackQueryHandler(remove, pattern=PhotoRemove.pattern()))
    application.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_for_picture, pattern=PhotoSend.pattern())],
            states={
                WAITING: [
                    MessageHandler(_PRIVATE & (f.PHOTO | f.Document.IMAGE), save_sent),
                    MessageHandler(_PRIVATE & ~f.COMMAND, not_a_picture),
                ]
            },
            fallbacks=[cancel_fallback()],
            name="profile_photo",
            persistent=True,
            per_user=True,
            allow_reentry=True,
        )
    )


async def menu(update: Update, context: BotContext) -> None:
    """Ask: the Telegram profile photo (with the person's permission), a sent one, or none."""
    query = update.callback_query
    if context.actor is None:
        await refuse(update, context, reason="profile photo: not signed up")
        return
    has = await profile_images.has_profile_image(context.uow, actor=context.actor)
    await query.answer()
    key = "profile_photo.menu_has" if has else "profile_photo.menu"
    await edit_pressed(query, t(key, context.lang), _menu_markup(has, context.lang))


async def from_telegram(update: Update, context: BotContext) -> None:
    """Permission given: the newest Telegram profile photo, biggest size, becomes the image."""
    query, actor = update.callback_query, context.actor
    if actor is None:
        await refuse(update, context, reason="profile photo: not signed up")
        return
    try:
        photos = await context.bot.get_user_profile_photos(update.effective_user.id, limit=1)
    except TelegramError as err:
        log.warning("profile photos of %s unavailable: %r", actor.user_id, err)
        photos = None
    if photos is None or not photos.photos:
        await query.answer()
        await edit_pressed(query, t("profile_photo.none_on_telegram", context.lang), None)
        return
    await query.answer()
    text = await _store(context, photos.photos[0][-1].file_id, source="telegram")
    await edit_pressed(query, text, None)


async def ask_for_picture(update: Update, context: BotContext) -> int:
    """The person will send a picture: wait for it."""
    query = update.callback_query
    if context.actor is None:
        await refuse(update, context, reason="profile photo: not signed up")
        return END
    await query.answer()
    await edit_pressed(query, t("profile_photo.send_now", context.lang), None)
    return WAITING


async def save_sent(update: Update, context: BotContext) -> int:
    """The picture sent (as a photo, or an image file): the biggest size is kept."""
    message = update.effective_message
    file_id = (
        _biggest(message.photo).file_id if message.photo else message.document.file_id  # type: ignore[union-attr]
    )
    await message.reply_text(await _store(context, file_id, source="sent"))
    return END


async def not_a_picture(update: Update, context: BotContext) -> int:
    """Anything else while a picture is awaited: how to send one, or /cancel."""
    await update.effective_message.reply_text(t("profile_photo.send_hint", context.lang))
    return WAITING


async def remove(update: Update, context: BotContext) -> None:
    """Remove the profile image, from storage too."""
    query, actor = update.callback_query, context.actor
    if actor is None:
        await refuse(update, context, reason="profile photo: not signed up")
        return
    try:
        had = await profile_images.remove_profile_image(
            context.uow, context.services.storage, actor=actor
        )
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"profile photo remove: {type(err).__name__}")
        return
    await query.answer()
    key = "profile_photo.removed" if had else "profile_photo.none_kept"
    await edit_pressed(query, t(key, context.lang), None)


async def _store(context: BotContext, file_id: str, *, source: str) -> str:
    """Download the picture from Telegram and keep it; the words for how it went."""
    actor = context.actor
    assert actor is not None
    try:
        picture = b""
        async for chunk in telegram_file_chunks(context.bot, file_id):
            picture += chunk
            if len(picture) > profile_images.MAX_IMAGE_BYTES:
                break
        await profile_images.set_profile_image(
            context.uow, context.services.storage, actor=actor, picture=picture, source=source
        )
    except DomainError as err:
        log.info("profile photo of %s refused: %s", actor.user_id, err.message_key)
        return refusal_text(err, context)
    except TelegramError as err:
        log.warning("profile photo of %s could not be fetched: %r", actor.user_id, err)
        return t("profile_photo.download_failed", context.lang)
    except StorageError:
        log.exception("profile photo of %s could not be stored", actor.user_id)
        return t("profile_photo.storage_failed", context.lang)
    return t("profile_photo.saved", context.lang)


def _biggest(sizes: tuple[PhotoSize, ...]) -> PhotoSize:
    return max(sizes, key=lambda size: size.width * size.height)


def _menu_markup(has: bool, lang: str | None) -> InlineKeyboardMarkup:
    choices = [
        (t("profile_photo.button.telegram", lang), PhotoFromTelegram()),
        (t("profile_photo.button.send", lang), PhotoSend()),
    ]
    if has:
        choices.append((t("profile_photo.button.remove", lang), PhotoRemove()))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=press.pack())] for label, press in choices]
    )
