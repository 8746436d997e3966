"""Callback data of series, RSVPs and attendance (`handlers.shared.callback_data`).

- A coach's series: `srs:o:<series>` (its page), `srs:t:<team>` (a team's schedule),
  `srs:np` (a private-lesson series: whom),
  `srs:na:<athlete>` (for this athlete: type the line), `srs:nt:<team>` (a team's practice),
  `srs:c:<series>` (change from a date), `srs:s:<series>` (season attendance), `srs:l` (the list:
  `handlers.shared.menu_entries.WeeklySeries`, on the coach's /schedule too).
- One occurrence: `sro:o:<session>` (RSVPs counted and named), `sro:s:<session>` (skip it),
  `sro:m:<session>` (move it: type when).
- Attendance: `sra:l:<session>` (the athletes as buttons), `sra:p:<session>:<athlete>` (one
  athlete: the statuses), `sra:m:<session>:<athlete>:<status>` (marked).
- A family's answer: `rsv:<answer>:<session>:<athlete>`.
Every press is checked again by the domain: who may touch what it names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.models import AttendanceStatus, RsvpAnswer
from handlers.shared.callback_data import CallbackData

SERIES_FLOW = "srs"
OCCURRENCE_FLOW = "sro"
ATTENDANCE_FLOW = "sra"
RSVP_FLOW = "rsv"


@dataclass(frozen=True)
class SeriesOpen(CallbackData, prefix="srs:o"):
    """A series' page."""

    series_id: uuid.UUID


@dataclass(frozen=True)
class TeamSchedule(CallbackData, prefix="srs:t"):
    """📅 Schedule, on a team's page: the team's series and a new weekly practice."""

    team_id: uuid.UUID


@dataclass(frozen=True)
class NewPrivate(CallbackData, prefix="srs:np"):
    """➕ A private-lesson series: whom."""


@dataclass(frozen=True)
class NewFor(CallbackData, prefix="srs:na"):
    """A private-lesson series with this athlete: the line is typed next."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class NewForTeam(CallbackData, prefix="srs:nt"):
    """A team's weekly practice: the line is typed next."""

    team_id: uuid.UUID


@dataclass(frozen=True)
class ChangeSeries(CallbackData, prefix="srs:c"):
    """✏️ Change the series from a date: the change is typed next."""

    series_id: uuid.UUID


@dataclass(frozen=True)
class SeasonAttendance(CallbackData, prefix="srs:s"):
    """📊 The season's attendance per athlete."""

    series_id: uuid.UUID


@dataclass(frozen=True)
class OccurrenceOpen(CallbackData, prefix="sro:o"):
    """One occurrence: answers counted and named, and what can be done."""

    session_id: uuid.UUID


@dataclass(frozen=True)
class OccurrenceSkip(CallbackData, prefix="sro:s"):
    """⏭ Skip this occurrence."""

    session_id: uuid.UUID


@dataclass(frozen=True)
class OccurrenceMove(CallbackData, prefix="sro:m"):
    """↔️ Move this occurrence: when is typed next."""

    session_id: uuid.UUID


@dataclass(frozen=True)
class AttendanceList(CallbackData, prefix="sra:l"):
    """✅ Attendance: every athlete as a button with their mark."""

    session_id: uuid.UUID


@dataclass(frozen=True)
class AttendancePick(CallbackData, prefix="sra:p"):
    """One athlete: the four statuses."""

    session_id: uuid.UUID
    athlete_id: uuid.UUID


@dataclass(frozen=True)
class AttendanceMark(CallbackData, prefix="sra:m"):
    """The athlete's status at this occurrence."""

    session_id: uuid.UUID
    athlete_id: uuid.UUID
    status: AttendanceStatus


@dataclass(frozen=True)
class RsvpPress(CallbackData, prefix="rsv"):
    """Yes / No / Maybe under "Will Kim come?"."""

    answer: RsvpAnswer
    session_id: uuid.UUID
    athlete_id: uuid.UUID
