"""/book and /reschedule: for whom, which coach, which day and time, confirm; or move a session.

One conversation ("booking") serves both: they share the calendar and the time steps. The
choices live in user_data (`handlers._booking_render.Draft`); a button carries the flow's token
and one short argument (an index, a short id, YYYYMMDD, epoch seconds), and whatever it names is
checked again when it is pressed. The domain has the last word on every booking and move.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import pattern, refuse, unpack
from bot.i18n import t
from domain import booking, family, schedule, session_changes
from domain.booking import BookingChoice, SlotUnavailable
from domain.errors import DomainError, NotAllowed, NotFound
from domain.policy import Actor, athletes_actor_may_act_for
from domain.short_ids import parse_id, short_id
from domain.slots import Slot
from domain.timezones import zone_of
from handlers import _booking_render as render
from handlers._acting import current_actor, current_timezone, refusal_text
from handlers._booking_render import FLOW, MOVE, Draft, Screen
from handlers._calendar_keyboard import (
    CLOSED,
    IDLE,
    month_of,
    month_token,
    parse_day,
    parse_month,
    shift_month,
)
from handlers.common import cancel_fallback

ATHLETE, SPORT, COACHES, CARD, LENGTH, KIND, DAY, SLOT, CONFIRM, RETRY, SESSIONS = range(11)
STATES = (ATHLETE, SPORT, COACHES, CARD, LENGTH, KIND, DAY, SLOT, CONFIRM, RETRY, SESSIONS)
DRAFT = "booking"  # user_data key of the draft
END = ConversationHandler.END
PAGE = schedule.DIRECTORY_PAGE
MAX_SPORTS = 20
# The longest booking horizon a coach can set is 365 days; no month past this is looked up.
MONTHS_AHEAD = 13
UPCOMING = timedelta(days=366)
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_BOOKERS = [("book", "booking.command.book"), ("reschedule", "booking.command.reschedule")]
ROLE_COMMANDS = {
    "athlete": _BOOKERS,
    "parent": _BOOKERS,
    "coach": [("reschedule", "booking.command.reschedule")],
}

Args = tuple[str, ...]
Step = Callable[[Update, BotContext, Draft, Args], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add the booking and reschedule flow, and the answer for its buttons once it is over."""
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("book", start_booking, filters=_PRIVATE),
                CallbackQueryHandler(start_booking, pattern=f"^{FLOW}:start$"),
                CommandHandler("reschedule", start_moving, filters=_PRIVATE),
                CallbackQueryHandler(move_session, pattern=rf"^{FLOW}:move:[\w-]{{22}}$"),
            ],
            states={
                state: [CallbackQueryHandler(_on_button(state), pattern=pattern(FLOW))]
                for state in STATES
            },
            fallbacks=[CommandHandler("cancel", cancel_command), cancel_fallback()],
            name="booking",
            persistent=True,
            allow_reentry=True,
        )
    )
    # Outside the flow (it ended, or never began in this chat) every booking button is stale.
    application.add_handler(CallbackQueryHandler(stale, pattern=pattern(FLOW)))


async def start_booking(update: Update, context: BotContext) -> int:
    """/book and "Book a session": whom for (if several), then the coaches."""
    actor = await current_actor(update, context)
    if actor is None:
        return await _end(update, context, t("booking.not_signed_up", context.lang))
    athlete_ids = athletes_actor_may_act_for(actor)
    if not athlete_ids:
        return await _end(update, context, t("booking.only_athletes", context.lang))
    draft = Draft.new(await _timezone(update, context))
    draft.athletes = await _athlete_names(context, actor, athlete_ids)
    if len(athlete_ids) > 1:
        return await show(update, context, draft, ATHLETE, fresh=True)
    (only,) = athlete_ids
    _choose_athlete(draft, only)
    return await _to_sports(update, context, draft, fresh=True)


async def start_moving(update: Update, context: BotContext) -> int:
    """/reschedule: the upcoming sessions to pick one from."""
    if await current_actor(update, context) is None:
        return await _end(update, context, t("booking.not_signed_up", context.lang))
    draft = Draft.new(await _timezone(update, context), mode=MOVE)
    return await show(update, context, draft, SESSIONS, fresh=True)


async def move_session(update: Update, context: BotContext) -> int:
    """The "Move" button of a session (bk:move:<id>): straight to the calendar."""
    press = unpack(update.callback_query.data, flow=FLOW)
    session_id = press.uuid_arg(0) if press is not None else None
    if session_id is None:
        await refuse(update, context, reason="malformed move button")
        return END
    draft = Draft.new(await _timezone(update, context), mode=MOVE)
    return await _prepare_move(update, context, draft, session_id, fresh=True)


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
    elif state != RETRY:
        draft.trail.append(state)
    text, markup = await _SCREENS[state](update, context, draft)
    context.user_data[DRAFT] = draft.to_json()
    await render.say(update, text, markup, fresh=fresh, note=note)
    return state


def _on_button(state: int) -> Callable[[Update, BotContext], Awaitable[int]]:
    async def on_button(update: Update, context: BotContext) -> int:
        query = update.callback_query
        press = unpack(query.data, flow=FLOW)
        if press is None or not press.args:
            await refuse(update, context, reason="malformed booking button")
            return state
        draft = Draft.from_json(context.user_data.get(DRAFT))
        if draft is None or press.args[0] != draft.token:
            await stale(update, context)
            return state if draft is not None else END
        if press.action == IDLE:
            await query.answer()
            return state
        if press.action == CLOSED:
            await query.answer(t("booking.day_closed", context.lang), show_alert=True)
            return state
        step = _ANYWHERE.get(press.action) or _BUTTONS.get((state, press.action))
        if step is None:  # a button of another step, still on screen somewhere
            await stale(update, context)
            return state
        try:
            return await step(update, context, draft, press.args[1:])
        except DomainError as err:
            await query.answer(refusal_text(err, context), show_alert=True)
            return state

    return on_button


async def stale(update: Update, context: BotContext) -> None:
    """A button of a flow that is over or was replaced: say so, change nothing."""
    await update.callback_query.answer(t("booking.stale", context.lang), show_alert=True)


async def cancel(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """The Cancel button."""
    return await _end(update, context, t("booking.cancelled", context.lang))


async def cancel_command(update: Update, context: BotContext) -> int:
    """/cancel in the middle of the flow."""
    return await _end(update, context, t("booking.cancelled", context.lang))


async def back(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """The Back button: the step before the one on screen."""
    if len(draft.trail) < 2:
        await stale(update, context)
        return draft.trail[-1] if draft.trail else END
    draft.trail.pop()
    return await show(update, context, draft, draft.trail[-1])


async def pick_athlete(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """The athlete the session is for; only one the presser may book for."""
    actor = await current_actor(update, context)
    athlete_id = parse_id(args[0]) if args else None
    if actor is None or athlete_id not in athletes_actor_may_act_for(actor):
        await refuse(update, context, reason="booking for an athlete the presser may not act for")
        return ATHLETE
    _choose_athlete(draft, athlete_id)
    return await _to_sports(update, context, draft)


async def pick_sport(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """A specialization from the list (by its index), or "any"."""
    index = _int(args)
    if index is None or not 0 <= index < len(draft.specs):
        await refuse(update, context, reason="unknown specialization index")
        return SPORT
    draft.spec, draft.offset = draft.specs[index], 0
    return await show(update, context, draft, COACHES)


async def any_sport(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """Every verified coach, whatever they teach."""
    draft.spec, draft.offset = None, 0
    return await show(update, context, draft, COACHES)


async def turn_page(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """Previous or next page of coaches."""
    offset = _int(args)
    if offset is None or offset < 0 or offset % PAGE:
        await refuse(update, context, reason="bad coach page")
        return COACHES
    draft.offset = offset
    return await show(update, context, draft, COACHES)


async def pick_coach(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """A coach's card (re-loaded: only verified, active coaches have one)."""
    coach_id = parse_id(args[0]) if args else None
    if coach_id is None:
        await refuse(update, context, reason="malformed coach id")
        return COACHES
    draft.coach = str(coach_id)
    return await show(update, context, draft, CARD)


async def take_coach(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """Book with the coach on the card: their lengths and types decide the next steps."""
    async with context.uow() as uow:
        card = await schedule.coach_card(uow, uuid.UUID(draft.coach or ""))
    if card is None:
        return await show(update, context, draft, CARD)
    draft.coach_name, draft.coach_timezone = card.name, card.timezone
    draft.rate = None if card.hourly_rate is None else str(card.hourly_rate)
    draft.currency = card.currency
    draft.lengths, draft.kinds = list(card.session_lengths), list(card.session_types)
    draft.length, draft.kind, draft.month = draft.lengths[0], draft.kinds[0], None
    return await show(update, context, draft, _after_coach(draft))


async def pick_length(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """One of the coach's session lengths."""
    minutes = _int(args)
    if minutes not in draft.lengths:
        await refuse(update, context, reason="session length not offered")
        return LENGTH
    draft.length, draft.month = minutes, None
    return await show(update, context, draft, KIND if len(draft.kinds) > 1 else DAY)


async def pick_kind(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """One of the coach's session types."""
    if not args or args[0] not in draft.kinds:
        await refuse(update, context, reason="session type not offered")
        return KIND
    draft.kind = args[0]
    return await show(update, context, draft, DAY)


async def go_to_month(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """« or » on the calendar."""
    month = parse_month(args[0]) if args else None
    if month is None:
        await refuse(update, context, reason="malformed month")
        return DAY
    draft.month = month_token(month)
    return await show(update, context, draft, DAY)


async def pick_day(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """A day of the calendar: its free times."""
    day = parse_day(args[0]) if args else None
    if day is None:
        await refuse(update, context, reason="malformed day")
        return DAY
    last = shift_month(_reachable_months(draft)[1], 1)
    if not _coach_today(draft, _now()) <= day < last:  # a calendar of an earlier day, or made up
        return await show(update, context, draft, DAY, note=t("booking.day_gone", context.lang))
    draft.day = args[0]
    return await show(update, context, draft, SLOT)


async def pick_slot(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """A free time: on to the summary, unless it is not free (any more)."""
    epoch = _int(args)
    free = await _free_slots(context, draft)
    if epoch is None or epoch not in {int(slot.start.timestamp()) for slot in free}:
        return await show(update, context, draft, SLOT, note=t("booking.slot_gone", context.lang))
    draft.start = epoch
    return await show(update, context, draft, CONFIRM)


async def confirm(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """Confirm: book, or move, in one domain call."""
    return await _commit(update, context, draft)


async def take_nearest(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """One of the nearest free times offered after a slot was taken: book it directly."""
    epoch = _int(args)
    if epoch not in draft.nearest:
        await stale(update, context)
        return RETRY
    draft.start = epoch
    return await _commit(update, context, draft)


async def another_day(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """Back to the calendar after a refusal."""
    return await show(update, context, draft, DAY)


async def pick_session(update: Update, context: BotContext, draft: Draft, args: Args) -> int:
    """A session of the /reschedule list."""
    session_id = parse_id(args[0]) if args else None
    if session_id is None:
        await refuse(update, context, reason="malformed session id")
        return SESSIONS
    return await _prepare_move(update, context, draft, session_id)


async def _prepare_move(
    update: Update, context: BotContext, draft: Draft, session_id: uuid.UUID, *, fresh: bool = False
) -> int:
    actor = await current_actor(update, context)
    try:
        if actor is None:
            raise NotFound("not signed up")
        async with context.uow() as uow:
            view = await schedule.session_for(uow, actor=actor, session_id=session_id)
    except NotFound:
        await refuse(update, context, reason="moving a session the presser is no party to")
        return END if fresh else SESSIONS
    if not view.is_live:
        return await _end(update, context, t("booking.move_not_live", context.lang), fresh=fresh)
    draft.session, draft.coach = str(view.id), str(view.coach_id)
    draft.coach_name, draft.coach_timezone = view.coach_name, view.coach_timezone
    draft.athlete_name = ", ".join(view.athlete_names)
    draft.length, draft.kind = view.minutes, view.session_type
    draft.was, draft.month = int(view.start.timestamp()), None
    return await show(update, context, draft, DAY, fresh=fresh)


async def _commit(update: Update, context: BotContext, draft: Draft) -> int:
    actor = await current_actor(update, context)
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        text = await (_move if draft.mode == MOVE else _book)(context, actor, draft)
    except SlotUnavailable as err:
        draft.nearest = [int(slot.start.timestamp()) for slot in err.nearest]
        draft.problem, draft.problem_params = err.message_key, err.params
        return await show(update, context, draft, RETRY)
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"booking refused: {err.detail}")
        return await _end(update, context, refusal_text(err, context), answered=True)
    except DomainError as err:
        draft.nearest, draft.problem, draft.problem_params = [], err.message_key, err.params
        return await show(update, context, draft, RETRY)
    return await _end(update, context, text)


async def _book(context: BotContext, actor: Actor, draft: Draft) -> str:
    choice = BookingChoice(
        coach_id=uuid.UUID(draft.coach or ""),
        athlete_id=uuid.UUID(draft.athlete or ""),
        start=_start_of(draft),
        length_minutes=draft.length,
        session_type=draft.kind,
    )
    booked = await booking.book(
        context.uow(), actor=actor, choice=choice, now=_now(), slots=context.services.slots
    )
    return render.booked_text(draft, booked, context.lang)


async def _move(context: BotContext, actor: Actor, draft: Draft) -> str:
    changed = await session_changes.reschedule(
        context.uow(),
        actor=actor,
        session_id=uuid.UUID(draft.session or ""),
        new_start=_start_of(draft),
        now=_now(),
        slots=context.services.slots,
    )
    return render.moved_text(draft, changed.session, context.lang)


async def _end(
    update: Update, context: BotContext, text: str, *, fresh: bool = False, answered: bool = False
) -> int:
    context.user_data.pop(DRAFT, None)
    await render.say(update, text, None, fresh=fresh, answered=answered)
    return END


async def _to_sports(
    update: Update, context: BotContext, draft: Draft, *, fresh: bool = False
) -> int:
    async with context.uow() as uow:
        offered = await schedule.specializations_offered(uow)
    draft.specs = [name for name, _ in offered[:MAX_SPORTS]]
    return await show(update, context, draft, SPORT, fresh=fresh)


def _choose_athlete(draft: Draft, athlete_id: uuid.UUID) -> None:
    draft.athlete = str(athlete_id)
    draft.athlete_name = draft.athletes.get(short_id(athlete_id), "")


def _after_coach(draft: Draft) -> int:
    if len(draft.lengths) > 1:
        return LENGTH
    return KIND if len(draft.kinds) > 1 else DAY


async def _athlete_names(
    context: BotContext, actor: Actor, athlete_ids: frozenset[uuid.UUID]
) -> dict[str, str]:
    """Short id -> name of everyone the actor books for: themself first, then their children."""
    names = {}
    if actor.own_athlete_id in athlete_ids:
        names[short_id(actor.own_athlete_id)] = t("booking.athlete.me", context.lang)
    for child in await family.children_of(context.uow(), actor=actor):
        if child.athlete_id in athlete_ids:
            names[short_id(child.athlete_id)] = child.first_name
    return names


async def _timezone(update: Update, context: BotContext) -> str:
    """The booker's own time zone, which their times are shown in."""
    return await current_timezone(update, context)


# Screens: what each step shows, loaded fresh every time it is shown.
ScreenOf = Callable[[Update, BotContext, Draft], Awaitable[Screen]]


def _drawn(draw: Callable[[Draft, str | None], Screen]) -> ScreenOf:
    """A step shown from the draft alone."""

    async def screen(update: Update, context: BotContext, draft: Draft) -> Screen:
        return draw(draft, context.lang)

    return screen


async def _coaches_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    async with context.uow() as uow:
        cards = await schedule.verified_coaches(
            uow, specialization=draft.spec, offset=draft.offset, limit=PAGE + 1
        )
    return render.coaches_screen(draft, cards, PAGE, context.lang)


async def _card_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    async with context.uow() as uow:
        card = await schedule.coach_card(uow, uuid.UUID(draft.coach or ""))
    return render.card_screen(draft, card, context.lang)


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
    return render.slots_screen(draft, day, await _free_slots(context, draft), context.lang)


async def _sessions_screen(update: Update, context: BotContext, draft: Draft) -> Screen:
    actor = await current_actor(update, context)
    if actor is None:
        return render.sessions_screen(draft, [], None, context.lang)
    now = _now()
    async with context.uow() as uow:
        own = await schedule.athlete_sessions(uow, actor=actor, start=now, end=now + UPCOMING)
        coached = await schedule.coach_sessions(uow, actor=actor, start=now, end=now + UPCOMING)
    upcoming = {view.id: view for view in [*own, *coached] if view.is_live}
    ordered = sorted(upcoming.values(), key=lambda view: view.start)
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
    )


async def _free_slots(context: BotContext, draft: Draft) -> Sequence[Slot]:
    day = parse_day(draft.day or "")
    if day is None:
        return []
    return await context.services.slots.free_slots_on(
        coach_id=uuid.UUID(draft.coach or ""), day=day, length_minutes=draft.length, now=_now()
    )


def _reachable_months(draft: Draft) -> tuple[date, date]:
    """The first and last month the calendar may show: the coach's current month onwards."""
    first = month_of(_coach_today(draft, _now()))
    return first, shift_month(first, MONTHS_AHEAD)


def _coach_today(draft: Draft, now: datetime) -> date:
    """Today where the coach is: their dates are the calendar's."""
    return now.astimezone(zone_of(draft.coach_timezone)).date()


def _start_of(draft: Draft) -> datetime:
    start = draft.start_time
    if start is None:
        raise NotFound("no time picked")
    return start


def _int(args: Args) -> int | None:
    if not args or not args[0].isdigit():
        return None
    return int(args[0])


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
    CONFIRM: _drawn(render.summary_screen),
    RETRY: _drawn(render.retry_screen),
    SESSIONS: _sessions_screen,
}
# Buttons that work on any step of the flow.
_ANYWHERE: dict[str, Step] = {"x": cancel, "back": back}
_BUTTONS: dict[tuple[int, str], Step] = {
    (ATHLETE, "ath"): pick_athlete,
    (SPORT, "sp"): pick_sport,
    (SPORT, "any"): any_sport,
    (COACHES, "pg"): turn_page,
    (COACHES, "co"): pick_coach,
    (CARD, "take"): take_coach,
    (LENGTH, "len"): pick_length,
    (KIND, "typ"): pick_kind,
    (DAY, "mo"): go_to_month,
    (DAY, "day"): pick_day,
    (SLOT, "sl"): pick_slot,
    (CONFIRM, "ok"): confirm,
    (RETRY, "now"): take_nearest,
    (RETRY, "cal"): another_day,
    (SESSIONS, "ses"): pick_session,
}
