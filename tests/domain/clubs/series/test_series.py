"""A private-lesson series against the database: the season expanded in one transaction, a
clash with the coach's other sessions refused by the constraint naming the date, one
occurrence skipped or moved, the series changed from a date; families told through the
outbox."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain.clubs.series import series as series_service
from domain.clubs.series.plan import SeriesRefused
from domain.clubs.series.series import SeriesClash
from domain.errors import NotAllowed
from domain.models import Notification, SessionStatus, TrainingSession
from domain.uow import UnitOfWork
from tests.domain.clubs.series.series_world import NOW, series_world
from tests.factories import session_at

BERLIN = ZoneInfo("Europe/Berlin")
LINE = "tue thu 17:00 60min 2027-01-05..2027-06-24 skip 2027-02-16 at Court 2"


async def _occurrences(uow: UnitOfWork) -> list[TrainingSession]:
    async with uow as tx:
        return list(
            (
                await tx.session.scalars(
                    select(TrainingSession)
                    .where(TrainingSession.series_id.is_not(None))
                    .order_by(TrainingSession.start_time)
                )
            ).all()
        )


async def _kinds(uow: UnitOfWork) -> list[tuple[str, str]]:
    async with uow as tx:
        rows = await tx.session.execute(select(Notification.kind, Notification.payload))
        return [(kind, payload.get("athlete", "")) for kind, payload in rows.all()]


async def test_a_season_is_expanded_at_17_00_berlin_across_the_spring_change(uow) -> None:
    w = await series_world(uow)
    created = await series_service.create_private_series(
        uow, actor=w.coach, athlete_id=w.world.child.id, text=LINE, now=NOW
    )
    rows = await _occurrences(uow)
    # 25 weeks of Tuesdays and Thursdays, less the holiday.
    assert created.occurrences == len(rows) == 2 * 25 - 1
    assert {r.start_time.astimezone(BERLIN).time() for r in rows} == {time(17, 0)}
    assert {r.athlete_id for r in rows} == {w.world.child.id}
    assert date(2027, 2, 16) not in {r.start_time.astimezone(BERLIN).date() for r in rows}
    assert rows[-1].start_time.astimezone(BERLIN).date() == date(2027, 6, 24)
    assert created.series.timezone == "Europe/Berlin"


async def test_a_clash_with_the_coachs_other_session_is_refused_naming_the_date(uow) -> None:
    w = await series_world(uow)
    busy = datetime(2027, 3, 4, 17, 30, tzinfo=BERLIN)
    async with uow as tx:
        tx.sessions.add(session_at(w.world.coach, w.world.other_child, busy))
        await tx.commit()
    with pytest.raises(SeriesClash) as refused:
        await series_service.create_private_series(
            uow, actor=w.coach, athlete_id=w.world.child.id, text=LINE, now=NOW
        )
    assert refused.value.params == {"date": "2027-03-04"}
    assert await _occurrences(uow) == []  # nothing of the series was kept


async def test_a_parent_cannot_make_a_series_and_a_coach_only_for_athletes_they_coach(uow) -> None:
    w = await series_world(uow)
    with pytest.raises(NotAllowed):
        await series_service.create_private_series(
            uow, actor=w.parent, athlete_id=w.world.child.id, text=LINE, now=NOW
        )


async def test_bad_input_is_refused_before_anything_is_written(uow) -> None:
    w = await series_world(uow)
    with pytest.raises(SeriesRefused) as refused:
        await series_service.create_private_series(
            uow,
            actor=w.coach,
            athlete_id=w.world.child.id,
            text="tue 17:00 2027-01-05..2029-06-24",
            now=NOW,
        )
    assert refused.value.message_key == "series.error.too_long"
    assert await _occurrences(uow) == []


async def test_skip_and_move_one_occurrence_and_the_family_is_told(uow) -> None:
    w = await series_world(uow)
    await series_service.create_private_series(
        uow, actor=w.coach, athlete_id=w.world.child.id, text=LINE, now=NOW
    )
    first, second, *_ = await _occurrences(uow)
    skipped = await series_service.skip_occurrence(uow, actor=w.coach, session_id=first.id, now=NOW)
    assert not skipped.live and skipped.cancel_reason == "skipped"
    moved = await series_service.move_occurrence(
        uow, actor=w.coach, session_id=second.id, day=date(2027, 1, 8), clock=time(18), now=NOW
    )
    assert moved.start.astimezone(BERLIN) == datetime(2027, 1, 8, 18, 0, tzinfo=BERLIN)
    assert sorted(await _kinds(uow)) == [("series_moved", "Kim"), ("series_skipped", "Kim")]
    # Another family's parent cannot touch it (a forged press ends here).
    with pytest.raises(NotAllowed):
        await series_service.skip_occurrence(
            uow, actor=w.other_parent, session_id=second.id, now=NOW
        )


async def test_moving_onto_another_session_is_refused_naming_the_date(uow) -> None:
    w = await series_world(uow)
    async with uow as tx:
        tx.sessions.add(
            session_at(w.world.coach, w.world.other_child, datetime(2027, 1, 8, 18, tzinfo=BERLIN))
        )
        await tx.commit()
    await series_service.create_private_series(
        uow, actor=w.coach, athlete_id=w.world.child.id, text=LINE, now=NOW
    )
    first, *_ = await _occurrences(uow)
    with pytest.raises(SeriesClash) as refused:
        await series_service.move_occurrence(
            uow, actor=w.coach, session_id=first.id, day=date(2027, 1, 8), clock=time(18), now=NOW
        )
    assert refused.value.params == {"date": "2027-01-08"}


async def test_a_change_from_a_date_remakes_later_occurrences_and_keeps_earlier_ones(uow) -> None:
    w = await series_world(uow)
    created = await series_service.create_private_series(
        uow, actor=w.coach, athlete_id=w.world.child.id, text=LINE, now=NOW
    )
    before = await _occurrences(uow)
    # A skipped date after the change stays skipped.
    late = next(r for r in before if r.start_time.astimezone(BERLIN).date() == date(2027, 3, 4))
    await series_service.skip_occurrence(uow, actor=w.coach, session_id=late.id, now=NOW)
    changed = await series_service.change_series(
        uow,
        actor=w.coach,
        series_id=created.series.id,
        text="from 2027-02-01: wed 18:30 90min at Gym",
        now=NOW,
    )
    rows = await _occurrences(uow)
    live = [r for r in rows if r.status != SessionStatus.CANCELLED]
    earlier = [r for r in live if r.start_time.astimezone(BERLIN).date() < date(2027, 2, 1)]
    later = [r for r in live if r.start_time.astimezone(BERLIN).date() >= date(2027, 2, 1)]
    kept = [r for r in before if r.start_time < datetime(2027, 2, 1, tzinfo=BERLIN)]
    assert [(r.id, r.start_time) for r in earlier] == [(r.id, r.start_time) for r in kept]
    assert {r.start_time.astimezone(BERLIN).weekday() for r in later} == {2}
    assert {r.start_time.astimezone(BERLIN).time() for r in later} == {time(18, 30)}
    assert {(r.end_time - r.start_time) for r in later} == {timedelta(minutes=90)}
    assert {r.location["text"] for r in later} == {"Gym"}
    assert changed.occurrences == len(later)
    assert ("series_changed", "Kim") in await _kinds(uow)
    with pytest.raises(SeriesRefused) as refused:
        await series_service.change_series(
            uow,
            actor=w.coach,
            series_id=created.series.id,
            text="from 2027-01-01: wed",
            now=NOW,
        )
    assert refused.value.message_key == "series.error.change_in_past"
