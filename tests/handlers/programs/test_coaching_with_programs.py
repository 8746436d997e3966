"""A coach's side of programs in the chat: assigning one to an athlete they coach (free, and only
to them), and the Monday digest of who keeps up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.app import BotContext
from bot.jobs import send_program_digests
from bot.outbox import send_due_notifications
from domain.models import Notification
from domain.uow import UnitOfWork
from tests.factories import session_at
from tests.handlers.chat_steps import open_chats
from tests.handlers.programs.program_world import enrolments, program_cast, start_on


async def test_a_coach_assigns_a_program_to_an_athlete_they_coach_for_free(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await program_cast(emulator, uow, price="25.00")
    async with uow as tx:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
        tx.session.add(session_at(cast.world.coach, cast.world.child, start))
        await tx.commit()
    async with run_bot(emulator):
        await open_chats(cast.cora)
        await cast.cora.send("/assign")
        await cast.cora.expect_reply(contains="Which of your programs?")
        await cast.cora.press("Strength base")
        await cast.cora.expect_reply(contains="For which athlete?")
        # Kim, whom she coached; Lea (never coached) is not offered.
        await cast.cora.press("Kim")
        picked = await cast.cora.expect_reply(contains="From when?")
        labels = [b["text"] for row in picked["reply_markup"]["inline_keyboard"] for b in row]
        await cast.cora.press(next(label for label in labels if label.startswith("Tomorrow")))
        await cast.cora.expect_reply(contains="Enrolled in “Strength base”")
    (enrolment,) = await enrolments(uow)
    assert (enrolment.how, enrolment.athlete_id, enrolment.payment_id) == (
        "coach_assigned",
        cast.world.child.id,
        None,
    )


async def test_the_coach_gets_a_digest_per_program_on_monday_morning_once(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await program_cast(emulator, uow)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.ana)
        from tests.handlers.programs.test_following_a_program import enrol_today

        await enrol_today(application, cast.ana, cast.program_id)
        (enrolment,) = await enrolments(uow)
        await start_on(uow, enrolment.id, date(2026, 11, 23), time(7, 0))
        monday = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)  # 09:05 in Berlin
        context = BotContext(application)
        await send_program_digests(context, now=monday - timedelta(days=1))
        await send_program_digests(context, now=monday)
        await send_program_digests(context, now=monday + timedelta(minutes=15))
        await send_due_notifications(context, now=monday + timedelta(minutes=16))
        digest = await cast.cora.expect_reply(contains="Last week in “Strength base”")
    assert "(1 falling behind)" in digest["text"]
    assert "⚠️ Ana: 0 done, 0 partly, 0 skipped of 3" in digest["text"]
    async with uow as tx:
        rows = list(
            await tx.session.scalars(
                select(Notification).where(Notification.kind == "program_digest")
            )
        )
    assert len(rows) == 1
