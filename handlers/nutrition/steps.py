"""What the /nutrition conversation's steps share: its states, what it keeps in user_data, the
shape of a step, a plan's card, and the replies any step may give (a stale question, a
refusal)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.app import BotContext
from bot.i18n import t
from domain.errors import DomainError
from domain.nutrition import plans
from domain.programs.following.enrolments import local_today
from handlers.nutrition import render
from handlers.shared.acting import refusal_text
from handlers.shared.edit_in_place import edit_or_reply

END = ConversationHandler.END
# Persisted conversation states: keep their values, or saved conversations resume wrongly.
IDLE, START, FINISH, GOALS, TARGETS, RESTRICT, FOOD, GRAMS = range(8)
NEW = "nutrition_new"  # user_data: the new plan's answers so far (JSON)
EDIT = "nutrition_edit"  # user_data: {"plan", "kind", "slot", "food"} while adding a food
TEMPLATE = "nutrition_template"  # user_data: {"id", "athletes"} while applying a template
Step = Callable[[Update, BotContext, Any], Awaitable[int]]


def now_today(context: BotContext) -> tuple[datetime, date]:
    """Now, and the date it is in the person's zone."""
    now = datetime.now(UTC)
    return now, local_today(now, context.timezone)


def refusal(err: DomainError, context: BotContext) -> str:
    """The words for a refusal: a refused food names the food and why."""
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


async def stale(update: Update, context: BotContext) -> int:
    """A press or answer from a question no longer open: start again from the list."""
    if update.callback_query is not None:
        await update.callback_query.answer(t("nutrition.plan.stale", context.lang), show_alert=True)
    else:
        await update.effective_message.reply_text(t("nutrition.plan.stale", context.lang))
    return IDLE


async def show_plan(
    update: Update, context: BotContext, plan_id: uuid.UUID, *, edit: bool = True
) -> int:
    """A plan's card, edited in place (or replied after typing)."""
    _now, today = now_today(context)
    view = await plans.view(
        context.uow,
        actor=context.actor,  # type: ignore[arg-type]
        box=context.services.secrets,
        plan_id=plan_id,
        today=today,
    )
    text, markup = render.plan_card(view, context.lang)
    await edit_or_reply(update, text, markup, edit=edit)
    return IDLE
