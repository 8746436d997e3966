"""A month as an inline keyboard: Mon..Sun columns, only days with free times pressable.

Days travel in callback data as YYYYMMDD and months as YYYYMM, so a button stays well inside
Telegram's 64 bytes. Every cell is a button (Telegram has no plain cells): days without free
times show "·" and say so when pressed; blanks and labels answer nothing.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Collection
from datetime import date, datetime

from telegram import InlineKeyboardButton

from bot.i18n import t

DAY = "day"  # a day with free times
CLOSED = "no"  # a day without free times: answered with a hint
IDLE = "nop"  # a blank, the month title or a weekday label: answered with nothing
MONTH = "mo"  # go to another month
BLANK = " "
CLOSED_LABEL = "·"
# (action, *args) -> callback data; the flow decides what else goes into it.
CallbackData = Callable[..., str]
Row = list[InlineKeyboardButton]


def month_of(day: date) -> date:
    """The first day of the day's month, which stands for the month."""
    return day.replace(day=1)


def shift_month(month: date, months: int) -> date:
    """The month `months` after (or before, if negative) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_token(month: date) -> str:
    """A month for callback data: YYYYMM."""
    return f"{month:%Y%m}"


def day_token(day: date) -> str:
    """A day for callback data: YYYYMMDD."""
    return f"{day:%Y%m%d}"


def parse_month(text: str) -> date | None:
    """The month of a YYYYMM token, or None if it is not one."""
    return _parsed(text, "%Y%m", 6)


def parse_day(text: str) -> date | None:
    """The day of a YYYYMMDD token, or None if it is not one."""
    return _parsed(text, "%Y%m%d", 8)


def month_keyboard(
    month: date,
    bookable: Collection[date],
    *,
    earlier: bool,
    later: bool,
    lang: str | None,
    data: CallbackData,
) -> list[Row]:
    """Title with « and » (where allowed), weekday labels, then one row per week of `month`."""
    names = t("booking.calendar.months", lang).split()
    title = t("booking.calendar.title", lang, month=names[month.month - 1], year=month.year)
    header = [
        _month_button("«", shift_month(month, -1), data) if earlier else _idle(BLANK, data),
        _idle(title, data),
        _month_button("»", shift_month(month, 1), data) if later else _idle(BLANK, data),
    ]
    weekdays = [_idle(name, data) for name in t("booking.calendar.weekdays", lang).split()]
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
        month.year, month.month
    )
    grid = [[_cell(day, month, bookable, data) for day in week] for week in weeks]
    return [header, weekdays, *grid]


def _cell(
    day: date, month: date, bookable: Collection[date], data: CallbackData
) -> InlineKeyboardButton:
    if day.month != month.month:
        return _idle(BLANK, data)
    if day in bookable:
        return InlineKeyboardButton(str(day.day), callback_data=data(DAY, day_token(day)))
    return InlineKeyboardButton(CLOSED_LABEL, callback_data=data(CLOSED, day_token(day)))


def _month_button(label: str, month: date, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data(MONTH, month_token(month)))


def _idle(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data(IDLE))


def _parsed(text: str, form: str, length: int) -> date | None:
    if len(text) != length or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, form).date()
    except ValueError:
        return None
