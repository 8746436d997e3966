"""Issue 5's journey end to end: a parent and a coach sign up, an admin approves the coach.

Everything goes through /start and the buttons the bot shows, as a person would in the web
chat; only the emulator's driver is used, never the database, until the final checks.
"""

from __future__ import annotations

from sqlalchemy import select

from domain.models import Athlete, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.coaching.coach_steps import BIO, PDF
from tests.handlers.onboarding_flow import COACH, PARENT, common_steps, press, step


def chat_menu(emulator: Emulator, chat_id: int) -> set[str]:
    """The commands Telegram shows in this private chat's menu."""
    commands = emulator.bot.commands.get((f"chat:{chat_id}:", ""), [])
    return {command["command"] for command in commands}


async def test_parent_child_coach_and_admin_each_get_their_menu_and_the_coach_is_verified(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, cora, ada = emulator.user("Pat"), emulator.user("Cora"), emulator.user("Ada")
    async with run_bot(emulator, admins=[ada.id]):
        # The admin signs up first so the coach's submission has someone to reach.
        await common_steps(ada, None)
        await press(ada, "Yes", "You're an admin")

        await common_steps(pat, PARENT)
        await press(pat, "Yes", "add your first child")
        await press(pat, "➕ Add a child", "name")
        await pat.send("Mia")
        await step(pat, "When was Mia born?")
        await pat.send("01.05.2014")
        await step(pat, "1 May 2014 — right?")  # it could be 5 January
        await pat.press("Yes")
        await step(pat, "Which sport does Mia play?")
        await pat.send("Judo")
        await step(pat, "health")
        await pat.press("Skip")
        await step(pat, "Mia is now part of your family")

        await common_steps(cora, COACH)
        await press(cora, "Yes", "set up your coach profile")
        await press(cora, "🧑‍🏫 Coach profile & verification", "What do you coach?")
        await cora.press("Tennis")
        await cora.expect("edit", contains="Chosen: Tennis")
        await cora.press("Done")
        await cora.expect("edit", contains="How many years")
        await cora.send("6")
        await step(cora, "hourly rate")
        await cora.send("45 EUR")
        await step(cora, "Tell athletes")
        await cora.send(BIO)
        await step(cora, "certificates")
        await cora.send_document(PDF, filename="diploma.pdf")
        await step(cora, "Received so far: 1")
        await cora.press("Done")
        await cora.expect("edit", contains="Submit it for verification?")
        await cora.press("Submit for verification")
        await cora.expect("edit", contains="sent to our admins")

        await ada.expect_reply(contains="Cora")
        await ada.press("✅ Approve")
        await cora.expect_reply(contains="verified")

    async with uow as tx:
        coach_user = await tx.users.by_telegram_id(cora.id)
        parent = await tx.users.by_telegram_id(pat.id)
        admin = await tx.users.by_telegram_id(ada.id)
        child = (
            await tx.session.scalars(select(Athlete).where(Athlete.parent_id == parent.id))
        ).one()
        child_user = await tx.session.get(User, child.user_id)
    assert coach_user.verification_status is True
    assert (parent.role, coach_user.role, admin.role) == ("parent", "coach", "admin")
    assert child_user.first_name == "Mia"
    assert {"children", "addchild"} <= chat_menu(emulator, pat.id)
    assert "coachprofile" in chat_menu(emulator, cora.id)
    assert "pending" in chat_menu(emulator, ada.id)
    assert "pending" not in chat_menu(emulator, pat.id) | chat_menu(emulator, cora.id)
