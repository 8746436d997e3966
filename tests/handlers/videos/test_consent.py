"""Minors' consent before their videos are stored or shown to a coach (issue 18, item 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Athlete, AuditEntry, User, VideoAnalysis, VideoConsent
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.factories import booking_world, session_at
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import forged_data, open_chats
from tests.video_clips import make_clip


async def videos(uow: UnitOfWork) -> list[VideoAnalysis]:
    async with uow as tx:
        return list(await tx.session.scalars(select(VideoAnalysis)))


async def audit_actions(uow: UnitOfWork) -> list[str]:
    async with uow as tx:
        return list(await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def a_family_with_a_minor(emulator: Emulator, uow: UnitOfWork, services, *, age: int):
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    today = datetime.now(UTC).date()
    born = date(today.year - age, 1, 1) if age < 18 else date(today.year - age - 1, 1, 1)
    async with uow as tx:
        kim = await tx.session.get(User, world.child_user.id)
        assert kim is not None
        kim.date_of_birth_encrypted = services.secrets.encrypt_date(born)
        # Cora coached Kim yesterday: she would be sent Kim's videos.
        tx.sessions.add(session_at(world.coach, world.child, datetime.now(UTC) - timedelta(days=1)))
        await tx.commit()
    return world, cora, pia, omar


async def test_a_minors_video_without_consent_is_refused_nothing_stored_and_guardian_asked(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    world, _, pia, omar = await a_family_with_a_minor(emulator, uow, services, age=12)
    clip = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator) as app:
        await open_chats(pia, omar)
        await pia.send_video(clip)
        refusal = await pia.expect_reply(contains="consent")
        await send_due_notifications(BotContext(app))
        ask = await pia.expect("message", contains="guardian's consent is needed")
    assert "was not kept" in refusal["text"] and "send the video again" in refusal["text"]
    assert await videos(uow) == []
    raw = tmp_path / "media" / "videos" / "raw"
    assert not raw.exists() or not any(path.is_file() for path in raw.rglob("*"))
    [[button]] = ask["reply_markup"]["inline_keyboard"]
    assert button["text"] == "✅ I consent"
    assert "video.refused_no_consent" in await audit_actions(uow)
    assert world.child.id is not None


async def test_with_a_guardians_consent_the_video_is_taken_and_who_gave_it_is_on_record(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    world, _, pia, _ = await a_family_with_a_minor(emulator, uow, services, age=12)
    clip = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator) as app:
        await open_chats(pia)
        await pia.send_video(clip)
        await pia.expect_reply(contains="consent")
        await send_due_notifications(BotContext(app))
        ask = await pia.expect("message", contains="guardian's consent is needed")
        await pia.press("✅ I consent", ask)
        answer = await pia.expect("callback_answer")
        shown = await pia.expect("edit", contains="consent given by Pia")
        await pia.send_video(clip)
        await pia.expect_reply(contains="Got Kim's video")
    assert "Consent recorded for Kim" in answer["text"]
    assert "Revoke for Kim" in shown["reply_markup"]["inline_keyboard"][0][0]["text"]
    async with uow as tx:
        consent = await tx.session.get(VideoConsent, world.child.id)
    assert consent is not None and consent.given_by == world.parent.id
    assert consent.given_at is not None and consent.revoked_at is None
    assert len(await videos(uow)) == 1
    assert "video_consent.given" in await audit_actions(uow)


async def test_revoked_consent_refuses_new_videos_and_hides_stored_ones_from_the_coach(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    world, cora, pia, _ = await a_family_with_a_minor(emulator, uow, services, age=15)
    async with uow as tx:
        tx.session.add(
            VideoConsent(
                athlete_id=world.child.id, given_by=world.parent.id, given_at=datetime.now(UTC)
            )
        )
        await tx.commit()
    clip = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(cora, pia)
        await pia.send_video(clip, caption="drill")
        await pia.expect_reply(contains="Got Kim's video")
        await cora.send("/videos")
        await cora.expect_reply(contains="Kim (“drill”)")
        await pia.send("/consent")
        screen = await pia.expect_reply(contains="consent given by Pia")
        await pia.press("🚫 Revoke for Kim", screen)
        await pia.expect("edit", contains="consent revoked by Pia")
        await pia.send_video(clip)
        await pia.expect_reply(contains="was not kept")
        await cora.send("/videos")
        hidden = await cora.expect_reply()
        await pia.send("/videos")
        family = await pia.expect_reply(contains="Training videos")
    assert "Kim" not in hidden["text"]
    assert "Kim (“drill”)" in family["text"]
    assert len(await videos(uow)) == 1
    async with uow as tx:
        consent = await tx.session.get(VideoConsent, world.child.id)
    assert consent is not None and consent.revoked_by == world.parent.id
    assert "video_consent.revoked" in await audit_actions(uow)


async def test_an_athlete_of_18_needs_no_consent(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    _, _, pia, _ = await a_family_with_a_minor(emulator, uow, services, age=18)
    clip = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(pia)
        await pia.send_video(clip)
        await pia.expect_reply(contains="Got Kim's video")
        await pia.send("/consent")
        screen = await pia.expect_reply(contains="not under 18")
    assert screen.get("reply_markup") is None


async def test_only_a_guardian_can_consent_and_a_forged_press_changes_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    world, _, pia, omar = await a_family_with_a_minor(emulator, uow, services, age=12)
    async with run_bot(emulator):
        await open_chats(pia, omar)
        await omar.send("/consent")
        screen = await omar.expect_reply(contains="Consent to training videos")
        await press_data(emulator, omar, screen, forged_data("vcs", "give", world.child.id))
        answer = await omar.expect("callback_answer")
    assert "isn't available" in answer["text"]
    async with uow as tx:
        assert await tx.session.get(VideoConsent, world.child.id) is None


async def test_a_minor_with_no_guardian_here_is_told_to_ask_one(
    emulator: Emulator, run_bot, uow: UnitOfWork, services, tmp_path: Path
) -> None:
    ari = emulator.user("Ari")
    today = datetime.now(UTC).date()
    async with uow as tx:
        user = tx.users.add(
            User(
                role="athlete",
                first_name="Ari",
                telegram_user_id=ari.id,
                date_of_birth_encrypted=services.secrets.encrypt_date(date(today.year - 15, 1, 1)),
            )
        )
        await tx.flush()
        tx.athletes.add(Athlete(user_id=user.id, primary_sport="athletics"))
        await tx.commit()
    clip = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0)
    async with run_bot(emulator):
        await open_chats(ari)
        await ari.send_video(clip)
        refusal = await ari.expect_reply(contains="consent")
    assert "ask a parent or guardian to sign up" in refusal["text"]
    assert await videos(uow) == []
