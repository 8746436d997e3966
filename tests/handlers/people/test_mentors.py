"""Mentors in chat: a person signs up as a mentor, asks through a parent's contact, the parent
approves with videos; the child's video reaches the mentor, whose reply reaches the family. A
mentor the family did not allow videos gets nothing; a stranger's forged Approve is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import AthleteLink, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.factories import booking_world
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import open_chats
from tests.handlers.onboarding_flow import common_steps, press
from tests.video_clips import make_clip
from tests.video_steps import run_video_jobs

MENTOR = "🤝 Mentor"
NOT_AVAILABLE = "isn't available"


def button_data(message: dict[str, Any], label: str) -> str:
    return next(
        button["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"] == label
    )


async def mentor_links(uow: UnitOfWork) -> list[tuple[str, bool]]:
    async with uow as tx:
        rows = await tx.session.execute(
            select(User.first_name, AthleteLink.video_consent)
            .join(User, User.id == AthleteLink.user_id)
            .where(AthleteLink.relation == "mentor")
            .order_by(User.first_name)
        )
        return [(name, consent) for name, consent in rows]


@pytest.mark.slow
async def test_a_mentor_signs_up_is_approved_gets_the_video_and_their_feedback_reaches_the_family(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    nia, zoe = emulator.user("Nia", last_name="Ortiz"), emulator.user("Zoe")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with uow as tx:
        # Zoe mentors Kim too, but the family did not allow her the videos.
        zoe_user = tx.users.add(
            User(role="mentor", first_name="Zoe", telegram_user_id=zoe.id, telegram_chat_id=zoe.id)
        )
        await tx.flush()
        tx.session.add(
            AthleteLink(athlete_id=world.child.id, user_id=zoe_user.id, relation="mentor")
        )
        await tx.commit()
    clip = make_clip(tmp_path / "serve.mp4", reps=3, period_s=1.2, size=(320, 240))

    async with run_bot(emulator) as app:
        await open_chats(pia, omar, zoe)
        # Nia signs up as a mentor and asks through Pia's contact.
        await common_steps(nia, MENTOR)
        done = await press(nia, "Yes", "All set")
        assert "guardian approves" in done["text"]
        await press(nia, "🤝 Follow an athlete", "Whose mentor")
        await nia.send_contact(pia)
        await nia.expect_reply(contains="their family now has your request")

        await send_due_notifications(BotContext(app))
        request = await pia.expect("message", contains="Nia Ortiz asks to mentor your child")
        approve = button_data(request, "✅ Kim, with videos")

        # Omar, another family's parent, forges Pia's Approve: refused, nothing linked.
        await press_data(emulator, omar, omar.messages()[-1], approve)
        await omar.expect("callback_answer", contains=NOT_AVAILABLE)
        assert await mentor_links(uow) == [("Zoe", False)]

        await pia.press("✅ Kim, with videos", request)
        await pia.expect("edit", contains="Nia now mentors Kim and will be sent")
        assert await mentor_links(uow) == [("Nia", True), ("Zoe", False)]
        await send_due_notifications(BotContext(app))
        await nia.expect("message", contains="You now mentor Kim")

        # Pia sends Kim's video: analysed, and shown to Nia for feedback.
        await pia.send_video(clip, caption="serve")
        await pia.expect_reply(contains="Got Kim's video")
        await run_video_jobs(services)
        await send_due_notifications(BotContext(app))
        review = await nia.expect("message", contains="Reply to this message with your feedback")
        assert "video" in review and "serve" in review["caption"]

        # Nia's reply is feedback, and reaches the family as a coach's does.
        await nia.send("Lovely rhythm. Keep the elbow high.", reply_to=review)
        await nia.expect_reply(contains="Feedback saved")
        await send_due_notifications(BotContext(app))
        words = await pia.expect("message", contains="Keep the elbow high")
        assert "Nia Ortiz on Kim's video" in words["text"]

    # Zoe, not allowed the videos, was shown nothing of it.
    assert not any(
        "Kim" in (message.get("caption") or message.get("text") or "") for message in zoe.messages()
    )
    assert not any("video" in message for message in zoe.messages())


async def test_a_mentor_in_the_web_chat_attaches_the_parents_card_and_the_parent_is_asked(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    nia = emulator.user("Nia", last_name="Ortiz")
    await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))

    async with run_bot(emulator) as app, aiohttp.ClientSession(emulator.url) as web_chat:
        await open_chats(pia)
        await common_steps(nia, MENTOR)
        await press(nia, "Yes", "All set")
        await press(nia, "🤝 Follow an athlete", "Whose mentor")
        # The page's 📎 → Contact → Pia: Pia's card, as a Telegram app attaches it.
        async with web_chat.post(
            f"/api/people/{nia.id}/contact", json={"person_id": pia.id}
        ) as response:
            assert response.status == 200, await response.text()
        await nia.expect_reply(contains="their family now has your request")
        await send_due_notifications(BotContext(app))
        request = await pia.expect("message", contains="Nia Ortiz asks to mentor your child")

    assert button_data(request, "✅ Kim, with videos")


async def test_someone_who_is_not_a_mentor_is_told_how_mentors_join(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with run_bot(emulator):
        await open_chats(omar)
        await omar.send("/mentor")
        await omar.expect_reply(contains="is for mentors")


async def test_a_parent_turns_a_mentors_videos_on_from_children_and_a_forged_press_is_refused(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, pia, omar, zoe = (emulator.user(name) for name in ("Cora", "Pia", "Omar", "Zoe"))
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    async with uow as tx:
        zoe_user = tx.users.add(User(role="mentor", first_name="Zoe", telegram_user_id=zoe.id))
        await tx.flush()
        tx.session.add(
            AthleteLink(athlete_id=world.child.id, user_id=zoe_user.id, relation="mentor")
        )
        await tx.commit()

    async with run_bot(emulator):
        await open_chats(pia, omar)
        await pia.send("/children")
        children = await pia.expect_reply(contains="Kim")
        await pia.press("🤝 Kim's mentors", children)
        listing = await pia.expect("edit", contains="Kim's mentors")
        turn_on = button_data(listing, "🚫 Zoe: videos off")

        await press_data(emulator, omar, omar.messages()[-1], turn_on)
        await omar.expect("callback_answer", contains=NOT_AVAILABLE)
        assert await mentor_links(uow) == [("Zoe", False)]

        await pia.press("🚫 Zoe: videos off", listing)
        turned = await pia.expect("edit", contains="Kim's mentors")
        assert button_data(turned, "🎬 Zoe: videos on")
        assert await mentor_links(uow) == [("Zoe", True)]
