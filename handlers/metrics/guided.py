"""/log step by step: the category, the metric, the value and an optional note, then log.

The typed one-line /log ends here too (`log_entry`), so the question about an unusual value and
the reply are the same whichever way the value came. The states are declared here, once, and the
conversation in `handlers.metrics` routes presses to these steps.
"""

from __future__ import annotations

import uuid

from telegram import Update
from telegram.ext import ConversationHandler

from bot.app import BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import DomainError
from domain.metrics import entry as metric_entry
from domain.metrics.catalogue import MetricKind
from domain.metrics.log import Implausible
from domain.metrics.log_line import MetricInputError
from domain.short_ids import parse_id
from handlers.metrics import log_render as render
from handlers.metrics.log_render import Pending
from handlers.metrics.names import metric_name
from handlers.shared.acting import refusal_text

ATHLETE, CATEGORY, METRIC, VALUE, NOTE, CONFIRM = range(6)
END = ConversationHandler.END
PENDING = "metric_log"  # user_data key of the entry being made


async def show_categories(update: Update, context: BotContext, pending: Pending) -> int:
    """The categories of the chosen athlete's catalogue, or why there are none."""
    try:
        catalogue = await _catalogue(update, context, pending)
    except DomainError as err:
        return await end(update, context, refusal_text(err, context))
    screen = render.categories(pending, catalogue, context.lang)
    return await show(update, context, pending, CATEGORY, screen)


async def pick_category(
    update: Update, context: BotContext, pending: Pending, choice: str | None
) -> int:
    """A category button: its metrics."""
    catalogue = await _catalogue(update, context, pending)
    kinds = [kind for kind in catalogue if kind.category == choice]
    if not kinds:
        await refuse(update, context, reason="empty or unknown category")
        return CATEGORY
    pending.metrics = [kind.key for kind in kinds]
    return await show(
        update, context, pending, METRIC, render.metrics(pending, kinds, context.lang)
    )


async def pick_metric(
    update: Update, context: BotContext, pending: Pending, choice: str | None
) -> int:
    """A metric button: ask for the value."""
    index = int(choice) if choice is not None and choice.isdigit() else -1
    catalogue = await _catalogue(update, context, pending)
    key = pending.metrics[index] if 0 <= index < len(pending.metrics) else None
    kind = next((kind for kind in catalogue if kind.key == key), None)
    if kind is None:
        await refuse(update, context, reason="metric not offered")
        return METRIC
    pending.metric, pending.metric_name = kind.key, metric_name(kind, context.lang)
    return await show(
        update, context, pending, VALUE, render.ask_value(pending, kind, context.lang)
    )


async def back_to_categories(
    update: Update, context: BotContext, pending: Pending, choice: str | None
) -> int:
    """Back from the metrics to the categories."""
    return await show_categories(update, context, pending)


async def got_value(update: Update, context: BotContext) -> int:
    """The value typed for the picked metric: checked now, so a typo is caught before the note."""
    pending = Pending.from_json(context.user_data.get(PENDING))
    actor = context.actor
    if pending is None or pending.athlete is None or actor is None:
        return await end(update, context, t("metrics.stale", context.lang))
    pending.text = update.effective_message.text.strip()
    try:
        await metric_entry.check_value(
            context.uow,
            actor=actor,
            athlete_id=_athlete_id(pending),
            text=pending.text,
            metric_key=pending.metric,
            now=pending.started,
            timezone=pending.timezone,
        )
    except Implausible as err:
        return await show(
            update, context, pending, CONFIRM, render.implausible(pending, err, context.lang)
        )
    except MetricInputError as err:
        await render.say(update, (render.input_error(err, context.lang), None))
        return VALUE
    except DomainError as err:
        return await end(update, context, refusal_text(err, context))
    return await show(update, context, pending, NOTE, render.ask_note(pending, context.lang))


async def got_note(update: Update, context: BotContext) -> int:
    """The note: log the value with it."""
    pending = Pending.from_json(context.user_data.get(PENDING))
    if pending is None or pending.athlete is None:
        return await end(update, context, t("metrics.stale", context.lang))
    pending.note = update.effective_message.text.strip()
    return await log_entry(update, context, pending)


async def skip_note(
    update: Update, context: BotContext, pending: Pending, choice: str | None
) -> int:
    """Skip: log the value without a note."""
    return await log_entry(update, context, pending)


async def log_anyway(
    update: Update, context: BotContext, pending: Pending, choice: str | None
) -> int:
    """The "Log anyway" button under the question about an unusual value."""
    pending.confirmed = True
    if pending.metric is not None and pending.note is None:
        return await show(update, context, pending, NOTE, render.ask_note(pending, context.lang))
    return await log_entry(update, context, pending)


async def log_entry(update: Update, context: BotContext, pending: Pending) -> int:
    """Log what the entry holds; the reply, the question, or the hint."""
    actor = context.actor
    if actor is None or pending.athlete is None:
        return await end(update, context, t("metrics.stale", context.lang))
    try:
        logged = await metric_entry.log_typed(
            context.uow,
            actor=actor,
            athlete_id=_athlete_id(pending),
            text=pending.line(),
            metric_key=pending.metric,
            now=pending.started,
            timezone=pending.timezone,
            latest=context.services.latest_metrics,
            confirmed=pending.confirmed,
        )
    except Implausible as err:
        return await show(
            update, context, pending, CONFIRM, render.implausible(pending, err, context.lang)
        )
    except MetricInputError as err:
        return await end(update, context, render.input_error(err, context.lang))
    except DomainError as err:
        return await end(update, context, refusal_text(err, context))
    context.user_data.pop(PENDING, None)
    await render.say(update, render.logged(logged, context.lang, for_self=pending.is_self))
    return END


async def show(
    update: Update, context: BotContext, pending: Pending, state: int, screen: render.Screen
) -> int:
    """Save the entry and show a step."""
    context.user_data[PENDING] = pending.to_json()
    await render.say(update, screen)
    return state


async def end(update: Update, context: BotContext, text: str) -> int:
    """Forget the entry and say the flow's last word."""
    context.user_data.pop(PENDING, None)
    await render.say(update, (text, None))
    return END


async def _catalogue(update: Update, context: BotContext, pending: Pending) -> list[MetricKind]:
    actor = context.actor
    if actor is None:
        return []
    return await metric_entry.catalogue_to_log(
        context.uow, actor=actor, athlete_id=_athlete_id(pending)
    )


def _athlete_id(pending: Pending) -> uuid.UUID:
    athlete_id = parse_id(pending.athlete or "")
    if athlete_id is None:
        raise ValueError("the entry has no athlete")
    return athlete_id
