"""The booking notices' buttons: intents queued by `domain.booking.notices`, as callback data.

`bot.outbox` looks a button's `button` code up in `BUTTONS` and packs what it names. Once a
notice of a kind in `AFTER_SENT` is sent, it also runs what that kind maps to: news about a
session refreshes the coach's card of it (`handlers.booking.card_refresh`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import Bot

from bot.wiring import Services
from domain.booking import notices, waitlist
from domain.models import NotificationKind
from domain.notifications.outbox import Claimed
from handlers.booking.callbacks import (
    RATINGS,
    SessionAction,
    SessionPress,
    WaitlistAction,
    WaitlistPress,
)
from handlers.booking.card_refresh import refresh_card

ButtonData = Callable[[Mapping[str, Any]], str]
_STARS = {stars: action for action, stars in RATINGS.items()}


def _press(action: SessionAction) -> ButtonData:
    return lambda spec: SessionPress(action, uuid.UUID(spec["session_id"])).pack()


def _rate(spec: Mapping[str, Any]) -> str:
    return SessionPress(_STARS[spec["stars"]], uuid.UUID(spec["session_id"])).pack()


def _offer(action: WaitlistAction) -> ButtonData:
    return lambda spec: WaitlistPress(action, uuid.UUID(spec["entry_id"])).pack()


BUTTONS: dict[str, ButtonData] = {
    waitlist.ACCEPT: _offer(WaitlistAction.ACCEPT),
    waitlist.DECLINE: _offer(WaitlistAction.DECLINE),
    notices.ACCEPT: _press(SessionAction.ACCEPT),
    notices.DECLINE: _press(SessionAction.DECLINE),
    notices.COMPLETED: _press(SessionAction.DONE),
    notices.NO_SHOW: _press(SessionAction.NO_SHOW),
    notices.RATE: _rate,
}

AfterSent = Callable[[Bot, Services, Claimed], Awaitable[None]]
AFTER_SENT: dict[str, AfterSent] = {NotificationKind.PAYMENT_RECEIVED: refresh_card}
