"""Issue 9's payment prompts end to end: book a priced session, don't pay, lose it at the deadline.

A parent books for a child with a coach who confirms automatically and charges. The clock is
frozen and moved by hand: at each step the outbox is drained at that moment and the release
job runs at the moment given, exactly as the scheduled jobs would. Nothing sleeps.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar

from bot.app import BotApplication, BotContext
from bot.jobs import release_unpaid_sessions
from bot.outbox import telegram_deliverer
from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking.book import BookingChoice
from domain.models import TrainingSession
from domain.notifications.outbox import drain
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BOOKING_NOW
from tests.handlers.booking.booking_steps import FamilyJourney

# Thursday 10 December 2026, 16:00 in Berlin (the coach's zone); 15:00 for the family (UTC).
START = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
# The coach's default pay_before_hours: released unpaid 12 h before the start.
DEADLINE = START - timedelta(hours=12)
PROMPT, LAST_PROMPT = "💳 Waiting for your payment", "💳 Last reminder"
RELEASED = "❌ Session released"


class Journey(FamilyJourney):
    """The coach, the parent and the child in the chat, and the moving clock's two jobs."""

    async def drain(self, now: datetime) -> None:
        """Send what is due at `now`, as the outbox job would (invoices included)."""
        deliver = telegram_deliverer(self.application.bot, self.services)
        await drain(self.services.uow, now=now, limit=100, deliver=deliver)

    def counts(self, opening: str) -> list[int]:
        """How many messages opening so each of parent, child and coach has received."""
        return [len(texts(person, opening)) for person in self.everyone]


def texts(person: EmulatedUser, opening: str) -> list[str]:
    found = (message.get("text") or message.get("caption") or "" for message in person.messages())
    return [text for text in found if text.startswith(opening)]


def invoices(person: EmulatedUser) -> list[dict[str, Any]]:
    return [message for message in person.messages() if "invoice" in message]


def latest(person: EmulatedUser, opening: str) -> dict[str, Any]:
    return next(
        message
        for message in reversed(person.messages())
        if (message.get("text") or message.get("caption") or "").startswith(opening)
    )


def without_scheduled_jobs(application: BotApplication) -> None:
    """Only the test moves the clock: no job may run at the real time."""
    for job in application.job_queue.jobs():
        job.schedule_removal()


async def journey_with_auto_accepting_coach(
    emulator: Emulator, application: BotApplication, services: Services, uow: UnitOfWork
) -> tuple[Journey, uuid.UUID]:
    """Everyone on Telegram having written /start, and the child's session booked and confirmed."""
    journey = await Journey.on_telegram(
        emulator, application, services, uow, rules={"auto_accept": True}
    )
    world = journey.world
    async with uow as tx:
        booker = await actor_for_user(tx, await tx.users.get(world.parent.id))
    choice = BookingChoice(world.coach.id, world.child.id, START, 60, "individual")
    booked = await booking.book(
        services.uow, actor=booker, choice=choice, now=BOOKING_NOW, slots=services.slots
    )
    assert not booked.needs_acceptance
    return journey, booked.session.id


async def test_an_unpaid_session_is_prompted_to_the_payer_then_released_for_both_sides(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    async with run_bot(emulator, setup=without_scheduled_jobs) as application:
        journey, session_id = await journey_with_auto_accepting_coach(
            emulator, application, services, uow
        )
        await journey.drain(BOOKING_NOW)
        assert [len(invoices(person)) for person in journey.everyone] == [1, 0, 0]
        assert journey.counts(PROMPT) == [0, 0, 0]

        await journey.drain(BOOKING_NOW + timedelta(minutes=59))
        assert journey.counts(PROMPT) == [0, 0, 0]
        await journey.drain(BOOKING_NOW + timedelta(hours=1))
        assert journey.counts(PROMPT) == [1, 0, 0]
        prompt = latest(journey.parent, PROMPT)
        assert "Kim" in prompt["text"] and "€40.00" in prompt["text"]
        ((pay,),) = prompt["reply_markup"]["inline_keyboard"]
        assert (pay["text"], pay["callback_data"]) == (
            "💳 Pay",
            f"pay:again:{short_id(session_id)}",
        )

        await journey.drain(START - timedelta(hours=24))
        assert journey.counts(LAST_PROMPT) == [1, 0, 0]
        assert latest(journey.parent, LAST_PROMPT)["reply_markup"]["inline_keyboard"] == [[pay]]

        context = BotContext(application)
        await release_unpaid_sessions(context, now=DEADLINE - timedelta(minutes=1))
        await journey.drain(DEADLINE - timedelta(minutes=1))
        assert journey.counts(RELEASED) == [0, 0, 0]
        past_deadline = DEADLINE + timedelta(minutes=4)
        await release_unpaid_sessions(context, now=past_deadline)
        await journey.drain(past_deadline)

        assert journey.counts(RELEASED) == [1, 1, 1]
        assert "Thu 10 Dec, 03:00" in texts(journey.parent, RELEASED)[0]
        assert "Thu 10 Dec, 04:00" in texts(journey.coach, RELEASED)[0]
        document = latest(journey.parent, RELEASED)["document"]
        ics = Calendar.from_ical(emulator.world.files[document["file_id"]].path.read_bytes())
        assert str(ics["method"]) == "CANCEL"
        async with uow as tx:
            session = await tx.session.get(TrainingSession, session_id)
            assert session is not None and session.cancel_reason == "unpaid"

        # Nothing planned for the session it was is left to arrive.
        await journey.drain(START + timedelta(hours=3))
        assert journey.counts("⏰ Starting in an hour") == [0, 0, 0]
        assert journey.counts(PROMPT) == journey.counts(LAST_PROMPT) == [1, 0, 0]
        assert journey.counts(RELEASED) == [1, 1, 1]
        assert [len(invoices(person)) for person in journey.everyone] == [1, 0, 0]
