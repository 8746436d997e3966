"""A coach and the athletes she coaches, in the chat; helpers to run the nutrition jobs on a
frozen clock and to find buttons."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.app import BotApplication, BotContext
from bot.jobs import queue_nutrition_days, send_nutrition_weeks
from bot.outbox import send_due_notifications
from domain.models import Athlete, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BookingWorld, booking_world, session_at

BERLIN = ZoneInfo("Europe/Berlin")
TARGETS = "2400 kcal, 150 protein, 300 carbs, 80 fat, 2500 ml"


@dataclass
class NutritionCast:
    """Cora coaches Ana (an adult on Telegram, 60 kg), Kim (Pia's child, 40 kg, no Telegram)
    and Lea (Omar's child, 90 kg)."""

    world: BookingWorld
    cora: EmulatedUser
    pia: EmulatedUser
    omar: EmulatedUser
    ana: EmulatedUser
    ana_athlete: uuid.UUID


async def nutrition_cast(emulator: Emulator, uow: UnitOfWork, *, session_on: date) -> NutritionCast:
    """The people; Ana has a session with Cora booked at 17:00 Berlin on `session_on`, and
    each child had one a month ago."""
    cora, pia = emulator.user("Cora"), emulator.user("Pia")
    omar, ana = emulator.user("Omar", language_code="es"), emulator.user("Ana")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with uow as tx:
        ana_user = tx.users.add(
            User(
                role="athlete", first_name="Ana", telegram_user_id=ana.id, timezone="Europe/Berlin"
            )
        )
        await tx.flush()
        athlete = tx.athletes.add(
            Athlete(user_id=ana_user.id, primary_sport="athletics", weight_kg=Decimal(60))
        )
        await tx.flush()
        for kg, child in ((40, world.child), (90, world.other_child)):
            await tx.session.execute(
                update(Athlete).where(Athlete.id == child.id).values(weight_kg=Decimal(kg))
            )
        month_ago = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        month_ago -= timedelta(days=30)
        for n, who in enumerate((athlete, world.child, world.other_child)):
            tx.session.add(
                session_at(world.coach, who, month_ago + timedelta(hours=n), status="completed")
            )
        booked = datetime.combine(session_on, time(17), tzinfo=BERLIN)
        tx.session.add(session_at(world.coach, athlete, booked, status="scheduled"))
        await tx.commit()
    return NutritionCast(world, cora, pia, omar, ana, athlete.id)


async def run_morning(application: BotApplication, at: datetime) -> None:
    """The nutrition-days job, then the outbox, both at a frozen moment."""
    context = BotContext(application)
    await queue_nutrition_days(context, now=at)
    await send_due_notifications(context, now=at)


async def run_weekly(application: BotApplication, at: datetime) -> None:
    """The weekly-adherence job, then the outbox, at a frozen moment."""
    context = BotContext(application)
    await send_nutrition_weeks(context, now=at)
    await send_due_notifications(context, now=at)


def berlin(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=BERLIN).astimezone(UTC)


def label_starting(person: EmulatedUser, opening: str) -> str:
    """The label of the newest button starting with `opening`."""
    for message in reversed(person.messages()):
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button.get("text", "").startswith(opening):
                    return str(button["text"])
    raise AssertionError(f"no button starts with {opening!r}")


def texts(person: EmulatedUser, opening: str) -> list[dict[str, object]]:
    """The person's messages whose text (or caption) starts with `opening`."""
    return [
        m
        for m in person.messages()
        if str(m.get("text") or m.get("caption") or "").startswith(opening)
    ]
