"""Steps the coach and admin tests share: people signed up directly, a profile filled in."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.models import Admin, User
from domain.uow import UnitOfWork
from telegram_emulator.driver import EmulatedUser
from tests.factories import tiny_png

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 4096
BIO = "Former national-level player, coaching juniors for six years."


async def sign_up(uow: UnitOfWork, person: EmulatedUser, role: str) -> User:
    """A finished users row for an emulated person (instead of going through /start); an
    "admin" is also made one (a row of `admins`), as sign-up does for ADMIN_TELEGRAM_IDS."""
    async with uow as tx:
        user = tx.users.add(
            User(
                role=role,
                first_name=person.person.first_name,
                telegram_user_id=person.id,
                telegram_chat_id=person.id,
                language_code=person.person.language_code,
                onboarded_at=datetime.now(UTC),
            )
        )
        await tx.flush()
        if role == "admin":
            tx.admins.add(Admin(user_id=user.id))
        await tx.commit()
    return user


async def make_admin(uow: UnitOfWork, user: User) -> None:
    """Give an existing user admin rights, as a promotion does."""
    async with uow as tx:
        tx.admins.add(Admin(user_id=user.id))
        await tx.commit()


async def fill_in_profile(coach: EmulatedUser) -> None:
    """Two catalogue specializations and a custom one, 6 years, 45 EUR, a bio."""
    await coach.send("/coachprofile")
    await coach.expect_reply(contains="What do you coach?")
    await coach.press("Tennis")
    await coach.expect("edit", contains="Chosen: Tennis")
    await coach.press("Fitness")
    await coach.expect("edit", contains="Chosen: Tennis, Fitness")
    await coach.send("  Long   JUMP ")
    await coach.expect_reply(contains="Chosen: Tennis, Fitness, long jump")
    await coach.press("Done")
    await coach.expect("edit", contains="How many years")
    await coach.send("6")
    await coach.expect_reply(contains="hourly rate")
    await coach.send("45 EUR")
    await coach.expect_reply(contains="Tell athletes")
    await coach.send(BIO)
    await coach.expect_reply(contains="certificates")


async def upload_and_submit(coach: EmulatedUser) -> None:
    """A PDF and a photo, then Done and Submit."""
    await coach.send_document(PDF, filename="diploma.pdf")
    await coach.expect_reply(contains="Got it: diploma.pdf")
    await coach.expect_reply(contains="Received so far: 1")
    await coach.send_photo(tiny_png())
    await coach.expect_reply(contains="Got it: photo-")
    await coach.expect_reply(contains="Received so far: 2")
    await coach.press("Done")
    await coach.expect("edit", contains="Submit it for verification?")
    await coach.press("Submit for verification")
    await coach.expect("edit", contains="sent to our admins")
