"""Erasure's own guarantees, beside the chat tests: several replicas erase a person once, and
a Stars refund goes out (it needs the Telegram id) before the person is erased."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from domain.adapters.storage import MediaStorage
from domain.adapters.storage.keys import raw_video_key
from domain.models import AuditEntry, Notification, VideoAnalysis
from domain.payments.records import refund_for_cancellation
from domain.privacy.erasure import GRACE, erase_due, request_erasure
from domain.uow import UnitOfWork
from tests.domain.admin.test_suspension import NoSlotCache, actor_of
from tests.domain.payments.test_payments import NOW, THURSDAY_4PM, pay, priced_session
from tests.factories import booking_world


async def erase(uow: UnitOfWork, storage: MediaStorage, now: datetime) -> int:
    erased = await erase_due(
        uow, storage=storage, refund=refund_for_cancellation, slots=NoSlotCache(), now=now
    )
    return len(erased)


async def test_two_replicas_running_the_job_at_once_erase_the_person_once(uow, services) -> None:
    world = await booking_world(uow)
    asked = THURSDAY_4PM - GRACE - timedelta(days=1)
    await request_erasure(uow, actor=await actor_of(uow, world.other_parent), now=asked)

    counts = await asyncio.gather(*(erase(uow, services.storage, asked + GRACE) for _ in range(3)))

    assert sorted(counts) == [0, 0, 1]
    async with uow as tx:
        erased = select(func.count()).where(AuditEntry.action == "privacy.erased")
        assert await tx.session.scalar(erased) == 1
        assert (await tx.users.get(world.other_parent.id)).status == "erased"


async def test_a_stars_refund_goes_out_before_the_payer_is_erased(uow, services) -> None:
    world = await booking_world(uow)
    session = await priced_session(uow, world)
    await pay(uow, world, session, in_stars=True)
    asked = NOW - GRACE
    await request_erasure(uow, actor=await actor_of(uow, world.parent), now=asked)

    assert await erase(uow, services.storage, NOW) == 0
    async with uow as tx:
        pia = await tx.users.get(world.parent.id)
        cancelled = await tx.sessions.get(session.id)
        refunds = select(Notification).where(Notification.kind == "star_refund")
        refund = (await tx.session.scalars(refunds)).one()
        assert (pia.first_name, pia.telegram_user_id) == ("Erased", world.parent.telegram_user_id)
        assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
        assert refund.recipient_id == pia.id
        await tx.session.execute(
            update(Notification).where(Notification.id == refund.id).values(sent_at=NOW)
        )
        await tx.commit()

    assert await erase(uow, services.storage, NOW + timedelta(minutes=10)) == 1
    async with uow as tx:
        pia = await tx.users.get(world.parent.id)
        assert (pia.telegram_user_id, pia.status) == (None, "erased")


async def test_a_childs_motion_charts_go_with_their_videos(uow, services) -> None:
    world = await booking_world(uow)
    video_id = uuid.uuid4()
    raw = raw_video_key(world.other_parent.id, video_id, "clip.mp4")
    folder = f"videos/processed/{world.other_child.id}/{video_id}"
    charts = {lang: f"{folder}/motion-{lang}.png" for lang in ("en", "es")}
    old_chart = f"{folder}/motion.png"
    for key in (raw, *charts.values(), old_chart):
        await services.storage.put(key, b"x", content_type="application/octet-stream")
    async with uow as tx:
        tx.session.add(
            VideoAnalysis(
                id=video_id,
                athlete_id=world.other_child.id,
                video_url=raw,
                analysis_results={"chart_keys": charts, "chart_key": old_chart},
            )
        )
        await tx.commit()
    asked = THURSDAY_4PM - GRACE - timedelta(days=1)
    await request_erasure(uow, actor=await actor_of(uow, world.other_parent), now=asked)

    assert await erase(uow, services.storage, asked + GRACE) == 1

    for key in (raw, *charts.values(), old_chart):
        assert not await services.storage.exists(key), key
