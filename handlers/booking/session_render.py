"""How sessions look in the chat: a session's card, the /schedule list, and their buttons.

Every time is shown in the viewer's own zone. The buttons a card offers follow the session's
state; whoever presses one is checked again by the domain, so a button shown is no promise.
The callback data they carry is described in `handlers.booking.sessions`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.i18n import t
from bot.i18n.formats import money, money_text
from bot.local_time import local_moment
from domain.booking.sessions import GROUP, SessionView
from domain.models import SessionPaymentStatus, SessionStatus
from domain.policy import Action, Actor, SessionTarget, may
from domain.timezones import zone_of
from handlers.booking.callbacks import (
    MoveSession,
    SessionAction,
    SessionPress,
    on_card,
)
from handlers.booking.session_press import Viewer
from handlers.shared.menu_entries import SessionList, ViewAthlete, WeeklySeries

log = logging.getLogger(__name__)
# The reschedule flow's entry, owned by the booking flow.
# Telegram allows 100 buttons under a message; a week of sessions stays well below.
MAX_LISTED = 60
Rows = list[list[tuple[str, str]]]  # (label, callback data)


def runs(actor: Actor, view: SessionView) -> bool:
    """Whether the viewer is the session's coach (who sees the coach's buttons)."""
    return may(actor, Action.RUN_SESSION, SessionTarget(view.coach_id))


def type_name(session_type: str, lang: str | None) -> str:
    """The name of a kind of session in the viewer's language."""
    return t(f"session.type.{session_type}", lang)


def _with(view: SessionView, athletes: str, coach_side: bool, lang: str | None) -> str:
    if coach_side:
        return t("session.card.with_athletes", lang, athletes=athletes)
    if not athletes:  # a family that has just taken its child out of a group session
        return t("session.card.coach_only", lang, coach=view.coach_name)
    return t("session.card.with_coach", lang, coach=view.coach_name, athletes=athletes)


def card_text(
    view: SessionView, *, coach_side: bool, timezone: str, lang: str | None, note: str = ""
) -> str:
    """Everything about one session, with `note` (what just happened) under it."""
    athletes = ", ".join(view.athlete_names)
    lines = [
        type_name(view.session_type, lang),
        t(
            "session.card.when",
            lang,
            moment=local_moment(view.start, timezone, lang),
            minutes=view.minutes,
        ),
        _with(view, athletes, coach_side, lang),
    ]
    if view.session_type == GROUP:
        lines.append(
            t(
                "session.card.group_places",
                lang,
                taken=view.participant_count,
                capacity=view.capacity,
            )
        )
    lines.append(t("session.card.status", lang, status=t(f"session.status.{view.status}", lang)))
    lines += _money_and_place(view, lang)
    lines += _afterwards(view, coach_side, lang)
    text = "\n".join(lines)
    return f"{text}\n\n{note}" if note else text


def _money_and_place(view: SessionView, lang: str | None) -> list[str]:
    lines = []
    if view.price is not None:
        lines.append(price_line(view, lang))
    place = view.meeting_url or view.location
    if place:
        lines.append(t("session.card.place", lang, place=place))
    return lines


def price_line(view: SessionView, lang: str | None) -> str:
    """The price and whether it is paid."""
    price = money(view.price, view.currency, lang) if view.price is not None else ""
    if view.payment_status == SessionPaymentStatus.PAID and view.paid is not None:
        return t("session.card.price_paid_in", lang, price=price, paid=money_text(view.paid, lang))
    payment = t(f"session.payment.{view.payment_status}", lang)
    return t("session.card.price", lang, price=price, payment=payment)


def _afterwards(view: SessionView, coach_side: bool, lang: str | None) -> list[str]:
    lines = []
    if coach_side and view.coach_notes:
        lines.append(t("session.card.notes", lang, notes=view.coach_notes))
    # Named per athlete when the card is about several (the coach of a group, siblings).
    named = len(view.athlete_names) > 1
    for rated in view.ratings:
        if named:
            line = t(
                "session.card.rating_of", lang, athlete=rated.athlete_name, rating=rated.rating
            )
        else:
            line = t("session.card.rating", lang, rating=rated.rating)
        lines.append(line)
        if rated.feedback:
            lines.append(t("session.card.feedback", lang, feedback=rated.feedback))
    return lines


def card_markup(
    view: SessionView, *, coach_side: bool, now: datetime, lang: str | None
) -> InlineKeyboardMarkup:
    """What can be done to the session now, and the way back to the list."""
    rows = [*_coach_rows(view, now, lang), *_profile_rows(view, lang)] if coach_side else []
    if view.status in (SessionStatus.REQUESTED, SessionStatus.SCHEDULED) and view.start > now:
        rows.append(
            [
                (t("session.button.reschedule", lang), MoveSession(view.id).pack()),
                (t("session.button.cancel", lang), on_card(SessionAction.CANCEL, view.id)),
            ]
        )
    rows.append([(t("session.button.back", lang), SessionList().pack())])
    return markup(rows)


def _coach_rows(view: SessionView, now: datetime, lang: str | None) -> Rows:
    if view.status == SessionStatus.REQUESTED:
        return [
            [
                (t("session.button.accept", lang), on_card(SessionAction.ACCEPT, view.id)),
                (t("session.button.decline", lang), on_card(SessionAction.DECLINE, view.id)),
            ]
        ]
    if (
        view.status in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED, SessionStatus.NO_SHOW)
        and view.start <= now
    ):
        return [
            [
                (t("session.button.completed", lang), on_card(SessionAction.DONE, view.id)),
                (t("session.button.no_show", lang), on_card(SessionAction.NO_SHOW, view.id)),
            ],
            [(t("session.button.notes", lang), on_card(SessionAction.NOTES, view.id))],
        ]
    return []


def _profile_rows(view: SessionView, lang: str | None) -> Rows:
    """A profile button per athlete, two to a row (a group's); the profile flow re-checks.
    None on a cancelled session: it no longer makes the coach theirs (domain.actors)."""
    if view.status == SessionStatus.CANCELLED:
        return []
    buttons = [
        (t("session.button.profile", lang, name=name), ViewAthlete(athlete_id).pack())
        for name, athlete_id in zip(view.athlete_names, view.athlete_ids, strict=True)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def confirm_cancel_markup(view: SessionView, lang: str | None) -> InlineKeyboardMarkup:
    """Yes (cancel) or No (back to the card)."""
    return markup(
        [
            [(t("session.button.cancel_confirm", lang), on_card(SessionAction.CANCEL_OK, view.id))],
            [(t("session.button.keep", lang), on_card(SessionAction.OPEN, view.id))],
        ]
    )


def late_cancel_markup(session_id: uuid.UUID, lang: str | None) -> InlineKeyboardMarkup:
    """Cancel although the fee stays due, or keep the session."""
    return markup(
        [
            [
                (
                    t("session.button.cancel_with_fee", lang),
                    on_card(SessionAction.CANCEL_FEE, session_id),
                )
            ],
            [(t("session.button.keep", lang), on_card(SessionAction.OPEN, session_id))],
        ]
    )


def skip_markup(session_id: uuid.UUID, lang: str | None) -> InlineKeyboardMarkup:
    """Skip the line of feedback after a rating."""
    return markup(
        [[(t("session.button.skip", lang), SessionPress(SessionAction.SKIP, session_id).pack())]]
    )


def list_text(
    views: Sequence[SessionView],
    *,
    coach_side: bool,
    timezone: str,
    now: datetime,
    lang: str | None,
) -> str:
    """The coach's today and rest of the week, or the athletes' side's next 30 days."""
    title = "session.list.coach_title" if coach_side else "session.list.athlete_title"
    parts = [t(title, lang, timezone=timezone)]
    if not views:
        return "\n\n".join([*parts, t("session.list.nothing", lang)])
    if coach_side:
        today = now.astimezone(zone_of(timezone)).date()
        later = [v for v in views if v.start.astimezone(zone_of(timezone)).date() > today]
        earlier = [v for v in views if v not in later]
        parts.append(_section("session.list.today", earlier, coach_side, timezone, lang))
        parts.append(_section("session.list.week", later, coach_side, timezone, lang))
    else:
        parts.append("\n".join(_line(v, coach_side, timezone, lang) for v in views))
    parts.append(t("session.list.pick", lang))
    return "\n\n".join(parts)


def _section(
    heading: str, views: Sequence[SessionView], coach_side: bool, timezone: str, lang: str | None
) -> str:
    lines = [_line(view, coach_side, timezone, lang) for view in views]
    return "\n".join([t(heading, lang), *(lines or [t("session.list.nothing", lang)])])


def _line(view: SessionView, coach_side: bool, timezone: str, lang: str | None) -> str:
    parts = [
        local_moment(view.start, timezone, lang),
        _people(view, coach_side),
        t(f"session.status.{view.status}", lang),
    ]
    if view.price is not None:
        parts.append(price_line(view, lang))
    return " · ".join(parts)


def _people(view: SessionView, coach_side: bool) -> str:
    athletes = ", ".join(view.athlete_names)
    return athletes if coach_side else f"{view.coach_name} → {athletes}"


def list_markup(
    views: Sequence[SessionView], *, coach_side: bool, timezone: str, lang: str | None
) -> InlineKeyboardMarkup | None:
    """One button per session, opening its card."""
    rows = [
        [
            (
                f"{local_moment(view.start, timezone, lang)} · {_people(view, coach_side)}",
                on_card(SessionAction.OPEN, view.id),
            )
        ]
        for view in views[:MAX_LISTED]
    ]
    if coach_side:  # a coach's weekly series (issue 19) sit beside their sessions
        rows.append([(t("session.button.weekly_series", lang), WeeklySeries().pack())])
    return markup(rows) if rows else None


def markup(rows: Rows) -> InlineKeyboardMarkup:
    """An inline keyboard from labels and callback data."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def show_card(
    update: Update,
    viewer: Viewer,
    view: SessionView,
    lang: str | None,
    *,
    on_card: bool,
    note: str = "",
) -> None:
    """The session in place of the pressed message; its buttons only on a /schedule card."""
    coach_side = runs(viewer.actor, view)
    text = card_text(view, coach_side=coach_side, timezone=viewer.timezone, lang=lang, note=note)
    keyboard = card_markup(view, coach_side=coach_side, now=datetime.now(UTC), lang=lang)
    await show(update, text, keyboard if on_card else None)


async def show(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Put `text` in place of the pressed message (a notice with a file: its caption)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message):
        return
    try:
        if message.text is None:
            await query.edit_message_caption(caption=text, reply_markup=keyboard)
        else:
            await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as err:
        # Unchanged, or too old to edit: what the press did stands either way.
        if "not modified" not in str(err):
            log.info("could not update the pressed message: %r", err)


async def drop_buttons(update: Update) -> None:
    """Take the buttons off the pressed message."""
    query = update.callback_query
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as err:
        log.info("could not take the buttons off: %r", err)
