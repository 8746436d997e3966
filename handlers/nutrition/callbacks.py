"""Callback data of nutrition plans (`handlers.shared.callback_data`).

- /nutrition (flow `nu`): `nu:h` (the list), `nu:n` (new plan), `nu:w:<athlete>` (for
  whom), `nu:t:<type>`, `nu:s:<yyyymmdd>` and `nu:e:<yyyymmdd>` (start and end),
  `nu:r:<code>` (a restriction toggled), `nu:d` (restrictions done), `nu:k` (skip a question);
  `nu:p:<action>:<plan>[:<value>]` (open, a day, publish, replace, print, template, reminders),
  `nu:b:<plan>:<hhmm>` (the breakfast time),
  `nu:a:<plan>:<kind>:<slot>` (add a food to a meal), `nu:x:<plan>:<kind>:<slot>:<index>`
  (remove one), `nu:f:<food>` (a food from the search);
  `nu:l` (templates), `nu:o:<template>`, `nu:g:<template>:<athlete>` (an athlete toggled),
  `nu:y:<template>:<yyyymmdd>` (apply from a date).
- A day's message (flow `nc`): `nc:<status>:<plan>:<yyyymmdd>:<slot>` (a meal's answer) and
  `nc:w:<plan>:<yyyymmdd>:<ml>` (a glass of water).
Every press is checked again by the domain: who may touch what it names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from domain.models import CheckinStatus, MealSlot
from domain.nutrition.plan_content import DayKind
from handlers.shared.callback_data import CallbackData

FLOW = "nu"


@dataclass(frozen=True)
class Home(CallbackData, prefix="nu:h"):
    """Back to the list of plans."""


@dataclass(frozen=True)
class NewPlan(CallbackData, prefix="nu:n"):
    """➕ New plan: asks for whom."""


@dataclass(frozen=True)
class NewFor(CallbackData, prefix="nu:w"):
    """A new plan: for whom."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class NewType(CallbackData, prefix="nu:t"):
    """A new plan: its type."""

    plan_type: str


@dataclass(frozen=True)
class NewStart(CallbackData, prefix="nu:s"):
    """A new plan: its first day."""

    on: int


@dataclass(frozen=True)
class NewEnd(CallbackData, prefix="nu:e"):
    """A new plan: its last day."""

    on: int


@dataclass(frozen=True)
class Restrict(CallbackData, prefix="nu:r"):
    """An allergen or diet toggled on the new plan."""

    code: str


@dataclass(frozen=True)
class RestrictDone(CallbackData, prefix="nu:d"):
    """Restrictions chosen: save the draft."""


@dataclass(frozen=True)
class Skip(CallbackData, prefix="nu:k"):
    """Skip an optional question (goals, targets)."""


class PlanAction(StrEnum):
    """A button on a plan's card."""

    OPEN = "o"
    DAY = "d"  # value: training or rest
    PUBLISH = "p"
    REPLACE = "r"  # publish over another plan's days, confirmed
    PRINT = "w"
    TEMPLATE = "t"
    REMINDERS_ON = "m1"
    REMINDERS_OFF = "m0"


@dataclass(frozen=True)
class PlanPress(CallbackData, prefix="nu:p"):
    """Something to do to a plan."""

    action: PlanAction
    plan_id: uuid.UUID
    kind: DayKind | None = None


@dataclass(frozen=True)
class BreakfastAt(CallbackData, prefix="nu:b"):
    """When the day's plan arrives, in the athlete's zone (hhmm)."""

    plan_id: uuid.UUID
    at: int


@dataclass(frozen=True)
class AddTo(CallbackData, prefix="nu:a"):
    """➕ a food to a meal of the training or rest day."""

    plan_id: uuid.UUID
    kind: DayKind
    slot: MealSlot


@dataclass(frozen=True)
class RemoveItem(CallbackData, prefix="nu:x"):
    """✖ one item of a meal."""

    plan_id: uuid.UUID
    kind: DayKind
    slot: MealSlot
    index: int


@dataclass(frozen=True)
class FoodPick(CallbackData, prefix="nu:f"):
    """A food from the search results."""

    food_id: int


@dataclass(frozen=True)
class Templates(CallbackData, prefix="nu:l"):
    """A coach's templates."""


@dataclass(frozen=True)
class TemplateOpen(CallbackData, prefix="nu:o"):
    """A template: pick athletes to apply it to."""

    template_id: uuid.UUID


@dataclass(frozen=True)
class TemplateFor(CallbackData, prefix="nu:g"):
    """An athlete toggled for the template."""

    template_id: uuid.UUID
    athlete_id: uuid.UUID


@dataclass(frozen=True)
class TemplateFrom(CallbackData, prefix="nu:y"):
    """Apply the template to the chosen athletes from this date."""

    template_id: uuid.UUID
    on: int


@dataclass(frozen=True)
class MealAnswer(CallbackData, prefix="nc:m"):
    """How a meal of a delivered day went."""

    status: CheckinStatus
    plan_id: uuid.UUID
    on: int
    slot: MealSlot


@dataclass(frozen=True)
class Water(CallbackData, prefix="nc:w"):
    """💧 a glass of water drunk that day."""

    plan_id: uuid.UUID
    on: int
    ml: int


NEW_PRESSES = (NewPlan, NewFor, NewType, NewStart, NewEnd, Restrict, RestrictDone, Skip)
PLAN_PRESSES = (Home, PlanPress, BreakfastAt, AddTo, RemoveItem, FoodPick)
TEMPLATE_PRESSES = (Templates, TemplateOpen, TemplateFor, TemplateFrom)
