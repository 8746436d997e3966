"""/availability for coaches: a week card, a weekday's hours, typed settings and a text form.

The card's buttons work whenever they are pressed (they are entry points and carry the coach's
id); the conversation only has states while the bot waits for a typed value. One card is
edited in place as the coach works (its id is kept in user_data), not posted again each time.
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
from domain.booking.availability import WEEKDAYS, AvailabilityRules, SessionType, TimeRange, Weekday
from domain.booking.availability_input import ZoneOffsetAsked, parse_line
from domain.booking.availability_settings import Editing, NotACoach
from domain.errors import DomainError, NotAllowed
from domain.policy import Actor
from handlers.booking import availability_render as render
from handlers.booking import availability_values as values
from handlers.booking.availability_values import Reader
from handlers.booking.callbacks import (
    AVAILABILITY_FLOW,
    AvailabilityAutoAccept,
    AvailabilityDateRemoved,
    AvailabilityDone,
    AvailabilityHours,
    AvailabilityLength,
    AvailabilityPage,
    AvailabilityType,
    AvailabilityUsualHours,
    AvailabilityWeekday,
    AvailabilityZone,
)
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import CallbackData, flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_pressed
from handlers.shared.menu_entries import OpenHours

BUFFERS, NOTICE, HORIZON, CAPACITY, CANCEL, LOCATION, DATES, TIMEZONE, PAY_BEFORE = range(9)
# Waiting for a weekday's hours typed in: a state per weekday, so the state names the day.
HOURS: dict[Weekday, int] = {day: PAY_BEFORE + 1 + i for i, day in enumerate(WEEKDAYS)}
END = ConversationHandler.END
CARD_KEY = "availability_card"  # user_data: the message id of the card being edited
ROLE_COMMANDS = {"coach": [("availability", "availability.command")]}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
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
    """The week card; "/availability mon 16:00-20:00" or "... 2026-12-24 off" changes it first,
    and then the card already in the chat is edited and the change confirmed in one line."""
    actor, message = context.actor, update.effective_message
    try:
        if actor is None:
            raise NotACoach("not signed up")
        if context.args:
            editing = _editing(context, actor, actor.coach_id)
            rules = await settings.set_line(context.uow, text=message.text, **editing)
        else:
            rules = await settings.rules_of(context.uow, actor=actor, coach_id=actor.coach_id)
    except DomainError as err:
        await message.reply_text(refusal_text(err, context))
        return END
    if context.args and await _edit_card(
        update, context, render.week(rules, actor.coach_id, context.lang)
    ):
        line = render.saved_line(parse_line(message.text), rules, context.lang)
        await message.reply_text(line)
        return END
    text, markup = render.week(rules, actor.coach_id, context.lang)
    card = await message.reply_text(text, reply_markup=markup)
    context.user_data[CARD_KEY] = card.message_id
    return END


async def open_week(update: Update, context: BotContext) -> int:
    """ "Set my hours" (on a newly verified coach's news): the week card, as /availability."""
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
    sent = await send_text(context.bot, update.effective_chat.id, text, reply_markup=markup)
    context.user_data[CARD_KEY] = sent[-1].message_id  # the card edited from now on
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
    update: Update, context: BotContext, editing: Editing, press: AvailabilityHours
) -> int:
    """A weekday on the card: its page, which asks for its hours."""
    weekday: Weekday = _one_of(press.weekday, WEEKDAYS)
    rules = await _rules(context, editing)
    return await _show_weekday(update, context, editing, rules, weekday)


async def usual_hours_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityUsualHours
) -> int:
    """One of the usual ranges a weekday's page offers, pressed: the day has those hours."""
    weekday: Weekday = _one_of(press.weekday, WEEKDAYS)
    offered = tuple(r.replace(":", "") for r in render.USUAL_HOURS)
    chosen = render.USUAL_HOURS[offered.index(_one_of(press.hours, offered))]
    rules = await settings.set_weekday(
        context.uow, weekday=weekday, ranges=[TimeRange.parse(chosen)], **editing
    )
    return await _show(update, context, editing, rules, "week")


async def day_open_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityWeekday
) -> int:
    """Close a weekday, or open it with its last hours; without any, its hours are asked."""
    weekday, is_open = _one_of(press.weekday, WEEKDAYS), press.open == "1"
    rules = await settings.set_weekday_open(
        context.uow, weekday=weekday, is_open=is_open, **editing
    )
    if is_open and not rules.weekly.get(weekday):
        return await _show_weekday(update, context, editing, rules, weekday)
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
    return await _show(update, context, editing, rules, "settings")


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
    rules = await _rules(context, editing)
    return await _show(update, context, editing, rules, name)


async def zone_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityZone
) -> int:
    """A zone offered for a bare offset: the hours are read in it; the card shows it."""
    rules = await settings.set_timezone(context.uow, timezone=press.zone, **editing)
    await update.callback_query.answer()
    line = t("availability.saved_line", context.lang, line=f"🌍 {rules.timezone}")
    await edit_pressed(update.callback_query, line, None)
    if not await _edit_card(update, context, render.week(rules, editing["coach_id"], context.lang)):
        await _show(update, context, editing, rules, "week")
    return END


async def done_pressed(
    update: Update, context: BotContext, editing: Editing, press: AvailabilityDone
) -> int:
    """Close the grid."""
    await _rules(context, editing)  # only the coach may close their card
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(t("availability.done", context.lang))
    context.user_data.pop(CARD_KEY, None)  # the closed card is not edited again
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
            zones = err.zones if isinstance(err, ZoneOffsetAsked) else ()
            markup = render.zone_choices(zones, actor.coach_id, context.lang) if zones else None
            await update.effective_message.reply_text(
                refusal_text(err, context), reply_markup=markup
            )
            return None  # ask again: the prompt above still stands
        view = render.week(rules, actor.coach_id, context.lang)
        if not await _edit_card(update, context, view):
            card = await update.effective_message.reply_text(view[0], reply_markup=view[1])
            context.user_data[CARD_KEY] = card.message_id
        return END

    return typed


async def _edit_card(update: Update, context: BotContext, view: render.View) -> bool:
    """Show `view` on the card the coach is working on; False if there is none to edit."""
    card, chat = context.user_data.get(CARD_KEY), update.effective_chat
    if not isinstance(card, int) or chat is None:
        return False
    try:
        await context.bot.edit_message_text(view[0], chat.id, card, reply_markup=view[1])
    except BadRequest as err:  # gone, too old to edit, or already showing this
        return "not modified" in str(err)
    return True


async def text_expected(update: Update, context: BotContext) -> None:
    """A sticker or a photo where a value is typed: a hint, not an error."""
    await update.effective_message.reply_text(t("availability.hint.text", context.lang))


async def _show(
    update: Update, context: BotContext, editing: Editing, rules: AvailabilityRules, name: str
) -> int:
    """Edit the pressed message into a page; a typed setting's page waits for its value."""
    await _edit_pressed(
        update, context, render.page(name, rules, editing["coach_id"], context.lang)
    )
    return _STEP_OF_PAGE.get(name, END)


async def _show_weekday(
    update: Update, context: BotContext, editing: Editing, rules: AvailabilityRules, day: Weekday
) -> int:
    """Edit the pressed message into a weekday's page, and wait for its hours."""
    await _edit_pressed(
        update, context, render.weekday(day, rules, editing["coach_id"], context.lang)
    )
    return HOURS[day]


async def _edit_pressed(update: Update, context: BotContext, view: render.View) -> None:
    query = update.callback_query
    await query.answer()
    if query.message is not None:
        context.user_data[CARD_KEY] = query.message.message_id  # typed values land here too
    await edit_pressed(query, *view)


async def _rules(context: BotContext, editing: Editing) -> AvailabilityRules:
    return await settings.rules_of(
        context.uow, actor=editing["actor"], coach_id=editing["coach_id"]
    )


def _editing(context: BotContext, actor: Actor, coach_id: uuid.UUID | None) -> Editing:
    return Editing(actor=actor, coach_id=coach_id, slots=context.services.slots)


def _one_of(pressed: str, allowed: tuple[Choice, ...]) -> Choice:
    for value in allowed:
        if pressed == value:
            return value
    raise _BadPress


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
_READERS: dict[int, Reader] = {
    **{_STEP_OF_PAGE[page]: reader for page, reader in values.READERS.items()},
    **{step: values.hours_reader(day) for day, step in HOURS.items()},
}
_BUTTONS: dict[type[CallbackData], Button] = {
    AvailabilityHours: weekday_pressed,
    AvailabilityUsualHours: usual_hours_pressed,
    AvailabilityWeekday: day_open_pressed,
    AvailabilityLength: length_pressed,
    AvailabilityType: type_pressed,
    AvailabilityAutoAccept: auto_accept_pressed,
    AvailabilityDateRemoved: date_removed,
    AvailabilityZone: zone_pressed,
    AvailabilityPage: page_pressed,
    AvailabilityDone: done_pressed,
}
