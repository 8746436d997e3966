"""The `program_content` schema: weeks of days of exercises, versioned (`schema_version`).

What a program holds is validated here, whoever wrote it (the compact text parser, a copied
week, a stored version read back). The bounds are the issue's: 1..52 weeks, days 1..7, at most
50 exercises a day, and loads, times and distances no training plan could mean. Documented in
docs/schema.md ("program_content").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1
MAX_WEEKS = 52
DAYS_IN_WEEK = 7
MAX_EXERCISES_PER_DAY = 50

# What a plan could plausibly prescribe (beyond these it is a typo, not a program).
MAX_SETS = 50
MAX_REPS = 1000
MAX_SECONDS = 6 * 3600
MAX_REST_SECONDS = 3600
MAX_METRES = Decimal(100_000)
MAX_KG = Decimal(500)
MAX_PERCENT = Decimal(120)
MAX_NAME = 100
MAX_NOTE = 500
TEMPO = r"^[0-9X]{4}$|^[0-9X](-[0-9X]){3}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AbsoluteLoad(_Frozen):
    """A weight to lift, in kilograms (what was typed in pounds is converted)."""

    kind: Literal["absolute"] = "absolute"
    kg: Annotated[Decimal, Field(gt=0, le=MAX_KG, decimal_places=2)]


class PercentOfBest(_Frozen):
    """A share of the athlete's newest best for a metric: the exercise's own unless `metric`."""

    kind: Literal["percent_of_best"] = "percent_of_best"
    percent: Annotated[Decimal, Field(gt=0, le=MAX_PERCENT, decimal_places=1)]
    metric: Annotated[str | None, Field(min_length=1, max_length=MAX_NAME)] = None


Load = Annotated[AbsoluteLoad | PercentOfBest, Field(discriminator="kind")]


class Exercise(_Frozen):
    """One exercise of a day: how many sets of what (reps, a time or a distance), how heavy."""

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    sets: Annotated[int, Field(ge=1, le=MAX_SETS)] = 1
    reps: Annotated[int | None, Field(ge=1, le=MAX_REPS)] = None
    seconds: Annotated[int | None, Field(ge=1, le=MAX_SECONDS)] = None
    metres: Annotated[Decimal | None, Field(gt=0, le=MAX_METRES, decimal_places=1)] = None
    load: Load | None = None
    rest_seconds: Annotated[int | None, Field(ge=0, le=MAX_REST_SECONDS)] = None
    tempo: Annotated[str | None, Field(pattern=TEMPO)] = None
    notes: Annotated[str | None, Field(min_length=1, max_length=MAX_NOTE)] = None


class Day(_Frozen):
    """A training day of a week (1 = the week's first day); days not listed are rest days."""

    day: Annotated[int, Field(ge=1, le=DAYS_IN_WEEK)]
    exercises: Annotated[list[Exercise], Field(min_length=1, max_length=MAX_EXERCISES_PER_DAY)]


class Week(_Frozen):
    """A week of the program and its training days, in order."""

    week: Annotated[int, Field(ge=1, le=MAX_WEEKS)]
    days: list[Day] = []

    @field_validator("days")
    @classmethod
    def _days_in_order_once(cls, days: list[Day]) -> list[Day]:
        numbers = [d.day for d in days]
        if numbers != sorted(set(numbers)):
            raise ValueError("days must be listed once each, in order")
        return days

    def day(self, number: int) -> Day | None:
        """The training day `number`, or None on a rest day."""
        return next((d for d in self.days if d.day == number), None)


class ProgramContent(_Frozen):
    """A whole program's content, as stored in `program_content` and `program_versions`."""

    schema_version: Literal[1] = SCHEMA_VERSION
    weeks: Annotated[list[Week], Field(max_length=MAX_WEEKS)] = []

    @model_validator(mode="after")
    def _weeks_in_order_once(self) -> ProgramContent:
        numbers = [w.week for w in self.weeks]
        if numbers != sorted(set(numbers)):
            raise ValueError("weeks must be listed once each, in order")
        return self

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> ProgramContent:
        """The content of a JSONB column (an empty program for NULL)."""
        return cls.model_validate(stored or {})

    def stored(self) -> dict[str, Any]:
        """The JSON to write into a JSONB column."""
        return self.model_dump(mode="json", exclude_none=True)

    def week(self, number: int) -> Week | None:
        """Week `number`, or None if it has no training days written yet."""
        return next((w for w in self.weeks if w.week == number), None)

    def with_weeks(self, weeks: list[Week]) -> ProgramContent:
        """This content with each of `weeks` put in place of the week of its number."""
        replaced = {w.week: w for w in self.weeks} | {w.week: w for w in weeks}
        return ProgramContent(weeks=[replaced[n] for n in sorted(replaced) if replaced[n].days])

    def with_week_copied(self, source: int, target: int) -> ProgramContent:
        """This content with week `target` made a copy of week `source`."""
        week = self.week(source)
        days = list(week.days) if week else []
        return self.with_weeks([Week(week=target, days=days)])

    def last_week(self) -> int:
        """The highest week number with training days (0 when empty)."""
        return self.weeks[-1].week if self.weeks else 0

    def training_days(self) -> int:
        """How many days of the whole program have a workout."""
        return sum(len(w.days) for w in self.weeks)
