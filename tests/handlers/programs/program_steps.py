"""Steps the program tests share: coaches and families signed up directly, a program written
through the chat."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.models import (
    Athlete,
    Coach,
    EnrolmentHow,
    ProgramEnrolment,
    TrainingProgram,
    User,
)
from domain.uow import UnitOfWork
from telegram_emulator.driver import EmulatedUser

WEEK_1 = "W1D1: back squat 3x5 @70%; bench press 3x8 60kg\nW1D3: 400m x4 rest 90s"


async def sign_up_coach(
    uow: UnitOfWork,
    person: EmulatedUser,
    *,
    verified: bool = True,
    rating: Decimal | None = None,
    reviews: int = 0,
) -> Coach:
    """A coach with a saved profile, verified by an admin unless told otherwise."""
    async with uow as tx:
        user = tx.users.add(
            User(
                role="coach",
                first_name=person.person.first_name,
                telegram_user_id=person.id,
                telegram_chat_id=person.id,
                language_code=person.person.language_code,
                onboarded_at=datetime.now(UTC),
                verification_status=verified,
            )
        )
        await tx.flush()
        coach = tx.coaches.add(
            Coach(user_id=user.id, currency="EUR", rating=rating, total_reviews=reviews)
        )
        await tx.commit()
    return coach


async def sign_up_athlete(uow: UnitOfWork, person: EmulatedUser) -> Athlete:
    """An athlete with their own account."""
    async with uow as tx:
        user = tx.users.add(
            User(
                role="athlete",
                first_name=person.person.first_name,
                telegram_user_id=person.id,
                telegram_chat_id=person.id,
                language_code=person.person.language_code,
                onboarded_at=datetime.now(UTC),
            )
        )
        await tx.flush()
        athlete = tx.athletes.add(Athlete(user_id=user.id, primary_sport="athletics"))
        await tx.commit()
    return athlete


async def enrol(uow: UnitOfWork, program: TrainingProgram, athlete: Athlete) -> None:
    """An enrolment into the program's current version (part B's flow writes these)."""
    async with uow as tx:
        tx.session.add(
            ProgramEnrolment(
                program_id=program.id,
                program_version_id=program.current_version_id,
                athlete_id=athlete.id,
                start_date=date(2026, 12, 7),
                how=EnrolmentHow.SELF.value,
            )
        )
        await tx.commit()


async def create_program(
    coach: EmulatedUser, *, title: str = "Sprint base", weeks: str = "4"
) -> None:
    """/programs → New, every question answered; ends on the new draft's card."""
    await coach.send("/programs")
    await coach.expect_reply(contains="training programs")
    await coach.press("➕ New program")
    await coach.expect("edit", contains="What is its title?")
    await coach.send(title)
    await coach.expect_reply(contains="Which sport")
    await coach.press("Athletics")
    await coach.expect("edit", contains="Which level")
    await coach.press("Beginner")
    await coach.expect("edit", contains="How many weeks")
    await coach.send(weeks)
    await coach.expect_reply(contains="Which skills")
    await coach.send("speed, acceleration")
    await coach.expect_reply(contains="Describe it")
    await coach.send("Four weeks of sprint basics for teenagers new to the track.")
    await coach.expect_reply(contains="What does it cost?")
    await coach.send("49")
    await coach.expect_reply(contains="Saved as a draft")


async def write_week(coach: EmulatedUser, week: int, text: str) -> dict[str, object]:
    """✏️ Write a week → the week's button → the text; ends on the card after saving."""
    await coach.press("✏️ Write a week")
    await coach.expect("edit", contains="Which week")
    await coach.press(str(week))
    await coach.expect("edit", contains=f"Week {week}.")
    await coach.send(text)
    return await coach.expect_reply(contains="Saved week")
