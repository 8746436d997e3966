"""The people capability's callback data (`handlers.shared.callback_data`), in the format of
buttons already sent. The menu's entries (`fam:add`, `fam:list`, `profile:show`) are
`handlers.shared.menu_entries`.

- Adding a child: `fam:sport:<sport>`, `fam:skip`, `fam:back`, `fam:cancel`; per child
  `fam:<act|inv|grd|mnt>:<athlete>`.
- Sign-up: `onb:<action>[:<choice>]`.
- /profile: `profile:view:<athlete>`, `profile:edit:<user>:<field>`, then `profile:set:<value>`
  or `profile:cancel` inside the edit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from domain.people.profile_fields import ProfileField
from handlers.shared.callback_data import CallbackData

FAMILY_FLOW, ONBOARDING_FLOW, PROFILE_FLOW = "fam", "onb", "profile"


@dataclass(frozen=True)
class PickSport(CallbackData, prefix="fam:sport"):
    """A sport of the new child (the flow checks it is one it offered)."""

    sport: str


@dataclass(frozen=True)
class SkipStep(CallbackData, prefix="fam:skip"):
    """No medical notes."""


@dataclass(frozen=True)
class StepBack(CallbackData, prefix="fam:back"):
    """Back to the previous question."""


@dataclass(frozen=True)
class CancelAdding(CallbackData, prefix="fam:cancel"):
    """Stop adding the child."""


# The add-a-child flow's own buttons; pressed after the flow ended, they have expired.
ADDING_STEPS = (PickSport, SkipStep, StepBack, CancelAdding)


class ChildAction(StrEnum):
    """What a button on a child of /children does."""

    ACT_FOR = "act"
    INVITE = "inv"
    GUARDIAN = "grd"
    MENTOR = "mnt"


@dataclass(frozen=True)
class ChildPress(CallbackData, prefix=FAMILY_FLOW):
    """A button on one child of /children."""

    action: ChildAction
    athlete_id: uuid.UUID


class OnboardingAction(StrEnum):
    """What a sign-up button does."""

    ROLE = "role"
    NAME = "name"
    TIMEZONE = "tz"
    SPORT = "sport"
    HAND = "hand"
    SKIP = "skip"
    BACK = "back"
    CANCEL = "cancel"


@dataclass(frozen=True)
class OnboardingPress(CallbackData, prefix=ONBOARDING_FLOW):
    """A sign-up button and the choice it offers (checked against the question asked)."""

    action: OnboardingAction
    choice: str | None = None


@dataclass(frozen=True)
class ViewAthlete(CallbackData, prefix="profile:view"):
    """An athlete's profile, if the presser may view it."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class EditField(CallbackData, prefix="profile:edit"):
    """Edit one field of a profile."""

    user_id: uuid.UUID
    field: ProfileField


@dataclass(frozen=True)
class SetChoice(CallbackData, prefix="profile:set"):
    """A pressed value of the field being edited (dominant hand)."""

    value: str


@dataclass(frozen=True)
class CancelEdit(CallbackData, prefix="profile:cancel"):
    """Stop editing."""
