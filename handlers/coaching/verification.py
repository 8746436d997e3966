"""The admin side of coach verification: /pending, Approve, Reject with a reason."""

from __future__ import annotations

import logging
import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from domain.coaching import verification as coaching
from domain.coaching.verification import CoachReview
from domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from handlers.coaching.callbacks import ADMIN_FLOW, ApproveCoach, RejectCoach
from handlers.coaching.review_card import card_text, send_review
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import cancel_fallback, unknown_command
from handlers.shared.menu_entries import OpenHours, PendingCoaches

log = logging.getLogger(__name__)
REASON = 0
REJECTING = "admin_rejecting"  # user_data: which coach, and the card to update afterwards
END = ConversationHandler.END
ROLE_COMMANDS = {"admin": [("pending", "admin.command.pending")]}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
# A press an admin may not make is refused as forged; anything else the admin is told.
_FORBIDDEN = (NotAllowed, NotFound)


def register(application: BotApplication) -> None:
    """Add /pending, the Approve button and the Reject conversation."""
    application.add_handler(CommandHandler("pending", show_pending, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(show_pending, pattern=PendingCoaches.pattern()))
    application.add_handler(CallbackQueryHandler(approve, pattern=ApproveCoach.pattern()))
    application.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_reason, pattern=RejectCoach.pattern())],
            states={
                REASON: [
                    MessageHandler(_PRIVATE & f.TEXT & ~f.COMMAND, reject),
                    MessageHandler(_PRIVATE & ~f.COMMAND, reason_hint),
                ]
            },
            fallbacks=[cancel_fallback()],
            name="admin_reject",
            persistent=True,
            allow_reentry=True,
        )
    )
    # Any other admin button is forged or from an older version: refused and audited.
    application.add_handler(CallbackQueryHandler(unknown_button, pattern=flow_pattern(ADMIN_FLOW)))


async def show_pending(update: Update, context: BotContext) -> None:
    """Every coach waiting for verification, each with its documents and buttons."""
    actor = context.actor
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        reviews = await coaching.pending(context.uow, admin=actor)
    except NotAllowed:
        # Admin commands are invisible: to anyone else /pending is just an unknown command.
        if update.callback_query is not None:
            await refuse(update, context, reason="pending list for a non-admin")
        else:
            await unknown_command(update, context)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat_id = update.effective_chat.id
    if not reviews:
        await send_text(context.bot, chat_id, t("admin.no_pending", context.lang))
    for review in reviews:
        await send_review(context.bot, context.services.storage, chat_id, review, context.lang)


async def approve(update: Update, context: BotContext) -> None:
    """Approve: the coach becomes verified and bookable, and is told so."""
    coach_id = _coach_of(update, ApproveCoach)
    actor = context.actor
    if coach_id is None or actor is None:
        await refuse(update, context, reason="approve: malformed or unknown presser")
        return
    try:
        review = await coaching.approve(context.uow, admin=actor, coach_id=coach_id)
    except DomainError as err:
        await _refused_press(update, context, err)
        return
    await update.callback_query.answer(t("admin.approved_answer", context.lang))
    decided = t("admin.approved_by", context.lang, admin=_admin_name(update))
    await update.callback_query.edit_message_text(f"{card_text(review, context.lang)}\n\n{decided}")
    # Verified is not bookable yet without hours: say what is next, a tap away.
    approved = "coach.approved" if review.has_hours else "coach.approved_no_hours"
    label = t("coach.button.hours", review.language)
    hours = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=OpenHours().pack())]])
    await _tell_coach(context, review, t(approved, review.language), hours)


async def ask_reason(update: Update, context: BotContext) -> int:
    """Reject, first press: ask the admin why (the coach will read it)."""
    coach_id = _coach_of(update, RejectCoach)
    actor = context.actor
    if coach_id is None or actor is None:
        await refuse(update, context, reason="reject: malformed or unknown presser")
        return END
    try:
        review = await coaching.review(context.uow, admin=actor, coach_id=coach_id)
    except DomainError as err:
        await _refused_press(update, context, err)
        return END
    card = update.callback_query.message
    context.user_data[REJECTING] = {
        "coach": str(coach_id),
        "chat": card.chat.id if card else None,
        "message": card.message_id if card else None,
    }
    await update.callback_query.answer()
    await send_text(
        context.bot, update.effective_chat.id, t("admin.ask_reason", context.lang, name=review.name)
    )
    return REASON


async def reject(update: Update, context: BotContext) -> int:
    """Reject, the reason: stored, audited, and sent to the coach, who can fix and resubmit."""
    rejecting = context.user_data.get(REJECTING) or {}
    actor = context.actor
    try:
        if actor is None or "coach" not in rejecting:
            raise NotAllowed("no rejection under way")
        review = await coaching.reject(
            context.uow,
            admin=actor,
            coach_id=uuid.UUID(rejecting["coach"]),
            reason=update.effective_message.text,
        )
    except InvalidInput as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return REASON
    except DomainError as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        context.user_data.pop(REJECTING, None)
        return END
    context.user_data.pop(REJECTING, None)
    await update.effective_message.reply_text(
        t("admin.rejected_done", context.lang, name=review.name)
    )
    await _mark_card_rejected(update, context, rejecting, review)
    await _tell_coach(context, review, t("coach.rejected", review.language, reason=review.note))
    return END


async def reason_hint(update: Update, context: BotContext) -> int:
    """A sticker or photo instead of the reason."""
    await update.effective_message.reply_text(t("admin.reason_text_expected", context.lang))
    return REASON


async def unknown_button(update: Update, context: BotContext) -> None:
    """An admin button this version does not have."""
    await refuse(update, context, reason="unknown admin button")


async def _refused_press(update: Update, context: BotContext, err: DomainError) -> None:
    if isinstance(err, _FORBIDDEN):
        await refuse(update, context, reason=f"verify coach: {type(err).__name__}")
    else:  # e.g. AlreadyDecided: another admin (or this one) was first
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)


async def _mark_card_rejected(
    update: Update, context: BotContext, rejecting: dict[str, int | str | None], review: CoachReview
) -> None:
    chat_id, message_id = rejecting.get("chat"), rejecting.get("message")
    if not isinstance(chat_id, int) or not isinstance(message_id, int):
        return
    decided = t("admin.rejected_by", context.lang, admin=_admin_name(update), reason=review.note)
    try:
        text = f"{card_text(review, context.lang)}\n\n{decided}"
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except TelegramError as err:  # the card may be gone; the decision stands
        log.info("could not update the reviewed card: %r", err)


async def _tell_coach(
    context: BotContext,
    review: CoachReview,
    text: str,
    buttons: InlineKeyboardMarkup | None = None,
) -> None:
    if review.chat_id is None:
        return
    try:
        await send_text(context.bot, review.chat_id, text, reply_markup=buttons)
    except TelegramError as err:  # a coach who blocked the bot still has the decision
        log.warning("could not tell coach %s about the decision: %r", review.coach_id, err)


def _coach_of(update: Update, decision: type[ApproveCoach | RejectCoach]) -> uuid.UUID | None:
    query = update.callback_query
    press = decision.parse(query.data if query else None)
    return press.coach_id if press else None


def _admin_name(update: Update) -> str:
    user = update.effective_user
    return user.full_name if user is not None else "?"
