"""Sending videos in chat: sizes, kinds, whose video, who may send, forged buttons, failures.

The happy path end to end is tests/handlers/test_video_journey.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from bot.video_worker import chart_words
from domain.models import Athlete, User, VideoAnalysis
from domain.uow import UnitOfWork
from domain.videos.processing import video_jobs
from telegram_emulator import Emulator
from tests.factories import BookingWorld, booking_world, session_at
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import forged_data, open_chats
from tests.video_clips import make_clip, make_pdf_named_mp4, make_random_mp4
from tests.video_steps import run_video_jobs

MB = 1024 * 1024
# An MP4 signature and then nothing a decoder could use: big enough to test limits cheaply.
FAKE_MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


async def videos(uow: UnitOfWork) -> list[VideoAnalysis]:
    async with uow as tx:
        return list(await tx.session.scalars(select(VideoAnalysis)))


async def cast(emulator: Emulator, uow: UnitOfWork) -> tuple[BookingWorld, ...]:
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    return world, cora, pia, omar


async def test_a_video_over_20_mb_is_refused_with_the_reason_before_any_download(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    _, _, pia, _ = await cast(emulator, uow)
    async with run_bot(emulator):
        await open_chats(pia)
        await pia.send_video(FAKE_MP4_HEAD + bytes(21 * MB), filename="match.mp4")
        reply = await pia.expect_reply(contains="MB")
    assert "21.0 MB" in reply["text"] and "up to 20 MB" in reply["text"]
    assert await videos(uow) == []


async def test_with_a_local_bot_api_server_a_large_video_is_taken(
    run_bot, uow: UnitOfWork, services
) -> None:
    async with Emulator(limits=False, local_mode=True) as emulator:
        _, _, pia, _ = await cast(emulator, uow)
        services.telegram_local_mode = True
        async with run_bot(emulator):
            await open_chats(pia)
            await pia.send_video(FAKE_MP4_HEAD + bytes(21 * MB), filename="match.mp4")
            await pia.expect_reply(contains="Got Kim's video", timeout=20)
    [video] = await videos(uow)
    assert await services.storage.size(video.video_url) == len(FAKE_MP4_HEAD) + 21 * MB


async def test_a_pdf_renamed_to_mp4_is_refused_politely_and_nothing_is_kept(
    emulator: Emulator, run_bot, uow: UnitOfWork, tmp_path: Path
) -> None:
    _, _, pia, _ = await cast(emulator, uow)
    pdf = make_pdf_named_mp4(tmp_path / "squat.mp4")
    async with run_bot(emulator):
        await open_chats(pia)
        await pia.send_document(pdf, filename="squat.mp4")
        await pia.expect_reply(contains="doesn't look like a video")
    assert await videos(uow) == []


async def test_a_parent_of_two_is_asked_whose_video_it_is(
    emulator: Emulator, run_bot, uow: UnitOfWork, tmp_path: Path
) -> None:
    world, _, pia, _ = await cast(emulator, uow)
    async with uow as tx:
        ben = tx.users.add(User(role="athlete", first_name="Ben"))
        await tx.flush()
        tx.athletes.add(Athlete(user_id=ben.id, parent_id=world.parent.id, primary_sport="tennis"))
        await tx.commit()
    clip = make_clip(tmp_path / "serve.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(pia)
        await pia.send_video(clip, caption="serve")
        question = await pia.expect_reply(contains="Whose training video")
        await pia.press("Kim", question)
        await pia.expect("edit", contains="Receiving")
        await pia.expect_reply(contains="Got Kim's video (“serve”)")
    [video] = await videos(uow)
    assert video.athlete_id == world.child.id and video.uploaded_by == world.parent.id


async def test_a_parent_acting_for_a_child_is_not_asked_whose_video_it_is(
    emulator: Emulator, run_bot, uow: UnitOfWork, tmp_path: Path
) -> None:
    world, _, pia, _ = await cast(emulator, uow)
    async with uow as tx:
        ben = tx.users.add(User(role="athlete", first_name="Ben"))
        await tx.flush()
        tx.athletes.add(Athlete(user_id=ben.id, parent_id=world.parent.id, primary_sport="tennis"))
        await tx.commit()
    clip = make_clip(tmp_path / "serve.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(pia)
        await pia.send("/children")
        await pia.expect_reply(contains="Your children")
        await pia.press("Act for Kim")
        await pia.expect_reply(contains="acting for Kim")
        await pia.send_video(clip, caption="serve")
        await pia.expect_reply(contains="Got Kim's video (“serve”)")
    [video] = await videos(uow)
    assert video.athlete_id == world.child.id and video.uploaded_by == world.parent.id


async def test_an_athletes_video_note_and_animation_are_taken_as_videos(
    emulator: Emulator, run_bot, uow: UnitOfWork, tmp_path: Path
) -> None:
    ari = emulator.user("Ari")
    async with uow as tx:
        user = tx.users.add(User(role="athlete", first_name="Ari", telegram_user_id=ari.id))
        await tx.flush()
        tx.athletes.add(Athlete(user_id=user.id, primary_sport="athletics"))
        await tx.commit()
    note = make_clip(tmp_path / "note.mp4", reps=2, period_s=1.0, size=(240, 240))
    gif_like = make_clip(tmp_path / "anim.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(ari)
        await ari.send_video_note(note)
        await ari.expect_reply(contains="Got Ari's video")
        await ari.send_animation(gif_like)
        await ari.expect_reply(contains="Got Ari's video")
    assert sorted(video.media_kind for video in await videos(uow)) == ["animation", "video_note"]


async def test_a_coach_sending_a_video_hears_who_sends_them_and_a_pdf_is_no_video_matter(
    emulator: Emulator, run_bot, uow: UnitOfWork, tmp_path: Path
) -> None:
    _, cora, _, _ = await cast(emulator, uow)
    clip = make_clip(tmp_path / "demo.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(cora)
        await cora.send_video(clip)
        await cora.expect_reply(contains="sent by athletes and parents")
        await cora.send_document(make_pdf_named_mp4(tmp_path / "plan.pdf"), filename="plan.pdf")
        await cora.expect_reply(contains="I wasn't expecting that here")
    assert await videos(uow) == []


async def test_forged_link_and_show_buttons_are_refused_and_change_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork, tmp_path: Path
) -> None:
    world, _, pia, omar = await cast(emulator, uow)
    async with uow as tx:
        others = session_at(world.coach, world.other_child, datetime.now(UTC) - timedelta(days=1))
        tx.sessions.add(others)
        await tx.commit()
    clip = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(pia, omar)
        await pia.send_video(clip)
        received = await pia.expect_reply(contains="Got Kim's video")
        [video] = await videos(uow)
        # Omar links Kim's video; Pia links it to Lea's session; Omar asks to see it.
        for person, data in (
            (omar, forged_data("vid", "ln", video.id, "-")),
            (pia, forged_data("vid", "ln", video.id, others.id)),
            (omar, forged_data("vid", "sh", video.id)),
        ):
            await press_data(emulator, person, received, data)
            answer = await person.expect("callback_answer")
            assert "isn't available" in answer["text"]
    [after] = await videos(uow)
    assert after.session_id is None


async def test_a_video_that_cannot_be_decoded_is_explained_to_the_family(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    _, _, pia, _ = await cast(emulator, uow)
    bad = make_random_mp4(tmp_path / "broken.mp4")
    async with run_bot(emulator) as app:
        await open_chats(pia)
        await pia.send_video(bad)
        await pia.expect_reply(contains="Got Kim's video")
        await run_video_jobs(services)
        await send_due_notifications(BotContext(app))
        failed = await pia.expect("message", contains="couldn't analyse Kim's video")
    assert "could not be decoded" in failed["text"] and "kept" in failed["text"]
    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(VideoAnalysis)) == 1


async def test_videos_shows_a_video_in_flight_as_the_status_mirror_has_it(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    _, _, pia, _ = await cast(emulator, uow)
    clip = make_clip(tmp_path / "c.mp4", reps=3, period_s=1.0)
    real_job, _ = video_jobs(services, max_duration_s=600, chart_words=chart_words)
    seen: list[tuple[str, str]] = []  # (what /videos said, the clock time the mirror holds)

    async def listing() -> str:
        await pia.send("/videos")
        return (await pia.expect_reply(contains="Training videos"))["text"]

    async def first_fails_second_works(video_id: uuid.UUID, attempt: int) -> None:
        # What the real job mirrors as it starts; the row still says "uploaded".
        await services.video_status.set(video_id, "processing")
        mirrored = (await services.video_status.statuses([video_id])).get(video_id)
        assert mirrored is not None and mirrored.updated_at is not None
        seen.append((await listing(), f"since {mirrored.updated_at:%H:%M}"))  # Pia lives in UTC
        if attempt == 1:
            raise RuntimeError("this attempt fails")
        await real_job(video_id, attempt)

    async with run_bot(emulator):
        await open_chats(pia)
        await pia.send_video(clip, caption="drill")
        await pia.expect_reply(contains="Got Kim's video")
        queued = await listing()
        await run_video_jobs(services, handle=first_fails_second_works)
        done = await listing()

    (first, first_since), (second, second_since) = seen
    # Without the mirror each would read "waiting for analysis": the row still says "uploaded".
    assert "Kim (“drill”)" in queued and "⏳ queued for analysis" in queued
    assert f"⚙️ being analysed {first_since}" in first and "attempt" not in first
    assert f"🔁 being analysed again {second_since} (attempt 2)" in second
    assert "3 reps" in done and "analysis" not in done


async def test_on_s3_a_coach_lists_their_athletes_videos_and_gets_one_with_an_expiring_link(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, s3_storage, tmp_path: Path
) -> None:
    world, cora, pia, _ = await cast(emulator, uow)
    services.storage = s3_storage
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, datetime.now(UTC) - timedelta(days=1)))
        await tx.commit()
    clip = make_clip(tmp_path / "c.mp4", reps=3, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(cora, pia)
        await pia.send_video(clip, caption="drill")
        await pia.expect_reply(contains="Got Kim's video")
        await run_video_jobs(services)
        await cora.send("/videos")
        listing = await cora.expect_reply(contains="Training videos")
        assert "Kim (“drill”)" in listing["text"] and "3 reps" in listing["text"]
        button = listing["reply_markup"]["inline_keyboard"][0][0]["text"]
        await cora.press(button, listing)
        shown = await cora.expect("message", contains="Kim's video")
    assert "video" in shown
    [[download]] = shown["reply_markup"]["inline_keyboard"]
    assert "X-Amz-Expires=3600" in download["url"]
    [video] = await videos(uow)
    assert video.processed_url and await s3_storage.exists(video.processed_url)


async def test_when_telegram_no_longer_knows_the_file_the_coach_gets_the_stored_rendition(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    world, cora, pia, _ = await cast(emulator, uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, datetime.now(UTC) - timedelta(days=1)))
        await tx.commit()
    clip = make_clip(tmp_path / "c.mp4", reps=3, period_s=1.0)
    async with run_bot(emulator) as app:
        await open_chats(cora, pia)
        await pia.send_video(clip)
        received = await pia.expect_reply(contains="Got Kim's video")
        await pia.press("Not from a session", received)
        await pia.expect("edit", contains="Kept without a session")
        [video] = await videos(uow)
        async with uow as tx:
            # As after a bot token change: file ids belong to the bot that received them.
            (await tx.session.get(VideoAnalysis, video.id)).telegram_file_id = "EMUforgotten"
            await tx.commit()
        await run_video_jobs(services)
        await send_due_notifications(BotContext(app))
        review = await cora.expect("message", contains="Reply to this message")
    assert "video" in review
    [video] = await videos(uow)
    stored = await services.storage.read_bytes(video.processed_url)
    assert review["video"]["file_size"] == len(stored)


async def test_a_video_telegram_refuses_to_hand_over_as_too_big_gets_the_size_explanation(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    _, _, pia, _ = await cast(emulator, uow)
    stored = emulator.world.save_file(
        FAKE_MP4_HEAD + bytes(21 * MB), file_name="match.mp4", mime_type="video/mp4"
    )
    async with run_bot(emulator):
        await open_chats(pia)
        # Some clients leave file_size out: then only getFile tells the file is too big.
        await emulator.bot.push_update(
            "message",
            {
                "message_id": pia.messages()[-1]["message_id"] + 1,
                "from": pia.person.as_user(),
                "chat": {"id": pia.id, "type": "private", "first_name": "Pia"},
                "date": emulator.world.now(),
                "video": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 640,
                    "height": 360,
                    "duration": 90,
                },
            },
        )
        reply = await pia.expect_reply(contains="20 MB")
    assert "larger than the 20 MB" in reply["text"]
    assert await videos(uow) == []
