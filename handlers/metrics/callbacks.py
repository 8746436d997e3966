"""The metrics capability's callback data (`handlers.shared.callback_data`), in the format of
buttons already sent.

- /log's steps: `ml:<action>:<token>[:<choice>]`; the token is the entry's, so a button of an
  earlier /log is stale, and the choice is what the step offered (an athlete's short id, a
  category, a metric's place in the list).
- Undo under a logged value: `mu:undo:<metric id>:<recorded_at in µs since 1970>`, the row's key.
- /progress and /export: `prg:<a|x|who|m|s>:...`, naming athletes and metrics by id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from handlers.shared.callback_data import CallbackData

LOG_FLOW, PROGRESS_FLOW = "ml", "prg"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_STAMP = 10**17  # microseconds since 1970, good past the year 4000


class LogAction(StrEnum):
    """What a /log button does."""

    ATHLETE = "ath"
    CATEGORY = "cat"
    METRIC = "met"
    BACK = "back"
    SKIP = "skip"
    ANYWAY = "yes"
    CANCEL = "x"


@dataclass(frozen=True)
class LogPress(CallbackData, prefix=LOG_FLOW):
    """A /log button: the step's action, the entry's token, the choice offered."""

    action: LogAction
    token: str
    choice: str | None = None


@dataclass(frozen=True)
class UndoLogged(CallbackData, prefix="mu:undo"):
    """↩️ Undo under a logged value; valid after the flow, within the undo window."""

    metric_id: uuid.UUID
    stamp: int  # recorded_at, half of the row's key, to the microsecond

    @classmethod
    def of(cls, metric_id: uuid.UUID, recorded_at: datetime) -> UndoLogged:
        """The Undo button of the value logged as this row."""
        delta = recorded_at - _EPOCH
        return cls(
            metric_id, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        )

    @property
    def recorded_at(self) -> datetime | None:
        """The row's recorded_at, or None for a stamp no row can have."""
        if not 0 <= self.stamp < _LAST_STAMP:
            return None
        return _EPOCH + timedelta(microseconds=self.stamp)


@dataclass(frozen=True)
class ProgressAthlete(CallbackData, prefix="prg:a"):
    """An athlete under /progress: their metrics."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class ProgressExport(CallbackData, prefix="prg:x"):
    """An athlete under /export: their CSV."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class ProgressAthletes(CallbackData, prefix="prg:who"):
    """« Back to the athletes."""


@dataclass(frozen=True)
class ProgressMetric(CallbackData, prefix="prg:m"):
    """A metric of an athlete: its periods."""

    athlete_id: uuid.UUID
    metric_id: uuid.UUID


@dataclass(frozen=True)
class ProgressSpan(CallbackData, prefix="prg:s"):
    """A period of a metric of an athlete: the chart (the domain checks the span)."""

    athlete_id: uuid.UUID
    metric_id: uuid.UUID
    span: str
