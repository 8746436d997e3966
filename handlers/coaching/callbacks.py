"""The coaching capability's callback data (`handlers.shared.callback_data`), in the format of
buttons already sent: the profile flow's `coach:<action>[:<choice>]` and the admins'
`admin:approve|reject:<coach>`. The menu's entries (`coach:setup`, `admin:pending`) are
`handlers.shared.menu_entries`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from handlers.shared.callback_data import CallbackData

PROFILE_FLOW, ADMIN_FLOW = "coach", "admin"


class CoachAction(StrEnum):
    """What a button of the coach profile flow does."""

    SPECIALIZATION = "spec"
    CURRENCY = "cur"
    DONE = "done"
    SUBMIT = "submit"
    BACK = "back"
    CANCEL = "cancel"


@dataclass(frozen=True)
class CoachPress(CallbackData, prefix=PROFILE_FLOW):
    """A button of the coach profile flow, with the choice it offers (a specialization, a
    currency); the flow checks the choice against what it offered."""

    action: CoachAction
    choice: str | None = None


@dataclass(frozen=True)
class ApproveCoach(CallbackData, prefix="admin:approve"):
    """An admin approves this coach."""

    coach_id: uuid.UUID


@dataclass(frozen=True)
class RejectCoach(CallbackData, prefix="admin:reject"):
    """An admin rejects this coach, then types the reason."""

    coach_id: uuid.UUID
