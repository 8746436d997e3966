"""How the booking screens look: the text and buttons of each step.

Every button carries the flow's token (a few random characters, new for each flow), so a
button of an earlier flow is recognised as stale whatever it names.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import t
from bot.i18n.formats import weekday_name
from bot.local_time import local_moment
from domain.booking.schedule import CoachCard
from domain.booking.sessions import SessionView
from domain.booking.slots import Slot
from domain.short_ids import short_id
from domain.timezones import zone_of
from handlers.booking import words
from handlers.booking.calendar_keyboard import month_keyboard
from handlers.booking.callbacks import BookingAction, BookingPress
from handlers.booking.draft import MOVE, Draft
from handlers.shared.edit_in_place import edit_pressed

SLOTS_PER_ROW = 3
Screen = tuple[str, InlineKeyboardMarkup]
Row = list[InlineKeyboardButton]


def athletes_screen(draft: Draft, lang: str | None) -> Screen:
    """Whom the session is for, when the booker books for more than one athlete."""
    rows = [
        [_button(draft, name, BookingAction.ATHLETE, sid)] for sid, name in draft.athletes.items()
    ]
    return t("booking.ask.athlete", lang), _markup(draft, rows, lang)


def sports_screen(draft: Draft, lang: str | None) -> Screen:
    """A sport or specialization to narrow the coaches down, or any."""
    rows = _in_rows(
        [
            _button(draft, words.specialization_name(s, lang), BookingAction.SPORT, i)
            for i, s in enumerate(draft.specs)
        ],
        2,
    )
    rows.append([_button(draft, t("booking.button.any", lang), BookingAction.ANY_SPORT)])
    # First step, the athlete taken without asking (acted for in /children, or "Book for Mia"),
    # yet several to book for: offer the others.
    if len(draft.athletes) > 1 and len(draft.trail) <= 1:
        rows.append(
            [_button(draft, t("booking.button.someone_else", lang), BookingAction.SOMEONE_ELSE)]
        )
    return t("booking.ask.sport", lang, athlete=draft.athlete_name), _markup(draft, rows, lang)


def coaches_screen(
    draft: Draft, cards: Sequence[CoachCard], page_size: int, lang: str | None
) -> Screen:
    """One page of coaches, a line each, and a button each; `cards` may hold one more (a next)."""
    shown = cards[:page_size]
    sport = (
        words.specialization_name(draft.spec, lang) if draft.spec else t("booking.sport.any", lang)
    )
    if not shown:
        return t("booking.no_coaches", lang, sport=sport), _markup(draft, [], lang)
    lines = [
        words.coach_line(n, card, lang) for n, card in enumerate(shown, start=draft.offset + 1)
    ]
    text = t("booking.ask.coach", lang, sport=sport, coaches="\n\n".join(lines))
    rows = [
        [_button(draft, f"{n}. {card.name}", BookingAction.COACH, card.coach_id)]
        for n, card in enumerate(shown, start=draft.offset + 1)
    ]
    pager = []
    if draft.offset > 0:
        pager.append(
            _button(
                draft,
                t("booking.button.previous", lang),
                BookingAction.PAGE,
                draft.offset - page_size,
            )
        )
    if len(cards) > page_size:
        pager.append(
            _button(
                draft, t("booking.button.next", lang), BookingAction.PAGE, draft.offset + page_size
            )
        )
    return text, _markup(draft, [*rows, pager] if pager else rows, lang)


def card_screen(draft: Draft, card: CoachCard | None, lang: str | None) -> Screen:
    """Everything a booker sees of one coach before picking a time."""
    if card is None:
        return t("booking.error.coach_unavailable", lang), _markup(draft, [], lang)
    text = t(
        "booking.card",
        lang,
        name=card.name,
        specializations=", ".join(words.specialization_name(s, lang) for s in card.specializations),
        details=words.coach_details(card, lang),
        place=card.location or "–",
        timezone=card.timezone,
        bio=card.bio or "–",
    )
    take = _button(draft, t("booking.button.take", lang, name=card.name), BookingAction.TAKE_COACH)
    return text, _markup(draft, [[take]], lang)


def lengths_screen(draft: Draft, lang: str | None) -> Screen:
    """How long the session is, each length with its price."""
    rows = [
        [_button(draft, words.length_label(draft, minutes, lang), BookingAction.LENGTH, minutes)]
        for minutes in draft.lengths
    ]
    return t("booking.ask.length", lang), _markup(draft, rows, lang)


def kinds_screen(draft: Draft, lang: str | None) -> Screen:
    """Which kind of session (individual, group, ...)."""
    rows = [
        [_button(draft, words.kind_name(kind, lang), BookingAction.KIND, kind)]
        for kind in draft.kinds
    ]
    return t("booking.ask.type", lang), _markup(draft, rows, lang)


def calendar_screen(
    draft: Draft,
    month: date,
    bookable: Collection[date],
    *,
    earlier: bool,
    later: bool,
    lang: str | None,
) -> Screen:
    """A month of the coach's local dates; only days with free times can be picked."""
    lines = [t("booking.ask.day", lang, athlete=draft.athlete_name, coach=draft.coach_name)]
    if draft.coach_timezone != draft.timezone:
        lines.append(
            t("booking.coach_dates", lang, coach=draft.coach_name, timezone=draft.coach_timezone)
        )
    if not bookable:
        lines.append(t("booking.no_days", lang, coach=draft.coach_name))
    rows = month_keyboard(
        month,
        bookable,
        earlier=earlier,
        later=later,
        lang=lang,
        data=lambda action, choice=None: _data(draft, action, choice),
    )
    return "\n\n".join(lines), _markup(draft, rows, lang)


def slots_screen(draft: Draft, day: date, slots: Sequence[Slot], lang: str | None) -> Screen:
    """The day's free times as buttons, in the booker's time (and the coach's, if different)."""
    day_text = words.day_text(day, lang)
    if not slots:
        return t("booking.no_slots", lang, day=day_text), _markup(draft, [], lang)
    lines = [t("booking.ask.slot", lang, day=day_text)]
    if draft.coach_timezone != draft.timezone:
        lines.append(
            t("booking.times_yours", lang, timezone=draft.timezone, coach=draft.coach_name)
        )
    buttons = [
        _button(
            draft,
            slot_label(draft, day, slot.start, lang),
            BookingAction.SLOT,
            int(slot.start.timestamp()),
        )
        for slot in slots
    ]
    return "\n\n".join(lines), _markup(draft, _in_rows(buttons, SLOTS_PER_ROW), lang)


def slot_label(draft: Draft, day: date, start: datetime, lang: str | None) -> str:
    """A time in the booker's zone, the coach's in brackets if theirs differs: "10:00 (16:00)"."""
    mine = start.astimezone(zone_of(draft.timezone))
    label = f"{mine:%H:%M}"
    if mine.date() != day:
        label = f"{weekday_name(mine, lang)} {label}"
    if draft.coach_timezone != draft.timezone:
        label += f" ({start.astimezone(zone_of(draft.coach_timezone)):%H:%M})"
    return label


def summary_screen(draft: Draft, lang: str | None, *, stars: int | None = None) -> Screen:
    """What is about to be booked (or moved), with the price (and the `stars` it is invoiced
    as, if it is paid in Telegram Stars), to confirm."""
    start = draft.start_time
    assert start is not None  # only shown once a time is picked
    when = words.when_text(draft, start, lang)
    if draft.mode == MOVE:
        was = datetime.fromtimestamp(draft.was or 0, UTC)
        text = t(
            "booking.move_summary",
            lang,
            athlete=draft.athlete_name,
            coach=draft.coach_name,
            was=words.when_text(draft, was, lang),
            when=when,
        )
    else:
        text = t(
            "booking.summary",
            lang,
            athlete=draft.athlete_name,
            coach=draft.coach_name,
            when=when,
            minutes=draft.length,
            kind=words.kind_name(draft.kind, lang),
            price=words.price_text(draft, draft.length, lang)
            if stars is None
            else words.price_in_stars_text(draft, draft.length, stars, lang),
        )
        if stars is not None:
            text += "\n" + t("booking.pays_in_stars", lang)
    confirm = _button(draft, t("booking.button.confirm", lang), BookingAction.CONFIRM)
    with_packs = [
        [
            _button(
                draft,
                t("booking.button.confirm_pack", lang, pack=name, left=left),
                BookingAction.CONFIRM_PACK,
                index,
            )
        ]
        for index, (_pack_id, name, left) in enumerate(draft.packs)
    ]
    if with_packs:
        text += "\n" + t("booking.pack_offered", lang)
        confirm = _button(draft, t("booking.button.confirm_pay", lang), BookingAction.CONFIRM)
    return text, _markup(draft, [*with_packs, [confirm]], lang)


# The refusals of a pack that could not pay (domain.clubs.packs.ledger).
PACK_PROBLEMS = "booking.error.pack_"


def retry_screen(draft: Draft, lang: str | None) -> Screen:
    """Why the last try failed, the nearest free times to take instead, and another day."""
    lines = [t(draft.problem or "booking.error.slot_taken", lang, **draft.problem_params)]
    rows: list[Row] = []
    if draft.nearest:
        lines.append(t("booking.nearest", lang))
        rows = [
            [
                _button(
                    draft,
                    words.when_text(draft, words.instant(epoch), lang),
                    BookingAction.NEAREST,
                    epoch,
                )
            ]
            for epoch in draft.nearest
        ]
    if draft.pack is not None and draft.problem.startswith(PACK_PROBLEMS):
        # The pack could not pay for it: the same time, paid per session, is one tap away.
        pay = _button(draft, t("booking.button.confirm_pay", lang), BookingAction.CONFIRM)
        rows.append([pay])
    rows.append([_button(draft, t("booking.button.other_day", lang), BookingAction.OTHER_DAY)])
    cancel = _button(draft, t("booking.button.cancel", lang), BookingAction.CANCEL)
    return "\n\n".join(lines), InlineKeyboardMarkup([*rows, [cancel]])


def sessions_screen(
    draft: Draft, sessions: Sequence[SessionView], coach_id: uuid.UUID | None, lang: str | None
) -> Screen:
    """The upcoming sessions the person may move, one button each."""
    if not sessions:
        return t("booking.no_sessions", lang), _markup(draft, [], lang)
    rows = []
    for view in sessions:
        other = ", ".join(view.athlete_names) if view.coach_id == coach_id else view.coach_name
        label = f"{local_moment(view.start, draft.timezone, lang)} · {other}"
        rows.append([_button(draft, label, BookingAction.SESSION, view.id)])
    return t("booking.ask.session", lang), _markup(draft, rows, lang)


async def say(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    fresh: bool = False,
    note: str | None = None,
    answered: bool = False,
) -> None:
    """Edit the pressed message in place while the flow runs; a new message when one begins.

    `note` is shown as an alert with the press's answer; `answered` says the press was already
    answered (a press is answered once).
    """
    query = update.callback_query
    if query is not None and not answered:
        await query.answer(note, show_alert=note is not None)
    if query is None or fresh:
        if update.effective_message is not None:
            await update.effective_message.reply_text(text, reply_markup=markup)
        return
    await edit_pressed(query, text, markup)


def _markup(draft: Draft, rows: list[Row], lang: str | None) -> InlineKeyboardMarkup:
    navigation = [_button(draft, t("booking.button.cancel", lang), BookingAction.CANCEL)]
    if len(draft.trail) > 1:
        navigation.insert(0, _button(draft, t("booking.button.back", lang), BookingAction.BACK))
    return InlineKeyboardMarkup([*rows, navigation])


def _button(
    draft: Draft, label: str, action: BookingAction, choice: str | uuid.UUID | int | None = None
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=_data(draft, action, choice))


def _data(draft: Draft, action: str, choice: str | uuid.UUID | int | None) -> str:
    shown = short_id(choice) if isinstance(choice, uuid.UUID) else choice
    return BookingPress(
        BookingAction(action), draft.token, None if shown is None else str(shown)
    ).pack()


def _in_rows(buttons: list[InlineKeyboardButton], width: int) -> list[Row]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]
