"""A coach with a published program, an adult athlete who follows programs herself, and a parent
whose child has no Telegram of her own; helpers to run the program jobs on a frozen clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from telegram import InlineKeyboardMarkup

from bot.app import BotApplication, BotContext
from bot.jobs import queue_program_days
from bot.outbox import send_due_notifications
from domain.models import (
    Athlete,
    ProgramEnrolment,
    ProgramStatus,
    ProgramVersion,
    TrainingProgram,
    User,
)
from domain.programs.content import ProgramContent
from domain.programs.program_text import parse_program_text
from domain.uow import UnitOfWork
from handlers.programs.following_render import enrol_button
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BookingWorld, booking_world

BERLIN = ZoneInfo("Europe/Berlin")
# Week 1: squats on day 1 (a % of the best), rest on day 2, sprints on day 3, bench on day 4.
PROGRAM_TEXT = """W1D1: back squat 1x1 @105%; bench press 3x8 60kg
W1D3: 400m x4 rest 90s
W1D4: bench press 3x5 62.5kg
W2D1: back squat 3x5 @70%
"""


@dataclass
class ProgramCast:
    """Who is in the chat and what they follow."""

    world: BookingWorld
    cora: EmulatedUser  # the coach
    pia: EmulatedUser  # Kim's mother; Kim has no Telegram
    omar: EmulatedUser  # another parent
    ana: EmulatedUser  # an adult athlete, on Telegram herself
    ana_athlete: uuid.UUID
    program_id: uuid.UUID


async def program_cast(
    emulator: Emulator, uow: UnitOfWork, *, price: str | None = None, currency: str = "EUR"
) -> ProgramCast:
    """The people, and Cora's published two-week program (free unless `price`)."""
    cora, pia = emulator.user("Cora"), emulator.user("Pia")
    omar, ana = emulator.user("Omar", language_code="es"), emulator.user("Ana")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    weeks = parse_program_text(PROGRAM_TEXT, weeks=2)
    async with uow as tx:
        ana_user = tx.users.add(
            User(
                role="athlete",
                first_name="Ana",
                telegram_user_id=ana.id,
                timezone="Europe/Berlin",
            )
        )
        await tx.flush()
        ana_athlete = tx.athletes.add(Athlete(user_id=ana_user.id, primary_sport="athletics"))
        await tx.session.execute(
            update(User).where(User.id == world.parent.id).values(timezone="Europe/Berlin")
        )
        program = TrainingProgram(
            id=uuid.uuid4(),
            coach_id=world.coach.id,
            title="Strength base",
            duration_weeks=2,
            sport_type="athletics",
            difficulty_level="beginner",
            price=Decimal(price) if price else None,
            currency=currency,
        )
        tx.session.add(program)
        await tx.flush()
        version = ProgramVersion(
            id=uuid.uuid4(),
            program_id=program.id,
            number=1,
            content=ProgramContent(weeks=weeks).stored(),
            schema_version=1,
            duration_weeks=2,
        )
        tx.session.add(version)
        await tx.flush()
        program.status = ProgramStatus.PUBLISHED
        program.current_version_id = version.id
        program.published_at = datetime.now(UTC)
        await tx.commit()
    return ProgramCast(world, cora, pia, omar, ana, ana_athlete.id, program.id)


async def show_page(
    application: BotApplication, person: EmulatedUser, program_id: uuid.UUID
) -> None:
    """The program's page as the catalogue shows it, reduced to its Enrol button."""
    markup = InlineKeyboardMarkup([[enrol_button(program_id, "en")]])
    await application.bot.send_message(person.id, "Strength base", reply_markup=markup)
    await person.expect_reply(contains="Strength base")


async def run_day(application: BotApplication, at: datetime) -> None:
    """The program-days job, then the outbox, both at a frozen moment."""
    context = BotContext(application)
    await queue_program_days(context, now=at)
    await send_due_notifications(context, now=at)


async def enrolments(uow: UnitOfWork) -> list[ProgramEnrolment]:
    async with uow as tx:
        return list(await tx.session.scalars(select(ProgramEnrolment)))


async def start_on(uow: UnitOfWork, enrolment_id: uuid.UUID, start: date, at: time) -> None:
    """As if the enrolment had been made to start on `start`, delivering at `at`."""
    async with uow as tx:
        await tx.session.execute(
            update(ProgramEnrolment)
            .where(ProgramEnrolment.id == enrolment_id)
            .values(start_date=start, delivery_time=at)
        )
        await tx.commit()


def last_dst_change(before: date) -> date:
    """The most recent day on which Berlin changed its clocks, before `before`."""
    day = before - timedelta(days=1)
    while True:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=BERLIN)
        previous = noon - timedelta(days=1)
        if noon.utcoffset() != previous.utcoffset():
            return day
        day -= timedelta(days=1)


def texts(person: EmulatedUser, opening: str) -> list[str]:
    found = (message.get("text") or "" for message in person.messages())
    return [text for text in found if text.startswith(opening)]
