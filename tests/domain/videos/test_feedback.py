"""A coach's reply to the message that showed them a video: feedback, stored and passed on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.errors import NotAllowed
from domain.models import Coach, Notification, User, VideoAnalysis
from domain.uow import UnitOfWork
from domain.videos.feedback import TEXT, VOICE, Feedback, give_feedback, remember_review
from tests.domain.videos.test_uploads import actor_of
from tests.factories import BookingWorld, booking_world, session_at

NOW = datetime.now(UTC)
CHAT, MESSAGE = 5551, 42


@pytest.fixture
async def shown(uow: UnitOfWork) -> tuple[BookingWorld, uuid.UUID]:
    """Kim's video, shown to Cora (her coach) in message 42 of Cora's chat."""
    world = await booking_world(uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, NOW - timedelta(days=1)))
        video = VideoAnalysis(
            athlete_id=world.child.id, video_url="videos/raw/x", status="analyzed"
        )
        tx.session.add(video)
        await tx.commit()
    await remember_review(
        uow,
        chat_id=CHAT,
        message_id=MESSAGE,
        video_id=video.id,
        coach_user_id=world.coach_user.id,
    )
    return world, video.id


async def test_text_and_voice_feedback_are_kept_in_order_and_queued_for_the_family(
    uow: UnitOfWork, shown: tuple[BookingWorld, uuid.UUID]
) -> None:
    world, video_id = shown
    cora = await actor_of(uow, world.coach_user)
    for feedback in (
        Feedback(TEXT, text="Chest up."),
        Feedback(VOICE, file_id="voice-1", duration=12),
        Feedback(TEXT, text="Better on set 2."),
    ):
        given = await give_feedback(
            uow,
            actor=cora,
            chat_id=CHAT,
            reply_to_message_id=MESSAGE,
            feedback=feedback,
            now=NOW,
        )
        assert given is not None and given.athlete_name == "Kim" and given.recipients == 1

    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id)
        kinds = list(await tx.session.scalars(select(Notification.kind)))
    assert video.coach_feedback == "Chest up.\n\nBetter on set 2."
    assert [(f["kind"], f["file_id"]) for f in video.feedback_media] == [
        ("text", None),
        ("voice", "voice-1"),
        ("text", None),
    ]
    assert kinds == ["video_feedback"] * 3  # to Pia, each time


async def test_a_reply_to_a_message_that_showed_no_video_is_not_feedback(
    uow: UnitOfWork, shown: tuple[BookingWorld, uuid.UUID]
) -> None:
    world, _ = shown
    given = await give_feedback(
        uow,
        actor=await actor_of(uow, world.coach_user),
        chat_id=CHAT,
        reply_to_message_id=MESSAGE + 1,
        feedback=Feedback(TEXT, text="?"),
        now=NOW,
    )
    assert given is None


async def test_another_coach_cannot_give_feedback_on_a_video_shown_to_someone_else(
    uow: UnitOfWork, shown: tuple[BookingWorld, uuid.UUID]
) -> None:
    _, video_id = shown
    async with uow as tx:
        bea = User(role="coach", first_name="Bea", telegram_user_id=777_001)
        tx.users.add(bea)
        await tx.flush()
        tx.coaches.add(Coach(user_id=bea.id, specializations=["tennis"]))
        await tx.commit()
    with pytest.raises(NotAllowed):
        # The update names Cora's chat and message: forged, since Telegram would never send it.
        await give_feedback(
            uow,
            actor=await actor_of(uow, bea),
            chat_id=CHAT,
            reply_to_message_id=MESSAGE,
            feedback=Feedback(TEXT, text="Nice!"),
            now=NOW,
        )
    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id)
    assert video.coach_feedback is None and video.feedback_media == []
