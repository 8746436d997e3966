"""A coach's templates in /nutrition: the list, the athletes they coach to apply one to, and
the start; each athlete's plan is scaled by body weight and published where it can be."""

from __future__ import annotations

import uuid

from telegram import Update

from bot.app import BotContext
from domain.nutrition import plans, templates
from handlers.nutrition import render
from handlers.nutrition.callbacks import (
    TemplateFor,
    TemplateFrom,
    TemplateOpen,
    Templates,
)
from handlers.nutrition.steps import (
    IDLE,
    TEMPLATE,
    Step,
    now_today,
    stale,
)
from handlers.shared.edit_in_place import edit_or_reply


async def _templates(update: Update, context: BotContext, _press: Templates) -> int:
    found = await templates.templates(context.uow, actor=context.actor)  # type: ignore[arg-type]
    await edit_or_reply(update, *render.templates_list(found, context.lang))
    return IDLE


async def _template_athletes(update: Update, context: BotContext, template_id: uuid.UUID) -> int:
    actor = context.actor
    assert actor is not None
    _now, today = now_today(context)
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
        return await stale(update, context)
    chosen["athletes"] = sorted(set(chosen["athletes"]) ^ {str(press.athlete_id)})
    return await _template_athletes(update, context, press.template_id)


async def _template_from(update: Update, context: BotContext, press: TemplateFrom) -> int:
    chosen = context.user_data.get(TEMPLATE)
    start_on = render.from_yyyymmdd(press.on)
    if not chosen or chosen["id"] != str(press.template_id) or start_on is None:
        return await stale(update, context)
    now, today = now_today(context)
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


STEPS: dict[type, Step] = {
    Templates: _templates,
    TemplateOpen: _template_open,
    TemplateFor: _template_for,
    TemplateFrom: _template_from,
}
