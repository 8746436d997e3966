"""A new nutrition plan in /nutrition, question by question: for whom, type, first and last
day (an end before the start refused), goals, daily targets, restrictions; then its card."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any

from telegram import Update

from bot.app import BotContext
from bot.i18n import t
from domain.errors import DomainError, InvalidInput
from domain.nutrition import plans, typed
from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.plan_content import Targets
from domain.nutrition.restrictions import Restrictions
from handlers.nutrition import render
from handlers.nutrition.callbacks import (
    NewEnd,
    NewFor,
    NewPlan,
    NewStart,
    NewType,
    Restrict,
    RestrictDone,
    Skip,
)
from handlers.nutrition.steps import (
    FINISH,
    GOALS,
    IDLE,
    NEW,
    RESTRICT,
    START,
    TARGETS,
    Step,
    now_today,
    refusal,
    show_plan,
    stale,
)
from handlers.shared.acting import refusal_text
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)


async def _new(update: Update, context: BotContext, _press: NewPlan) -> int:
    _now, today = now_today(context)
    athletes = await plans.writable_athletes(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        today=today,
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
        return await stale(update, context)
    new["type"] = press.plan_type
    _now, today = now_today(context)
    await edit_or_reply(update, *render.starts(today, context.lang))
    return START


async def _start_on(update: Update, context: BotContext, on: date | None) -> int:
    new = context.user_data.get(NEW)
    if not new or "type" not in new or on is None:
        return await stale(update, context)
    new["start"] = on.isoformat()
    await edit_or_reply(update, *render.ends(on, context.lang))
    return FINISH


async def _start_pressed(update: Update, context: BotContext, press: NewStart) -> int:
    return await _start_on(update, context, render.from_yyyymmdd(press.on))


async def _typed_start(update: Update, context: BotContext) -> int:
    _now, today = now_today(context)
    try:
        on = typed.parse_day(update.effective_message.text, today=today)
    except InvalidInput as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return START
    return await _start_on(update, context, on)


async def _end_on(update: Update, context: BotContext, on: date | None) -> int:
    new = context.user_data.get(NEW)
    if not new or "start" not in new or on is None:
        return await stale(update, context)
    try:
        plans.require_dates(date.fromisoformat(new["start"]), on)
    except DomainError as err:
        log.info("nutrition plan dates refused: %s", err.detail)
        await edit_or_reply(update, refusal(err, context), None, edit=False)
        return FINISH
    new["end"] = on.isoformat()
    await edit_or_reply(update, *render.skippable("nutrition.plan.ask.goals", context.lang))
    return GOALS


async def _end_pressed(update: Update, context: BotContext, press: NewEnd) -> int:
    return await _end_on(update, context, render.from_yyyymmdd(press.on))


async def _typed_end(update: Update, context: BotContext) -> int:
    _now, today = now_today(context)
    try:
        on = typed.parse_day(update.effective_message.text, today=today)
    except InvalidInput as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return FINISH
    return await _end_on(update, context, on)


async def _typed_goals(update: Update, context: BotContext) -> int:
    new = context.user_data.get(NEW)
    if not new or "end" not in new:
        return await stale(update, context)
    goals = [g.strip() for g in update.effective_message.text.split(",") if g.strip()]
    new["goals"] = goals[: plans.MAX_GOALS]
    await edit_or_reply(update, *render.skippable("nutrition.plan.ask.targets", context.lang))
    return TARGETS


async def _typed_targets(update: Update, context: BotContext) -> int:
    new = context.user_data.get(NEW)
    if not new or "end" not in new:
        return await stale(update, context)
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
        return await stale(update, context)
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
        return await stale(update, context)
    chosen = set(new["restrictions"]) ^ {press.code}
    new["restrictions"] = sorted(chosen)
    return await _ask_restrictions(update, context, new)


async def _typed_restriction(update: Update, context: BotContext) -> int:
    new = context.user_data.get(NEW)
    if not new or "restrictions" not in new:
        return await stale(update, context)
    new["other"] = update.effective_message.text.strip()[: plans.MAX_TEXT]
    text, markup = render.restrictions_keyboard(
        set(new["restrictions"]), new["other"], context.lang
    )
    await update.effective_message.reply_text(text, reply_markup=markup)
    return RESTRICT


async def _save_new(update: Update, context: BotContext, _press: RestrictDone) -> int:
    new = context.user_data.get(NEW)
    if not new or "restrictions" not in new:
        return await stale(update, context)
    codes = set(new["restrictions"])
    restrictions = Restrictions(
        allergens=frozenset(a for a in Allergen if a.value in codes),
        diets=frozenset(d for d in Diet if d.value in codes),
        other=new.get("other"),
    )
    _now, today = now_today(context)
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
    return await show_plan(update, context, plan_id)


STEPS: dict[type, Step] = {
    NewPlan: _new,
    NewFor: _for,
    NewType: _type,
    NewStart: _start_pressed,
    NewEnd: _end_pressed,
    Skip: _skip,
    Restrict: _toggle,
    RestrictDone: _save_new,
}
TYPED = {
    START: _typed_start,
    FINISH: _typed_end,
    GOALS: _typed_goals,
    TARGETS: _typed_targets,
    RESTRICT: _typed_restriction,
}
