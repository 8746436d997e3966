"""Issue 6's reminder journey end to end: book, accept, then the clock moves and people are told.

A parent books for a child (who is on Telegram too) through the domain service, and the coach
accepts. The clock is frozen and moved by hand: at each step the outbox is drained at that
moment, exactly as the outbox job would, and every chat in the emulator is counted. Nothing
sleeps.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from bot.app import BotApplication, BotContext
from bot.jobs import plan_session_reminders
from bot.outbox import telegram_deliverer
from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking.book import BookingChoice
from domain.booking.notices import PLANNED_KINDS
from domain.models import Notification, User
from domain.notifications.outbox import DrainReport, drain
from domain.policy import Actor
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BOOKING_NOW
from tests.handlers.booking.booking_steps import FamilyJourney

# Thursday 10 December 2026, 16:00 in Berlin (the coach's zone); 15:00 for the family (UTC).
START = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
COMING_UP, IN_AN_HOUR = "⏰ Coming up", "⏰ Starting in an hour"
HOW_WAS_IT, HOW_DID_IT_GO = "How was it?", "How did it go?"


class Journey(FamilyJourney):
    """The three people in the chat, their rows, and a way to run the outbox at any moment."""

    async def drain(self, now: datetime) -> DrainReport:
        """Send what is due at `now`, as the outbox job would."""
        deliver = telegram_deliverer(self.application.bot)
        return await drain(self.services.uow, now=now, limit=100, deliver=deliver)

    async def actor(self, user: User) -> Actor:
        async with self.services.uow as tx:
            found = await tx.users.get(user.id)
            return await actor_for_user(tx, found)


def texts(person: EmulatedUser, opening: str) -> list[str]:
    """The bot's messages (or captions) in this person's chat that open with `opening`."""
    found = (message.get("text") or message.get("caption") or "" for message in person.messages())
    return [text for text in found if text.startswith(opening)]


def counts(journey: Journey, opening: str) -> list[int]:
    """How many messages opening so each of parent, child and coach has received."""
    return [len(texts(person, opening)) for person in journey.everyone]


def without_scheduled_jobs(application: BotApplication) -> None:
    """Only the test moves the clock: the real outbox job must not send at the real time."""
    for job in application.job_queue.jobs():
        job.schedule_removal()
    assert not application.job_queue.jobs()


def latest(person: EmulatedUser, opening: str) -> dict[str, Any]:
    return next(
        message
        for message in reversed(person.messages())
        if (message.get("text") or message.get("caption") or "").startswith(opening)
    )


async def unsent_plan(uow: UnitOfWork) -> list[tuple[str, datetime]]:
    """(kind, due) of every planned reminder or prompt not sent yet."""
    async with uow as tx:
        rows = await tx.session.execute(
            select(Notification.kind, Notification.due_at)
            .where(Notification.kind.in_(PLANNED_KINDS), Notification.sent_at.is_(None))
            .order_by(Notification.kind, Notification.due_at)
        )
        return [(kind, due) for kind, due in rows]


async def book_and_accept(journey: Journey, start: datetime) -> uuid.UUID:
    """The parent books `start` for the child; the coach accepts an hour later."""
    world, slots = journey.world, journey.services.slots
    choice = BookingChoice(world.coach.id, world.child.id, start, 60, "individual")
    booked = await booking.book(
        journey.services.uow,
        actor=await journey.actor(world.parent),
        choice=choice,
        now=BOOKING_NOW,
        slots=slots,
    )
    assert booked.needs_acceptance
    await session_changes.decide(
        journey.services.uow,
        actor=await journey.actor(world.coach_user),
        session_id=booked.session.id,
        accept=True,
        now=BOOKING_NOW + timedelta(hours=1),
        slots=slots,
        refund=journey.services.cancellation_refund,
    )
    await journey.drain(BOOKING_NOW + timedelta(hours=1))
    return booked.session.id


async def journey_for(
    emulator: Emulator, application: BotApplication, services: Services, uow: UnitOfWork
) -> Journey:
    """A coach, a parent and the child, each on Telegram and having written /start."""
    # No price: this journey is about reminders; payments have their own (test_payment_*).
    return await Journey.on_telegram(emulator, application, services, uow, rate=None)


async def test_everyone_is_reminded_a_day_and_an_hour_before_once_each_and_asked_after(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    async with run_bot(emulator, setup=without_scheduled_jobs) as application:
        journey = await journey_for(emulator, application, services, uow)
        await book_and_accept(journey, START)

        assert texts(journey.coach, "📅 New booking request")
        assert texts(journey.coach, "📎 For your calendar")
        # Booked by the parent, whose own flow would have said so: the outbox does not repeat it.
        assert not texts(journey.parent, "📨 Request sent")
        assert [len(texts(p, "✅ Cora Klein accepted")) for p in journey.everyone] == [1, 1, 0]
        assert await unsent_plan(uow) == [
            *[("reminder_1h", START - timedelta(hours=1))] * 3,
            *[("reminder_24h", START - timedelta(hours=24))] * 3,
            *[("session_followup", END + timedelta(minutes=15))] * 2,
            ("session_followup_coach", END + timedelta(minutes=15)),
        ]
        # The safety net finds the booking planned already and adds nothing.
        before = await unsent_plan(uow)
        await plan_session_reminders(BotContext(application), now=START - timedelta(hours=25))
        assert await unsent_plan(uow) == before

        day_before = START - timedelta(hours=24)
        await journey.drain(day_before - timedelta(minutes=1))
        assert counts(journey, COMING_UP) == [0, 0, 0]
        assert (await journey.drain(day_before)).claimed == 3
        await journey.drain(day_before + timedelta(minutes=5))
        assert counts(journey, COMING_UP) == [1, 1, 1]
        assert "Thu 10 Dec, 15:00" in texts(journey.parent, COMING_UP)[0]
        assert "Thu 10 Dec, 16:00" in texts(journey.coach, COMING_UP)[0]

        hour_before = START - timedelta(hours=1)
        assert (await journey.drain(hour_before)).claimed == 3
        await journey.drain(hour_before + timedelta(minutes=5))
        assert counts(journey, IN_AN_HOUR) == [1, 1, 1]
        assert counts(journey, COMING_UP) == [1, 1, 1]

        await journey.drain(END)
        assert counts(journey, HOW_WAS_IT) == [0, 0, 0]
        assert (await journey.drain(END + timedelta(minutes=15))).claimed == 3
        await journey.drain(END + timedelta(hours=2))

        assert counts(journey, HOW_WAS_IT) == [1, 1, 0]
        assert counts(journey, HOW_DID_IT_GO) == [0, 0, 1]
        for person in (journey.parent, journey.child):
            (stars,) = latest(person, HOW_WAS_IT)["reply_markup"]["inline_keyboard"]
            assert [button["callback_data"][:9] for button in stars] == [
                f"ses:rate{n}" for n in range(1, 6)
            ]
        (outcome,) = latest(journey.coach, HOW_DID_IT_GO)["reply_markup"]["inline_keyboard"]
        assert [button["text"] for button in outcome] == ["✅ Completed", "🚫 No-show"]
    assert await unsent_plan(uow) == []


def calendar_of(emulator: Emulator, message: dict[str, Any]) -> Calendar:
    content = emulator.world.files[message["document"]["file_id"]].path.read_bytes()
    return Calendar.from_ical(content)


async def test_a_moved_session_is_reminded_at_its_new_time_and_a_cancelled_one_not_at_all(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    moved_to = START + timedelta(days=1, hours=1)  # Friday 17:00 in Berlin
    async with run_bot(emulator, setup=without_scheduled_jobs) as application:
        journey = await journey_for(emulator, application, services, uow)
        session_id = await book_and_accept(journey, START)

        moved_at = BOOKING_NOW + timedelta(hours=2)
        await session_changes.reschedule(
            services.uow,
            actor=await journey.actor(journey.world.parent),
            session_id=session_id,
            new_start=moved_to,
            now=moved_at,
            slots=services.slots,
        )
        assert {due for _, due in await unsent_plan(uow)} == {
            moved_to - timedelta(hours=24),
            moved_to - timedelta(hours=1),
            moved_to + timedelta(minutes=75),
        }
        await journey.drain(moved_at)
        assert [len(texts(p, "🔁 Session moved")) for p in journey.everyone] == [0, 1, 1]
        moved = calendar_of(emulator, latest(journey.coach, "🔁 Session moved"))
        assert int(moved.walk("VEVENT")[0]["sequence"]) == 1
        assert moved.walk("VEVENT")[0].decoded("dtstart") == moved_to

        await journey.drain(START - timedelta(hours=24))  # the old time: nothing
        await journey.drain(START - timedelta(hours=1))
        assert counts(journey, COMING_UP) == counts(journey, IN_AN_HOUR) == [0, 0, 0]
        await journey.drain(moved_to - timedelta(hours=24))
        assert counts(journey, COMING_UP) == [1, 1, 1]
        assert "Fri 11 Dec, 16:00" in texts(journey.parent, COMING_UP)[0]

        cancelled_at = moved_to - timedelta(hours=20)
        await session_changes.cancel(
            services.uow,
            actor=await journey.actor(journey.world.coach_user),
            session_id=session_id,
            now=cancelled_at,
            slots=services.slots,
            refund=services.cancellation_refund,
        )
        assert await unsent_plan(uow) == []
        await journey.drain(cancelled_at)
        assert [len(texts(p, "❌ Session cancelled")) for p in journey.everyone] == [1, 1, 0]
        cancelled = calendar_of(emulator, latest(journey.parent, "❌ Session cancelled"))
        assert str(cancelled["method"]) == "CANCEL"
        assert int(cancelled.walk("VEVENT")[0]["sequence"]) == 2

        await journey.drain(moved_to - timedelta(hours=1))
        await journey.drain(moved_to + timedelta(hours=2))
        assert counts(journey, IN_AN_HOUR) == [0, 0, 0]
        assert counts(journey, HOW_WAS_IT) == counts(journey, HOW_DID_IT_GO) == [0, 0, 0]
        assert counts(journey, COMING_UP) == [1, 1, 1]
