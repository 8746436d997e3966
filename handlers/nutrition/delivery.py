"""The outbox kinds of nutrition plans, each read when it is sent.

- `nutrition_day` (payload: `plan_id`, `day`, `athlete_id`): the day's meals as they stand
  now (its kind decided by the athlete's sessions and program workouts that day), with the
  check-in buttons; a replaced plan sends nothing. A guardian's copy names the athlete.
- `nutrition_meal` (+ `meal`): a meal's reminder, only if the day has that meal.
- `nutrition_week` (payload: `plan_id`, `first`): the week's adherence as a chart of energy and
  protein against the targets, with the figures in its caption.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import date

from telegram import Bot, InputFile

from bot.sending import send_text
from bot.wiring import Services
from domain.models import MealSlot, NotificationKind
from domain.notifications.outbox import Claimed, DeliveryResult
from domain.nutrition.days import plan_day
from domain.nutrition.weeks import adherence
from handlers.nutrition import charts, day_render

log = logging.getLogger(__name__)
SideEffect = Callable[[Bot, Services, Claimed], Awaitable[DeliveryResult]]


async def send_day(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Send the day's plan with a row of check-in buttons per meal and water."""
    payload = notification.payload
    found = await plan_day(
        services.uow,
        plan_id=uuid.UUID(str(payload["plan_id"])),
        on=date.fromisoformat(str(payload["day"])),
    )
    if found is None:
        log.info("nutrition day %s not sent: the plan was replaced or is gone", payload)
        return DeliveryResult.final("plan replaced or gone")
    if notification.chat_id is None:
        return DeliveryResult.final("recipient has no Telegram chat")
    lang = notification.language
    guardian = notification.recipient_id != found.athlete_user_id
    text = day_render.delivered_day(found, lang, for_guardian=guardian)
    await send_text(
        bot, notification.chat_id, text, reply_markup=day_render.checkin_markup(found, lang)
    )
    return DeliveryResult.SENT


async def send_meal(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Send a meal's reminder when the day has that meal."""
    payload = notification.payload
    found = await plan_day(
        services.uow,
        plan_id=uuid.UUID(str(payload["plan_id"])),
        on=date.fromisoformat(str(payload["day"])),
    )
    text = (
        day_render.meal_reminder(found, MealSlot(str(payload["meal"])), notification.language)
        if found
        else None
    )
    if text is None:
        return DeliveryResult.final("no such meal that day")
    if notification.chat_id is None:
        return DeliveryResult.final("recipient has no Telegram chat")
    await send_text(bot, notification.chat_id, text)
    return DeliveryResult.SENT


async def send_week(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Send the week's adherence: its chart, the figures as the caption."""
    payload = notification.payload
    week = await adherence(
        services.uow,
        plan_id=uuid.UUID(str(payload["plan_id"])),
        first=date.fromisoformat(str(payload["first"])),
    )
    if week is None or not week.days:
        return DeliveryResult.final("no days of the plan that week")
    if notification.chat_id is None:
        return DeliveryResult.final("recipient has no Telegram chat")
    lang = notification.language
    png = await charts.week_chart_async(week, lang)
    photo = InputFile(png, filename="week.png")
    await bot.send_photo(notification.chat_id, photo, caption=day_render.week_caption(week, lang))
    return DeliveryResult.SENT


SIDE_EFFECTS: dict[str, SideEffect] = {
    NotificationKind.NUTRITION_DAY: send_day,
    NotificationKind.NUTRITION_MEAL: send_meal,
    NotificationKind.NUTRITION_WEEK: send_week,
}
