"""The outbox kind a program day is: its workout read when it is sent, with its buttons.

`program_day` (payload: `enrolment_id`, `week`, `day`, `athlete_id`): the day is read as it
stands now (`domain.programs.following.days.workout`), so a % load follows the athlete's newest
best; a paused or ended enrolment sends nothing (the row is given up quietly). A guardian's copy
names the athlete.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from telegram import Bot

from bot.sending import send_text
from bot.wiring import Services
from domain.models import NotificationKind
from domain.notifications.outbox import Claimed, DeliveryResult
from domain.programs.following.days import workout
from handlers.programs.following_render import workout_markup, workout_text

log = logging.getLogger(__name__)
SideEffect = Callable[[Bot, Services, Claimed], Awaitable[DeliveryResult]]


async def send_program_day(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Send a program day's workout with Done / Partly / Skip and the one-tap log buttons."""
    payload = notification.payload
    found = await workout(
        services.uow,
        enrolment_id=uuid.UUID(str(payload["enrolment_id"])),
        week=int(payload["week"]),
        day=int(payload["day"]),
    )
    if found is None:
        log.info("program day %s not sent: paused, ended or gone", payload)
        return DeliveryResult.final("enrolment paused or ended")
    if notification.chat_id is None:
        return DeliveryResult.final("recipient has no Telegram chat")
    lang = notification.language
    guardian = notification.recipient_id != found.athlete_user_id
    text = workout_text(found, lang, for_guardian=guardian)
    await send_text(bot, notification.chat_id, text, reply_markup=workout_markup(found, lang))
    return DeliveryResult.SENT


SIDE_EFFECTS: dict[str, SideEffect] = {NotificationKind.PROGRAM_DAY: send_program_day}
