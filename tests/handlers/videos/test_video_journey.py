"""The issue's journey in chat: a parent sends a clip of their child, links it to the session,
the worker analyses it, the family gets the analysis and the coach the video; the coach replies
with feedback (words, then a voice message) and the family gets it. Another coach sees nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Coach, User, VideoAnalysis, VideoReviewMessage
from domain.uow import UnitOfWork
from domain.videos.media.probe import probe
from handlers.videos.callbacks import VideoShow
from telegram_emulator import Emulator
from tests.factories import booking_world, session_at
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import open_chats
from tests.video_clips import make_clip
from tests.video_steps import run_video_jobs

REPS = 6


async def _other_coach(uow: UnitOfWork, telegram_id: int) -> None:
    async with uow as tx:
        bea = tx.users.add(
            User(
                role="coach",
                first_name="Bea",
                telegram_user_id=telegram_id,
                verification_status=True,
            )
        )
        await tx.flush()
        tx.coaches.add(Coach(user_id=bea.id, specializations=["tennis"]))
        await tx.commit()


async def _video(uow: UnitOfWork) -> VideoAnalysis:
    async with uow as tx:
        return (await tx.session.scalars(select(VideoAnalysis))).one()


@pytest.mark.slow
async def test_a_clip_is_analysed_shown_to_its_coach_and_the_coachs_feedback_reaches_the_family(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    cora, pia, omar, bea = (emulator.user(name) for name in ("Cora", "Pia", "Omar", "Bea"))
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    await _other_coach(uow, bea.id)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, datetime.now(UTC) - timedelta(days=2)))
        await tx.commit()
    clip = make_clip(tmp_path / "squat.mp4", reps=REPS, period_s=1.5, size=(320, 240))

    async with run_bot(emulator) as app:
        await open_chats(cora, pia, bea)
        # The parent sends the clip; Kim is Pia's only child, so no "whose?" question.
        await pia.send_video(clip, caption="squat set 3")
        received = await pia.expect_reply(contains="Got Kim's video")
        assert "squat set 3" in received["text"]
        session_button = next(
            button["text"]
            for row in received["reply_markup"]["inline_keyboard"]
            for button in row
            if button["text"].startswith("🔗")
        )
        await pia.press(session_button, received)
        linked = await pia.expect("edit", contains="Linked to that session")
        assert linked["text"].startswith("✅ Got Kim's video")

        video = await _video(uow)
        assert video.status == "uploaded" and video.session_id is not None
        assert (
            (await services.video_status.statuses([video.id])).get(video.id)
        ).status == "uploaded"
        assert await services.storage.exists(video.video_url)

        # A worker takes the job (in-process here; `sportscenter worker` runs the same code).
        await run_video_jobs(services)
        video = await _video(uow)
        assert video.status == "analyzed"
        assert (
            (await services.video_status.statuses([video.id])).get(video.id)
        ).status == "analyzed"
        assert abs(video.analysis_results["motion"]["reps"] - REPS) <= 1
        rendition = tmp_path / "rendition.mp4"
        await services.storage.download_to(video.processed_url, rendition)
        info = probe(rendition, max_duration_s=600)
        assert info.codec == "h264" and info.height <= 720
        assert (await services.storage.read_bytes(video.thumbnail_url))[:2] == b"\xff\xd8"

        # The family gets the thumbnail and chart with the analysis; the coach the video.
        await send_due_notifications(BotContext(app))
        analysis = await pia.expect("message", contains="Analysis of Kim's video")
        assert "photo" in analysis and "Repetitions:" in analysis["caption"]
        chart = await pia.expect("message")
        assert "photo" in chart and chart.get("media_group_id") == analysis.get("media_group_id")
        review = await cora.expect("message", contains="Reply to this message with your feedback")
        assert "video" in review and "squat set 3" in review["caption"]

        # The coach replies in words, then by voice: both reach the family.
        await cora.send("Great depth. Keep your chest up on the way down.", reply_to=review)
        await cora.expect_reply(contains="Feedback saved")
        await send_due_notifications(BotContext(app))
        words = await pia.expect("message", contains="Keep your chest up")
        assert "Cora Klein on Kim's video" in words["text"]
        await cora.send_voice(b"OggS" + bytes(2000), reply_to=review)
        await cora.expect_reply(contains="Feedback saved")
        await send_due_notifications(BotContext(app))
        voice = await pia.expect("message", contains="Cora Klein on Kim's video")
        assert "voice" in voice
        # A video reply is feedback too (a demonstration), not a new upload.
        await cora.send_video(clip, caption="Watch my hips", reply_to=review)
        await cora.expect_reply(contains="Feedback saved")
        await send_due_notifications(BotContext(app))
        demo = await pia.expect("message", contains="Cora Klein on Kim's video")
        assert "video" in demo and "Watch my hips" in demo["caption"]
        video = await _video(uow)
        assert video.coach_feedback == "Great depth. Keep your chest up on the way down."
        assert [entry["kind"] for entry in video.feedback_media] == ["text", "voice", "video"]

        # The family's /videos lists it with its analysis and the feedback.
        await pia.send("/videos")
        listing = await pia.expect_reply(contains="Training videos")
        assert f"{REPS} reps" in listing["text"] or "reps" in listing["text"]
        assert "feedback" in listing["text"]

        # Another coach: nothing listed, a forged "show" button refused, no review of theirs.
        await bea.send("/videos")
        await bea.expect_reply(contains="No training videos yet")
        await press_data(emulator, bea, bea.messages()[-1], VideoShow(video.id).pack())
        assert not any("Kim" in (m.get("caption") or m.get("text") or "") for m in bea.messages())
        async with uow as tx:
            reviewers = set(await tx.session.scalars(select(VideoReviewMessage.coach_user_id)))
        assert reviewers == {world.coach_user.id}
