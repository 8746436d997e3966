"""Waitlists in chat: Join the waitlist when /book finds a group full, a family's place in line
with Leave, Accept / Decline under the offer of a freed place, and /waitlist (a family's places,
a coach's lines in order)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.local_time import local_moment
from domain.booking import waitlist
from domain.booking.waitlist import Answered, Lines, Place
from domain.errors import DomainError, NotAllowed, NotFound
from handlers.booking.callbacks import WaitlistAction, WaitlistJoin, WaitlistPress
from handlers.shared.acting import refusal_text
from handlers.shared.edit_in_place import edit_pressed

log = logging.getLogger(__name__)
ROLE_COMMANDS = {
    role: [("waitlist", "waitlist.command")] for role in ("athlete", "parent", "coach")
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /waitlist, Join the waitlist, and the buttons on a place in line and an offer."""
    application.add_handler(CommandHandler("waitlist", show_lines, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(join, pattern=WaitlistJoin.pattern()))
    application.add_handler(CallbackQueryHandler(on_press, pattern=WaitlistPress.pattern()))


def join_keyboard(press: WaitlistJoin, lang: str | None) -> InlineKeyboardMarkup:
    """The one button under "this group is full"."""
    button = InlineKeyboardButton(t("waitlist.button.join", lang), callback_data=press.pack())
    return InlineKeyboardMarkup([[button]])


async def join(update: Update, context: BotContext) -> None:
    """Join the waitlist: the athlete's place in line, with Leave."""
    press, actor = WaitlistJoin.parse(update.callback_query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="waitlist join: malformed or not signed up")
        return
    try:
        place = await waitlist.join(
            context.uow,
            actor=actor,
            session_id=press.session_id,
            athlete_id=press.athlete_id,
            now=datetime.now(UTC),
        )
    except DomainError as err:
        await _refused(update, context, err, "waitlist join")
        return
    await update.callback_query.answer()
    await edit_pressed(update.callback_query, _place_text(place, context), _leave(place, context))


async def on_press(update: Update, context: BotContext) -> None:
    """Leave the line, or Accept / Decline an offered place."""
    press, actor = WaitlistPress.parse(update.callback_query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="waitlist press: malformed or not signed up")
        return
    now = datetime.now(UTC)
    try:
        if press.action == WaitlistAction.LEAVE:
            place = await waitlist.leave(context.uow, actor=actor, entry_id=press.entry_id, now=now)
            text = t("waitlist.left", context.lang, athlete=place.athlete_name)
        else:
            answer = waitlist.accept if press.action == WaitlistAction.ACCEPT else waitlist.decline
            answered = await answer(context.uow, actor=actor, entry_id=press.entry_id, now=now)
            text = _answered_text(answered, context)
    except DomainError as err:
        await _refused(update, context, err, f"waitlist {press.action}")
        return
    await update.callback_query.answer()
    await edit_pressed(update.callback_query, text, None)


async def show_lines(update: Update, context: BotContext) -> None:
    """/waitlist: the family's places in line (with Leave), and a coach's lines in order."""
    actor = context.actor
    if actor is None:
        await update.effective_message.reply_text(t("session.list.not_signed_up", context.lang))
        return
    lines = await waitlist.lines(context.uow, actor=actor, now=datetime.now(UTC))
    text, rows = _lines_text(lines, context)
    await update.effective_message.reply_text(
        text, reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


def _lines_text(lines: Lines, context: BotContext) -> tuple[str, list[list[InlineKeyboardButton]]]:
    lang = context.lang
    if not lines.places and not lines.sessions:
        return t("waitlist.none", lang), []
    parts: list[str] = [_place_text(place, context) for place in lines.places]
    rows = [
        [
            InlineKeyboardButton(
                t("waitlist.button.leave_for", lang, athlete=place.athlete_name),
                callback_data=WaitlistPress(WaitlistAction.LEAVE, place.entry_id).pack(),
            )
        ]
        for place in lines.places
    ]
    for line in lines.sessions:
        names = "\n".join(
            t(
                "waitlist.coach.offered" if person.offered_until else "waitlist.coach.waiting",
                lang,
                n=n,
                athlete=person.athlete_name,
                until=_when(person.offered_until, context) if person.offered_until else "",
            )
            for n, person in enumerate(line.waiting, 1)
        )
        heading = t("waitlist.coach.session", lang, when=_when(line.start, context))
        parts.append(f"{heading}\n{names}")
    return "\n\n".join(parts), rows


def _place_text(place: Place, context: BotContext) -> str:
    key = "waitlist.place.offered" if place.offered_until else "waitlist.place"
    return t(
        key,
        context.lang,
        athlete=place.athlete_name,
        position=place.position,
        coach=place.coach_name,
        when=_when(place.start, context),
        until=_when(place.offered_until, context) if place.offered_until else "",
    )


def _answered_text(answered: Answered, context: BotContext) -> str:
    return t(
        "waitlist.accepted" if answered.accepted else "waitlist.declined",
        context.lang,
        athlete=answered.athlete_name,
        coach=answered.coach_name,
        when=_when(answered.start, context),
    )


def _leave(place: Place, context: BotContext) -> InlineKeyboardMarkup:
    press = WaitlistPress(WaitlistAction.LEAVE, place.entry_id)
    button = InlineKeyboardButton(
        t("waitlist.button.leave", context.lang), callback_data=press.pack()
    )
    return InlineKeyboardMarkup([[button]])


def _when(instant: datetime, context: BotContext) -> str:
    return local_moment(instant, context.timezone, context.lang)


async def _refused(update: Update, context: BotContext, err: DomainError, what: str) -> None:
    """A refusal said in words (the buttons go: nothing more to press), logged; a press naming
    what the presser may not touch is refused as forged."""
    if isinstance(err, (NotAllowed, NotFound)):
        await refuse(update, context, reason=f"{what}: {err.message_key}")
        return
    log.info("%s refused: %s", what, err.message_key)
    await update.callback_query.answer()
    await edit_pressed(update.callback_query, refusal_text(err, context), None)
