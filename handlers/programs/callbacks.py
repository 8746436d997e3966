"""The programs capability's callback data (`handlers.shared.callback_data`), in the format of
buttons already sent.

- A new program's steps: `pgn:<action>[:<choice>]` (a sport of the catalogue, a level).
- A coach's programs: `pga:home`, `pga:new`, `pga:p:<action>:<program>` and
  `pga:w:<action>:<program>:<week>`; the domain checks that the program is the presser's own.
- The catalogue: `pgc:s:<sport>`, `pgc:l:<sport>:<level>`, `pgc:p:<program>`,
  `pgc:m:<material>` and `pgc:h` (back to the sports).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from handlers.shared.callback_data import CallbackData

NEW_FLOW, AUTHOR_FLOW, CATALOGUE_FLOW = "pgn", "pga", "pgc"


class NewAction(StrEnum):
    """A button of the new-program questions."""

    SPORT = "sport"
    LEVEL = "level"
    FREE = "free"
    CANCEL = "x"


@dataclass(frozen=True)
class NewPress(CallbackData, prefix=NEW_FLOW):
    """A new program's step: the action and the choice offered."""

    action: NewAction
    choice: str | None = None


@dataclass(frozen=True)
class AuthorHome(CallbackData, prefix="pga:home"):
    """« Back to the coach's list of programs."""


@dataclass(frozen=True)
class AuthorNew(CallbackData, prefix="pga:new"):
    """➕ Start a new program."""


class ProgramAction(StrEnum):
    """What a button on a coach's program does."""

    OPEN = "open"
    WRITE = "write"  # pick a week to write
    COPY = "copy"  # pick the week to copy
    MATERIALS = "files"
    PUBLISH = "pub"
    UNPUBLISH = "unpub"


@dataclass(frozen=True)
class ProgramPress(CallbackData, prefix="pga:p"):
    """A button on a coach's own program."""

    action: ProgramAction
    program_id: uuid.UUID


class WeekAction(StrEnum):
    """What a week button on a coach's program does."""

    WRITE = "write"  # write this week in compact text
    COPY_FROM = "from"  # copy this week; the target comes next
    COPY_TO = "to"  # copy the chosen week here
    PREVIEW = "view"  # this week as athletes see it


@dataclass(frozen=True)
class WeekPress(CallbackData, prefix="pga:w"):
    """A week of a coach's own program."""

    action: WeekAction
    program_id: uuid.UUID
    week: int


@dataclass(frozen=True)
class BrowseHome(CallbackData, prefix="pgc:h"):
    """« Back to the sports of the catalogue."""


@dataclass(frozen=True)
class BrowseSport(CallbackData, prefix="pgc:s"):
    """A sport of the catalogue: its levels."""

    sport: str


@dataclass(frozen=True)
class BrowseLevel(CallbackData, prefix="pgc:l"):
    """A level of a sport: its programs."""

    sport: str
    level: str


@dataclass(frozen=True)
class OpenProgram(CallbackData, prefix="pgc:p"):
    """A program's page."""

    program_id: uuid.UUID


@dataclass(frozen=True)
class OpenMaterial(CallbackData, prefix="pgc:m"):
    """A link to one of a program's files (for its author and enrolled families)."""

    material_id: uuid.UUID
