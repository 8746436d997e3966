"""The booking flow's steps, what each loads and shows, and how the flow answers and ends.

A screen is loaded afresh each time it is shown, never kept in the draft: a coach who stopped
taking bookings, or a time taken since, is not offered again from an old copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.app import BotContext
from bot.i18n import t
from domain.booking import schedule
from domain.booking.book import price_for
from domain.booking.schedule import CoachCard
from domain.booking.sessions import GROUP
from domain.booking.slots import Slot
from domain.clubs.packs import ledger
from domain.payments.checkout import stars_for
from domain.timezones import zone_of
from handlers.booking import render
from handlers.booking.calendar_keyboard import (
    month_of,
    month_token,
    parse_day,
    parse_month,
    shift_month,
)
from handlers.booking.coach_photos import send_coach_photos
from handlers.booking.draft import MOVE, Draft
from handlers.booking.render import Screen

ATHLETE, SPORT, COACHES, CARD, LENGTH, KIND, DAY, SLOT, CONFIRM, RETRY, SESSIONS = range(11)
STATES = (ATHLETE, SPORT, COACHES, CARD, LENGTH, KIND, DAY, SLOT, CONFIRM, RETRY, SESSIONS)
DRAFT = "booking"  # user_data key of the draft
END = ConversationHandler.END
PAGE = schedule.DIRECTORY_PAGE
# The longest booking horizon a coach can set is 365 days; no month past this is looked up.
MONTHS_AHEAD = 13
UPCOMING = timedelta(days=366)

ScreenOf = Callable[[Update, BotContext, Draft], Awaitable[Screen]]


async def show(
    update: Update,
    context: BotContext,
    draft: Draft,
    state: int,
    *,
    fresh: bool = False,
    note: str | None = None,
) -> int:
    """Save the draft and show a step: in place, or as a new message when a flow begins."""
    if state in draft.trail:
        del draft.trail[draft.trail.index(state) + 1 :]
    elif state != RETRY:  # a refusal is not a step Back returns to
        draft.trail.append(state)
    text, markup = await _SCREENS[state](update, context, draft)
    context.user_data[DRAFT] = draft.to_json()
    await render.say(update, text, markup, fresh=fresh, note=note)
    if state in (COACHES, CARD):
        await _coach_photos(update, context, draft, state)
    return state


async def _coach_photos(update: Update, context: BotContext, draft: Draft, state: int) -> None:
    """The photos of the coaches just listed, or of the coach on the card."""
    if state == CARD:
        card = await coach_card(context, draft)
        if card is not None:
            await send_coach_photos(update, context, [card], first_number=None)
        return
    cards = await schedule.verified_coaches(
        context.uow, specialization=draft.spec, offset=draft.offset, limit=PAGE
    )
    await send_coach_photos(update, context, cards, first_number=draft.offset + 1)


async def end(
    update: Update,
    context: BotContext,
    text: str,
    *,
    fresh: bool = False,
    answered: bool = False,
    markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Forget the draft and say the flow's last word (with a button to go on elsewhere)."""
    context.user_data.pop(DRAFT, None)
    await render.say(update, text, markup, fresh=fresh, answered=answered)
    return END


async def stale(update: Update, context: BotContext) -> None:
    """A button of a flow that is over or was replaced: say so, change nothing."""
    await update.callback_query.answer(t("booking.stale", context.lang), show_alert=True)


async def coach_card(context: BotContext, draft: Draft) -> CoachCard | None:
    """The chosen coach's card, or None once they take no bookings."""
    return await schedule.coach_card(context.uow, uuid.UUID(draft.coach or ""))


async def free_slots(context: BotContext, draft: Draft) -> Sequence[Slot]:
    """The chosen coach's free times on the chosen day, for the chosen length."""
    day = parse_day(draft.day or "")
    if day is None:
        return []
    return await context.services.slots.free_slots_on(
        coach_id=uuid.UUID(draft.coach or ""),
        day=day,
        length_minutes=draft.length,
        now=_now(),
        moving=_moving(draft),
        session_type=None if _moving(draft) else draft.kind,
    )


def on_calendar(draft: Draft, day: date) -> bool:
    """Whether the calendar can offer `day`: from the coach's today to its last month's end."""
    last = shift_month(_reachable_months(draft)[1], 1)
    return _coach_today(draft, _now()) <= day < last


def _drawn(draw: Callable[[Draft, str | None], Screen]) -> ScreenOf:
    """A step shown from the draft alone."""

    async def screen(update: Update, context: BotContext, draft: Draft) -> Screen:
        return draw(draft, context.lang)

    return screen


async def _summary_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    draft.packs = await _packs(context, draft)
    return render.summary_screen(draft, context.lang, stars=_stars(context, draft))


async def _packs(context: BotContext, draft: Draft) -> list[list[object]]:
    """The family's packs a private lesson with this coach can be paid with now."""
    actor = context.actor
    if actor is None or draft.mode == MOVE or draft.kind == GROUP or not draft.athlete:
        return []
    usable = await ledger.usable_packs(
        context.uow,
        actor=actor,
        athlete_id=uuid.UUID(draft.athlete),
        coach_id=uuid.UUID(draft.coach or ""),
        now=_now(),
    )
    return [[str(found.pack_id), found.name, found.sessions_left] for found in usable]


def _stars(context: BotContext, draft: Draft) -> int | None:
    """The Stars a new booking will be invoiced, if in Stars (group places are not invoiced)."""
    if draft.mode == MOVE or draft.kind == GROUP or draft.rate is None:
        return None
    price = price_for(Decimal(draft.rate), draft.length, draft.currency)
    return None if price is None else stars_for(price, context.services.payments)


async def _coaches_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    cards = await schedule.verified_coaches(
        context.uow, specialization=draft.spec, offset=draft.offset, limit=PAGE + 1
    )
    return render.coaches_screen(draft, cards, PAGE, context.lang)


async def _card_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    return render.card_screen(draft, await coach_card(context, draft), context.lang)


async def _calendar_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    first, last = _reachable_months(draft)
    month = min(max(parse_month(draft.month or "") or first, first), last)
    days = await _bookable_days(context, draft, month)
    later = await _bookable_days(context, draft, shift_month(month, 1)) if month < last else []
    if draft.month is None and not days and later:  # open where the free times begin
        month, days = shift_month(month, 1), later
        later = await _bookable_days(context, draft, shift_month(month, 1))
    draft.month = month_token(month)
    return render.calendar_screen(
        draft, month, days, earlier=month > first, later=bool(later), lang=context.lang
    )


async def _slot_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    day = parse_day(draft.day or "")
    assert day is not None  # pick_day only stores well-formed days
    return render.slots_screen(draft, day, await free_slots(context, draft), context.lang)


async def _sessions_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    actor = context.actor
    if actor is None:
        return render.sessions_screen(draft, [], None, context.lang)
    now = _now()
    ordered = await schedule.live_sessions(context.uow, actor=actor, start=now, end=now + UPCOMING)
    return render.sessions_screen(draft, ordered, actor.coach_id, context.lang)


async def _bookable_days(context: BotContext, draft: Draft, month: date) -> list[date]:
    now = _now()
    first = max(month, _coach_today(draft, now))
    end = shift_month(month, 1)
    if first >= end:
        return []
    return await context.services.slots.bookable_days(
        coach_id=uuid.UUID(draft.coach or ""),
        first_day=first,
        days=(end - first).days,
        length_minutes=draft.length,
        now=now,
        moving=_moving(draft),
    )


def _moving(draft: Draft) -> uuid.UUID | None:
    """The session a move flow is moving: its own time is free to move within."""
    return uuid.UUID(draft.session) if draft.mode == MOVE and draft.session else None


def _reachable_months(draft: Draft) -> tuple[date, date]:
    """The first and last month the calendar may show: the coach's current month onwards."""
    first = month_of(_coach_today(draft, _now()))
    return first, shift_month(first, MONTHS_AHEAD)


def _coach_today(draft: Draft, now: datetime) -> date:
    """Today where the coach is: their dates are the calendar's."""
    return now.astimezone(zone_of(draft.coach_timezone)).date()


def _now() -> datetime:
    return datetime.now(UTC)


_SCREENS: dict[int, ScreenOf] = {
    ATHLETE: _drawn(render.athletes_screen),
    SPORT: _drawn(render.sports_screen),
    COACHES: _coaches_screen,
    CARD: _card_screen,
    LENGTH: _drawn(render.lengths_screen),
    KIND: _drawn(render.kinds_screen),
    DAY: _calendar_screen,
    SLOT: _slot_screen,
    CONFIRM: _summary_screen,
    RETRY: _drawn(render.retry_screen),
    SESSIONS: _sessions_screen,
}
