"""The coach profile flow: specializations, experience, rate, bio, documents, then submit."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.logs import user_hash
from domain.coaching import profile as coach_profile
from domain.coaching import specializations
from domain.coaching import verification as coaching
from domain.coaching.certifications import MAX_DOCUMENT_BYTES, DocumentTooLarge, add_certification
from domain.errors import DomainError, InvalidInput
from domain.policy import Actor
from handlers.coaching.callbacks import PROFILE_FLOW, CoachAction, CoachPress
from handlers.coaching.prompts import (
    BIO,
    CONFIRM,
    CURRENCY,
    DOCUMENTS,
    EXPERIENCE,
    PREVIOUS,
    RATE,
    SPECIALIZATIONS,
    Draft,
    draft_from,
    prompt,
)
from handlers.coaching.review_card import send_review
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import cancel_fallback
from handlers.shared.menu_entries import CoachSetup

log = logging.getLogger(__name__)
DRAFT = "coach_draft"
END = ConversationHandler.END
ROLE_COMMANDS = {"coach": [("coachprofile", "coach.command.profile")]}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
_FILE = _PRIVATE & (f.Document.ALL | f.PHOTO)
Input = Callable[[Update, BotContext], Awaitable[int]]
Button = Callable[[Update, BotContext, CoachPress], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add the coach profile flow."""
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CallbackQueryHandler(start_setup, pattern=CoachSetup.pattern()),
                CommandHandler("coachprofile", start_setup, filters=_PRIVATE),
            ],
            states={step: _handlers_of(step) for step in (SPECIALIZATIONS, *PREVIOUS)},
            fallbacks=[cancel_fallback()],
            name="coach_profile",
            persistent=True,
            allow_reentry=True,
        )
    )


def _handlers_of(step: int) -> list[BaseHandler[Update, BotContext, int]]:
    handlers: list[BaseHandler[Update, BotContext, int]] = [
        CallbackQueryHandler(_on_button(step), pattern=flow_pattern(PROFILE_FLOW))
    ]
    if step in _INPUTS:
        inputs = _FILE if step == DOCUMENTS else _TEXT
        handlers.append(MessageHandler(inputs, _retrying(step, _INPUTS[step])))
    # Stickers, voice, a photo where text is wanted...: a hint, not an error.
    handlers.append(MessageHandler(_PRIVATE & ~f.COMMAND, _hint(step)))
    return handlers


async def start_setup(update: Update, context: BotContext) -> int:
    """Begin (or resume editing) the coach's own profile; others are politely refused."""
    actor = context.actor
    try:
        if actor is None:
            raise coaching.NotACoach("not signed up")
        review = await coaching.profile_of(context.uow, actor=actor)
    except DomainError as err:
        await _say(update, refusal_text(err, context), alert=True)
        return END
    context.user_data[DRAFT] = draft_from(review)
    if review is not None and review.note and not review.submitted:
        await _say(update, t("coach.previous_note", context.lang, note=review.note))
    return await ask(update, context, SPECIALIZATIONS)


async def ask(update: Update, context: BotContext, step: int) -> int:
    """Show a step's question: in place after a button, as a new message after typing."""
    text, keyboard = prompt(step, _draft(context), context.lang)
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=keyboard)
    return step


def _on_button(step: int) -> Input:
    async def on_button(update: Update, context: BotContext) -> int:
        press = CoachPress.parse(update.callback_query.data)
        if press is None or DRAFT not in context.user_data:
            await refuse(update, context, reason="malformed coach button")
            return step
        if press.action == CoachAction.CANCEL:
            return await cancel(update, context)
        if press.action == CoachAction.BACK:
            return await ask(update, context, PREVIOUS.get(step, step))
        action = _BUTTONS.get((step, press.action))
        if action is None:  # a button of an earlier question
            await update.callback_query.answer(t("common.stale_button", context.lang))
            return step
        try:
            return await action(update, context, press)
        except DomainError as err:
            await _say(update, refusal_text(err, context), alert=True)
            return step

    return on_button


def _hint(step: int) -> Input:
    async def hint(update: Update, context: BotContext) -> int:
        key = "coach.error.file_expected" if step == DOCUMENTS else "coach.error.text_expected"
        await _say(update, t(key, context.lang))
        return step

    return hint


async def cancel(update: Update, context: BotContext) -> int:
    """Stop the flow; what was saved stays saved."""
    context.user_data.pop(DRAFT, None)
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(t("coach.cancelled", context.lang))
    return END


async def toggle_specialization(update: Update, context: BotContext, press: CoachPress) -> int:
    """Tick or untick a catalogue specialization."""
    spec = specializations.from_catalogue(press.choice) if press.choice else None
    if spec is None:
        await refuse(update, context, reason="unknown specialization")
        return SPECIALIZATIONS
    draft = _draft(context)
    draft["specs"] = specializations.toggled(draft["specs"], spec.id)
    return await ask(update, context, SPECIALIZATIONS)


async def specializations_done(update: Update, context: BotContext, press: CoachPress) -> int:
    """Move on once at least one specialization is chosen."""
    if not _draft(context)["specs"]:
        await _say(update, t("coach.error.pick_one", context.lang), alert=True)
        return SPECIALIZATIONS
    return await ask(update, context, EXPERIENCE)


async def custom_specializations(update: Update, context: BotContext) -> int:
    """Add typed specializations ("sprint, long jump")."""
    draft = _draft(context)
    added = specializations.parse_custom(update.effective_message.text)
    draft["specs"] = specializations.merged(draft["specs"], added)
    return await ask(update, context, SPECIALIZATIONS)


async def experience(update: Update, context: BotContext) -> int:
    """Years of experience."""
    _draft(context)["years"] = coach_profile.parse_years(update.effective_message.text)
    return await ask(update, context, RATE)


async def rate(update: Update, context: BotContext) -> int:
    """The hourly rate, with or without its currency."""
    parsed = coach_profile.parse_rate(update.effective_message.text)
    draft = _draft(context)
    draft["amount"], draft["currency"] = str(parsed.amount), parsed.currency
    return await ask(update, context, BIO if parsed.currency else CURRENCY)


async def currency_typed(update: Update, context: BotContext) -> int:
    """A currency code or symbol typed instead of pressed."""
    _draft(context)["currency"] = coach_profile.parse_currency(update.effective_message.text)
    return await ask(update, context, BIO)


async def currency_pressed(update: Update, context: BotContext, press: CoachPress) -> int:
    """One of the currency buttons."""
    try:
        _draft(context)["currency"] = coach_profile.parse_currency(press.choice or "")
    except InvalidInput:
        await refuse(update, context, reason="unknown currency")
        return CURRENCY
    return await ask(update, context, BIO)


async def bio(update: Update, context: BotContext) -> int:
    """The bio; with it the profile is complete and saved."""
    draft = _draft(context)
    draft["bio"] = coach_profile.parse_bio(update.effective_message.text)
    profile = coach_profile.CoachProfileInput.checked(
        specializations=draft["specs"],
        years_experience=draft.get("years"),
        hourly_rate=draft.get("amount"),
        currency=draft.get("currency"),
        bio=draft["bio"],
    )
    await coaching.save_profile(context.uow, actor=_coach(context), profile=profile)
    return await ask(update, context, DOCUMENTS)


async def document(update: Update, context: BotContext) -> int:
    """A certification sent as a file or a photo: streamed into storage and listed."""
    message = update.effective_message
    file_id, name, size = _upload_of(message)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(max_mb=MAX_DOCUMENT_BYTES // 2**20)  # Telegram would refuse it
    buffer = io.BytesIO()
    await (await context.bot.get_file(file_id)).download_to_memory(buffer)
    buffer.seek(0)
    stored = await add_certification(
        context.uow,
        context.services.storage,
        actor=_coach(context),
        filename=name,
        content_type=getattr(message.document, "mime_type", None) or "image/jpeg",
        source=buffer,
    )
    _draft(context)["documents"].append(stored["name"])
    await _say(update, t("coach.document_received", context.lang, name=stored["name"]))
    return await ask(update, context, DOCUMENTS)


async def documents_done(update: Update, context: BotContext, press: CoachPress) -> int:
    """On to the summary once there is a document."""
    if not _draft(context)["documents"]:
        await _say(update, t("coach.error.incomplete", context.lang), alert=True)
        return DOCUMENTS
    return await ask(update, context, CONFIRM)


async def submit(update: Update, context: BotContext, press: CoachPress) -> int:
    """Submit for verification and put the profile in front of every admin."""
    submission = await coaching.submit_for_verification(context.uow, actor=_coach(context))
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(t("coach.submitted", context.lang))
    context.user_data.pop(DRAFT, None)
    for chat_id, lang in submission.reviewer_chat_ids:
        try:
            await send_review(
                context.bot, context.services.storage, chat_id, submission.review, lang
            )
        except TelegramError as err:  # one unreachable admin must not leave the others uninformed
            log.warning("could not tell admin %s about a coach: %r", user_hash(chat_id), err)
    return END


def _upload_of(message: Message) -> tuple[str, str, int | None]:
    if message.document is not None:
        doc = message.document
        return doc.file_id, doc.file_name or "document", doc.file_size
    photo = message.photo[-1]  # the largest size
    return photo.file_id, f"photo-{photo.file_unique_id}.jpg", photo.file_size


def _coach(context: BotContext) -> Actor:
    actor = context.actor
    if actor is None:
        raise coaching.NotACoach("not signed up")
    return actor


def _draft(context: BotContext) -> Draft:
    return context.user_data.setdefault(DRAFT, draft_from(None))


async def _say(update: Update, text: str, *, alert: bool = False) -> None:
    query = update.callback_query
    if query is not None and alert:
        await query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def _retrying(step: int, handler: Input) -> Input:
    """Answer a refused input with its hint and ask the same step again; answers are kept."""

    async def retrying(update: Update, context: BotContext) -> int:
        try:
            return await handler(update, context)
        except DomainError as err:
            await _say(update, refusal_text(err, context))
            return step

    return retrying


_INPUTS: dict[int, Input] = {
    SPECIALIZATIONS: custom_specializations,
    EXPERIENCE: experience,
    RATE: rate,
    CURRENCY: currency_typed,
    BIO: bio,
    DOCUMENTS: document,
}
_BUTTONS: dict[tuple[int, CoachAction], Button] = {
    (SPECIALIZATIONS, CoachAction.SPECIALIZATION): toggle_specialization,
    (SPECIALIZATIONS, CoachAction.DONE): specializations_done,
    (CURRENCY, CoachAction.CURRENCY): currency_pressed,
    (DOCUMENTS, CoachAction.DONE): documents_done,
    (CONFIRM, CoachAction.SUBMIT): submit,
}
