"""A training video about a program day, to the program's coach, through the emulator: from
the delivered workout's 🎥 button, the video flow (upload, queue, analysis) with the program's
author as its reviewer though she never coached the athlete, and her reply back as feedback;
a stranger's forged press is refused. (The 💬 note: test_following_a_program.)"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Notification, User, VideoAnalysis
from domain.uow import UnitOfWork
from handlers.programs.following_callbacks import VideoPress
from telegram_emulator import Emulator
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import open_chats
from tests.handlers.programs.program_world import (
    enrolments,
    program_cast,
    run_day,
    start_on,
)
from tests.handlers.programs.test_following_a_program import DAY, berlin, enrol_today
from tests.video_clips import make_clip
from tests.video_steps import run_video_jobs

START = date(2026, 3, 2)


async def _videos(uow: UnitOfWork) -> list[VideoAnalysis]:
    async with uow as tx:
        return list(await tx.session.scalars(select(VideoAnalysis)))


async def _chat_bound(uow: UnitOfWork, telegram_id: int) -> None:
    """As sign-up leaves it: her private chat bound, so she hears about her videos."""
    async with uow as tx:
        await tx.session.execute(
            update(User)
            .where(User.telegram_user_id == telegram_id)
            .values(telegram_chat_id=telegram_id)
        )
        await tx.commit()


@pytest.mark.slow
async def test_a_program_days_video_reaches_the_programs_coach_and_her_feedback_the_athlete(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    cast = await program_cast(emulator, uow)
    await _chat_bound(uow, cast.ana.id)
    clip = make_clip(tmp_path / "squat.mp4", reps=4, period_s=1.5, size=(320, 240))
    async with run_bot(emulator) as application:
        await open_chats(cast.ana, cast.cora)
        await enrol_today(application, cast.ana, cast.program_id)
        (enrolment,) = await enrolments(uow)
        await start_on(uow, enrolment.id, START, time(7, 0))
        await run_day(application, berlin(START, time(7, 0)))
        day = next(m for m in cast.ana.messages() if (m.get("text") or "").startswith(DAY))

        await cast.ana.press("🎥 Video to the coach", day)
        await cast.ana.expect_reply(contains="Send the training video for Cora")
        await cast.ana.send("here it comes")
        await cast.ana.expect_reply(contains="waiting for a video for Cora")
        await cast.ana.send_video(clip, caption="last set")
        await cast.ana.expect_reply(contains="Sent to Cora with week 1 day 1 of “Strength base”")
        (video,) = await _videos(uow)
        assert (video.program_enrolment_id, video.program_week, video.program_day) == (
            enrolment.id,
            1,
            1,
        )
        assert video.athlete_id == cast.ana_athlete and video.session_id is None

        await run_video_jobs(services)
        await send_due_notifications(BotContext(application))
        await cast.ana.expect("message", contains="Analysis of Ana's video")
        review = await cast.cora.expect("message", contains="Reply to this message")
        assert "video" in review
        assert "from “Strength base”, week 1 day 1" in review["caption"]
        assert "last set" in review["caption"]

        await cast.cora.send("Sit back more at the bottom.", reply_to=review)
        await cast.cora.expect_reply(contains="Feedback saved")
        await send_due_notifications(BotContext(application))
        feedback = await cast.ana.expect("message", contains="Sit back more at the bottom.")
        assert "Cora" in feedback["text"]
    (video,) = await _videos(uow)
    assert video.coach_feedback == "Sit back more at the bottom."


async def test_a_strangers_forged_video_press_is_refused_and_nothing_is_sent(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await program_cast(emulator, uow)
    async with run_bot(emulator) as application:
        await open_chats(cast.ana, cast.omar)
        await enrol_today(application, cast.ana, cast.program_id)
        (enrolment,) = await enrolments(uow)
        await start_on(uow, enrolment.id, START, time(7, 0))
        await run_day(application, berlin(START, time(7, 0)))

        # Omar, another family's parent, presses Ana's day's 🎥 data in his own chat.
        await cast.omar.send("/help")
        await cast.omar.expect_reply()
        forged = VideoPress(enrolment.id, 1, 1).pack()
        await press_data(emulator, cast.omar, cast.omar.messages()[-1], forged)
        refusal = await cast.omar.expect("callback_answer")
        assert "no está disponible" in (refusal.get("text") or "")
        # His next video is no program day's: the flow never started for him.
        await cast.omar.send_video(b"not a video at all", filename="clip.mp4")
        await cast.omar.expect_reply()
    assert [v for v in await _videos(uow) if v.program_enrolment_id is not None] == []
    async with uow as tx:
        kinds = set(await tx.session.scalars(select(Notification.kind)))
    assert "video_review" not in kinds
