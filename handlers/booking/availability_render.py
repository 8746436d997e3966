"""The /availability messages: the week card, a weekday's hours, the settings pages and their
buttons, two or three short ones a row so they read whole on a phone.

Every button names the coach whose rules it changes and the value it sets (not "toggle"), so
a double tap sets the same value twice instead of switching it back, and a forged coach id is
refused by domain.policy.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import zone_city
from domain.booking.availability import (
    WEEKDAYS,
    AvailabilityRules,
    SessionType,
    TimeRange,
    Weekday,
)
from domain.booking.availability_input import DateHours, WeekdayHours
from handlers.booking.callbacks import (
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
    Flag,
)
from handlers.shared.callback_data import CallbackData

OFFERED_LENGTHS = (30, 45, 60, 90, 120)
SESSION_TYPES: tuple[SessionType, ...] = ("individual", "group", "assessment", "online")
# Settings whose value is typed in after pressing their button.
TYPED_PAGES = (
    "buffers",
    "notice",
    "horizon",
    "capacity",
    "cancel",
    "pay",
    "location",
    "dates",
    "tz",
)
PAGES = ("week", "settings", "lengths", "types", *TYPED_PAGES)
DATE_BUTTONS = 8
# The ranges a weekday's page offers as buttons; any other is typed.
USUAL_HOURS = ("09:00-13:00", "16:00-20:00", "09:00-17:00", "17:00-21:00")
View = tuple[str, InlineKeyboardMarkup]
Row = list[InlineKeyboardButton]


def page(name: str, rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> View:
    """One page of the settings, by name (one of PAGES)."""
    if name == "week":
        return week(rules, coach_id, lang)
    if name == "settings":
        return _settings_page(rules, coach_id, lang)
    if name == "lengths":
        return _lengths(rules, coach_id, lang)
    if name == "types":
        return _types(rules, coach_id, lang)
    if name == "dates":
        return _dates(rules, coach_id, lang)
    back = _back(coach_id, lang, to="settings" if name in _SETTINGS_PAGES else "week")
    return _ask(name, rules, lang), InlineKeyboardMarkup([[back]])


def week(rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> View:
    """The week card: a line per weekday, the special dates still ahead, the settings in two."""
    lines = [t("availability.week.title", lang, timezone=rules.timezone)]
    lines += [
        t("availability.week.day", lang, day=_day(d, lang), hours=_hours(rules.weekly.get(d), lang))
        for d in WEEKDAYS
    ]
    lines += [_date_line(day, rules.exceptions[day], lang) for day in _upcoming_dates(rules)]
    text = "\n\n".join(["\n".join(lines), _summary(rules, lang), t("availability.week.help", lang)])
    return text, InlineKeyboardMarkup(_week_rows(rules, coach_id, lang))


def weekday(day: Weekday, rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> View:
    """A weekday's page: its hours now, usual ranges to tap, and any others to type."""
    hours = _hours(rules.weekly.get(day), lang)
    text = t("availability.ask.hours", lang, day=_day(day, lang), hours=hours)
    usual = [
        _button(r, AvailabilityUsualHours(coach_id, day, r.replace(":", ""))) for r in USUAL_HOURS
    ]
    rows = [usual[:2], usual[2:]]
    if rules.weekly.get(day):
        closed = t("availability.button.closed", lang)
        rows.append([_button(closed, AvailabilityWeekday(coach_id, day, "0"))])
    elif rules.paused.get(day):
        label = t("availability.button.last_hours", lang)
        rows.append([_button(label, AvailabilityWeekday(coach_id, day, "1"))])
    return text, InlineKeyboardMarkup([*rows, [_back(coach_id, lang)]])


def saved_line(line: WeekdayHours | DateHours, rules: AvailabilityRules, lang: str | None) -> str:
    """One line saying what a typed /availability line set, for when the card is edited."""
    if isinstance(line, WeekdayHours):
        hours = _hours(rules.weekly.get(line.weekday), lang)
        text = t("availability.week.day", lang, day=_day(line.weekday, lang), hours=hours)
    elif line.ranges is None:  # back to its weekday's hours
        text = _date_line(line.day, rules.weekly.get(WEEKDAYS[line.day.weekday()], []), lang)
    else:
        text = _date_line(line.day, line.ranges, lang)
    return t("availability.saved_line", lang, line=text)


def zone_choices(
    zones: tuple[str, ...], coach_id: uuid.UUID, lang: str | None
) -> InlineKeyboardMarkup:
    """The zones that have a typed offset now, by city, two a row, each setting the zone."""
    buttons = [_button(zone_city(zone, lang), AvailabilityZone(coach_id, zone)) for zone in zones]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def _week_rows(rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> list[Row]:
    days = []
    for day in WEEKDAYS:
        key = (
            "availability.button.day_open"
            if rules.weekly.get(day)
            else "availability.button.day_closed"
        )
        days.append(_button(t(key, lang, day=_day(day, lang)), AvailabilityHours(coach_id, day)))
    return [
        days[:3],
        days[3:6],
        [days[6], _page("dates", coach_id, lang), _page("settings", coach_id, lang)],
        [_button(t("availability.button.done", lang), AvailabilityDone(coach_id))],
    ]


def _settings_page(rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> View:
    auto = "availability.button.auto_on" if rules.auto_accept else "availability.button.auto_off"
    rows = [
        [_page(name, coach_id, lang) for name in ("lengths", "types", "buffers")],
        [_page(name, coach_id, lang) for name in ("notice", "horizon", "capacity")],
        [
            _button(t(auto, lang), AvailabilityAutoAccept(coach_id, _flag(not rules.auto_accept))),
            _page("cancel", coach_id, lang),
            _page("pay", coach_id, lang),
        ],
        [_page("location", coach_id, lang), _page("tz", coach_id, lang)],
        [_back(coach_id, lang)],
    ]
    return _settings(rules, lang), InlineKeyboardMarkup(rows)


def _lengths(rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> View:
    offered = set(rules.session_lengths)
    buttons = [
        _button(
            _offered(t("availability.button.length", lang, minutes=m), m in offered, lang),
            AvailabilityLength(coach_id, m, _flag(m not in offered)),
        )
        for m in sorted(offered | set(OFFERED_LENGTHS))
    ]
    text = t("availability.page.lengths", lang, lengths=_lengths_text(rules, lang))
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return text, InlineKeyboardMarkup([*rows, [_back(coach_id, lang, to="settings")]])


def _types(rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> View:
    offered = set(rules.session_types)
    buttons = [
        _button(
            _offered(_type(kind, lang), kind in offered, lang),
            AvailabilityType(coach_id, kind, _flag(kind not in offered)),
        )
        for kind in SESSION_TYPES
    ]
    text = t("availability.page.types", lang, types=_types_text(rules, lang))
    back = _back(coach_id, lang, to="settings")
    return text, InlineKeyboardMarkup([buttons[:2], buttons[2:], [back]])


def _dates(rules: AvailabilityRules, coach_id: uuid.UUID, lang: str | None) -> View:
    removable = [
        _button(
            t("availability.button.remove_date", lang, date=day.isoformat()),
            AvailabilityDateRemoved(coach_id, day.strftime("%Y%m%d")),
        )
        for day in _upcoming_dates(rules)[:DATE_BUTTONS]
    ]
    rows = [removable[i : i + 2] for i in range(0, len(removable), 2)]
    text = t("availability.ask.dates", lang, timezone=rules.timezone)
    return text, InlineKeyboardMarkup([*rows, [_back(coach_id, lang)]])


def _ask(name: str, rules: AvailabilityRules, lang: str | None) -> str:
    if name == "buffers":
        before, after = _duration(rules.buffer_before, lang), _duration(rules.buffer_after, lang)
        return t("availability.ask.buffers", lang, before=before, after=after)
    if name == "notice":
        return t("availability.ask.notice", lang, notice=_duration(rules.min_notice_minutes, lang))
    if name == "horizon":
        return t("availability.ask.horizon", lang, days=rules.horizon_days)
    if name == "capacity":
        return t("availability.ask.capacity", lang, capacity=rules.group_capacity)
    if name == "cancel":
        return t("availability.ask.cancel_policy", lang, hours=rules.free_cancel_hours)
    if name == "pay":
        return t("availability.ask.pay_before", lang, hours=rules.pay_before_hours)
    if name == "location":
        return t("availability.ask.location", lang, location=_location(rules, lang))
    return t("availability.ask.timezone", lang, timezone=rules.timezone)


def _summary(rules: AvailabilityRules, lang: str | None) -> str:
    return t("availability.week.summary", lang, **_setting_values(rules, lang))


def _settings(rules: AvailabilityRules, lang: str | None) -> str:
    return t("availability.page.settings", lang, **_setting_values(rules, lang))


def _setting_values(rules: AvailabilityRules, lang: str | None) -> dict[str, object]:
    return {
        "lengths": _lengths_text(rules, lang),
        "types": _types_text(rules, lang),
        "before": _duration(rules.buffer_before, lang),
        "after": _duration(rules.buffer_after, lang),
        "notice": _duration(rules.min_notice_minutes, lang),
        "horizon": rules.horizon_days,
        "capacity": rules.group_capacity,
        "auto_accept": t("availability.on" if rules.auto_accept else "availability.off", lang),
        "cancel_hours": rules.free_cancel_hours,
        "pay_before": rules.pay_before_hours,
        "location": _location(rules, lang),
    }


def _upcoming_dates(rules: AvailabilityRules) -> list[date]:
    # Dates that are over stay stored until the next date change prunes them; nobody needs them.
    today = datetime.now(ZoneInfo(rules.timezone)).date()
    return [day for day in rules.exceptions if day >= today]


def _date_line(day: date, ranges: list[TimeRange], lang: str | None) -> str:
    hours = ", ".join(map(str, ranges)) if ranges else t("availability.week.day_off", lang)
    day_name = _day(WEEKDAYS[day.weekday()], lang)
    return t("availability.week.date", lang, date=day.isoformat(), day=day_name, hours=hours)


def _hours(ranges: list[TimeRange] | None, lang: str | None) -> str:
    return ", ".join(map(str, ranges)) if ranges else t("availability.week.closed", lang)


def _lengths_text(rules: AvailabilityRules, lang: str | None) -> str:
    return ", ".join(t("availability.minutes", lang, n=m) for m in rules.session_lengths)


def _types_text(rules: AvailabilityRules, lang: str | None) -> str:
    return ", ".join(_type(kind, lang) for kind in rules.session_types)


def _location(rules: AvailabilityRules, lang: str | None) -> str:
    if not rules.location:
        return t("availability.no_location", lang)
    if rules.meeting_url:
        return t("availability.location_link", lang, location=rules.location, url=rules.meeting_url)
    return rules.location


def _duration(minutes: int, lang: str | None) -> str:
    if minutes and minutes % (24 * 60) == 0:
        return t("availability.days", lang, n=minutes // (24 * 60))
    if minutes and minutes % 60 == 0:
        return t("availability.hours", lang, n=minutes // 60)
    return t("availability.minutes", lang, n=minutes)


def _day(weekday: str, lang: str | None) -> str:
    return t(f"availability.day.{weekday}", lang)


def _type(kind: str, lang: str | None) -> str:
    return t(f"availability.type.{kind}", lang)


def _offered(label: str, is_offered: bool, lang: str | None) -> str:
    return t("availability.button.offered", lang, label=label) if is_offered else label


def _page(name: str, coach_id: uuid.UUID, lang: str | None) -> InlineKeyboardButton:
    label = t(f"availability.button.{_PAGE_LABELS[name]}", lang)
    return _button(label, AvailabilityPage(coach_id, name))


def _back(coach_id: uuid.UUID, lang: str | None, to: str = "week") -> InlineKeyboardButton:
    return _button(t("availability.button.back", lang), AvailabilityPage(coach_id, to))


def _button(label: str, press: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press.pack())


def _flag(on: bool) -> Flag:
    return "1" if on else "0"


# Pages opened from the settings page, whose Back leads there.
_SETTINGS_PAGES = frozenset(
    {
        "lengths",
        "types",
        "buffers",
        "notice",
        "horizon",
        "capacity",
        "cancel",
        "pay",
        "location",
        "tz",
    }
)
_PAGE_LABELS = {
    "settings": "settings",
    "lengths": "lengths",
    "types": "types",
    "buffers": "buffers",
    "notice": "notice",
    "horizon": "horizon",
    "capacity": "capacity",
    "cancel": "cancel_policy",
    "pay": "pay_before",
    "location": "location",
    "dates": "dates",
    "tz": "timezone",
}
