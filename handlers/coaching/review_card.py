"""A coach's profile in words: the coach's own summary and the card admins decide on."""

from __future__ import annotations

import logging
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.i18n import t
from bot.i18n.formats import money
from bot.sending import send_text
from domain.adapters.storage import MediaStorage, StorageError
from domain.coaching.certifications import document_name
from domain.coaching.specializations import from_catalogue
from domain.coaching.verification import CoachReview
from handlers.coaching.callbacks import ApproveCoach, RejectCoach

log = logging.getLogger(__name__)


def specialization_names(specializations: list[str], lang: str | None) -> str:
    """Catalogue entries in the reader's language, custom ones as typed, comma-separated."""
    names = []
    for spec in specializations:
        entry = from_catalogue(spec)
        names.append(t(entry.message_key, lang) if entry else spec)
    return ", ".join(names) or "–"


def rate_text(amount: Decimal | None, currency: str | None, lang: str | None) -> str:
    """The hourly rate with its currency, or a dash."""
    if amount is None:
        return "–"
    return money(amount, currency, lang) if currency else str(amount)


def profile_summary(
    lang: str | None,
    *,
    specializations: list[str],
    years: int | None,
    rate: str,
    bio: str | None,
    documents: list[str],
) -> str:
    """Specializations, experience, rate, bio and documents, one per line."""
    return t(
        "coach.summary",
        lang,
        specializations=specialization_names(specializations, lang),
        years=years if years is not None else "–",
        rate=rate,
        bio=bio or "–",
        # Cleaned again when shown: names stored before they were cleaned on upload.
        documents=", ".join(map(document_name, documents)) or "–",
    )


def review_summary(review: CoachReview, lang: str | None) -> str:
    """A saved profile's summary."""
    return profile_summary(
        lang,
        specializations=review.specializations,
        years=review.years_experience,
        rate=rate_text(review.hourly_rate, review.currency, lang),
        bio=review.bio,
        documents=[document["name"] for document in review.documents],
    )


def card_text(review: CoachReview, lang: str | None) -> str:
    """What an admin reads before approving or rejecting."""
    return t("admin.review", lang, name=review.name, summary=review_summary(review, lang))


def decision_keyboard(review: CoachReview, lang: str | None) -> InlineKeyboardMarkup:
    """Approve and Reject, naming the coach by short id."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("admin.button.approve", lang),
                    callback_data=ApproveCoach(review.coach_id).pack(),
                ),
                InlineKeyboardButton(
                    t("admin.button.reject", lang),
                    callback_data=RejectCoach(review.coach_id).pack(),
                ),
            ]
        ]
    )


async def send_review(
    bot: ExtBot[None], storage: MediaStorage, chat_id: int, review: CoachReview, lang: str | None
) -> None:
    """The coach's documents, then the card with the decision buttons under it."""
    for document in review.documents:
        name = document_name(document["name"])
        try:
            content = await storage.read_bytes(document["key"])
        except StorageError:
            log.warning("certification document %s is missing from storage", document["key"])
            content = None
        if content is None:
            await send_text(bot, chat_id, t("admin.document_missing", lang, name=name))
            continue
        try:
            await bot.send_document(chat_id, InputFile(content, filename=name))
        except Forbidden:
            raise  # the admin blocked the bot (or never started it): the card would fail too
        except TelegramError as err:
            log.warning("could not send certification %s: %r", document["key"], err)
    await send_text(
        bot, chat_id, card_text(review, lang), reply_markup=decision_keyboard(review, lang)
    )
