"""The people notices' buttons: a mentor request's intents (`domain.people.mentors`), as
callback data. `bot.outbox` looks a button's `button` code up in `BUTTONS` and packs it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from domain.people import mentors
from handlers.people.callbacks import ApproveMentor, DeclineMentor, MentorApproval

ButtonData = Callable[[Mapping[str, Any]], str]


def _approve(approval: MentorApproval) -> ButtonData:
    return lambda spec: ApproveMentor(
        approval, uuid.UUID(spec["request_id"]), uuid.UUID(spec["athlete_id"])
    ).pack()


BUTTONS: dict[str, ButtonData] = {
    mentors.APPROVE_WITH_VIDEOS: _approve(MentorApproval.WITH_VIDEOS),
    mentors.APPROVE: _approve(MentorApproval.WITHOUT_VIDEOS),
    mentors.DECLINE: lambda spec: DeclineMentor(uuid.UUID(spec["request_id"])).pack(),
}
