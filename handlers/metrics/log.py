"""/log: a result in one line ("/log 40m sprint 5.12s") or step by step with buttons.

`/log <line>` logs at once; `/log` alone asks the category, the metric, the value and an
optional note. A parent with several children, or a coach, first picks whose result it is.
A value outside the metric's usual range is questioned ("5.12 kg for a squat?") and logged
only after "Log anyway"; an impossible one (-5.12 s) is refused with the reason. Every logged
value comes with an Undo button. What may be logged, by whom, and what counts as a personal
best is `domain.metrics.log` and `domain.metrics.entry`.

This module wires the conversation, whose result it is, and Undo; the steps after the athlete
is known are in `_metrics_guided`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import DomainError
from domain.metrics import entry as metric_entry
from domain.metrics import log as metrics_log
from domain.short_ids import short_id
from handlers.metrics import guided
from handlers.metrics import log_render as render
from handlers.metrics.callbacks import LOG_FLOW, LogAction, LogPress, UndoLogged
from handlers.metrics.guided import ATHLETE, CATEGORY, CONFIRM, METRIC, NOTE, PENDING, VALUE
from handlers.metrics.log_render import Pending
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import cancel_fallback

_LOGGERS = [("log", "metrics.command.log")]
ROLE_COMMANDS = {"athlete": _LOGGERS, "parent": _LOGGERS, "coach": _LOGGERS}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND

Step = Callable[[Update, BotContext, Pending, str | None], Awaitable[int]]


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
                VALUE: [_buttons(VALUE), MessageHandler(_TEXT, guided.got_value), not_text],
                NOTE: [_buttons(NOTE), MessageHandler(_TEXT, guided.got_note), not_text],
                CONFIRM: [_buttons(CONFIRM)],
            },
            fallbacks=[cancel_fallback()],
            name="metric_log",
            persistent=True,
            allow_reentry=True,
        )
    )
    application.add_handler(CallbackQueryHandler(undo, pattern=UndoLogged.pattern()))
    # Outside the flow (it ended, or never began in this chat) every /log button is stale.
    application.add_handler(CallbackQueryHandler(_stale, pattern=flow_pattern(LOG_FLOW)))


async def start_log(update: Update, context: BotContext) -> int:
    """/log [line]: whose result (if several), then log the line or ask step by step."""
    actor = context.actor
    if actor is None:
        return await guided.end(update, context, t("metrics.not_signed_up", context.lang))
    targets = await metric_entry.athletes_to_log_for(context.uow, actor=actor)
    if not targets:
        return await guided.end(update, context, t("metrics.nobody", context.lang))
    timezone = context.timezone
    pending = Pending.new(datetime.now(UTC), timezone, " ".join(context.args or []))
    pending.offer(targets)
    if len(targets) > 1:
        screen = render.athletes(pending, targets, context.lang)
        return await guided.show(update, context, pending, ATHLETE, screen)
    pending.choose(short_id(targets[0].athlete_id))
    return await _proceed(update, context, pending)


async def pick_athlete(
    update: Update, context: BotContext, pending: Pending, choice: str | None
) -> int:
    """A name on the "Whose result is it?" screen (the domain checks it again when logging)."""
    if choice is None or not pending.choose(choice):
        await refuse(update, context, reason="athlete not offered")
        return ATHLETE
    return await _proceed(update, context, pending)


async def _proceed(update: Update, context: BotContext, pending: Pending) -> int:
    """A typed line is logged now; without one, the categories to pick from."""
    if pending.text:
        return await guided.log_entry(update, context, pending)
    return await guided.show_categories(update, context, pending)


async def cancel(update: Update, context: BotContext, pending: Pending, choice: str | None) -> int:
    """The Cancel button."""
    return await guided.end(update, context, t("metrics.cancelled", context.lang))


async def undo(update: Update, context: BotContext) -> None:
    """The Undo button under a logged value: take it back, if still allowed."""
    press = UndoLogged.parse(update.callback_query.data)
    recorded_at = press.recorded_at if press is not None else None
    actor = context.actor
    if press is None or recorded_at is None or actor is None:
        await refuse(update, context, reason="malformed undo button")
        return
    try:
        undone = await metrics_log.undo(
            context.uow,
            actor=actor,
            metric_id=press.metric_id,
            recorded_at=recorded_at,
            latest=context.services.latest_metrics,
        )
    except DomainError as err:
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return
    await render.say(update, (render.undone(undone, context.lang), None))


def _buttons(state: int) -> CallbackQueryHandler[BotContext, int | None]:
    async def on_button(update: Update, context: BotContext) -> int | None:
        press = LogPress.parse(update.callback_query.data)
        if press is None:
            await refuse(update, context, reason="malformed /log button")
            return None
        pending = Pending.from_json(context.user_data.get(PENDING))
        if pending is None or press.token != pending.token:
            await _stale(update, context)
            return None
        step = _ANYWHERE.get(press.action) or _BUTTONS.get((state, press.action))
        if step is None:  # a button of another step, still on screen somewhere
            await _stale(update, context)
            return None
        try:
            return await step(update, context, pending, press.choice)
        except DomainError as err:
            await update.callback_query.answer(refusal_text(err, context), show_alert=True)
            return None

    return CallbackQueryHandler(on_button, pattern=flow_pattern(LOG_FLOW))


async def _not_text(update: Update, context: BotContext) -> None:
    await render.say(update, (t("metrics.not_text", context.lang), None))


async def _stale(update: Update, context: BotContext) -> None:
    await update.callback_query.answer(t("metrics.stale", context.lang), show_alert=True)


_ANYWHERE: dict[LogAction, Step] = {LogAction.CANCEL: cancel}
_BUTTONS: dict[tuple[int, LogAction], Step] = {
    (ATHLETE, LogAction.ATHLETE): pick_athlete,
    (CATEGORY, LogAction.CATEGORY): guided.pick_category,
    (METRIC, LogAction.METRIC): guided.pick_metric,
    (METRIC, LogAction.BACK): guided.back_to_categories,
    (NOTE, LogAction.SKIP): guided.skip_note,
    (CONFIRM, LogAction.ANYWAY): guided.log_anyway,
}
