"""/mydata and /deleteme through the emulator with the real application: the ZIP of a
parent's and their child's data, a suspended person's export, a deletion withdrawn by /start,
and the erasure after the grace (on a frozen clock) of a parent with a child only they guard
and a child they share with another guardian."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from bot.app import BotContext
from bot.jobs import erase_people_due
from bot.outbox import send_due_notifications
from bot.wiring import Services
from domain.adapters.storage import raw_video_key
from domain.models import (
    Athlete,
    AthleteLink,
    AuditEntry,
    ErasureRequest,
    Payment,
    PerformanceMetric,
    TrainingSession,
    User,
    VideoAnalysis,
)
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.factories import BookingWorld, booking_world, session_at
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import forged_data, open_chats
from tests.handlers.coaching.coach_steps import sign_up

CLIP = b"\x00\x00\x00\x18ftypmp42" + b"v" * 2048
ERASE, KEEP = "🗑 Delete in 7 days", "Keep my account"


async def family(emulator: Emulator, uow: UnitOfWork, services: Services):
    """Cora coaches Kim (Pia's child only): a past paid session, one ahead, two values (one
    typed as a formula), a video in storage; Omar is Lea's parent."""
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    now = datetime.now(UTC)
    video_id = uuid.uuid4()
    key = raw_video_key(world.parent.id, video_id, "clip.mp4")
    await services.storage.put(key, CLIP, content_type="video/mp4")
    async with uow as tx:
        past = tx.sessions.add(session_at(world.coach, world.child, now - timedelta(days=3)))
        tx.sessions.add(
            session_at(
                world.coach, world.child, now + timedelta(days=10), booked_by=world.parent.id
            )
        )
        await tx.flush()
        tx.payments.add(
            Payment(payer_id=world.parent.id, recipient_id=world.coach_user.id,
                    amount=Decimal("40.00"), currency="EUR", status="completed",
                    payment_type="session", session_id=past.id, transaction_id="tg-1")
        )  # fmt: skip
        for days, value, note in ((2, "5.4", "windy"), (1, "5.2", '=HYPERLINK("x")')):
            tx.metrics.add(
                PerformanceMetric(athlete_id=world.child.id, metric_type="sprint_40m",
                                  value={"value": value, "unit": "s"}, metric_value=Decimal(value),
                                  unit="s", notes=note, recorded_at=now - timedelta(days=days))
            )  # fmt: skip
        tx.session.add(
            VideoAnalysis(id=video_id, athlete_id=world.child.id, video_url=key,
                          uploaded_by=world.parent.id, status="analyzed",
                          coach_feedback="Good depth")
        )  # fmt: skip
        await tx.commit()
    return world, cora, pia, omar, key


def unzip(emulator: Emulator, message: dict) -> zipfile.ZipFile:
    path = emulator.world.files[message["document"]["file_id"]].path
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


async def test_a_parent_gets_a_zip_of_their_and_their_childs_data_with_the_video_inside(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    world, _, pia, _, _ = await family(emulator, uow, services)
    async with run_bot(emulator):
        await open_chats(pia)
        await pia.send("/mydata")
        await pia.expect_reply(contains="Putting your data together")
        sent = await pia.expect("message", contains="Videos inside: 1", timeout=15)

    archive = unzip(emulator, sent)
    names = set(archive.namelist())
    parts = ("profile", "athletes", "sessions", "payments", "metrics", "videos", "feedback")
    for part in (*parts, "video_consents"):
        assert {f"{part}.json", f"{part}.csv"} <= names
    assert archive.read(f"videos/{json.loads(archive.read('videos.json'))[0]['id']}.mp4") == CLIP
    profile = json.loads(archive.read("profile.json"))
    assert {row["first_name"] for row in profile} == {"Pia", "Kim"}
    assert all("password_hash" not in row for row in profile)
    metrics = list(csv.DictReader(io.StringIO(archive.read("metrics.csv").decode())))
    assert [row["notes"] for row in metrics] == ["windy", '\'=HYPERLINK("x")']
    assert len(json.loads(archive.read("sessions.json"))) == 2
    assert json.loads(archive.read("videos.json"))[0]["coach_feedback"] == "Good depth"
    # Nothing of Lea, Omar's child, is in Pia's file.
    assert str(world.other_child.id) not in archive.read("athletes.json").decode()


async def test_a_suspended_parent_still_gets_their_data_but_can_do_nothing_else(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    world, _, pia, _, _ = await family(emulator, uow, services)
    async with run_bot(emulator):
        await open_chats(pia)
        async with uow as tx:
            await tx.session.execute(
                update(User).where(User.id == world.parent.id).values(status="suspended")
            )
            await tx.commit()
        await pia.send("/book")
        await pia.expect_reply(contains="paused")
        await pia.send("/mydata")
        sent = await pia.expect("message", contains="Your data", timeout=15)
        await pia.send("/deleteme")
        await pia.expect_reply(contains="paused")

    assert "metrics.csv" in unzip(emulator, sent).namelist()


async def test_start_within_the_grace_withdraws_the_deletion_and_the_job_erases_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    world, _, pia, _, _ = await family(emulator, uow, services)
    async with run_bot(emulator) as application:
        await open_chats(pia)
        await pia.send("/deleteme")
        question = await pia.expect_reply(contains="Delete your account?")
        await pia.press(KEEP, question)
        await pia.expect("edit", contains="Nothing changes")
        await pia.send("/deleteme")
        question = await pia.expect_reply(contains="Delete your account?")
        await pia.press(ERASE, question)
        await pia.expect("edit", contains="Send /start before then")
        await pia.send("/start")
        await pia.expect_reply(contains="deletion of your account is cancelled")
        await erase_people_due(BotContext(application), now=datetime.now(UTC) + timedelta(days=8))

    async with uow as tx:
        assert (await tx.users.get(world.parent.id)).first_name == "Pia"
        assert await tx.session.scalar(select(func.count()).select_from(ErasureRequest)) == 0
        actions = set(await tx.session.scalars(select(AuditEntry.action)))
    assert {"privacy.erasure_requested", "privacy.erasure_withdrawn"} <= actions


async def test_after_the_grace_a_parent_is_erased_with_the_child_only_they_guard(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    world, cora, pia, omar, key = await family(emulator, uow, services)
    shared = await co_guarded_child(uow, world)
    async with run_bot(emulator) as application:
        await open_chats(pia, cora, omar)
        await pia.send("/deleteme")
        await pia.press(ERASE, await pia.expect_reply(contains="Delete your account?"))
        await pia.expect("edit", contains="will be erased on")
        asked = datetime.now(UTC)
        await erase_people_due(BotContext(application), now=asked + timedelta(days=6))
        async with uow as tx:
            assert (await tx.users.get(world.parent.id)).first_name == "Pia"
        erased_at = asked + timedelta(days=7, minutes=1)
        assert pia.id in application.user_data
        await erase_people_due(BotContext(application), now=erased_at)
        assert pia.id not in application.user_data
        await send_due_notifications(BotContext(application), now=erased_at)
        await cora.expect_reply(contains="Session cancelled")

    async with uow as tx:
        parent = await tx.users.get(world.parent.id)
        child_user = await tx.users.get(world.child_user.id)
        kim = await tx.athletes.get(world.child.id)
        max_ = await tx.athletes.get(shared)
        sessions = (
            await tx.session.scalars(
                select(TrainingSession).where(TrainingSession.athlete_id == world.child.id)
            )
        ).all()
        payment = (await tx.session.scalars(select(Payment))).one()
        metrics = await tx.session.scalar(select(func.count()).select_from(PerformanceMetric))
        videos = await tx.session.scalar(select(func.count()).select_from(VideoAnalysis))
        about_pia = (
            await tx.session.scalars(
                select(AuditEntry.details).where(AuditEntry.actor_id == world.parent.id)
            )
        ).all()
        request = await tx.session.get(ErasureRequest, world.parent.id)
    assert (parent.first_name, parent.telegram_user_id, parent.status) == ("Erased", None, "erased")
    assert child_user.first_name == "Erased" and kim.medical_conditions is None
    assert metrics == 0 and videos == 0
    assert not await services.storage.exists(key)
    # The session ahead is cancelled as a coach's cancellation is; the past one and its payment
    # are kept, without a name (the payer is the anonymised row).
    assert sorted(s.status for s in sessions) == ["cancelled", "scheduled"]
    assert payment.payer_id == parent.id and payment.amount == Decimal("40.00")
    assert about_pia and all(details == {"erased": True} for details in about_pia)
    assert request is not None and request.erased_at is not None
    # Max, whom Omar guards too, stays, now Omar's alone.
    assert max_.parent_id == world.other_parent.id and max_.medical_conditions == "asthma"
    async with uow as tx:
        links = await tx.session.scalar(select(func.count()).select_from(AthleteLink))
    assert links == 0


async def co_guarded_child(uow: UnitOfWork, world: BookingWorld):
    """Max: Pia's child, with Omar linked as a second guardian."""
    async with uow as tx:
        max_user = tx.users.add(User(role="athlete", first_name="Max"))
        await tx.flush()
        max_ = tx.athletes.add(
            Athlete(user_id=max_user.id, parent_id=world.parent.id, primary_sport="tennis",
                    medical_conditions="asthma")
        )  # fmt: skip
        await tx.flush()
        tx.session.add(
            AthleteLink(athlete_id=max_.id, user_id=world.other_parent.id, relation="guardian")
        )
        await tx.commit()
    return max_.id


async def test_forged_erasure_presses_and_an_admins_deletion_are_refused_politely(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    _, _, pia, _, _ = await family(emulator, uow, services)
    ada = emulator.user("Ada")
    await sign_up(uow, ada, "admin")
    async with run_bot(emulator):
        await open_chats(pia, ada)
        await pia.send("/deleteme")
        question = await pia.expect_reply(contains="Delete your account?")
        await press_data(emulator, pia, question, forged_data("prv", "erase", "maybe"))
        refused = await pia.expect("callback_answer")
        await ada.send("/deleteme")
        await ada.press(ERASE, await ada.expect_reply(contains="Delete your account?"))
        await ada.expect("edit", contains="You are an admin")

    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(ErasureRequest)) == 0
        audited = select(AuditEntry.action).where(AuditEntry.action == "callback.refused")
        assert (await tx.session.scalars(audited)).all() == ["callback.refused"]
    assert "isn't available" in refused["text"]
