"""The booking flow's draft: the choices made so far, saved in user_data between presses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers.shared.saved_choices import SavedChoices

BOOK, MOVE = "book", "move"


@dataclass
class Draft(SavedChoices):
    """The choices made so far, kept in user_data (so JSON values only) between presses."""

    token: str
    timezone: str  # the booker's own: slots are shown in it
    mode: str = BOOK
    trail: list[int] = field(default_factory=list)  # the steps shown, for Back
    athletes: dict[str, str] = field(default_factory=dict)  # short id -> name, to pick from
    athlete: str | None = None
    athlete_name: str = ""
    specs: list[str] = field(default_factory=list)
    spec: str | None = None
    offset: int = 0
    coach: str | None = None
    coach_name: str = ""
    coach_timezone: str = "UTC"
    rate: str | None = None
    currency: str = ""
    lengths: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    length: int = 60
    kind: str = "individual"
    month: str | None = None  # YYYYMM
    day: str | None = None  # YYYYMMDD, a coach-local date
    start: int | None = None  # epoch seconds
    session: str | None = None  # the session being moved
    was: int | None = None  # its start before the move
    nearest: list[int] = field(default_factory=list)
    # The family's packs with the coach, offered on the summary: [id, name, sessions left].
    packs: list[list[Any]] = field(default_factory=list)
    pack: str | None = None  # the pack chosen to pay with
    problem: str = ""  # the message key of the last refusal
    problem_params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, timezone: str, **choices: Any) -> Draft:
        """A fresh draft with a token no earlier flow's buttons carry."""
        return cls(token=secrets.token_urlsafe(4), timezone=timezone, **choices)

    @property
    def start_time(self) -> datetime | None:
        """The chosen start as an aware instant."""
        return None if self.start is None else datetime.fromtimestamp(self.start, UTC)
