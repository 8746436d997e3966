"""Weekly series in chat: a coach's /series (private lessons; a team's "Schedule" opens the same
pages), a series' page with its next occurrences, one occurrence's answers with Skip, Move and
Attendance (two taps per athlete), a change from a date, the season's attendance; a family's
Yes / No / Maybe under "Will Kim come?", and /attendance for families."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, date, datetime, time

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.local_time import local_moment
from bot.sending import send_text
from domain.clubs.series import attendance, rsvp
from domain.clubs.series import series as series_service
from domain.clubs.series.plan import SeriesRefused
from domain.errors import DomainError
from domain.timezones import parse_clock
from handlers.clubs import series_render as render
from handlers.clubs.series_callbacks import (
    ATTENDANCE_FLOW,
    OCCURRENCE_FLOW,
    RSVP_FLOW,
    SERIES_FLOW,
    AttendanceList,
    AttendanceMark,
    AttendancePick,
    ChangeSeries,
    NewFor,
    NewForTeam,
    NewPrivate,
    OccurrenceMove,
    OccurrenceOpen,
    OccurrenceSkip,
    RsvpPress,
    SeasonAttendance,
    SeriesOpen,
    TeamSchedule,
)
from handlers.shared.acting import refusal_params
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import cancel_fallback
from handlers.shared.echo import echo
from handlers.shared.edit_in_place import edit_or_reply
from handlers.shared.menu_entries import WeeklySeries

log = logging.getLogger(__name__)
IDLE, TYPING_PLAN, TYPING_CHANGE, TYPING_MOVE = range(4)
_ATTENDANCE = ("attendance", "series.command.attendance")
ROLE_COMMANDS = {
    "coach": [("series", "series.command.series")],
    "parent": [_ATTENDANCE],
    "athlete": [_ATTENDANCE],
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
# What the typed line is for: ("athlete" | "team" | "series" | "session", its id).
_TYPING_FOR = "series.typing_for"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def register(application: BotApplication) -> None:
    """Add /series and its buttons, the RSVP buttons and /attendance."""
    presses = [
        CallbackQueryHandler(on_press, pattern=flow_pattern(flow))
        for flow in (SERIES_FLOW, OCCURRENCE_FLOW, ATTENDANCE_FLOW)
    ]
    typed = {
        TYPING_PLAN: on_plan_typed,
        TYPING_CHANGE: on_change_typed,
        TYPING_MOVE: on_move_typed,
    }
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("series", show_list, filters=_PRIVATE), *presses],
            states={
                IDLE: presses,
                **{state: [*presses, MessageHandler(_TEXT, step)] for state, step in typed.items()},
            },
            fallbacks=[cancel_fallback()],
            name="clubs_series",
            persistent=True,
            allow_reentry=True,
        )
    )
    application.add_handler(CallbackQueryHandler(on_rsvp, pattern=flow_pattern(RSVP_FLOW)))
    application.add_handler(CommandHandler("attendance", show_attendance, filters=_PRIVATE))


def _now() -> datetime:
    return datetime.now(UTC)


async def show_list(update: Update, context: BotContext) -> int:
    """/series: the coach's series and a new private-lesson series."""
    actor = context.actor
    if actor is None or actor.coach_id is None:
        await send_text(context.bot, update.effective_chat.id, t("series.coaches", context.lang))
        return ConversationHandler.END
    found = await series_service.coach_series(context.uow, actor=actor)
    text, markup = render.series_list(found, context.lang)
    await edit_or_reply(update, text, markup)
    return IDLE


async def on_press(update: Update, context: BotContext) -> int:
    """Every button of a coach's series pages; a forged one is refused."""
    data = update.callback_query.data
    if context.actor is None:
        await refuse(update, context, reason="series: not signed up")
        return ConversationHandler.END
    for kind, step in _STEPS:
        press = kind.parse(data)
        if press is not None:
            try:
                return await step(update, context, press)
            except DomainError as err:
                log.info("series press refused: %s", err.detail or err.message_key)
                await update.callback_query.answer(_refusal(err, context), show_alert=True)
                return IDLE
    await refuse(update, context, reason="series: malformed")
    return IDLE


async def _list(update: Update, context: BotContext, press: WeeklySeries) -> int:
    return await show_list(update, context)


async def _open(update: Update, context: BotContext, press: SeriesOpen) -> int:
    page = await series_service.series_page(
        context.uow, actor=context.actor, series_id=press.series_id, now=_now()
    )
    text, markup = render.series_page(page, context.timezone, context.lang)
    await edit_or_reply(update, text, markup)
    return IDLE


async def _team_schedule(update: Update, context: BotContext, press: TeamSchedule) -> int:
    found = await series_service.team_series(
        context.uow, actor=context.actor, team_id=press.team_id
    )
    text, markup = render.team_schedule(press.team_id, found, context.lang)
    await edit_or_reply(update, text, markup)
    return IDLE


async def _new_private(update: Update, context: BotContext, press: NewPrivate) -> int:
    athletes = await series_service.coachable_athletes(context.uow, actor=context.actor)
    text, markup = render.athletes_to_pick(athletes, context.lang)
    await edit_or_reply(update, text, markup)
    return IDLE


async def _ask_plan(update: Update, context: BotContext, typing_for: tuple[str, str]) -> int:
    context.user_data[_TYPING_FOR] = typing_for
    key = "series.ask_plan_team" if typing_for[0] == "team" else "series.ask_plan"
    await edit_or_reply(update, t(key, context.lang), None)
    return TYPING_PLAN


async def _new_for(update: Update, context: BotContext, press: NewFor) -> int:
    return await _ask_plan(update, context, ("athlete", str(press.athlete_id)))


async def _new_for_team(update: Update, context: BotContext, press: NewForTeam) -> int:
    return await _ask_plan(update, context, ("team", str(press.team_id)))


async def _change(update: Update, context: BotContext, press: ChangeSeries) -> int:
    context.user_data[_TYPING_FOR] = ("series", str(press.series_id))
    await edit_or_reply(update, t("series.ask_change", context.lang), None)
    return TYPING_CHANGE


async def _season(update: Update, context: BotContext, press: SeasonAttendance) -> int:
    found = await attendance.season(context.uow, actor=context.actor, series_id=press.series_id)
    text = render.season_text(found.title, found.shares, context.lang)
    await edit_or_reply(update, text, None, edit=False)
    return IDLE


async def _occurrence(update: Update, context: BotContext, press: OccurrenceOpen) -> int:
    roll = await rsvp.roll(context.uow, actor=context.actor, session_id=press.session_id)
    await _show_roll(update, context, roll)
    return IDLE


async def _show_roll(update: Update, context: BotContext, roll: rsvp.Roll) -> None:
    text = render.roll_text(roll, context.timezone, context.lang)
    await edit_or_reply(update, text, render.roll_markup(roll, context.lang))


async def _skip(update: Update, context: BotContext, press: OccurrenceSkip) -> int:
    await series_service.skip_occurrence(
        context.uow, actor=context.actor, session_id=press.session_id, now=_now()
    )
    roll = await rsvp.roll(context.uow, actor=context.actor, session_id=press.session_id)
    await _show_roll(update, context, roll)
    return IDLE


async def _move(update: Update, context: BotContext, press: OccurrenceMove) -> int:
    # Who may move it is checked now, so a forged press never gets as far as the question.
    await rsvp.roll(context.uow, actor=context.actor, session_id=press.session_id)
    context.user_data[_TYPING_FOR] = ("session", str(press.session_id))
    await edit_or_reply(update, t("series.ask_move", context.lang), None)
    return TYPING_MOVE


async def _attendance_list(update: Update, context: BotContext, press: AttendanceList) -> int:
    roll = await rsvp.roll(context.uow, actor=context.actor, session_id=press.session_id)
    text, markup = render.attendance_list(roll, context.timezone, context.lang)
    await edit_or_reply(update, text, markup)
    return IDLE


async def _attendance_pick(update: Update, context: BotContext, press: AttendancePick) -> int:
    roll = await rsvp.roll(context.uow, actor=context.actor, session_id=press.session_id)
    line = next((a for a in roll.athletes if a.athlete_id == press.athlete_id), None)
    if line is None:
        await refuse(update, context, reason="attendance: athlete not in occurrence")
        return IDLE
    text, markup = render.attendance_pick(
        press.session_id, press.athlete_id, line.name, context.lang
    )
    await edit_or_reply(update, text, markup)
    return IDLE


async def _attendance_mark(update: Update, context: BotContext, press: AttendanceMark) -> int:
    roll = await attendance.mark(
        context.uow,
        actor=context.actor,
        session_id=press.session_id,
        athlete_id=press.athlete_id,
        status=press.status,
        now=_now(),
    )
    text, markup = render.attendance_list(roll, context.timezone, context.lang)
    await edit_or_reply(update, text, markup)
    return IDLE


_STEPS = (
    (WeeklySeries, _list),
    (SeriesOpen, _open),
    (TeamSchedule, _team_schedule),
    (NewPrivate, _new_private),
    (NewFor, _new_for),
    (NewForTeam, _new_for_team),
    (ChangeSeries, _change),
    (SeasonAttendance, _season),
    (OccurrenceOpen, _occurrence),
    (OccurrenceSkip, _skip),
    (OccurrenceMove, _move),
    (AttendanceList, _attendance_list),
    (AttendancePick, _attendance_pick),
    (AttendanceMark, _attendance_mark),
)


def _refusal(err: DomainError, context: BotContext) -> str:
    """A refusal in the reader's words: instants in their zone, ISO dates as days."""
    params: dict[str, object] = {}
    for key, value in refusal_params(err, context.lang).items():
        if isinstance(value, datetime):
            value = local_moment(value, context.timezone, context.lang)
        elif isinstance(value, date):
            value = render.day(value, context.lang)
        elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
            value = render.day(date.fromisoformat(value), context.lang)
        params[key] = value
    return t(err.message_key, context.lang, **params)


def _typing_for(context: BotContext, kind: str) -> uuid.UUID | None:
    found = context.user_data.get(_TYPING_FOR)
    if not found or found[0] != kind:
        return None
    return uuid.UUID(found[1])


async def _refused(update: Update, context: BotContext, err: DomainError, state: int) -> int:
    """Tell why (and, for a line to fix, ask again); nothing was kept."""
    log.info("series input refused: %s", err.message_key)
    words = _refusal(err, context)
    if isinstance(err, SeriesRefused) or state == TYPING_MOVE:
        words += "\n" + t("series.try_again", context.lang)
        await update.effective_message.reply_text(words)
        return state
    await update.effective_message.reply_text(words)
    return ConversationHandler.END


async def on_plan_typed(update: Update, context: BotContext) -> int:
    """The series line: the season is made, or the reason it cannot be."""
    text = update.effective_message.text or ""
    athlete_id, team_id = _typing_for(context, "athlete"), _typing_for(context, "team")
    if context.actor is None or (athlete_id is None and team_id is None):
        return ConversationHandler.END
    try:
        if team_id is not None:
            created = await series_service.create_team_series(
                context.uow, actor=context.actor, team_id=team_id, text=text, now=_now()
            )
        else:
            assert athlete_id is not None
            created = await series_service.create_private_series(
                context.uow, actor=context.actor, athlete_id=athlete_id, text=text, now=_now()
            )
    except DomainError as err:
        return await _refused(update, context, err, TYPING_PLAN)
    context.user_data.pop(_TYPING_FOR, None)
    await _created(update, context, created, "series.created")
    return IDLE


async def _created(
    update: Update, context: BotContext, created: series_service.Created, key: str
) -> None:
    page = await series_service.series_page(
        context.uow, actor=context.actor, series_id=created.series.id, now=_now()
    )
    text, markup = render.series_page(page, context.timezone, context.lang)
    head = t(key, context.lang, count=created.occurrences)
    await update.effective_message.reply_text(f"{head}\n\n{text}", reply_markup=markup)


async def on_change_typed(update: Update, context: BotContext) -> int:
    """ "from 2027-02-01: wed 18:00": occurrences from then made again, families told."""
    series_id = _typing_for(context, "series")
    if context.actor is None or series_id is None:
        return ConversationHandler.END
    try:
        created = await series_service.change_series(
            context.uow,
            actor=context.actor,
            series_id=series_id,
            text=update.effective_message.text or "",
            now=_now(),
        )
    except DomainError as err:
        return await _refused(update, context, err, TYPING_CHANGE)
    context.user_data.pop(_TYPING_FOR, None)
    await _created(update, context, created, "series.changed")
    return IDLE


async def on_move_typed(update: Update, context: BotContext) -> int:
    """ "2027-01-14 18:00": the occurrence moved, its families told."""
    session_id = _typing_for(context, "session")
    if context.actor is None or session_id is None:
        return ConversationHandler.END
    typed = update.effective_message.text or ""
    when = _day_and_clock(typed)
    if when is None:
        await update.effective_message.reply_text(
            t("series.error.bad_move", context.lang, text=echo(typed))
        )
        return TYPING_MOVE
    try:
        await series_service.move_occurrence(
            context.uow,
            actor=context.actor,
            session_id=session_id,
            day=when[0],
            clock=when[1],
            now=_now(),
        )
    except DomainError as err:
        return await _refused(update, context, err, TYPING_MOVE)
    context.user_data.pop(_TYPING_FOR, None)
    roll = await rsvp.roll(context.uow, actor=context.actor, session_id=session_id)
    text = (
        t("series.moved", context.lang)
        + "\n\n"
        + render.roll_text(roll, context.timezone, context.lang)
    )
    await update.effective_message.reply_text(
        text, reply_markup=render.roll_markup(roll, context.lang)
    )
    return IDLE


def _day_and_clock(text: str) -> tuple[date, time] | None:
    parts = text.split()
    if len(parts) != 2:
        return None
    try:
        day, minutes = date.fromisoformat(parts[0]), parse_clock(parts[1])
    except ValueError:
        return None
    if minutes >= 24 * 60:
        return None
    return day, time(minutes // 60, minutes % 60)


async def on_rsvp(update: Update, context: BotContext) -> None:
    """Yes / No / Maybe: kept for the family's own athlete until the deadline."""
    press = RsvpPress.parse(update.callback_query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="rsvp: malformed")
        return
    try:
        answered = await rsvp.answer(
            context.uow,
            actor=context.actor,
            session_id=press.session_id,
            athlete_id=press.athlete_id,
            answer=press.answer,
            now=_now(),
        )
    except DomainError as err:
        log.info("rsvp refused: %s", err.message_key)
        await update.callback_query.answer(_refusal(err, context), show_alert=True)
        return
    text = t(
        f"series.rsvp.kept.{answered.answer}",
        context.lang,
        name=answered.athlete_name,
        title=answered.occurrence.title,
        moment=local_moment(answered.occurrence.start, context.timezone, context.lang),
    )
    markup = render.rsvp_markup(press.session_id, press.athlete_id, context.lang)
    await edit_or_reply(update, text, markup)


async def show_attendance(update: Update, context: BotContext) -> None:
    """/attendance: each of the family's athletes, their season % and newest marks."""
    chat_id = update.effective_chat.id
    if context.actor is None:
        await send_text(context.bot, chat_id, t("series.history.none", context.lang))
        return
    found = await attendance.of_family(context.uow, actor=context.actor)
    if not found:
        await send_text(context.bot, chat_id, t("series.history.none", context.lang))
        return
    for athlete in found:
        text = render.athlete_attendance_text(athlete, context.timezone, context.lang)
        await send_text(context.bot, chat_id, text)
