"""The outbox job through the emulator: due notifications reach people; blocks are remembered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import BotApplication, BotContext
from bot.emulator import Emulator
from bot.emulator.driver import EmulatedUser
from bot.outbox import send_due_notifications
from domain.models import Notification, User
from domain.people import BLOCKED
from domain.uow import UnitOfWork


async def _started_user(uow: UnitOfWork, person: EmulatedUser, language: str = "en") -> User:
    """The user row of someone who has written /start to the bot."""
    await person.send("/start")
    await person.expect_reply()
    async with uow:
        user = await uow.users.by_telegram_id(person.id)
        if user is None:
            user = uow.users.add(User(role="athlete", first_name="Ann", telegram_user_id=person.id))
        user.language_code = language
        await uow.commit()
    return user


async def _ping(uow: UnitOfWork, user: User, n: int, *, ago: timedelta) -> None:
    async with uow:
        await uow.outbox.enqueue(
            recipient_id=user.id,
            kind="test_ping",
            dedup_key=f"ping:{user.id}:{n}",
            payload={"n": n},
            due_at=datetime.now(UTC) - ago,
        )
        await uow.commit()


async def _run_job(application: BotApplication) -> None:
    await send_due_notifications(BotContext(application))


async def test_a_due_notification_reaches_its_recipient(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana", language_code="es")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana, language="es")
        await _ping(uow, user, 1, ago=timedelta(seconds=1))

        await _run_job(application)

        assert (await ana.expect_reply())["text"] == "Ping 1"
    async with uow:
        (row,) = (await uow.session.execute(select(Notification))).scalars().all()
    assert row.sent_at is not None and row.attempts == 1


async def test_a_blocked_recipient_is_marked_and_the_queue_goes_on_for_others(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ben, cleo = emulator.user("Ben"), emulator.user("Cleo")
    async with run_bot(emulator) as application:
        blocker = await _started_user(uow, ben)
        reader = await _started_user(uow, cleo)
        ben.block_bot()
        # Ben's notification is due first, so the sender meets the block before Cleo's.
        await _ping(uow, blocker, 1, ago=timedelta(minutes=2))
        await _ping(uow, reader, 2, ago=timedelta(minutes=1))

        await _run_job(application)

        assert (await cleo.expect_reply())["text"] == "Ping 2"
    async with uow:
        assert (await uow.users.get(blocker.id)).status == BLOCKED
        rows = (await uow.session.execute(select(Notification))).scalars().all()
    by_recipient = {row.recipient_id: row for row in rows}
    assert by_recipient[blocker.id].sent_at is None
    assert by_recipient[blocker.id].last_error.startswith("final:")
    assert by_recipient[reader.id].sent_at is not None
