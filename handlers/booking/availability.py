"""/availability for coaches: a week grid with toggles, typed settings and a quick text form.

The grid's buttons work whenever they are pressed (they are entry points and carry the coach's
id); the conversation only has states while the bot waits for a typed value.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from domain.booking import availability_settings as settings
from domain.booking.availability import WEEKDAYS, AvailabilityRules, SessionType
from domain.booking.availability_settings import Editing, NotACoach
from domain.errors import DomainError, NotAllowed
from domain.policy import Actor
from domain.uow import UnitOfWork
from handlers.booking import availability_render as render
from handlers.booking.callbacks import (
    AVAILABILITY_FLOW,
    AvailabilityAutoAccept,
    AvailabilityDateRemoved,
    AvailabilityDone,
    AvailabilityLength,
    AvailabilityPage,
    AvailabilityType,
    AvailabilityWeekday,
)
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import CallbackData, flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.menu_entries import OpenHours

BUFFERS, NOTICE, HORIZON, CAPACITY, CANCEL, LOCATION, DATES, TIMEZONE, PAY_BEFORE = range(9)
END = ConversationHandler.END
ROLE_COMMANDS = {"coach": [("availability", "availability.command")]}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
Reader = Callable[[UnitOfWork, str, Editing], Awaitable[AvailabilityRules]]
Button = Callable[[Update, BotContext, Editing, Any], Awaitable[int]]  # each its own press
Choice = TypeVar("Choice", bound=str)
MAX_MINUTES = 999  # a length button never carries more


class _BadPress(Exception):
    """A button whose arguments no grid of ours ever carried."""


def register(application: BotApplication) -> None:
    """Add /availability and its buttons."""
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("availability", show_or_set, filters=_PRIVATE),
                # Before on_button, which takes every other av: press.
                CallbackQueryHandler(open_week, pattern=OpenHours.pattern()),
                CallbackQueryHandler(on_button, pattern=flow_pattern(AVAILABILITY_FLOW)),
            ],
            states={
                step: [
                    MessageHandler(_TEXT, _typed(reader)),
                    MessageHandler(_PRIVATE & ~f.COMMAND, text_expected),
                ]
                for step, reader in _READERS.items()
            },
            fallbacks=[cancel_fallback()],
            name="availability",
            persistent=True,
            allow_reentry=True,
        )
    )


async def show_or_set(update: Update, context: BotContext) -> int:
    """The week grid; "/availability mon 16:00-20:00" or "... 2026-12-24 off" changes it first."""
    actor = context.actor
    try:
        if actor is None:
            raise NotACoach("not signed up")
        if context.args:
            editing = _editing(context, actor, actor.coach_id)
            rules = await settings.set_line(
                context.uow, text=update.effective_message.text, **editing
            )
        else:
            rules = await settings.rules_of(context.uow, actor=actor, coach_id=actor.coach_id)
    except DomainError as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return END
    text, markup = render.week(rules, actor.coach_id, context.lang)
    await update.effective_message.reply_text(text, reply_markup=markup)
    return END


async def open_week(update: Update, context: BotContext) -> int:
    """ "Set my hours" (on a newly verified coach's news): the week grid, as /availability."""
    actor = context.actor
    try:
        if actor is None:
            raise NotACoach("not signed up")
        rules = await settings.rules_of(context.uow, actor=actor, coach_id=actor.coach_id)
    except DomainError:
        # Only coaches are given this button: anyone else's press is forged.
        await refuse(update, context, reason="open availability: not a coach")
        return END
    await update.callback_query.answer()
    text, markup = render.week(rules, actor.coach_id, context.lang)
    await send_text(context.bot, update.effective_chat.id, text, reply_markup=markup)
    return END


async def on_button(update: Update, context: BotContext) -> int | None:
    """A grid button: checked, applied, and the grid (or a settings page) edited in place."""
    press = parse_any(update.callback_query.data, _BUTTONS)
    if press is None:
        await refuse(update, context, reason="malformed availability button")
        return None  # None keeps whatever state the conversation is in
    actor = context.actor
    try:
        if actor is None:
            raise NotACoach("not signed up")
        editing = _editing(context, actor, press.coach_id)
        return await _BUTTONS[type(press)](update, context, editing, press)
    except (_BadPress, NotAllowed):
        await refuse(update, context, reason="availability button refused")
    except DomainError as err:
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
    return None


async def weekday_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityWeekday
) -> int:
    """Switch a weekday off, or on with its last hours."""
    weekday, is_open = _one_of(press.weekday, WEEKDAYS), press.open == "1"
    rules = await settings.set_weekday_open(
        context.uow, weekday=weekday, is_open=is_open, **editing
    )
    return await _show(update, context, editing, rules, "week")


async def length_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityLength
) -> int:
    """Offer a session length, or stop offering it."""
    if not 0 <= press.minutes <= MAX_MINUTES:
        raise _BadPress
    rules = await settings.set_session_length_offered(
        context.uow, minutes=press.minutes, offered=press.offered == "1", **editing
    )
    return await _show(update, context, editing, rules, "lengths")


async def type_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityType
) -> int:
    """Offer a session type, or stop offering it."""
    kind: SessionType = _one_of(press.kind, render.SESSION_TYPES)
    rules = await settings.set_session_type_offered(
        context.uow, kind=kind, offered=press.offered == "1", **editing
    )
    return await _show(update, context, editing, rules, "types")


async def auto_accept_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityAutoAccept
) -> int:
    """Switch auto-accept on or off."""
    rules = await settings.set_auto_accept(context.uow, on=press.on == "1", **editing)
    return await _show(update, context, editing, rules, "week")


async def date_removed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityDateRemoved
) -> int:
    """Give a special date its weekly hours back."""
    try:
        day = date(int(press.day[:4]), int(press.day[4:6]), int(press.day[6:]))
    except ValueError:
        raise _BadPress from None
    rules = await settings.set_date(context.uow, day=day, ranges=None, **editing)
    return await _show(update, context, editing, rules, "dates")


async def page_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityPage
) -> int:
    """Open a settings page; a setting that is typed in waits for its value."""
    name = _one_of(press.page, render.PAGES)
    rules = await settings.rules_of(
        context.uow, actor=editing["actor"], coach_id=editing["coach_id"]
    )
    return await _show(update, context, editing, rules, name)


async def done_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityDone
) -> int:
    """Close the grid."""
    await settings.rules_of(context.uow, actor=editing["actor"], coach_id=editing["coach_id"])
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(t("availability.done", context.lang))
    return END


def _typed(reader: Reader) -> Callable[[Update, BotContext], Awaitable[int | None]]:
    async def typed(update: Update, context: BotContext) -> int | None:
        actor = context.actor
        try:
            if actor is None:
                raise NotACoach("not signed up")
            text = update.effective_message.text
            rules = await reader(context.uow, text, _editing(context, actor, actor.coach_id))
        except DomainError as err:
            await update.effective_message.reply_text(refusal_text(err, context))
            return None  # ask again: the prompt above still stands
        view = render.week(rules, actor.coach_id, context.lang)
        await update.effective_message.reply_text(view[0], reply_markup=view[1])
        return END

    return typed


async def text_expected(update: Update, context: BotContext) -> None:
    """A sticker or a photo where a value is typed: a hint, not an error."""
    await update.effective_message.reply_text(t("availability.hint.text", context.lang))


async def _read_buffers(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    before, after = settings.parse_buffers(text)
    return await settings.set_buffers(uow, before=before, after=after, **editing)


async def _read_notice(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    minutes = settings.parse_duration(
        text, message_key="availability.error.min_notice", bare_unit_minutes=60
    )
    return await settings.set_min_notice(uow, minutes=minutes, **editing)


async def _read_horizon(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    days = settings.parse_count(text, message_key="availability.error.horizon")
    return await settings.set_horizon(uow, days=days, **editing)


async def _read_capacity(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    capacity = settings.parse_count(text, message_key="availability.error.group_capacity")
    return await settings.set_group_capacity(uow, capacity=capacity, **editing)


async def _read_pay_before(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    hours = settings.parse_count(text, message_key="availability.error.pay_before_hours")
    return await settings.set_pay_before_hours(uow, hours=hours, **editing)


async def _read_cancel_hours(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    hours = settings.parse_count(text, message_key="availability.error.free_cancel_hours")
    return await settings.set_free_cancel_hours(uow, hours=hours, **editing)


async def _read_location(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    location, meeting_url = settings.parse_location(text)
    return await settings.set_location(uow, location=location, meeting_url=meeting_url, **editing)


async def _read_date(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    return await settings.set_line(uow, text=text, **editing)


async def _read_timezone(uow: UnitOfWork, text: str, editing: Editing) -> AvailabilityRules:
    return await settings.set_timezone(uow, timezone=settings.parse_zone(text), **editing)


async def _show(
    update: Update, context: BotContext, editing: Editing, rules: AvailabilityRules, name: str
) -> int:
    """Edit the pressed message into a page; a typed setting's page waits for its value."""
    text, markup = render.page(name, rules, editing["coach_id"], context.lang)
    await update.callback_query.answer()
    try:
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    except BadRequest as err:  # a double tap sets the same value: nothing to redraw
        if "not modified" not in str(err):
            raise
    return _STEP_OF_PAGE.get(name, END)


def _editing(context: BotContext, actor: Actor, coach_id: uuid.UUID | None) -> Editing:
    return Editing(actor=actor, coach_id=coach_id, slots=context.services.slots)


def _one_of(pressed: str, allowed: tuple[Choice, ...]) -> Choice:
    for value in allowed:
        if pressed == value:
            return value
    raise _BadPress


_READERS: dict[int, Reader] = {
    BUFFERS: _read_buffers,
    NOTICE: _read_notice,
    HORIZON: _read_horizon,
    CAPACITY: _read_capacity,
    CANCEL: _read_cancel_hours,
    PAY_BEFORE: _read_pay_before,
    LOCATION: _read_location,
    DATES: _read_date,
    TIMEZONE: _read_timezone,
}
_STEP_OF_PAGE = {
    "buffers": BUFFERS,
    "notice": NOTICE,
    "horizon": HORIZON,
    "capacity": CAPACITY,
    "cancel": CANCEL,
    "pay": PAY_BEFORE,
    "location": LOCATION,
    "dates": DATES,
    "tz": TIMEZONE,
}
_BUTTONS: dict[type[CallbackData], Button] = {
    AvailabilityWeekday: weekday_pressed,
    AvailabilityLength: length_pressed,
    AvailabilityType: type_pressed,
    AvailabilityAutoAccept: auto_accept_pressed,
    AvailabilityDateRemoved: date_removed,
    AvailabilityPage: page_pressed,
    AvailabilityDone: done_pressed,
}
