"""/nutrition: the plans one may see; a new plan step by step (for whom, type, dates, goals,
targets, restrictions), then its meals food by food with the totals against the targets; publish
(refused while in conflict, replacing another plan only once confirmed), a printable week, meal
reminders; a coach's templates, applied to several athletes scaled by body weight."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
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
from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.plan_content import DayKind, Targets
from domain.nutrition.restrictions import Restrictions
from domain.programs.following.enrolments import local_today
from handlers.nutrition import render, sheets
from handlers.nutrition.callbacks import (
    FLOW,
    NEW_PRESSES,
    PLAN_PRESSES,
    TEMPLATE_PRESSES,
    AddTo,
    BreakfastAt,
    FoodPick,
    Home,
    NewEnd,
    NewFor,
    NewPlan,
    NewStart,
    NewType,
    PlanAction,
    PlanPress,
    RemoveItem,
    Restrict,
    RestrictDone,
    Skip,
    TemplateFor,
    TemplateFrom,
    TemplateOpen,
    Templates,
)
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)
END = ConversationHandler.END
# Persisted conversation states: keep their values, or saved conversations resume wrongly.
IDLE, START, FINISH, GOALS, TARGETS, RESTRICT, FOOD, GRAMS = range(8)
NEW = "nutrition_new"  # user_data: the new plan's answers so far (JSON)
EDIT = "nutrition_edit"  # user_data: {"plan", "kind", "slot", "food"} while adding a food
TEMPLATE = "nutrition_template"  # user_data: {"id", "athletes"} while applying a template
_COMMAND = [("nutrition", "nutrition.plan.command")]
ROLE_COMMANDS = {"athlete": _COMMAND, "parent": _COMMAND, "coach": _COMMAND}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
Step = Callable[[Update, BotContext, Any], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add the /nutrition conversation."""
    press = CallbackQueryHandler(on_press, pattern=flow_pattern(FLOW))
    typed_in = {
        START: _typed_start,
        FINISH: _typed_end,
        GOALS: _typed_goals,
        TARGETS: _typed_targets,
        RESTRICT: _typed_restriction,
        FOOD: _typed_food,
        GRAMS: _typed_grams,
    }
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


def _now_today(context: BotContext) -> tuple[datetime, date]:
    now = datetime.now(UTC)
    return now, local_today(now, context.timezone)


async def start(update: Update, context: BotContext) -> int:
    """/nutrition: the plans of the person, their children and the athletes they coach."""
    if context.actor is None:
        await update.effective_message.reply_text(t("nutrition.plan.not_signed_up", context.lang))
        return END
    return await _home(update, context, None)


async def _home(update: Update, context: BotContext, _press: object) -> int:
    actor = context.actor
    assert actor is not None
    _now, today = _now_today(context)
    listed = await plans.visible_plans(context.uow, actor=actor)
    writable = await plans.writable_athletes(
        context.uow, actor=actor, box=context.services.secrets, today=today
    )
    labels = [
        (
            p.id,
            render.plan_label(name, p.plan_type, p.start_date, p.end_date, p.status, context.lang),
        )
        for p, name in listed
    ]
    text, markup = render.plans_list(
        labels, context.lang, can_write=bool(writable), coach=actor.coach_id is not None
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
        await update.callback_query.answer(_refusal(err, context), show_alert=True)
        return IDLE


def _refusal(err: DomainError, context: BotContext) -> str:
    lang = context.lang
    if isinstance(err, plans.FoodRefused):
        return t(
            "nutrition.error.food_refused",
            lang,
            food=err.food.name(lang or "en"),
            why=render.reasons_text(err.reasons, lang),
        )
    if isinstance(err, plans.EndBeforeStart):
        return t(err.message_key, lang)
    return refusal_text(err, context)


# A new plan, question by question.


async def _new(update: Update, context: BotContext, _press: NewPlan) -> int:
    _now, today = _now_today(context)
    athletes = await plans.writable_athletes(
        context.uow,
        actor=context.actor,
        box=context.services.secrets,
        today=today,  # type: ignore[arg-type]
    )
    if not athletes:
        await update.callback_query.answer(
            t("nutrition.plan.nobody", context.lang), show_alert=True
        )
        return IDLE
    context.user_data[NEW] = {}
    await edit_or_reply(update, *render.whom(athletes, context.lang))
    return IDLE


async def _for(update: Update, context: BotContext, press: NewFor) -> int:
    context.user_data[NEW] = {"athlete": str(press.athlete_id)}
    await edit_or_reply(update, *render.types(context.lang))
    return IDLE


async def _type(update: Update, context: BotContext, press: NewType) -> int:
    new = context.user_data.get(NEW)
    if not new or press.plan_type not in plans.PLAN_TYPES:
        return await _stale(update, context)
    new["type"] = press.plan_type
    _now, today = _now_today(context)
    await edit_or_reply(update, *render.starts(today, context.lang))
    return START


async def _start_on(update: Update, context: BotContext, on: date | None) -> int:
    new = context.user_data.get(NEW)
    if not new or "type" not in new or on is None:
        return await _stale(update, context)
    new["start"] = on.isoformat()
    await edit_or_reply(update, *render.ends(on, context.lang))
    return FINISH


async def _start_pressed(update: Update, context: BotContext, press: NewStart) -> int:
    return await _start_on(update, context, render.from_yyyymmdd(press.on))


async def _typed_start(update: Update, context: BotContext) -> int:
    _now, today = _now_today(context)
    try:
        on = typed.parse_day(update.effective_message.text, today=today)
    except InvalidInput as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return START
    return await _start_on(update, context, on)


async def _end_on(update: Update, context: BotContext, on: date | None) -> int:
    new = context.user_data.get(NEW)
    if not new or "start" not in new or on is None:
        return await _stale(update, context)
    try:
        plans.require_dates(date.fromisoformat(new["start"]), on)
    except DomainError as err:
        log.info("nutrition plan dates refused: %s", err.detail)
        await edit_or_reply(update, _refusal(err, context), None, edit=False)
        return FINISH
    new["end"] = on.isoformat()
    await edit_or_reply(update, *render.skippable("nutrition.plan.ask.goals", context.lang))
    return GOALS


async def _end_pressed(update: Update, context: BotContext, press: NewEnd) -> int:
    return await _end_on(update, context, render.from_yyyymmdd(press.on))


async def _typed_end(update: Update, context: BotContext) -> int:
    _now, today = _now_today(context)
    try:
        on = typed.parse_day(update.effective_message.text, today=today)
    except InvalidInput as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return FINISH
    return await _end_on(update, context, on)


async def _typed_goals(update: Update, context: BotContext) -> int:
    new = context.user_data.get(NEW)
    if not new or "end" not in new:
        return await _stale(update, context)
    goals = [g.strip() for g in update.effective_message.text.split(",") if g.strip()]
    new["goals"] = goals[: plans.MAX_GOALS]
    await edit_or_reply(update, *render.skippable("nutrition.plan.ask.targets", context.lang))
    return TARGETS


async def _typed_targets(update: Update, context: BotContext) -> int:
    new = context.user_data.get(NEW)
    if not new or "end" not in new:
        return await _stale(update, context)
    try:
        targets = typed.parse_targets(update.effective_message.text)
    except InvalidInput as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return TARGETS
    new["targets"] = targets.model_dump()
    return await _ask_restrictions(update, context, new)


async def _skip(update: Update, context: BotContext, _press: Skip) -> int:
    new = context.user_data.get(NEW)
    if not new or "end" not in new:
        return await _stale(update, context)
    if "goals" not in new:
        new["goals"] = []
        await edit_or_reply(update, *render.skippable("nutrition.plan.ask.targets", context.lang))
        return TARGETS
    return await _ask_restrictions(update, context, new)


async def _ask_restrictions(update: Update, context: BotContext, new: dict[str, Any]) -> int:
    new.setdefault("restrictions", [])
    text, markup = render.restrictions_keyboard(
        set(new["restrictions"]), new.get("other"), context.lang
    )
    await edit_or_reply(update, text, markup)
    return RESTRICT


async def _toggle(update: Update, context: BotContext, press: Restrict) -> int:
    new = context.user_data.get(NEW)
    codes = {a.value for a in Allergen} | {d.value for d in Diet}
    if not new or "restrictions" not in new or press.code not in codes:
        return await _stale(update, context)
    chosen = set(new["restrictions"]) ^ {press.code}
    new["restrictions"] = sorted(chosen)
    return await _ask_restrictions(update, context, new)


async def _typed_restriction(update: Update, context: BotContext) -> int:
    new = context.user_data.get(NEW)
    if not new or "restrictions" not in new:
        return await _stale(update, context)
    new["other"] = update.effective_message.text.strip()[: plans.MAX_TEXT]
    text, markup = render.restrictions_keyboard(
        set(new["restrictions"]), new["other"], context.lang
    )
    await update.effective_message.reply_text(text, reply_markup=markup)
    return RESTRICT


async def _save_new(update: Update, context: BotContext, _press: RestrictDone) -> int:
    new = context.user_data.get(NEW)
    if not new or "restrictions" not in new:
        return await _stale(update, context)
    codes = set(new["restrictions"])
    restrictions = Restrictions(
        allergens=frozenset(a for a in Allergen if a.value in codes),
        diets=frozenset(d for d in Diet if d.value in codes),
        other=new.get("other"),
    )
    _now, today = _now_today(context)
    plan_id = await plans.create(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        new=plans.NewPlan(
            athlete_id=uuid.UUID(new["athlete"]),
            plan_type=new["type"],
            start=date.fromisoformat(new["start"]),
            end=date.fromisoformat(new["end"]),
            goals=list(new.get("goals") or []),
            targets=Targets(**new["targets"]) if new.get("targets") else None,
            restrictions=restrictions,
        ),
        today=today,
    )
    context.user_data.pop(NEW, None)
    return await _show_plan(update, context, plan_id)


async def _stale(update: Update, context: BotContext) -> int:
    """A press or answer from a question no longer open: start again from the list."""
    if update.callback_query is not None:
        await update.callback_query.answer(t("nutrition.plan.stale", context.lang), show_alert=True)
    else:
        await update.effective_message.reply_text(t("nutrition.plan.stale", context.lang))
    return IDLE


# A plan: its card, its days, adding and removing foods.


async def _show_plan(
    update: Update, context: BotContext, plan_id: uuid.UUID, *, edit: bool = True
) -> int:
    _now, today = _now_today(context)
    view = await plans.view(
        context.uow,
        actor=context.actor,
        box=context.services.secrets,
        plan_id=plan_id,
        today=today,  # type: ignore[arg-type]
    )
    text, markup = render.plan_card(view, context.lang)
    await edit_or_reply(update, text, markup, edit=edit)
    return IDLE


async def _open(update: Update, context: BotContext, press: PlanPress) -> int:
    return await _show_plan(update, context, press.plan_id)


async def _day(update: Update, context: BotContext, press: PlanPress) -> int:
    if press.kind is None:
        return await _stale(update, context)
    _now, today = _now_today(context)
    view = await plans.view(
        context.uow,
        actor=context.actor,
        box=context.services.secrets,
        plan_id=press.plan_id,
        today=today,  # type: ignore[arg-type]
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
        return await _stale(update, context)
    text = update.effective_message.text.strip()
    found = await plans.find_foods(context.uow, text=text, language=context.lang or "en")
    reply, markup = render.food_results(text, found, context.lang)
    await update.effective_message.reply_text(reply, reply_markup=markup)
    return FOOD


async def _food_picked(update: Update, context: BotContext, press: FoodPick) -> int:
    editing = context.user_data.get(EDIT)
    if not editing:
        return await _stale(update, context)
    editing["food"] = press.food_id
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, t("nutrition.plan.ask.grams", context.lang)
    )
    return GRAMS


async def _typed_grams(update: Update, context: BotContext) -> int:
    editing = context.user_data.get(EDIT)
    if not editing or "food" not in editing:
        return await _stale(update, context)
    _now, today = _now_today(context)
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
        await update.effective_message.reply_text(_refusal(err, context))
        editing.pop("food", None)
        return FOOD if isinstance(err, plans.FoodRefused) else IDLE
    context.user_data.pop(EDIT, None)
    text, markup = render.day_card(view, kind, context.lang)
    await update.effective_message.reply_text(text, reply_markup=markup)
    return IDLE


async def _remove(update: Update, context: BotContext, press: RemoveItem) -> int:
    _now, today = _now_today(context)
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
    now, today = _now_today(context)
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
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            key,
            lang,
            start=render.day_text(published.start, lang),
            end=render.day_text(published.end, lang),
        ),
    )
    return await _show_plan(update, context, press.plan_id)


async def _print(update: Update, context: BotContext, press: PlanPress) -> int:
    _now, today = _now_today(context)
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
    _now, today = _now_today(context)
    await templates.save_as_template(
        context.uow,
        actor=context.actor,
        box=context.services.secrets,
        plan_id=press.plan_id,
        today=today,  # type: ignore[arg-type]
    )
    await update.callback_query.answer(
        t("nutrition.plan.template.saved", context.lang), show_alert=True
    )
    return IDLE


async def _reminders(update: Update, context: BotContext, press: PlanPress) -> int:
    _now, today = _now_today(context)
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
        return await _stale(update, context)
    _now, today = _now_today(context)
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


# Templates.


async def _templates(update: Update, context: BotContext, _press: Templates) -> int:
    found = await templates.templates(context.uow, actor=context.actor)  # type: ignore[arg-type]
    await edit_or_reply(update, *render.templates_list(found, context.lang))
    return IDLE


async def _template_athletes(update: Update, context: BotContext, template_id: uuid.UUID) -> int:
    actor = context.actor
    assert actor is not None
    _now, today = _now_today(context)
    chosen = context.user_data.get(TEMPLATE) or {}
    athletes = [
        (a_id, name)
        for a_id, name in await plans.writable_athletes(
            context.uow, actor=actor, box=context.services.secrets, today=today
        )
        if a_id in actor.coached_athlete_ids
    ]
    text, markup = render.template_athletes(
        template_id, athletes, set(chosen.get("athletes", [])), today, context.lang
    )
    await edit_or_reply(update, text, markup)
    return IDLE


async def _template_open(update: Update, context: BotContext, press: TemplateOpen) -> int:
    context.user_data[TEMPLATE] = {"id": str(press.template_id), "athletes": []}
    return await _template_athletes(update, context, press.template_id)


async def _template_for(update: Update, context: BotContext, press: TemplateFor) -> int:
    chosen = context.user_data.get(TEMPLATE)
    if not chosen or chosen["id"] != str(press.template_id):
        return await _stale(update, context)
    chosen["athletes"] = sorted(set(chosen["athletes"]) ^ {str(press.athlete_id)})
    return await _template_athletes(update, context, press.template_id)


async def _template_from(update: Update, context: BotContext, press: TemplateFrom) -> int:
    chosen = context.user_data.get(TEMPLATE)
    start_on = render.from_yyyymmdd(press.on)
    if not chosen or chosen["id"] != str(press.template_id) or start_on is None:
        return await _stale(update, context)
    now, today = _now_today(context)
    results = await templates.apply(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        template_id=press.template_id,
        athlete_ids=[uuid.UUID(a) for a in chosen["athletes"]],
        start=start_on,
        today=today,
        now=now,
    )
    context.user_data.pop(TEMPLATE, None)
    await edit_or_reply(update, render.applied_text(results, context.lang), None)
    return IDLE


_STEPS: dict[type, Step] = {
    Home: _home,
    BreakfastAt: _breakfast,
    NewPlan: _new,
    NewFor: _for,
    NewType: _type,
    NewStart: _start_pressed,
    NewEnd: _end_pressed,
    Skip: _skip,
    Restrict: _toggle,
    RestrictDone: _save_new,
    AddTo: _add_to,
    RemoveItem: _remove,
    FoodPick: _food_picked,
    Templates: _templates,
    TemplateOpen: _template_open,
    TemplateFor: _template_for,
    TemplateFrom: _template_from,
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
