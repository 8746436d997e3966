"""/mydata carries a family's RSVPs, attendance and private-lesson series; erasure removes
them with the child."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from domain.clubs.series import attendance, rsvp
from domain.clubs.series import series as series_service
from domain.models import (
    AttendanceStatus,
    RsvpAnswer,
    SessionAttendance,
    SessionRsvp,
    SessionSeries,
    TrainingSession,
)
from domain.payments.records import refund_for_cancellation
from domain.privacy import export
from domain.privacy.erasure import GRACE, erase_due, request_erasure
from domain.uow import UnitOfWork
from tests.domain.admin.test_suspension import NoSlotCache
from tests.domain.clubs.series.series_world import NOW, series_world


async def test_mydata_carries_rsvps_and_attendance_and_erasure_removes_them(
    uow: UnitOfWork, services
) -> None:
    w = await series_world(uow)
    created = await series_service.create_private_series(
        uow, actor=w.coach, athlete_id=w.world.child.id, text="tue 17:00 2027-01-05..2027-02-23",
        now=NOW,
    )  # fmt: skip
    async with uow as tx:
        first = await tx.session.scalar(
            select(TrainingSession)
            .where(TrainingSession.series_id == created.series.id)
            .order_by(TrainingSession.start_time)
            .limit(1)
        )
    kim = w.world.child.id
    await rsvp.answer(
        uow, actor=w.parent, session_id=first.id, athlete_id=kim, answer=RsvpAnswer.YES,
        now=first.start_time - timedelta(hours=20),
    )  # fmt: skip
    await attendance.mark(
        uow, actor=w.coach, session_id=first.id, athlete_id=kim, status=AttendanceStatus.LATE,
        now=first.start_time,
    )  # fmt: skip

    made = await export.export_my_data(
        uow, actor=w.parent, storage=services.storage, box=services.secrets, now=NOW
    )
    try:
        with zipfile.ZipFile(made.path) as archive:
            (answer,) = json.loads(archive.read("rsvps.json"))
            (mark,) = json.loads(archive.read("attendance.json"))
            (series,) = json.loads(archive.read("series.json"))
        assert (answer["athlete_id"], answer["answer"]) == (str(kim), "yes")
        assert mark["status"] == "late"
        assert series["title"] == "Kim · Cora"
    finally:
        shutil.rmtree(made.path.parent)

    later = first.start_time + timedelta(days=1)
    await request_erasure(uow, actor=w.parent, now=later)
    erased = await erase_due(
        uow, storage=services.storage, refund=refund_for_cancellation, slots=NoSlotCache(),
        now=later + GRACE,
    )  # fmt: skip
    assert len(erased) == 1
    async with uow as tx:
        for model in (SessionRsvp, SessionAttendance, SessionSeries):
            assert await tx.session.scalar(select(func.count()).select_from(model)) == 0
