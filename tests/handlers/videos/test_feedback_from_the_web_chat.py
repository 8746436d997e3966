"""A coach trying the bot in the emulator's web chat answers a video with feedback by Reply,
as in a Telegram app: the page's HTTP API carries the reply, the family gets the feedback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.factories import booking_world, session_at
from tests.handlers.chat_steps import open_chats
from tests.video_clips import make_random_mp4
from tests.video_steps import run_video_jobs


async def test_a_coachs_reply_in_the_web_chat_to_a_video_reaches_the_family_as_feedback(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, datetime.now(UTC) - timedelta(days=1)))
        await tx.commit()
    # A clip no decoder can read: quick, and its coach still gets it to watch and answer.
    clip = make_random_mp4(tmp_path / "clip.mp4")

    async with run_bot(emulator) as app, aiohttp.ClientSession(emulator.url) as web_chat:
        await open_chats(cora, pia)
        await pia.send_video(clip, caption="squat set 3")
        received = await pia.expect_reply(contains="Got Kim's video")
        await pia.press("Not from a session", received)
        await pia.expect("edit", contains="Kept without a session")
        await run_video_jobs(services)
        await send_due_notifications(BotContext(app))
        review = await cora.expect("message", contains="Reply to this message")

        async with web_chat.post(
            f"/api/people/{cora.id}/send",
            json={"text": "Keep your chest up", "reply_to_message_id": review["message_id"]},
        ) as response:
            assert response.status == 200, await response.text()
        await cora.expect_reply(contains="Feedback saved")
        await send_due_notifications(BotContext(app))
        feedback = await pia.expect("message", contains="Keep your chest up")

    assert "Cora Klein on Kim's video" in feedback["text"]
