"""Personal flows stay in private chats: in a group the bot answers one line with a link to
its private chat, and nothing is stored."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.models import Athlete, AthleteLink, AuditEntry, Invitation, User
from domain.uow import UnitOfWork
from handlers.people.callbacks import ChildAction, ChildPress
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.handlers.onboarding_flow import step
from tests.handlers.people.test_family import add_child, invite_link, parent_row


def _private_link(emulator: Emulator, payload: str | None = None) -> str:
    link = f"https://t.me/{emulator.bot.username}"
    return f"{link}?start={payload}" if payload else link


async def _user(uow: UnitOfWork, person: EmulatedUser) -> User | None:
    async with uow as tx:
        return await tx.users.by_telegram_id(person.id)


async def _count(uow: UnitOfWork, model: type) -> int:
    async with uow as tx:
        return await tx.session.scalar(select(func.count()).select_from(model)) or 0


async def _athlete_ids(uow: UnitOfWork) -> list[object]:
    async with uow as tx:
        return list(await tx.session.scalars(select(Athlete.id)))


async def test_an_invitation_opened_in_a_group_changes_nothing_then_works_in_private(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat, mia = emulator.user("Pat"), emulator.user("Mia")
    family_chat = emulator.group("Lopez family", [pat, mia])
    await parent_row(uow, pat)
    async with run_bot(emulator):
        await add_child(pat, "Mia", "2014-05-01", "Tennis")
        await pat.send("/children")
        await pat.expect_reply(contains="Your children")
        token = await invite_link(pat, "Invite Mia")

        await mia.send(f"/start inv-{token}", chat=family_chat)
        pointed = await mia.expect_reply(chat=family_chat)
        audit_rows = await _count(uow, AuditEntry)

        await mia.send(f"/start inv-{token}")
        await mia.expect_reply(contains="Welcome, Mia")
        await pat.expect_reply(contains="Mia now uses SportsCenter from their own Telegram")
    link = _private_link(emulator, f"inv-{token}")
    assert pointed["text"] == f"Let's talk in private, where only you see it: {link}"
    assert audit_rows == await _count(uow, AuditEntry) - 1  # only the acceptance came after
    mia_user = await _user(uow, mia)
    assert mia_user is not None and mia_user.telegram_chat_id == mia.id
    assert [m["text"] for m in mia.messages(chat=family_chat)][-1] == pointed["text"]


async def test_addchild_and_quiet_in_a_group_answer_with_the_link_and_store_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat", language_code="es")
    team = emulator.group("Team", [pat])
    await parent_row(uow, pat)
    async with run_bot(emulator) as app:
        await pat.send("/addchild", chat=team)
        addchild = await pat.expect_reply(chat=team)
        await pat.send(f"/quiet@{emulator.bot.username} 22:00-07:30", chat=team)
        quiet = await pat.expect_reply(chat=team)
        await pat.send("/quiet")
        await step(pat, "Horas de silencio")
    spanish = f"Hablemos en privado, donde solo tú lo ves: {_private_link(emulator)}"
    assert addchild["text"] == quiet["text"] == spanish
    assert len(pat.messages(chat=team)) == 4  # two commands, one line each
    user = await _user(uow, pat)
    assert user is not None and (user.quiet_from, user.quiet_until) == (time(21), time(7))
    assert user.telegram_chat_id == pat.id
    assert "new_child" not in app.user_data[pat.id]  # no child draft was started


async def test_a_personal_button_pressed_in_a_group_only_points_to_the_private_chat(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    team = emulator.group("Team", [pat])
    await parent_row(uow, pat)
    async with run_bot(emulator) as app:
        await add_child(pat, "Mia", "2014-05-01", "Tennis")
        [mia_id] = await _athlete_ids(uow)
        # A family button left in a group, as the bot could post before private chats were kept.
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "Invite Mia", callback_data=ChildPress(ChildAction.INVITE, mia_id).pack()
                    )
                ]
            ]
        )
        await app.bot.send_message(team.id, "Your children: Mia", reply_markup=keyboard)
        await pat.press("Invite Mia", chat=team)
        answer = await pat.expect("callback_answer", chat=team)
    assert (
        answer["text"] == f"Let's talk in private, where only you see it: {_private_link(emulator)}"
    )
    assert answer["show_alert"] is True
    assert await _count(uow, Invitation) == 0 and await _count(uow, AthleteLink) == 0
    assert len(pat.messages(chat=team)) == 1


async def test_a_command_for_another_bot_in_the_group_is_not_answered(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pat = emulator.user("Pat")
    team = emulator.group("Team", [pat])
    async with run_bot(emulator):
        await pat.send("/start@OtherBot", chat=team)
        await pat.send("/help", chat=team)
        answer = await pat.expect_reply(chat=team)
    assert answer["text"].endswith(_private_link(emulator))
    assert [m["text"] for m in pat.messages(chat=team)] == [
        "/start@OtherBot",
        "/help",
        answer["text"],
    ]
