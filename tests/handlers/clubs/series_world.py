"""People in the chat for series tests: Cora (coach, Berlin) who has coached Kim (Pia's child,
no Telegram of her own) and Lea (Omar's), and steps to run the RSVP job on a frozen clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.app import BotApplication, BotContext
from bot.jobs import queue_series_rsvps
from bot.outbox import send_due_notifications
from domain.models import TrainingSession, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BookingWorld, booking_world, session_at

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class SeriesCast:
    world: BookingWorld
    cora: EmulatedUser
    pia: EmulatedUser
    omar: EmulatedUser


async def series_cast(emulator: Emulator, uow: UnitOfWork) -> SeriesCast:
    """The people, each child with a past session with Cora (so she coaches them)."""
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    past = datetime.now(UTC) - timedelta(days=30)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, past))
        tx.sessions.add(session_at(world.coach, world.other_child, past + timedelta(hours=2)))
        # "/quiet off" for the families: requests are sent whatever the hour the test runs at.
        await tx.session.execute(
            update(User)
            .where(User.id.in_([world.parent.id, world.other_parent.id]))
            .values(quiet_from=time(0, 0), quiet_until=time(0, 0))
        )
        await tx.commit()
    return SeriesCast(world, cora, pia, omar)


def soon_in_berlin(minutes: int = 30) -> datetime:
    """A whole minute `minutes` from now, in Berlin."""
    return (
        (datetime.now(UTC) + timedelta(minutes=minutes))
        .astimezone(BERLIN)
        .replace(second=0, microsecond=0)
    )


async def occurrences(uow: UnitOfWork) -> list[TrainingSession]:
    async with uow as tx:
        return list(
            (
                await tx.session.scalars(
                    select(TrainingSession)
                    .where(TrainingSession.series_id.is_not(None))
                    .order_by(TrainingSession.start_time)
                )
            ).all()
        )


async def run_rsvps(application: BotApplication, at: datetime) -> None:
    """The RSVP job, then the outbox, both at a frozen moment."""
    context = BotContext(application)
    await queue_series_rsvps(context, now=at)
    await send_due_notifications(context, now=at)


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
