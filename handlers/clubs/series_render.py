"""Words and keyboards of series, RSVPs and attendance, in the reader's language and zone."""

from __future__ import annotations

import uuid
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import locale_of, month_name
from bot.local_time import local_moment
from domain.clubs.series.attendance import AthleteAttendance, Share
from domain.clubs.series.rsvp import Roll
from domain.clubs.series.series import Occurrence, SeriesPage, SeriesView
from domain.models import AttendanceStatus, RsvpAnswer
from handlers.clubs.series_callbacks import (
    AttendanceList,
    AttendanceMark,
    AttendancePick,
    ChangeSeries,
    NewFor,
    NewForTeam,
    NewPrivate,
    OccurrenceMove,
    OccurrenceOpen,
    OccurrenceSkip,
    RsvpPress,
    SeasonAttendance,
    SeriesOpen,
    TeamSchedule,
)
from handlers.shared.menu_entries import WeeklySeries

ANSWER_MARKS = {RsvpAnswer.YES: "✅", RsvpAnswer.NO: "❌", RsvpAnswer.MAYBE: "❔"}
STATUS_MARKS = {
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.LATE: "🕒",
    AttendanceStatus.ABSENT: "❌",
    AttendanceStatus.EXCUSED: "📝",
}


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def day(value: date, lang: str | None) -> str:
    """A date as "12 Jan"."""
    return t("time.day", lang, day=value.day, month=month_name(value.month, lang))


def weekdays(days: tuple[int, ...], lang: str | None) -> str:
    """The weekdays as the language abbreviates them: "Tue, Thu"."""
    names = locale_of(lang).days["format"]["abbreviated"]
    return ", ".join(names[d] for d in sorted(days))


def summary(view: SeriesView, lang: str | None) -> str:
    """One series in two lines: when and where, then the season."""
    place = view.place or t("series.no_place", lang)
    return t(
        "series.summary",
        lang,
        title=view.title,
        days=weekdays(view.weekdays, lang),
        clock=view.local_time.strftime("%H:%M"),
        minutes=view.length_minutes,
        place=place,
        first=day(view.season_start, lang),
        last=day(view.season_end, lang),
        ask=view.rsvp_lead_hours,
        close=view.rsvp_deadline_hours,
    )


def series_list(series: list[SeriesView], lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """The coach's series, a button each, and a new private-lesson series."""
    rows = [[_button(f"📅 {s.title}", SeriesOpen(s.id).pack())] for s in series]
    rows.append([_button(t("series.button.new_private", lang), NewPrivate().pack())])
    text = t("series.list", lang) if series else t("series.list_empty", lang)
    return text, InlineKeyboardMarkup(rows)


def schedule_button(team_id: uuid.UUID, lang: str | None) -> InlineKeyboardButton:
    """📅 Schedule, for a team's page."""
    return _button(t("series.button.schedule", lang), TeamSchedule(team_id).pack())


def team_schedule(
    team_id: uuid.UUID, series: list[SeriesView], lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """A team's series, a button each, and a new weekly practice."""
    rows = [[_button(f"📅 {summary_line(s, lang)}", SeriesOpen(s.id).pack())] for s in series]
    rows.append([_button(t("series.button.new_team", lang), NewForTeam(team_id).pack())])
    text = t("series.team_list", lang) if series else t("series.team_list_empty", lang)
    return text, InlineKeyboardMarkup(rows)


def summary_line(view: SeriesView, lang: str | None) -> str:
    """A series on a button: its days and time."""
    return f"{weekdays(view.weekdays, lang)} {view.local_time:%H:%M}"


def athletes_to_pick(
    athletes: list[tuple[uuid.UUID, str]], lang: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Whom a private-lesson series is with: the athletes the coach coaches."""
    if not athletes:
        return t("series.no_athletes", lang), None
    rows = [[_button(name, NewFor(athlete).pack())] for athlete, name in athletes]
    return t("series.pick_athlete", lang), InlineKeyboardMarkup(rows)


def occurrence_label(occurrence: Occurrence, timezone: str, lang: str | None) -> str:
    """An occurrence on a button: its moment, struck through when skipped."""
    moment = local_moment(occurrence.start, timezone, lang)
    return moment if occurrence.live else t("series.skipped_label", lang, moment=moment)


def series_page(
    page: SeriesPage, timezone: str, lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """A series: its summary, the next occurrences as buttons, change and season buttons."""
    view = page.series
    rows = [
        [_button(occurrence_label(o, timezone, lang), OccurrenceOpen(o.id).pack())]
        for o in page.upcoming
    ]
    rows.append(
        [
            _button(t("series.button.change", lang), ChangeSeries(view.id).pack()),
            _button(t("series.button.season", lang), SeasonAttendance(view.id).pack()),
        ]
    )
    rows.append([_button(t("series.button.back", lang), WeeklySeries().pack())])
    text = summary(view, lang)
    if not page.upcoming:
        text += "\n\n" + t("series.nothing_ahead", lang)
    return text, InlineKeyboardMarkup(rows)


def roll_text(roll: Roll, timezone: str, lang: str | None) -> str:
    """An occurrence for its coach: when, answers counted, then each athlete's answer."""
    occurrence = roll.occurrence
    counts = roll.counts
    lines = [
        t(
            "series.occurrence",
            lang,
            title=occurrence.title,
            moment=local_moment(occurrence.start, timezone, lang),
        ),
    ]
    if not occurrence.live:
        lines.append(t("series.occurrence_skipped", lang))
    lines.append(
        t(
            "series.rsvp.counts",
            lang,
            yes=counts[RsvpAnswer.YES],
            no=counts[RsvpAnswer.NO],
            maybe=counts[RsvpAnswer.MAYBE],
            none=counts["none"],
            closes_at=local_moment(roll.closes_at, timezone, lang),
        )
    )
    for line in roll.athletes:
        answer = t(f"series.answer.{line.answer or 'none'}", lang)
        mark = STATUS_MARKS.get(AttendanceStatus(line.attendance)) if line.attendance else None
        lines.append(f"• {line.name}: {answer}" + (f" · {mark}" if mark else ""))
    return "\n".join(lines)


def roll_markup(roll: Roll, lang: str | None) -> InlineKeyboardMarkup:
    """An occurrence's buttons: attendance, skip, move, back to the series."""
    occurrence = roll.occurrence
    rows = [[_button(t("series.button.attendance", lang), AttendanceList(occurrence.id).pack())]]
    if occurrence.live:
        rows.append(
            [
                _button(t("series.button.skip", lang), OccurrenceSkip(occurrence.id).pack()),
                _button(t("series.button.move", lang), OccurrenceMove(occurrence.id).pack()),
            ]
        )
    rows.append([_button(t("series.button.back", lang), SeriesOpen(occurrence.series_id).pack())])
    return InlineKeyboardMarkup(rows)


def attendance_list(
    roll: Roll, timezone: str, lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Every athlete as a button with their mark so far: one tap opens the statuses."""
    occurrence = roll.occurrence
    rows = []
    for line in roll.athletes:
        mark = STATUS_MARKS[AttendanceStatus(line.attendance)] if line.attendance else "▫️"
        rows.append(
            [_button(f"{mark} {line.name}", AttendancePick(occurrence.id, line.athlete_id).pack())]
        )
    rows.append([_button(t("series.button.back", lang), OccurrenceOpen(occurrence.id).pack())])
    text = t(
        "series.attendance.title",
        lang,
        title=occurrence.title,
        moment=local_moment(occurrence.start, timezone, lang),
    )
    return text, InlineKeyboardMarkup(rows)


def attendance_pick(
    session_id: uuid.UUID, athlete_id: uuid.UUID, name: str, lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The four statuses for one athlete: the second tap."""
    buttons = [
        _button(
            f"{STATUS_MARKS[status]} {t(f'series.attendance.status.{status}', lang)}",
            AttendanceMark(session_id, athlete_id, status).pack(),
        )
        for status in AttendanceStatus
    ]
    rows = [buttons[:2], buttons[2:]]
    rows.append([_button(t("series.button.back", lang), AttendanceList(session_id).pack())])
    return t("series.attendance.pick", lang, name=name), InlineKeyboardMarkup(rows)


def season_text(title: str, shares: list[Share], lang: str | None) -> str:
    """The season's attendance per athlete, with their %."""
    if not shares:
        return t("series.season.empty", lang, title=title)
    lines = [t("series.season.title", lang, title=title)]
    lines += [
        t("series.season.line", lang, name=s.name, percent=s.percent, came=s.came, marked=s.marked)
        for s in shares
    ]
    return "\n".join(lines)


def athlete_attendance_text(found: AthleteAttendance, timezone: str, lang: str | None) -> str:
    """An athlete's attendance: each series' %, then the newest marks."""
    if not found.recent:
        return t("series.history.empty", lang, name=found.name)
    lines = [t("series.history.title", lang, name=found.name)]
    lines += [
        t(
            "series.history.share",
            lang,
            title=s.name,
            percent=s.percent,
            came=s.came,
            marked=s.marked,
        )
        for s in found.by_series
    ]
    lines.append("")
    lines += [
        f"{STATUS_MARKS[AttendanceStatus(m.status)]} {local_moment(m.start, timezone, lang)} · "
        f"{m.title}: {t(f'series.attendance.status.{m.status}', lang)}"
        for m in found.recent
    ]
    return "\n".join(lines)


def rsvp_markup(
    session_id: uuid.UUID, athlete_id: uuid.UUID, lang: str | None
) -> InlineKeyboardMarkup:
    """Yes / No / Maybe, kept under the answer so it can be changed until the deadline."""
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    t(f"series.rsvp.button.{answer}", lang),
                    RsvpPress(answer, session_id, athlete_id).pack(),
                )
                for answer in RsvpAnswer
            ]
        ]
    )
