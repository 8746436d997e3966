"""The outbox's buttons of series notices: Yes / No / Maybe under "Will Kim come?".

`bot.outbox` looks a button's `button` code up in `BUTTONS` and packs what it names; the RSVP
request and its reminder are worded like any notice (`notification.rsvp_request`, ...).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from domain.models import RsvpAnswer
from handlers.clubs.series_callbacks import RsvpPress

ButtonData = Callable[[Mapping[str, Any]], str]
RSVP_ANSWER = "rsvp.answer"


def _answer(spec: Mapping[str, Any]) -> str:
    return RsvpPress(
        RsvpAnswer(spec["answer"]), uuid.UUID(spec["session_id"]), uuid.UUID(spec["athlete_id"])
    ).pack()


BUTTONS: dict[str, ButtonData] = {RSVP_ANSWER: _answer}
