"""/progress, /export and /roster: an athlete's results as a chart, as a file, and a coach's list.

/progress asks whose progress (if the reader may see several athletes'), which metric (those
with results), which period, then sends the chart as a photo; the period buttons stay, so
another period is one press away. /export sends the athlete's results as a CSV file. /roster
lists a coach's athletes with their latest results and the change over four weeks.

The buttons name athletes and metrics by id (`handlers.metrics.progress_render`), so they need no
conversation state: any press, however old, is checked again by the domain and answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from domain.errors import DomainError, NotAllowed, NotFound
from domain.metrics import progress, viewers
from domain.metrics.export import EMPTY_EXPORT, export_csv
from domain.metrics.roster import roster
from domain.metrics.viewers import AthleteName
from domain.policy import Actor
from domain.programs.following.adherence import athlete_compliance
from handlers.metrics import progress_render as render
from handlers.metrics.callbacks import (
    PROGRESS_FLOW,
    ProgressAthlete,
    ProgressAthletes,
    ProgressExport,
    ProgressMetric,
    ProgressSpan,
)
from handlers.metrics.names import metric_name
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import CallbackData, flow_pattern, parse_any

_VIEWERS = [
    ("progress", "progress.command.progress"),
    ("export", "progress.command.export"),
]
ROLE_COMMANDS = {
    "athlete": _VIEWERS,
    "parent": _VIEWERS,
    "mentor": _VIEWERS,
    "coach": [*_VIEWERS, ("roster", "progress.command.roster")],
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
# A press naming an athlete or metric the presser may not see is refused as forged.
FORBIDDEN = (NotAllowed, NotFound)
Press = Callable[[Update, BotContext, Actor, Any], Awaitable[None]]  # each takes its own type


def register(application: BotApplication) -> None:
    """Add /progress, /export, /roster and the progress buttons."""
    application.add_handler(CommandHandler("progress", show_progress, filters=_PRIVATE))
    application.add_handler(CommandHandler("export", export, filters=_PRIVATE))
    application.add_handler(CommandHandler("roster", show_roster, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=flow_pattern(PROGRESS_FLOW)))


async def show_progress(update: Update, context: BotContext) -> None:
    """/progress: whose (if several), else straight to the athlete's metrics."""
    found = await _athletes(update, context)
    if found is None:
        return
    actor, athletes = found
    if len(athletes) == 1:
        await _metrics(update, context, actor, athletes[0], back=False)
        return
    keyboard = render.athletes_markup(athletes, actor.own_athlete_id, context.lang)
    await _reply(update, t("progress.pick_athlete", context.lang), keyboard)


async def export(update: Update, context: BotContext) -> None:
    """/export: whose (if several), else the athlete's results as a CSV file."""
    found = await _athletes(update, context)
    if found is None:
        return
    actor, athletes = found
    if len(athletes) == 1:
        await _send_export(update, context, actor, athletes[0])
        return
    keyboard = render.athletes_markup(
        athletes, actor.own_athlete_id, context.lang, press=ProgressExport
    )
    await _reply(update, t("progress.pick_athlete_export", context.lang), keyboard)


async def show_roster(update: Update, context: BotContext) -> None:
    """/roster: a coach's athletes, their latest results and the change over four weeks."""
    actor = context.actor
    if actor is None:
        await _reply(update, t("progress.not_signed_up", context.lang))
        return
    try:
        lines = await roster(context.uow, actor=actor, latest=context.services.latest_metrics)
    except NotAllowed:
        await _reply(update, t("progress.roster.only_coaches", context.lang))
        return
    reader = await viewers.reader_of(context.uow, actor=actor)
    await send_text(
        context.bot, update.effective_chat.id, render.roster_text(lines, reader.units, context.lang)
    )


async def on_button(update: Update, context: BotContext) -> None:
    """Any progress button: re-check the presser, then do what it names."""
    press = parse_any(update.callback_query.data, _BUTTONS)
    step = _BUTTONS[type(press)] if press is not None else None
    actor = context.actor if step is not None else None
    if press is None or step is None or actor is None:
        await refuse(update, context, reason="progress button: malformed or not signed up")
        return
    try:
        await step(update, context, actor, press)
    except FORBIDDEN as err:
        await refuse(update, context, reason=f"progress {press.prefix}: {type(err).__name__}")
    except DomainError as err:
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)


async def pick_athlete(
    update: Update, context: BotContext, actor: Actor, press: ProgressAthlete
) -> None:
    """An athlete's button: their metrics."""
    athlete = await _athlete(context, actor, press.athlete_id)
    await update.callback_query.answer()
    await _metrics(update, context, actor, athlete, back=True)


async def back_to_athletes(
    update: Update, context: BotContext, actor: Actor, press: ProgressAthletes
) -> None:
    """« Back on the metrics: the athletes again."""
    athletes = await viewers.athletes_in_view(context.uow, actor=actor)
    await update.callback_query.answer()
    keyboard = render.athletes_markup(athletes, actor.own_athlete_id, context.lang)
    await render.show(update, t("progress.pick_athlete", context.lang), keyboard)


async def pick_metric(
    update: Update, context: BotContext, actor: Actor, press: ProgressMetric
) -> None:
    """A metric's button: the periods."""
    athlete = await _athlete(context, actor, press.athlete_id)
    kinds = await progress.metrics_with_data(
        context.uow, actor=actor, athlete_id=athlete.athlete_id
    )
    kind = next((kind for kind in kinds if kind.id == press.metric_id), None)
    if kind is None:
        raise NotFound("metric without values")
    await update.callback_query.answer()
    text = t(
        "progress.pick_span",
        context.lang,
        metric=metric_name(kind, context.lang),
        name=athlete.name,
    )
    await render.show(update, text, render.spans_markup(athlete, kind, context.lang))


async def pick_span(update: Update, context: BotContext, actor: Actor, press: ProgressSpan) -> None:
    """A period's button: the chart as a photo, or why there is none."""
    athlete, span = await _athlete(context, actor, press.athlete_id), press.span
    series = await progress.series_for_span(
        context.uow,
        actor=actor,
        athlete_id=athlete.athlete_id,
        metric_id=press.metric_id,
        span=span,
        now=datetime.now(UTC),
    )
    await update.callback_query.answer()
    if not series.points:
        # The periods stay under the words, so a longer one is a press away.
        text = render.empty_text(series, athlete, span, context.lang)
        await render.show(update, text, render.spans_markup(athlete, series.kind, context.lang))
        return
    reader = await viewers.reader_of(context.uow, actor=actor)
    png = await render.chart(series, athlete, reader, context.lang)
    await context.bot.send_photo(
        update.effective_chat.id,
        InputFile(png, filename="progress.png"),
        caption=render.caption(series, athlete, span, reader, context.lang),
    )


async def pick_export(
    update: Update, context: BotContext, actor: Actor, press: ProgressExport
) -> None:
    """An athlete's button under /export: their CSV file."""
    athlete = await _athlete(context, actor, press.athlete_id)
    await update.callback_query.answer()
    await _send_export(update, context, actor, athlete)


async def _athletes(update: Update, context: BotContext) -> tuple[Actor, list[AthleteName]] | None:
    """The reader and whom they may see; None (after saying why) if nobody."""
    actor = context.actor
    if actor is None:
        await _reply(update, t("progress.not_signed_up", context.lang))
        return None
    athletes = await viewers.athletes_in_view(context.uow, actor=actor)
    if not athletes:
        await _reply(update, t("progress.nobody", context.lang))
        return None
    return actor, athletes


async def _athlete(context: BotContext, actor: Actor, athlete_id: uuid.UUID | None) -> AthleteName:
    athletes = await viewers.athletes_in_view(context.uow, actor=actor)
    found = next((a for a in athletes if a.athlete_id == athlete_id), None)
    if found is None:
        raise NotFound("athlete not in view")
    return found


async def _metrics(
    update: Update, context: BotContext, actor: Actor, athlete: AthleteName, *, back: bool
) -> None:
    kinds = await progress.metrics_with_data(
        context.uow, actor=actor, athlete_id=athlete.athlete_id
    )
    programs = await _compliance(context, actor, athlete)
    if not kinds:
        await _show(update, t("progress.no_data", context.lang, name=athlete.name) + programs)
        return
    text = t("progress.pick_metric", context.lang, name=athlete.name) + programs
    await _show(update, text, render.metrics_markup(athlete, kinds, context.lang, back=back))


async def _compliance(context: BotContext, actor: Actor, athlete: AthleteName) -> str:
    """How well the athlete keeps each program they follow (issue 16), as lines to append."""
    kept = await athlete_compliance(
        context.uow, actor=actor, athlete_id=athlete.athlete_id, now=datetime.now(UTC)
    )
    lines = [
        t(
            "training.compliance.line",
            context.lang,
            program=c.program_title,
            percent=c.percent,
            done=c.done,
            partly=c.partly,
            skipped=c.skipped,
            due=c.due,
        )
        for c in kept
    ]
    return "\n\n" + "\n".join(lines) if lines else ""


async def _send_export(
    update: Update, context: BotContext, actor: Actor, athlete: AthleteName
) -> None:
    data = await export_csv(context.uow, actor=actor, athlete_id=athlete.athlete_id)
    if data == EMPTY_EXPORT:
        await _show(update, t("progress.export.empty", context.lang, name=athlete.name))
        return
    reader = await viewers.reader_of(context.uow, actor=actor)
    document = InputFile(data, filename=render.export_filename(athlete, reader.timezone))
    document.mimetype = "text/csv"
    caption = t(
        "progress.export.caption", context.lang, name=athlete.name, timezone=reader.timezone
    )
    await context.bot.send_document(update.effective_chat.id, document, caption=caption)


async def _show(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """In place of the pressed message, or as a reply to a command."""
    if update.callback_query is not None:
        await render.show(update, text, keyboard)
    else:
        await _reply(update, text, keyboard)


async def _reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_message.reply_text(text, reply_markup=keyboard)


_BUTTONS: dict[type[CallbackData], Press] = {
    ProgressAthlete: pick_athlete,
    ProgressAthletes: back_to_athletes,
    ProgressMetric: pick_metric,
    ProgressSpan: pick_span,
    ProgressExport: pick_export,
}
