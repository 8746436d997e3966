"""What an update costs the database: the acting user is one statement, loaded once.

Counted with SQLAlchemy's `before_cursor_execute` on the engine while a signed-up parent talks
to the real application through the emulator; only the statements of the task processing the
update count (the recurring jobs share the engine).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.factories import booking_world, session_at
from tests.handlers.chat_steps import open_chats
from tests.statements import of_updates, one_update, statements_sent

# The acting user's statement is the one that reads the relations only it reads.
ACTOR_MARK = "athlete_links"
# /schedule: the acting user, the ids of the sessions listed, then four per session listed
# (the session, its coach, the coach's user, its athletes).
SCHEDULE_WITH_ONE_SESSION = 6


async def test_help_from_a_signed_up_parent_is_one_statement_the_acting_user(
    emulator: Emulator, run_bot, uow: UnitOfWork, engine: AsyncEngine
) -> None:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with run_bot(emulator) as app:
        await open_chats(pia)
        with statements_sent(engine) as sent:
            async with one_update(app):
                await pia.send("/help")
        await pia.expect_reply(contains="/schedule")
    (only,) = of_updates(sent)
    assert ACTOR_MARK in only


async def test_schedule_loads_the_acting_user_once_and_stays_small(
    emulator: Emulator, run_bot, uow: UnitOfWork, engine: AsyncEngine
) -> None:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, start))
        await tx.commit()
    async with run_bot(emulator) as app:
        await open_chats(pia)
        with statements_sent(engine) as sent:
            async with one_update(app):
                await pia.send("/schedule")
        await pia.expect_reply(contains="Cora")
    statements = of_updates(sent)
    assert [ACTOR_MARK in sql for sql in statements].count(True) == 1
    assert ACTOR_MARK in statements[0]  # before any handler
    assert len(statements) <= SCHEDULE_WITH_ONE_SESSION
