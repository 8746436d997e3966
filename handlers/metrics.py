"""/log: a result in one line ("/log 40m sprint 5.12s") or step by step with buttons.

`/log <line>` logs at once; `/log` alone asks the category, the metric, the value and an
optional note. A parent with several children, or a coach, first picks whose result it is.
A value outside the metric's usual range is questioned ("5.12 kg for a squat?") and logged
only after "Log anyway". Every logged value comes with an Undo button. What may be logged, by
whom, and what counts as a personal best is `domain.metrics_log` and `domain.metric_entry`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import pattern, refuse, unpack
from bot.i18n import t
from domain import metric_entry, metrics_log
from domain.errors import DomainError
from domain.metric_catalogue import MetricKind
from domain.metric_input import MetricInputError
from domain.metrics_log import Implausible
from domain.short_ids import parse_id, short_id
from handlers import _metrics_render as render
from handlers._acting import current_actor, current_timezone, refusal_text
from handlers._metrics_render import FLOW, UNDO, Pending
from handlers.common import cancel_fallback

ATHLETE, CATEGORY, METRIC, VALUE, NOTE, CONFIRM = range(6)
END = ConversationHandler.END
PENDING = "metric_log"  # user_data key of the entry being made
_LOGGERS = [("log", "metrics.command.log")]
ROLE_COMMANDS = {"athlete": _LOGGERS, "parent": _LOGGERS, "coach": _LOGGERS}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND

Step = Callable[[Update, BotContext, Pending, tuple[str, ...]], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add /log, and the Undo button that works after the flow is over."""
    not_text = MessageHandler(_PRIVATE & ~f.COMMAND, _not_text)
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("log", start_log, filters=_PRIVATE)],
            states={
                ATHLETE: [_buttons(ATHLETE)],
                CATEGORY: [_buttons(CATEGORY)],
                METRIC: [_buttons(METRIC)],
                VALUE: [_buttons(VALUE), MessageHandler(_TEXT, got_value), not_text],
                NOTE: [_buttons(NOTE), MessageHandler(_TEXT, got_note), not_text],
                CONFIRM: [_buttons(CONFIRM)],
            },
            fallbacks=[cancel_fallback()],
            name="metric_log",
            persistent=True,
            allow_reentry=True,
        )
    )
    application.add_handler(CallbackQueryHandler(undo, pattern=pattern(UNDO)))
    # Outside the flow (it ended, or never began in this chat) every /log button is stale.
    application.add_handler(CallbackQueryHandler(_stale, pattern=pattern(FLOW)))


async def start_log(update: Update, context: BotContext) -> int:
    """/log [line]: whose result (if several), then log the line or ask step by step."""
    actor = await current_actor(update, context)
    if actor is None:
        return await _end(update, context, t("metrics.not_signed_up", context.lang))
    targets = await metric_entry.athletes_to_log_for(context.uow(), actor=actor)
    if not targets:
        return await _end(update, context, t("metrics.nobody", context.lang))
    timezone = await current_timezone(update, context)
    pending = Pending.new(datetime.now(UTC), timezone, " ".join(context.args or []))
    pending.offer(targets)
    if len(targets) > 1:
        screen = render.athletes(pending, targets, context.lang)
        return await _show(update, context, pending, ATHLETE, screen)
    pending.choose(short_id(targets[0].athlete_id))
    return await _proceed(update, context, pending)


async def pick_athlete(
    update: Update, context: BotContext, pending: Pending, args: tuple[str, ...]
) -> int:
    """A name on the "Whose result is it?" screen (the domain checks it again when logging)."""
    if not args or not pending.choose(args[0]):
        await refuse(update, context, reason="athlete not offered")
        return ATHLETE
    return await _proceed(update, context, pending)


async def _proceed(update: Update, context: BotContext, pending: Pending) -> int:
    """A typed line is logged now; without one, the categories to pick from."""
    if pending.text:
        return await _log(update, context, pending)
    return await _show_categories(update, context, pending)


async def pick_category(
    update: Update, context: BotContext, pending: Pending, args: tuple[str, ...]
) -> int:
    """A category button: its metrics."""
    catalogue = await _catalogue(update, context, pending)
    kinds = [kind for kind in catalogue if args and kind.category == args[0]]
    if not kinds:
        await refuse(update, context, reason="empty or unknown category")
        return CATEGORY
    pending.metrics = [kind.key for kind in kinds]
    return await _show(
        update, context, pending, METRIC, render.metrics(pending, kinds, context.lang)
    )


async def pick_metric(
    update: Update, context: BotContext, pending: Pending, args: tuple[str, ...]
) -> int:
    """A metric button: ask for the value."""
    index = int(args[0]) if args and args[0].isdigit() else -1
    catalogue = await _catalogue(update, context, pending)
    key = pending.metrics[index] if 0 <= index < len(pending.metrics) else None
    kind = next((kind for kind in catalogue if kind.key == key), None)
    if kind is None:
        await refuse(update, context, reason="metric not offered")
        return METRIC
    pending.metric, pending.metric_name = kind.key, kind.name
    return await _show(
        update, context, pending, VALUE, render.ask_value(pending, kind, context.lang)
    )


async def back_to_categories(
    update: Update, context: BotContext, pending: Pending, args: tuple[str, ...]
) -> int:
    """Back from the metrics to the categories."""
    return await _show_categories(update, context, pending)


async def got_value(update: Update, context: BotContext) -> int:
    """The value typed for the picked metric: checked now, so a typo is caught before the note."""
    pending = Pending.from_json(context.user_data.get(PENDING))
    actor = await current_actor(update, context)
    if pending is None or pending.athlete is None or actor is None:
        return await _end(update, context, t("metrics.stale", context.lang))
    pending.text = update.effective_message.text.strip()
    try:
        await metric_entry.check_value(
            context.uow(),
            actor=actor,
            athlete_id=_athlete_id(pending),
            text=pending.text,
            metric_key=pending.metric,
            now=pending.started,
            timezone=pending.timezone,
        )
    except Implausible as err:
        return await _show(
            update, context, pending, CONFIRM, render.implausible(pending, err, context.lang)
        )
    except MetricInputError as err:
        await render.say(update, (render.input_error(err, context.lang), None))
        return VALUE
    except DomainError as err:
        return await _end(update, context, refusal_text(err, context))
    return await _show(update, context, pending, NOTE, render.ask_note(pending, context.lang))


async def got_note(update: Update, context: BotContext) -> int:
    """The note: log the value with it."""
    pending = Pending.from_json(context.user_data.get(PENDING))
    if pending is None or pending.athlete is None:
        return await _end(update, context, t("metrics.stale", context.lang))
    pending.note = update.effective_message.text.strip()
    return await _log(update, context, pending)


async def skip_note(
    update: Update, context: BotContext, pending: Pending, args: tuple[str, ...]
) -> int:
    """Skip: log the value without a note."""
    return await _log(update, context, pending)


async def log_anyway(
    update: Update, context: BotContext, pending: Pending, args: tuple[str, ...]
) -> int:
    """The "Log anyway" button under the question about an unusual value."""
    pending.confirmed = True
    if pending.metric is not None and pending.note is None:
        return await _show(update, context, pending, NOTE, render.ask_note(pending, context.lang))
    return await _log(update, context, pending)


async def cancel(
    update: Update, context: BotContext, pending: Pending, args: tuple[str, ...]
) -> int:
    """The Cancel button."""
    return await _end(update, context, t("metrics.cancelled", context.lang))


async def undo(update: Update, context: BotContext) -> None:
    """The Undo button under a logged value: take it back, if still allowed."""
    press = unpack(update.callback_query.data, flow=UNDO)
    metric_id = press.uuid_arg(0) if press is not None else None
    recorded_at = render.recorded_at_of(press.args[1]) if press and len(press.args) > 1 else None
    actor = await current_actor(update, context)
    if metric_id is None or recorded_at is None or actor is None:
        await refuse(update, context, reason="malformed undo button")
        return
    try:
        undone = await metrics_log.undo(
            context.uow(),
            actor=actor,
            metric_id=metric_id,
            recorded_at=recorded_at,
            cache=context.services.cache,
            keys=context.services.keys,
        )
    except DomainError as err:
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return
    await render.say(update, (render.undone(undone, context.lang), None))


async def _log(update: Update, context: BotContext, pending: Pending) -> int:
    """Log what the entry holds; the reply, the question, or the hint."""
    actor = await current_actor(update, context)
    if actor is None or pending.athlete is None:
        return await _end(update, context, t("metrics.stale", context.lang))
    try:
        logged = await metric_entry.log_typed(
            context.uow(),
            actor=actor,
            athlete_id=_athlete_id(pending),
            text=pending.line(),
            metric_key=pending.metric,
            now=pending.started,
            timezone=pending.timezone,
            cache=context.services.cache,
            keys=context.services.keys,
            confirmed=pending.confirmed,
        )
    except Implausible as err:
        return await _show(
            update, context, pending, CONFIRM, render.implausible(pending, err, context.lang)
        )
    except MetricInputError as err:
        return await _end(update, context, render.input_error(err, context.lang))
    except DomainError as err:
        return await _end(update, context, refusal_text(err, context))
    context.user_data.pop(PENDING, None)
    await render.say(update, render.logged(logged, context.lang, for_self=pending.is_self))
    return END


async def _show_categories(update: Update, context: BotContext, pending: Pending) -> int:
    try:
        catalogue = await _catalogue(update, context, pending)
    except DomainError as err:
        return await _end(update, context, refusal_text(err, context))
    screen = render.categories(pending, catalogue, context.lang)
    return await _show(update, context, pending, CATEGORY, screen)


async def _catalogue(update: Update, context: BotContext, pending: Pending) -> list[MetricKind]:
    actor = await current_actor(update, context)
    if actor is None:
        return []
    return await metric_entry.catalogue_to_log(
        context.uow(), actor=actor, athlete_id=_athlete_id(pending)
    )


def _athlete_id(pending: Pending) -> uuid.UUID:
    athlete_id = parse_id(pending.athlete or "")
    if athlete_id is None:
        raise ValueError("the entry has no athlete")
    return athlete_id


async def _show(
    update: Update, context: BotContext, pending: Pending, state: int, screen: render.Screen
) -> int:
    """Save the entry and show a step."""
    context.user_data[PENDING] = pending.to_json()
    await render.say(update, screen)
    return state


async def _end(update: Update, context: BotContext, text: str) -> int:
    """Forget the entry and say the flow's last word."""
    context.user_data.pop(PENDING, None)
    await render.say(update, (text, None))
    return END


def _buttons(state: int) -> CallbackQueryHandler[BotContext, int | None]:
    async def on_button(update: Update, context: BotContext) -> int | None:
        press = unpack(update.callback_query.data, flow=FLOW)
        if press is None or not press.args:
            await refuse(update, context, reason="malformed /log button")
            return None
        pending = Pending.from_json(context.user_data.get(PENDING))
        if pending is None or press.args[0] != pending.token:
            await _stale(update, context)
            return None
        step = _ANYWHERE.get(press.action) or _BUTTONS.get((state, press.action))
        if step is None:  # a button of another step, still on screen somewhere
            await _stale(update, context)
            return None
        try:
            return await step(update, context, pending, press.args[1:])
        except DomainError as err:
            await update.callback_query.answer(refusal_text(err, context), show_alert=True)
            return None

    return CallbackQueryHandler(on_button, pattern=pattern(FLOW))


async def _not_text(update: Update, context: BotContext) -> None:
    await render.say(update, (t("metrics.not_text", context.lang), None))


async def _stale(update: Update, context: BotContext) -> None:
    await update.callback_query.answer(t("metrics.stale", context.lang), show_alert=True)


_ANYWHERE: dict[str, Step] = {"x": cancel}
_BUTTONS: dict[tuple[int, str], Step] = {
    (ATHLETE, "ath"): pick_athlete,
    (CATEGORY, "cat"): pick_category,
    (METRIC, "met"): pick_metric,
    (METRIC, "back"): back_to_categories,
    (NOTE, "skip"): skip_note,
    (CONFIRM, "yes"): log_anyway,
}
