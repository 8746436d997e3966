"""The people capability's callback data (`handlers.shared.callback_data`), in the format of
buttons already sent. The menu's entries (`fam:add`, `fam:list`, `profile:show`) and
`profile:view:<athlete>` (also on the coach's session card) are `handlers.shared.menu_entries`.

- Adding a child: `fam:sport:<sport>`, `fam:skip`, `fam:back`, `fam:cancel`; per child
  `fam:<act|stop|inv|grd|mnt>:<athlete>`.
- Adding a child, Yes or No to an echoed date of birth: `fam:born:yes|no`.
- Sign-up: `onb:<action>[:<choice>]`.
- /profile: `profile:edit:<user>:<field>`, then `profile:set:<value>`,
  `profile:cancel` or (No to an echoed birth date) `profile:retype` inside the edit.
- Mentors (the menu's `mnt:ask` is a menu entry): the guardian's answer to a request,
  `mnt:okv|ok:<request>:<athlete>` or `mnt:no:<request>`; a child's mentors from /children,
  `mnt:list:<athlete>`, and one mentor's videos turned on or off, `mnt:vid:<athlete>:<mentor>:1|0`.
- Profile photo (from /profile): `pph:menu`, then `pph:tg` (take the Telegram profile photo),
  `pph:send` (send one), `pph:rm` (remove it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from domain.people.profile_fields import ProfileField
from handlers.shared.callback_data import CallbackData

FAMILY_FLOW, ONBOARDING_FLOW, PROFILE_FLOW, MENTOR_FLOW = "fam", "onb", "profile", "mnt"
PHOTO_FLOW = "pph"


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


@dataclass(frozen=True)
class ConfirmBirthDate(CallbackData, prefix="fam:born"):
    """Yes or No to the new child's date of birth, echoed back with its month in words."""

    answer: Literal["yes", "no"]


# The add-a-child flow's own buttons; pressed after the flow ended, they have expired.
ADDING_STEPS = (PickSport, SkipStep, StepBack, CancelAdding, ConfirmBirthDate)


class ChildAction(StrEnum):
    """What a button on a child of /children does."""

    ACT_FOR = "act"
    STOP_ACTING = "stop"
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
    ZONE = "zone"  # one of the zones offered for a bare UTC offset, by its index
    BORN = "born"  # Yes or No to an echoed date of birth
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


@dataclass(frozen=True)
class RetypeBirthDate(CallbackData, prefix="profile:retype"):
    """No to an echoed birth date: it is asked again, in a form that reads one way."""


class MentorApproval(StrEnum):
    """How a guardian approves a mentor for one child: with the child's videos or without."""

    WITH_VIDEOS = "okv"
    WITHOUT_VIDEOS = "ok"


@dataclass(frozen=True)
class ApproveMentor(CallbackData, prefix=MENTOR_FLOW):
    """A guardian approves the mentor of a request for one of their children."""

    approval: MentorApproval
    request_id: uuid.UUID
    athlete_id: uuid.UUID


@dataclass(frozen=True)
class DeclineMentor(CallbackData, prefix="mnt:no"):
    """A guardian declines a mentor's request."""

    request_id: uuid.UUID


@dataclass(frozen=True)
class ChildsMentors(CallbackData, prefix="mnt:list"):
    """A child's mentors, each with their videos on or off."""

    athlete_id: uuid.UUID


class VideoSwitch(StrEnum):
    """What a press on a mentor's videos turns them to."""

    ON = "1"
    OFF = "0"


@dataclass(frozen=True)
class MentorVideos(CallbackData, prefix="mnt:vid"):
    """Turn one mentor's access to a child's videos on or off."""

    athlete_id: uuid.UUID
    mentor_id: uuid.UUID
    switch: VideoSwitch


@dataclass(frozen=True)
class PhotoMenu(CallbackData, prefix="pph:menu"):
    """The profile photo's choices: from Telegram, send one, remove."""


@dataclass(frozen=True)
class PhotoFromTelegram(CallbackData, prefix="pph:tg"):
    """The person allows their Telegram profile photo to be taken as their profile image."""


@dataclass(frozen=True)
class PhotoSend(CallbackData, prefix="pph:send"):
    """The person will send a picture as their profile image."""


@dataclass(frozen=True)
class PhotoRemove(CallbackData, prefix="pph:rm"):
    """Remove the profile image."""
