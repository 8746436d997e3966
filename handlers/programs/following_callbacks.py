"""Callback data of following a program (`handlers.shared.callback_data`).

- Enrolling from a program's page: `pge:o:<program>` (the page's Enrol button,
  `enrol_button`), `pge:a:<program>:<athlete>`, `pge:s:<program>:<athlete>:<yyyymmdd>`.
- A program day's message: `pgd:<action>:<enrolment>:<week>:<day>` (done, partly, skip) and
  `pgx:<enrolment>:<week>:<day>:<exercise>` (log it in one tap), `pgq:<enrolment>:<week>:<day>`
  (a note to the coach), `pgv:<enrolment>:<week>:<day>` (a video to the coach).
- /training: `pgf:<action>:<enrolment>[:<value>]` (pause, resume, a time, the guardians' copy,
  end and its confirmation).
- A coach: `pgh:<program>` (adherence), `pgs:p:<program>` and
  `pgs:a:<program>:<athlete>[:<yyyymmdd>]` (assign a program to an athlete, free).
Every press is checked again by the domain: who may touch what it names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from handlers.shared.callback_data import CallbackData


@dataclass(frozen=True)
class EnrolStart(CallbackData, prefix="pge:o"):
    """📝 Enrol, on a program's page."""

    program_id: uuid.UUID


@dataclass(frozen=True)
class EnrolFor(CallbackData, prefix="pge:a"):
    """Whom to enrol: oneself or a child."""

    program_id: uuid.UUID
    athlete_id: uuid.UUID


@dataclass(frozen=True)
class EnrolFrom(CallbackData, prefix="pge:s"):
    """The start date (yyyymmdd): a free program enrols, a paid one sends its invoice."""

    program_id: uuid.UUID
    athlete_id: uuid.UUID
    start: int


class DayAction(StrEnum):
    """An answer to a program day."""

    DONE = "done"
    PARTLY = "partly"
    SKIP = "skip"


@dataclass(frozen=True)
class DayPress(CallbackData, prefix="pgd"):
    """✅ Done / 🌓 Partly / ⏭ Skip under a program day."""

    action: DayAction
    enrolment_id: uuid.UUID
    week: int
    day: int


@dataclass(frozen=True)
class ExercisePress(CallbackData, prefix="pgx"):
    """One tap: log what the exercise prescribed."""

    enrolment_id: uuid.UUID
    week: int
    day: int
    exercise: int


@dataclass(frozen=True)
class NotePress(CallbackData, prefix="pgq"):
    """💬 A note to the program's coach about this day; the next text is the note."""

    enrolment_id: uuid.UUID
    week: int
    day: int


@dataclass(frozen=True)
class VideoPress(CallbackData, prefix="pgv"):
    """🎥 A training video to the program's coach about this day; the next video is it."""

    enrolment_id: uuid.UUID
    week: int
    day: int


class FollowAction(StrEnum):
    """A button of /training."""

    PAUSE = "pause"
    RESUME = "resume"
    TIME = "time"  # value: hhmm
    COPY_ON = "copy1"
    COPY_OFF = "copy0"
    END = "end"
    END_SURE = "endok"


@dataclass(frozen=True)
class FollowPress(CallbackData, prefix="pgf"):
    """A change to a running enrolment."""

    action: FollowAction
    enrolment_id: uuid.UUID
    value: str | None = None


@dataclass(frozen=True)
class AdherencePress(CallbackData, prefix="pgh"):
    """A coach's program: who keeps up with it."""

    program_id: uuid.UUID


@dataclass(frozen=True)
class AssignProgram(CallbackData, prefix="pgs:p"):
    """A coach picks one of their programs to assign."""

    program_id: uuid.UUID


@dataclass(frozen=True)
class AssignTo(CallbackData, prefix="pgs:a"):
    """…to an athlete they coach (then the start date)."""

    program_id: uuid.UUID
    athlete_id: uuid.UUID
    start: int | None = None
