"""RSVP on a frozen clock (the request 48 h before, the reminder 24 h before to those still
unanswered, answers closed 3 h before), only for one's own child; attendance and the season's %."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from domain.clubs.series import attendance, rsvp
from domain.clubs.series import series as series_service
from domain.clubs.series.attendance import TooEarly
from domain.clubs.series.rsvp import AnswersClosed
from domain.errors import NotAllowed, NotFound
from domain.models import AttendanceStatus, Notification, RsvpAnswer, TrainingSession
from domain.uow import UnitOfWork
from tests.domain.clubs.series.series_world import NOW, SeriesWorld, series_world

LINE = "tue 17:00 60min 2027-01-05..2027-03-30"


async def _first(uow: UnitOfWork) -> TrainingSession:
    async with uow as tx:
        return (
            await tx.session.scalars(
                select(TrainingSession)
                .where(TrainingSession.series_id.is_not(None))
                .order_by(TrainingSession.start_time)
            )
        ).first()


async def _queued(uow: UnitOfWork) -> list[tuple[str, str]]:
    async with uow as tx:
        rows = await tx.session.execute(
            select(Notification.kind, Notification.dedup_key).order_by(Notification.created_at)
        )
        return [(kind, key) for kind, key in rows.all()]


async def _kim_series(uow: UnitOfWork) -> tuple[SeriesWorld, TrainingSession]:
    w = await series_world(uow)
    await series_service.create_private_series(
        uow, actor=w.coach, athlete_id=w.world.child.id, text=LINE, now=NOW
    )
    return w, await _first(uow)


async def test_the_request_goes_48_h_before_the_reminder_24_h_before_and_never_twice(uow) -> None:
    w, first = await _kim_series(uow)
    start = first.start_time
    assert await rsvp.queue_due(uow, now=start - timedelta(hours=49)) == rsvp.Queued(0, 0)
    # Pia is Kim's parent (Kim has no Telegram): the request is hers, once however often run.
    assert await rsvp.queue_due(uow, now=start - timedelta(hours=48)) == rsvp.Queued(1, 0)
    assert await rsvp.queue_due(uow, now=start - timedelta(hours=47)) == rsvp.Queued(0, 0)
    assert await rsvp.queue_due(uow, now=start - timedelta(hours=24)) == rsvp.Queued(0, 1)
    assert await rsvp.queue_due(uow, now=start - timedelta(hours=23)) == rsvp.Queued(0, 0)
    kinds = [kind for kind, _ in await _queued(uow)]
    assert kinds == ["rsvp_request", "rsvp_reminder"]
    async with uow as tx:
        request = await tx.session.scalar(
            select(Notification).where(Notification.kind == "rsvp_request")
        )
    assert request.recipient_id == w.world.parent.id
    assert request.payload["athlete"] == "Kim"
    assert [b["answer"] for b in request.payload["buttons"][0]] == ["yes", "no", "maybe"]


async def test_an_answered_athlete_gets_no_reminder(uow) -> None:
    w, first = await _kim_series(uow)
    start = first.start_time
    await rsvp.queue_due(uow, now=start - timedelta(hours=48))
    answered = await rsvp.answer(
        uow,
        actor=w.parent,
        session_id=first.id,
        athlete_id=w.world.child.id,
        answer=RsvpAnswer.YES,
        now=start - timedelta(hours=30),
    )
    assert (answered.athlete_name, answered.answer) == ("Kim", "yes")
    assert await rsvp.queue_due(uow, now=start - timedelta(hours=24)) == rsvp.Queued(0, 0)


async def test_after_the_deadline_an_answer_is_refused_naming_when_it_closed(uow) -> None:
    w, first = await _kim_series(uow)
    with pytest.raises(AnswersClosed) as refused:
        await rsvp.answer(
            uow,
            actor=w.parent,
            session_id=first.id,
            athlete_id=w.world.child.id,
            answer=RsvpAnswer.NO,
            now=first.start_time - timedelta(hours=2),
        )
    assert refused.value.params == {"closed_at": first.start_time - timedelta(hours=3)}
    # Nothing is queued past the deadline either.
    assert await rsvp.queue_due(uow, now=first.start_time - timedelta(hours=2)) == rsvp.Queued(0, 0)


async def test_a_parent_answers_only_for_their_own_child(uow) -> None:
    w, first = await _kim_series(uow)
    when = first.start_time - timedelta(hours=30)
    with pytest.raises(NotAllowed):
        await rsvp.answer(
            uow,
            actor=w.other_parent,
            session_id=first.id,
            athlete_id=w.world.child.id,
            answer=RsvpAnswer.YES,
            now=when,
        )
    # Omar's own child is not in Kim's lessons: a forged press naming her is not found.
    with pytest.raises(NotFound):
        await rsvp.answer(
            uow,
            actor=w.other_parent,
            session_id=first.id,
            athlete_id=w.world.other_child.id,
            answer=RsvpAnswer.YES,
            now=when,
        )


async def test_the_coach_sees_counts_and_names_and_marks_attendance_for_a_season_percent(
    uow,
) -> None:
    w, first = await _kim_series(uow)
    start = first.start_time
    await rsvp.answer(
        uow,
        actor=w.parent,
        session_id=first.id,
        athlete_id=w.world.child.id,
        answer=RsvpAnswer.MAYBE,
        now=start - timedelta(hours=30),
    )
    roll = await rsvp.roll(uow, actor=w.coach, session_id=first.id)
    assert roll.counts == {"maybe": 1}
    assert [(a.name, a.answer) for a in roll.athletes] == [("Kim", "maybe")]
    with pytest.raises(TooEarly):
        await attendance.mark(
            uow,
            actor=w.coach,
            session_id=first.id,
            athlete_id=w.world.child.id,
            status=AttendanceStatus.PRESENT,
            now=start - timedelta(hours=2),
        )
    with pytest.raises(NotAllowed):
        await attendance.mark(
            uow,
            actor=w.parent,
            session_id=first.id,
            athlete_id=w.world.child.id,
            status=AttendanceStatus.PRESENT,
            now=start,
        )
    async with uow as tx:
        sessions = (
            await tx.session.scalars(
                select(TrainingSession)
                .where(TrainingSession.series_id.is_not(None))
                .order_by(TrainingSession.start_time)
                .limit(4)
            )
        ).all()
    statuses = [
        AttendanceStatus.PRESENT,
        AttendanceStatus.LATE,
        AttendanceStatus.ABSENT,
        AttendanceStatus.EXCUSED,
    ]
    for session, status in zip(sessions, statuses, strict=True):
        roll = await attendance.mark(
            uow,
            actor=w.coach,
            session_id=session.id,
            athlete_id=w.world.child.id,
            status=status,
            now=session.start_time,
        )
        assert roll.athletes[0].attendance == status
    season = await attendance.season(uow, actor=w.coach, series_id=first.series_id)
    (share,) = season.shares
    assert (share.name, share.came, share.marked, share.percent) == ("Kim", 2, 4, 50)
    history = await attendance.of_athlete(uow, actor=w.parent, athlete_id=w.world.child.id)
    assert [m.status for m in history.recent] == ["excused", "absent", "late", "present"]
    assert history.by_series[0].percent == 50
    with pytest.raises(NotAllowed):
        await attendance.of_athlete(uow, actor=w.other_parent, athlete_id=w.world.child.id)


async def test_a_moved_occurrence_asks_again_at_its_new_time(uow) -> None:
    w, first = await _kim_series(uow)
    start = first.start_time
    await rsvp.queue_due(uow, now=start - timedelta(hours=48))
    moved = await series_service.move_occurrence(
        uow,
        actor=w.coach,
        session_id=first.id,
        day=(start + timedelta(days=1)).date(),
        clock=time(17, 0),
        now=start - timedelta(hours=47),
    )
    # The unsent request went with the old time; the new one is asked for the new time.
    assert await rsvp.queue_due(uow, now=moved.start - timedelta(hours=47)) == rsvp.Queued(1, 0)
