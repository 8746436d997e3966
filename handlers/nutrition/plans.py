"""/nutrition: the plans one may see, and a plan being written: its card, its training and rest
day, foods added from the search with their grams (refused with the reason when they break a
restriction, or for an amount no meal holds), removed; publish (refused while in conflict,
replacing another plan only once confirmed), the printable week, the breakfast time and meal
reminders, saving it as a template. The new-plan questions are `new_plan`, the templates
`templates_flow`; one conversation holds them all."""

from __future__ import annotations

import logging
import uuid
from datetime import time
from typing import Any

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import DomainError, InvalidInput
from domain.models import MealSlot
from domain.nutrition import plans, templates, typed, weeks
from domain.nutrition.plan_content import DayKind
from handlers.nutrition import new_plan, render, sheets, templates_flow
from handlers.nutrition.callbacks import (
    FLOW,
    NEW_PRESSES,
    PLAN_PRESSES,
    TEMPLATE_PRESSES,
    AddTo,
    BreakfastAt,
    FoodPick,
    Home,
    PlanAction,
    PlanPress,
    RemoveItem,
)
from handlers.nutrition.steps import (
    EDIT,
    END,
    FOOD,
    GRAMS,
    IDLE,
    Step,
    now_today,
    refusal,
    show_plan,
    stale,
)
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)
_COMMAND = [("nutrition", "nutrition.plan.command")]
ROLE_COMMANDS = {"athlete": _COMMAND, "parent": _COMMAND, "coach": _COMMAND}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND


def register(application: BotApplication) -> None:
    """Add the /nutrition conversation."""
    press = CallbackQueryHandler(on_press, pattern=flow_pattern(FLOW))
    typed_in = {**new_plan.TYPED, FOOD: _typed_food, GRAMS: _typed_grams}
    states: dict[object, list[Any]] = {IDLE: [press]}
    for state, step in typed_in.items():
        states[state] = [press, MessageHandler(_TEXT, step)]
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("nutrition", start, filters=_PRIVATE), press],
            states=states,
            fallbacks=[cancel_fallback()],
            name="nutrition_plans",
            persistent=True,
            allow_reentry=True,
        )
    )


async def start(update: Update, context: BotContext) -> int:
    """/nutrition: the plans of the person, their children and the athletes they coach."""
    if context.actor is None:
        await update.effective_message.reply_text(t("nutrition.plan.not_signed_up", context.lang))
        return END
    return await _home(update, context, None)


async def _home(update: Update, context: BotContext, _press: object) -> int:
    actor = context.actor
    assert actor is not None
    _now, today = now_today(context)
    listed = await plans.plan_list(
        context.uow, actor=actor, box=context.services.secrets, today=today
    )
    labels = [
        (
            p.id,
            render.plan_label(name, p.plan_type, p.start_date, p.end_date, p.status, context.lang),
        )
        for p, name in listed.plans
    ]
    text, markup = render.plans_list(
        labels, context.lang, can_write=listed.may_write, coach=actor.coach_id is not None
    )
    await edit_or_reply(update, text, markup)
    return IDLE


async def on_press(update: Update, context: BotContext) -> int:
    """Any button of /nutrition: re-checked by the domain, then done."""
    press = parse_any(update.callback_query.data, (*NEW_PRESSES, *PLAN_PRESSES, *TEMPLATE_PRESSES))
    if press is None or context.actor is None:
        await refuse(update, context, reason="nutrition button: malformed or not signed up")
        return IDLE
    step = _STEPS.get(type(press))
    if isinstance(press, PlanPress):
        step = _PLAN_STEPS[press.action]
    assert step is not None
    try:
        return await step(update, context, press)
    except DomainError as err:
        log.info(
            "nutrition button refused for %s: %s",
            context.actor.user_id,
            err.detail or err.message_key,
        )
        await update.callback_query.answer(refusal(err, context), show_alert=True)
        return IDLE


# A plan: its card, its days, adding and removing foods.


async def _open(update: Update, context: BotContext, press: PlanPress) -> int:
    return await show_plan(update, context, press.plan_id)


async def _day(update: Update, context: BotContext, press: PlanPress) -> int:
    if press.kind is None:
        return await stale(update, context)
    _now, today = now_today(context)
    view = await plans.view(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        plan_id=press.plan_id,
        today=today,
    )
    await edit_or_reply(update, *render.day_card(view, press.kind, context.lang))
    return IDLE


async def _add_to(update: Update, context: BotContext, press: AddTo) -> int:
    context.user_data[EDIT] = {"plan": str(press.plan_id), "kind": press.kind, "slot": press.slot}
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id,
        t("nutrition.plan.ask.food", context.lang, slot=render.slot_word(press.slot, context.lang)),
    )
    return FOOD


async def _typed_food(update: Update, context: BotContext) -> int:
    if not context.user_data.get(EDIT):
        return await stale(update, context)
    text = update.effective_message.text.strip()
    found = await plans.find_foods(context.uow, text=text, language=context.lang or "en")
    reply, markup = render.food_results(text, found, context.lang)
    await update.effective_message.reply_text(reply, reply_markup=markup)
    return FOOD


async def _food_picked(update: Update, context: BotContext, press: FoodPick) -> int:
    editing = context.user_data.get(EDIT)
    if not editing:
        return await stale(update, context)
    editing["food"] = press.food_id
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, t("nutrition.plan.ask.grams", context.lang)
    )
    return GRAMS


async def _typed_grams(update: Update, context: BotContext) -> int:
    editing = context.user_data.get(EDIT)
    if not editing or "food" not in editing:
        return await stale(update, context)
    _now, today = now_today(context)
    kind = DayKind(editing["kind"])
    try:
        grams = typed.parse_grams(update.effective_message.text)
        view = await plans.add_item(
            context.uow,
            actor=context.actor,  # type: ignore[arg-type]
            box=context.services.secrets,
            plan_id=uuid.UUID(editing["plan"]),
            kind=kind,
            slot=MealSlot(editing["slot"]),
            food_id=int(editing["food"]),
            grams=grams,
            today=today,
        )
    except InvalidInput as err:  # an absurd amount: asked again
        log.info("nutrition amount refused: %s", err.detail)
        await update.effective_message.reply_text(refusal_text(err, context))
        return GRAMS
    except DomainError as err:
        log.info("nutrition food refused: %s", err.detail or err.message_key)
        await update.effective_message.reply_text(refusal(err, context))
        editing.pop("food", None)
        return FOOD if isinstance(err, plans.FoodRefused) else IDLE
    context.user_data.pop(EDIT, None)
    text, markup = render.day_card(view, kind, context.lang)
    await update.effective_message.reply_text(text, reply_markup=markup)
    return IDLE


async def _remove(update: Update, context: BotContext, press: RemoveItem) -> int:
    _now, today = now_today(context)
    view = await plans.remove_item(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        plan_id=press.plan_id,
        kind=press.kind,
        slot=press.slot,
        index=press.index,
        today=today,
    )
    await edit_or_reply(update, *render.day_card(view, press.kind, context.lang))
    return IDLE


async def _publish(update: Update, context: BotContext, press: PlanPress) -> int:
    now, today = now_today(context)
    try:
        published = await plans.publish(
            context.uow,
            actor=context.actor,  # type: ignore[arg-type]
            box=context.services.secrets,
            plan_id=press.plan_id,
            now=now,
            today=today,
            replace=press.action == PlanAction.REPLACE,
        )
    except plans.OverlapsPlan as err:
        await edit_or_reply(
            update, *render.overlap_question(press.plan_id, err.start, err.end, context.lang)
        )
        return IDLE
    lang = context.lang
    key = "nutrition.plan.replaced" if published.replaced else "nutrition.plan.published"
    state = await show_plan(update, context, press.plan_id)  # the card, now published
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            key,
            lang,
            start=render.day_text(published.start, lang),
            end=render.day_text(published.end, lang),
        ),
    )
    return state


async def _print(update: Update, context: BotContext, press: PlanPress) -> int:
    _now, today = now_today(context)
    week = await weeks.printable_week(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        plan_id=press.plan_id,
        first=today,
        today=today,
    )
    await update.callback_query.answer()
    page = sheets.week_html(week, context.lang)
    document = InputFile(page.encode("utf-8"), filename=sheets.filename(week))
    document.mimetype = "text/html"
    await context.bot.send_document(
        update.effective_chat.id, document, caption=t("nutrition.plan.print.caption", context.lang)
    )
    return IDLE


async def _save_template(update: Update, context: BotContext, press: PlanPress) -> int:
    _now, today = now_today(context)
    await templates.save_as_template(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        plan_id=press.plan_id,
        today=today,
    )
    await update.callback_query.answer(
        t("nutrition.plan.template.saved", context.lang), show_alert=True
    )
    return IDLE


async def _reminders(update: Update, context: BotContext, press: PlanPress) -> int:
    _now, today = now_today(context)
    view = await plans.set_delivery(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        plan_id=press.plan_id,
        today=today,
        reminders=press.action == PlanAction.REMINDERS_ON,
    )
    await edit_or_reply(update, *render.plan_card(view, context.lang))
    return IDLE


async def _breakfast(update: Update, context: BotContext, press: BreakfastAt) -> int:
    at = (
        time(press.at // 100, press.at % 100)
        if 0 <= press.at < 2400 and press.at % 100 < 60
        else None
    )
    if at is None:
        return await stale(update, context)
    _now, today = now_today(context)
    view = await plans.set_delivery(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        plan_id=press.plan_id,
        today=today,
        breakfast=at,
    )
    await edit_or_reply(update, *render.plan_card(view, context.lang))
    return IDLE


_STEPS: dict[type, Step] = {
    **new_plan.STEPS,
    **templates_flow.STEPS,
    Home: _home,
    BreakfastAt: _breakfast,
    AddTo: _add_to,
    RemoveItem: _remove,
    FoodPick: _food_picked,
}
_PLAN_STEPS: dict[PlanAction, Step] = {
    PlanAction.OPEN: _open,
    PlanAction.DAY: _day,
    PlanAction.PUBLISH: _publish,
    PlanAction.REPLACE: _publish,
    PlanAction.PRINT: _print,
    PlanAction.TEMPLATE: _save_template,
    PlanAction.REMINDERS_ON: _reminders,
    PlanAction.REMINDERS_OFF: _reminders,
}
