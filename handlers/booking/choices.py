"""What each press of the booking flow chooses, from whom the session is for to its time; Confirm.

A press's argument comes from the client, so it is read here and held against what the step
offered; one that does not fit raises `UnusablePress`, which the flow refuses while the step
stays on screen. Confirm books, or moves, in one domain call, which has the last word.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from telegram import Update

from bot.app import BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.metrics import count_booking
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking import schedule
from domain.booking.book import BookingChoice, SlotUnavailable
from domain.booking.rules import GroupFull
from domain.errors import DomainError, NotAllowed, NotFound
from domain.policy import Actor, athletes_actor_may_act_for
from domain.short_ids import parse_id, short_id
from handlers.booking import words
from handlers.booking.calendar_keyboard import day_token, month_token, parse_day, parse_month
from handlers.booking.callbacks import WaitlistJoin
from handlers.booking.draft import MOVE, Draft
from handlers.booking.screens import (
    ATHLETE,
    CARD,
    COACHES,
    CONFIRM,
    DAY,
    KIND,
    LENGTH,
    PAGE,
    RETRY,
    SLOT,
    SPORT,
    coach_card,
    end,
    free_slots,
    on_calendar,
    show,
    stale,
)
from handlers.booking.waitlist import join_keyboard
from handlers.shared.acting import refusal_text

MAX_SPORTS = 20
Choice = str | None  # what a press of the step chose, as its button carries it
T = TypeVar("T")


class UnusablePress(Exception):
    """A press naming nothing its step offered: refused and audited, and the step stays."""


def read_choice(choice: Choice, read: Callable[[str], T | None], *, refusal: str) -> T:
    """The press's choice as `read` makes it; UnusablePress(refusal) if it cannot."""
    value = read(choice) if choice is not None else None
    if value is None:
        raise UnusablePress(refusal)
    return value


async def pick_athlete(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """The athlete the session is for; only one the presser may book for."""
    actor = context.actor
    athlete_id = parse_id(choice) if choice is not None else None
    if actor is None or athlete_id not in athletes_actor_may_act_for(actor):
        raise UnusablePress("booking for an athlete the presser may not act for")
    choose_athlete(draft, athlete_id)
    return await to_sports(update, context, draft)


async def someone_else(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """Book this time for another of the booker's athletes than the one they act for."""
    return await show(update, context, draft, ATHLETE)


async def pick_sport(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """A specialization from the list (by its index), or "any"."""
    index = _number(choice)
    if index is None or not 0 <= index < len(draft.specs):
        raise UnusablePress("unknown specialization index")
    draft.spec, draft.offset = draft.specs[index], 0
    return await show(update, context, draft, COACHES)


async def any_sport(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """Every verified coach, whatever they teach."""
    draft.spec, draft.offset = None, 0
    return await show(update, context, draft, COACHES)


async def turn_page(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """Previous or next page of coaches."""
    offset = _number(choice)
    if offset is None or offset < 0 or offset % PAGE:
        raise UnusablePress("bad coach page")
    draft.offset = offset
    return await show(update, context, draft, COACHES)


async def pick_coach(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """A coach's card (re-loaded: only verified, active coaches have one)."""
    draft.coach = str(read_choice(choice, parse_id, refusal="malformed coach id"))
    return await show(update, context, draft, CARD)


async def take_coach(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """Book with the coach on the card: their lengths and types decide the next steps."""
    card = await coach_card(context, draft)
    if card is None:
        return await show(update, context, draft, CARD)
    draft.coach_name, draft.coach_timezone = card.name, card.timezone
    draft.rate = None if card.hourly_rate is None else str(card.hourly_rate)
    draft.currency = card.currency
    draft.lengths, draft.kinds = list(card.session_lengths), list(card.session_types)
    draft.length, draft.kind, draft.month = draft.lengths[0], draft.kinds[0], None
    return await show(update, context, draft, _after_coach(draft))


async def pick_length(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """One of the coach's session lengths."""
    minutes = _number(choice)
    if minutes not in draft.lengths:
        raise UnusablePress("session length not offered")
    draft.length, draft.month = minutes, None
    return await show(update, context, draft, KIND if len(draft.kinds) > 1 else DAY)


async def pick_kind(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """One of the coach's session types."""
    if choice is None or choice not in draft.kinds:
        raise UnusablePress("session type not offered")
    draft.kind = choice
    return await show(update, context, draft, DAY)


async def go_to_month(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """« or » on the calendar."""
    draft.month = month_token(read_choice(choice, parse_month, refusal="malformed month"))
    return await show(update, context, draft, DAY)


async def pick_day(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """A day of the calendar: its free times."""
    day = read_choice(choice, parse_day, refusal="malformed day")
    if not on_calendar(draft, day):  # a calendar of an earlier day, or made up
        return await show(update, context, draft, DAY, note=t("booking.day_gone", context.lang))
    draft.day = day_token(day)
    return await show(update, context, draft, SLOT)


async def pick_slot(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """A free time: on to the summary, unless it is not free (any more)."""
    epoch = _number(choice)
    free = await free_slots(context, draft)
    if epoch is None or epoch not in {int(slot.start.timestamp()) for slot in free}:
        return await show(update, context, draft, SLOT, note=t("booking.slot_gone", context.lang))
    draft.start = epoch
    return await show(update, context, draft, CONFIRM)


async def confirm(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """Confirm: book, or move, in one domain call."""
    draft.pack = None
    return await _commit(update, context, draft)


async def confirm_with_pack(
    update: Update, context: BotContext, draft: Draft, choice: Choice
) -> int:
    """Confirm, paying with one of the packs the summary offered (by its index)."""
    index = _number(choice)
    if index is None or not 0 <= index < len(draft.packs):
        raise UnusablePress("pack not offered")
    draft.pack = str(draft.packs[index][0])
    return await _commit(update, context, draft)


async def take_nearest(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """One of the nearest free times offered after a slot was taken: book it directly."""
    epoch = _number(choice)
    if epoch not in draft.nearest:
        await stale(update, context)
        return RETRY
    draft.start = epoch
    return await _commit(update, context, draft)


async def another_day(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """Back to the calendar after a refusal."""
    return await show(update, context, draft, DAY)


def choose_athlete(draft: Draft, athlete_id: uuid.UUID) -> None:
    """Book for this athlete, named as in the list the booker was offered."""
    draft.athlete = str(athlete_id)
    draft.athlete_name = draft.athletes.get(short_id(athlete_id), "")


async def to_sports(
    update: Update, context: BotContext, draft: Draft, *, fresh: bool = False
) -> int:
    """The sports step, offering the specializations coaches teach now."""
    offered = await schedule.specializations_offered(context.uow)
    draft.specs = [name for name, _ in offered[:MAX_SPORTS]]
    return await show(update, context, draft, SPORT, fresh=fresh)


async def _commit(update: Update, context: BotContext, draft: Draft) -> int:
    actor = context.actor
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        text = await (_move if draft.mode == MOVE else _book)(context, actor, draft)
    except GroupFull as err:
        count_booking("group_full")
        offer = WaitlistJoin(err.session_id, uuid.UUID(draft.athlete or ""))
        markup = join_keyboard(offer, context.lang)
        return await end(update, context, refusal_text(err, context), markup=markup)
    except SlotUnavailable as err:
        count_booking("slot_taken")
        draft.nearest = [int(slot.start.timestamp()) for slot in err.nearest]
        draft.problem, draft.problem_params = err.message_key, err.params
        return await show(update, context, draft, RETRY)
    except (NotAllowed, NotFound) as err:
        count_booking("refused")
        await refuse(update, context, reason=f"booking refused: {err.detail}")
        return await end(update, context, refusal_text(err, context), answered=True)
    except DomainError as err:
        count_booking("invalid")
        draft.nearest, draft.problem, draft.problem_params = [], err.message_key, err.params
        return await show(update, context, draft, RETRY)
    count_booking("moved" if draft.mode == MOVE else "booked")
    return await end(update, context, text)


async def _book(context: BotContext, actor: Actor, draft: Draft) -> str:
    choice = BookingChoice(
        coach_id=uuid.UUID(draft.coach or ""),
        athlete_id=uuid.UUID(draft.athlete or ""),
        start=_start_of(draft),
        length_minutes=draft.length,
        session_type=draft.kind,
        pack_id=uuid.UUID(draft.pack) if draft.pack else None,
    )
    booked = await booking.book(
        context.uow,
        actor=actor,
        choice=choice,
        now=datetime.now(UTC),
        slots=context.services.slots,
        packs=context.services.session_packs,
    )
    return words.booked_text(draft, booked, context.lang)


async def _move(context: BotContext, actor: Actor, draft: Draft) -> str:
    changed = await session_changes.reschedule(
        context.uow,
        actor=actor,
        session_id=uuid.UUID(draft.session or ""),
        new_start=_start_of(draft),
        now=datetime.now(UTC),
        slots=context.services.slots,
    )
    return words.moved_text(draft, changed.session, context.lang)


def _after_coach(draft: Draft) -> int:
    if len(draft.lengths) > 1:
        return LENGTH
    return KIND if len(draft.kinds) > 1 else DAY


def _start_of(draft: Draft) -> datetime:
    start = draft.start_time
    if start is None:
        raise NotFound("no time picked")
    return start


def _number(choice: Choice) -> int | None:
    if choice is None or not choice.isdigit():
        return None
    return int(choice)
