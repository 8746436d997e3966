"""Answering a delivered day from its message: per meal ✅ as planned, ✏️ changed, ⏭ skipped
(the message shows the answers), then an optional photo of the meal; 💧 water by the glass."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.telegram_files import telegram_file_chunks
from domain.errors import DomainError
from domain.models import MealSlot
from domain.nutrition import days
from domain.programs.following.enrolments import local_today
from handlers.nutrition import day_render, render
from handlers.nutrition.callbacks import MealAnswer, Water
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_pressed

log = logging.getLogger(__name__)
# Persisted conversation state: keep its value, or saved conversations resume wrongly.
PHOTO = 0
AWAITING = "nutrition_photo"  # user_data while a meal's photo is awaited: plan, day, meal
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add the check-in buttons of a delivered day and the meal's photo after them."""
    application.add_handler(CallbackQueryHandler(add_water, pattern=Water.pattern()))
    application.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(answer_meal, pattern=MealAnswer.pattern())],
            states={PHOTO: [MessageHandler(_PRIVATE & (f.PHOTO | f.Document.IMAGE), photo_sent)]},
            fallbacks=[cancel_fallback()],
            # The persisted states are saved under this name; renaming it strands them.
            name="nutrition_checkin",
            persistent=True,
            allow_reentry=True,
        )
    )


def _today(context: BotContext) -> tuple[datetime, date]:
    now = datetime.now(UTC)
    return now, local_today(now, context.timezone)


async def answer_meal(update: Update, context: BotContext) -> int:
    """A meal's answer: recorded, the message shows it, and a photo may follow."""
    query = update.callback_query
    press = MealAnswer.parse(query.data)
    on = render.from_yyyymmdd(press.on) if press else None
    if press is None or on is None or context.actor is None:
        await refuse(update, context, reason="nutrition check-in: malformed")
        return ConversationHandler.END
    now, today = _today(context)
    try:
        found = await days.check_in(
            context.uow,
            actor=context.actor,
            box=context.services.secrets,
            plan_id=press.plan_id,
            on=on,
            meal=press.slot,
            status=press.status,
            today=today,
            now=now,
        )
    except DomainError as err:
        log.info("nutrition check-in refused for %s: %s", context.actor.user_id, err.message_key)
        await query.answer(refusal_text(err, context), show_alert=True)
        return ConversationHandler.END
    await query.answer(t(f"nutrition.plan.checked.{press.status}", context.lang))
    guardian = found.athlete_user_id != context.actor.user_id
    text = day_render.delivered_day(found, context.lang, for_guardian=guardian)
    await edit_pressed(query, text, day_render.checkin_markup(found, context.lang))
    context.user_data[AWAITING] = [str(press.plan_id), on.isoformat(), press.slot.value]
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            "nutrition.plan.photo.ask",
            context.lang,
            slot=render.slot_word(press.slot, context.lang),
        ),
    )
    return PHOTO


async def photo_sent(update: Update, context: BotContext) -> int:
    """A photo of the meal just answered: kept in storage with the check-in."""
    awaiting = context.user_data.pop(AWAITING, None)
    message = update.effective_message
    if not awaiting or context.actor is None:
        return ConversationHandler.END
    plan_id, on, slot = awaiting
    file_id = message.photo[-1].file_id if message.photo else message.document.file_id
    _now, today = _today(context)
    try:
        content = b"".join([chunk async for chunk in telegram_file_chunks(context.bot, file_id)])
        await days.keep_photo(
            context.uow,
            actor=context.actor,
            box=context.services.secrets,
            storage=context.services.storage,
            plan_id=uuid.UUID(plan_id),
            on=date.fromisoformat(on),
            meal=MealSlot(slot),
            content=content,
            today=today,
        )
    except DomainError as err:
        log.info("nutrition photo refused: %s", err.message_key)
        await message.reply_text(refusal_text(err, context))
        return ConversationHandler.END
    await message.reply_text(t("nutrition.plan.photo.kept", context.lang))
    return ConversationHandler.END


async def add_water(update: Update, context: BotContext) -> None:
    """💧 a glass: added to the day's water; the alert says the total."""
    query = update.callback_query
    press = Water.parse(query.data)
    on = render.from_yyyymmdd(press.on) if press else None
    if press is None or on is None or context.actor is None:
        await refuse(update, context, reason="nutrition water: malformed")
        return
    now, today = _today(context)
    try:
        total = await days.add_water(
            context.uow,
            actor=context.actor,
            box=context.services.secrets,
            plan_id=press.plan_id,
            on=on,
            ml=press.ml,
            today=today,
            now=now,
        )
    except DomainError as err:
        log.info("nutrition water refused for %s: %s", context.actor.user_id, err.message_key)
        await query.answer(refusal_text(err, context), show_alert=True)
        return
    await query.answer(
        t("nutrition.plan.water.added", context.lang, ml=render.number(total, context.lang))
    )
