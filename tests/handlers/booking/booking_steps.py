"""Steps booking tests share: the booking world with emulated people, and the taps of a booking.

The bot runs on the real clock, so days are picked relative to today: the first weekday at least
two days ahead is inside the default coach's hours, notice and free-move window.
"""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self
from zoneinfo import ZoneInfo

from bot.app import BotApplication
from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking.book import BookingChoice
from domain.models import User
from domain.policy import Actor
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from telegram_emulator.world import CallbackQuery, Json
from tests.factories import BookingWorld, booking_world

COACH_ZONE = "Europe/Berlin"
MONTHS = list(calendar.month_name)[1:]
CONFIRM = "✅ Confirm"


@dataclass
class BookingCast:
    """The booking world, with the coach and both parents as people in the emulator."""

    world: BookingWorld
    cora: EmulatedUser  # the coach
    pia: EmulatedUser  # Kim's parent
    omar: EmulatedUser  # the other family's parent


async def booking_cast(
    emulator: Emulator,
    uow: UnitOfWork,
    *,
    rules: dict[str, Any] | None = None,
    pia_timezone: str = COACH_ZONE,
) -> BookingCast:
    """The coach and the two families, their users tied to emulated Telegram accounts."""
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, rules=rules, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with uow as tx:
        (await tx.users.get(world.parent.id)).timezone = pia_timezone
        await tx.commit()
    return BookingCast(world, cora, pia, omar)


@dataclass
class FamilyJourney:
    """The running bot, a booking world, and its coach, parent and child in the chat."""

    application: BotApplication
    services: Services
    world: BookingWorld
    coach: EmulatedUser
    parent: EmulatedUser
    child: EmulatedUser

    @property
    def everyone(self) -> list[EmulatedUser]:
        return [self.parent, self.child, self.coach]

    @classmethod
    async def on_telegram(
        cls,
        emulator: Emulator,
        application: BotApplication,
        services: Services,
        uow: UnitOfWork,
        **world: Any,
    ) -> Self:
        """The coach, the parent and the child each on Telegram, having written /start."""
        coach, parent, child = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Kim")
        # The third id is the other family's parent's, who plays no part here.
        found = await booking_world(uow, telegram_ids=iter([coach.id, parent.id, 1]), **world)
        async with uow as tx:
            for person, user in ((coach, found.coach_user), (parent, found.parent)):
                (await tx.users.get(user.id)).telegram_chat_id = person.id
            kim = await tx.users.get(found.child_user.id)
            kim.telegram_user_id = kim.telegram_chat_id = child.id
            await tx.commit()
        for person in (coach, parent, child):
            await person.send("/start")
            await person.expect_reply()
        return cls(application, services, found, coach, parent, child)


async def open_chats(*people: EmulatedUser) -> None:
    """Each person writes /start, so the bot may write to them later."""
    for person in people:
        await person.send("/start")
        await person.expect_reply(contains="Welcome back")


async def actor_of(uow: UnitOfWork, user: User) -> Actor:
    """The user as domain.policy sees them."""
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def book_directly(
    uow: UnitOfWork, services: Services, cast: BookingCast, start: datetime, *, other: bool = False
) -> None:
    """An hour booked outside this chat (another device, another bot process): for Kim by Pia,
    or with `other` for Lea by Omar."""
    world = cast.world
    parent, child = (
        (world.other_parent, world.other_child) if other else (world.parent, world.child)
    )
    await booking.book(
        uow,
        actor=await actor_of(uow, parent),
        choice=BookingChoice(world.coach.id, child.id, start, 60, "individual"),
        # Early enough for any start the tests pick to be bookable and free to move.
        now=start - timedelta(days=2),
        slots=services.slots,
    )


def weekday_ahead(days: int = 2, zone: str = COACH_ZONE) -> date:
    """The first Monday-to-Friday date at least `days` after today in `zone`."""
    day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def coach_instant(day: date, hour: int, zone: str = COACH_ZONE) -> datetime:
    """`hour`:00 on the coach's local `day`, in UTC."""
    return datetime.combine(day, time(hour), ZoneInfo(zone)).astimezone(UTC)


def slot_label(start: datetime, booker_zone: str, coach_zone: str = COACH_ZONE) -> str:
    """A time button as a booker in `booker_zone` sees it (same-date slots only)."""
    label = f"{start.astimezone(ZoneInfo(booker_zone)):%H:%M}"
    if booker_zone != coach_zone:
        label += f" ({start.astimezone(ZoneInfo(coach_zone)):%H:%M})"
    return label


def buttons(message: Json) -> dict[str, str]:
    """Label -> callback data of a message's inline buttons (the first of equal labels)."""
    markup = message.get("reply_markup") or {}
    found: dict[str, str] = {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            found.setdefault(button["text"], button.get("callback_data", ""))
    return found


def all_buttons(message: Json) -> list[tuple[str, str]]:
    """Every (label, callback data) of a message's inline keyboard, row by row."""
    markup = message.get("reply_markup") or {}
    return [
        (button["text"], button.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


async def press_data(emulator: Emulator, person: EmulatedUser, message: Json, data: str) -> None:
    """Press a button carrying `data` under `message`, as a (possibly modified) client could."""
    query_id = str(secrets.randbits(63))
    emulator.bot.callback_queries[query_id] = CallbackQuery(
        query_id, person.id, message["message_id"], emulator.world.clock()
    )
    await emulator.bot.push_update(
        "callback_query",
        {
            "id": query_id,
            "from": person.person.as_user(),
            "message": message,
            "chat_instance": str(person.id),
            "data": data,
        },
    )


def latest(person: EmulatedUser) -> Json:
    """The newest message in the person's chat."""
    return person.messages()[-1]


def token_of(message: Json) -> str:
    """The booking flow's token, read off any of its buttons (bk:<action>:<token>...)."""
    data = next(data for _, data in all_buttons(message) if data.startswith("bk:"))
    return data.split(":")[2]


async def show_month(person: EmulatedUser, day: date) -> Json:
    """Page the calendar on screen forward to the month of `day`."""
    title = f"{MONTHS[day.month - 1]} {day.year}"
    for _ in range(3):
        # The calendar, not whatever message the bot's jobs sent meanwhile.
        message = next(m for m in reversed(person.messages()) if "»" in buttons(m))
        if title in buttons(message):
            return message
        await person.press("»", message)
        await person.expect("edit", contains="Pick a day")
    raise AssertionError(f"the calendar never showed {title}")


async def choose_coach(
    person: EmulatedUser, *, sport: str = "Tennis", calendar: bool = True
) -> None:
    """/book for the only athlete: the sport, Cora's card, Book; then, by default, the calendar."""
    await person.send("/book")
    await person.expect_reply(contains="Which sport")
    await person.press(sport)
    await person.expect("edit", contains="Coaches for")
    await person.press("1. Cora Klein")
    await person.expect("edit", contains="Tennis for juniors")
    await person.press("Book with Cora Klein")
    if calendar:
        await person.expect("edit", contains="Pick a day")


async def pick_time(person: EmulatedUser, day: date, label: str) -> Json:
    """On the calendar: the day, then the time button `label`; returns the summary."""
    calendar = await show_month(person, day)
    await person.press(str(day.day), calendar)
    await person.expect("edit", contains="Free times on")
    await person.press(label)
    return await person.expect("edit", contains="Please check and confirm")


async def book_until_summary(person: EmulatedUser, day: date, label: str) -> Json:
    """Everything of /book up to the summary, for the default coach."""
    await choose_coach(person)
    return await pick_time(person, day, label)
