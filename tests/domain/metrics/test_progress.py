"""Progress: the series a chart plots, a coach's roster, the CSV export; who may see them."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.actors import actor_for_user
from domain.errors import NotAllowed, NotFound
from domain.metrics import progress, viewers
from domain.metrics.export import export_csv
from domain.metrics.latest import LatestMetrics
from domain.metrics.progress import Point, Series, least_squares_trend
from domain.metrics.queries.partitions import ensure_partitions
from domain.metrics.roster import roster
from domain.models import PerformanceMetric, User
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import BookingWorld, booking_world, session_at

DAY0 = datetime(2026, 9, 1, 7, 0, tzinfo=UTC)


def day(n: int, hour: int = 0) -> datetime:
    return DAY0 + timedelta(days=n, hours=hour)


async def world_with_session(uow: UnitOfWork) -> BookingWorld:
    """booking_world, with one session making Cora the coach of Kim (the parent's child)."""
    world = await booking_world(uow)
    async with uow as tx:
        await ensure_partitions(tx, today=date(2026, 8, 1), months_ahead=5)
        tx.sessions.add(session_at(world.coach, world.child, day(0, 8)))
        await tx.commit()
    return world


async def actor(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def log(
    uow: UnitOfWork,
    athlete_id: uuid.UUID,
    metric: str,
    values: list[tuple[datetime, str]],
    *,
    unit: str = "s",
    notes: str | None = None,
) -> None:
    async with uow as tx:
        for at, value in values:
            tx.metrics.add(
                PerformanceMetric(
                    athlete_id=athlete_id,
                    metric_type=metric,
                    value={"value": value, "unit": unit},
                    metric_value=Decimal(value),
                    unit=unit,
                    recorded_at=at,
                    notes=notes,
                )
            )
        await tx.commit()


SPRINTS = [
    (day(0), "5.40"),
    (day(3), "5.30"),
    (day(7), "5.35"),
    (day(10), "5.30"),
    (day(14), "5.10"),
]


async def test_a_series_holds_exactly_the_values_in_its_range_oldest_first(
    uow: UnitOfWork,
) -> None:
    world = await world_with_session(uow)
    await log(uow, world.child.id, "sprint_40m", [*reversed(SPRINTS), (day(30), "5.00")])
    await log(uow, world.child.id, "squat", [(day(1), "80")], unit="kg")
    await log(uow, world.other_child.id, "sprint_40m", [(day(2), "4.90")])

    found = await progress.series(
        uow,
        actor=await actor(uow, world.parent),
        athlete_id=world.child.id,
        metric_key="sprint_40m",
        since=day(0),
        until=day(15),
    )

    assert found.points == tuple(Point(at, Decimal(v)) for at, v in SPRINTS)
    assert found.kind.key == "sprint_40m" and found.unit == "s"
    # Lower is better: 5.30 beats 5.40, the tie at 5.30 does not, 5.10 does; 5.40 is the baseline.
    assert [point.value for point in found.bests] == [Decimal("5.30"), Decimal("5.10")]
    assert found.latest == Point(day(14), Decimal("5.10"))
    assert found.best == Point(day(14), Decimal("5.10"))
    assert found.change == Decimal("-0.30")
    assert found.trend is not None and found.trend.per_day < 0


async def test_bests_in_a_range_count_what_came_before_it(uow: UnitOfWork) -> None:
    world = await world_with_session(uow)
    await log(uow, world.child.id, "sprint_40m", SPRINTS)

    found = await progress.series(
        uow,
        actor=await actor(uow, world.coach_user),
        athlete_id=world.child.id,
        metric_key="sprint_40m",
        since=day(5),
        until=day(20),
    )

    # 5.35 and the tied 5.30 do not beat the 5.30 logged before the range; 5.10 does.
    assert [point.value for point in found.points] == [
        Decimal("5.35"),
        Decimal("5.30"),
        Decimal("5.10"),
    ]
    assert [point.value for point in found.bests] == [Decimal("5.10")]


async def test_a_metric_with_no_better_direction_has_no_bests(uow: UnitOfWork) -> None:
    world = await world_with_session(uow)
    await log(uow, world.child.id, "body_weight", [(day(0), "40"), (day(5), "41")], unit="kg")

    found = await progress.series(
        uow,
        actor=await actor(uow, world.parent),
        athlete_id=world.child.id,
        metric_key="body_weight",
        since=None,
        until=day(30),
    )

    assert found.bests == () and found.best is None
    assert found.change == Decimal("1")


async def test_an_empty_range_is_an_empty_series_without_a_trend(uow: UnitOfWork) -> None:
    world = await world_with_session(uow)
    await log(uow, world.child.id, "sprint_40m", SPRINTS)

    found = await progress.series(
        uow,
        actor=await actor(uow, world.parent),
        athlete_id=world.child.id,
        metric_key="sprint_40m",
        since=day(40),
        until=day(60),
    )

    assert found.points == () and found.trend is None and found.latest is None


async def test_someone_unrelated_cannot_see_an_athletes_progress(uow: UnitOfWork) -> None:
    world = await world_with_session(uow)
    other_parent = await actor(uow, world.other_parent)

    with pytest.raises(NotAllowed):
        await progress.series(
            uow,
            actor=other_parent,
            athlete_id=world.child.id,
            metric_key="sprint_40m",
            since=None,
            until=day(1),
        )
    with pytest.raises(NotAllowed):
        await export_csv(uow, actor=other_parent, athlete_id=world.child.id)


async def test_a_chart_button_names_a_metric_by_id_and_a_span(uow: UnitOfWork) -> None:
    world = await world_with_session(uow)
    await log(uow, world.child.id, "sprint_40m", SPRINTS)
    parent = await actor(uow, world.parent)
    (sprint,) = await progress.metrics_with_data(uow, actor=parent, athlete_id=world.child.id)

    found = await progress.series_for_span(
        uow, actor=parent, athlete_id=world.child.id, metric_id=sprint.id, span="4w", now=day(30)
    )

    assert found.since == day(2) and found.until == day(30)
    assert [point.at for point in found.points] == [day(3), day(7), day(10), day(14)]
    with pytest.raises(NotFound):
        await progress.series_for_span(
            uow, actor=parent, athlete_id=world.child.id, metric_id=sprint.id, span="9y", now=day(1)
        )


def test_the_trend_is_the_least_squares_slope_per_day() -> None:
    points = tuple(Point(day(n), Decimal(10 + 2 * n)) for n in (0, 1, 3))

    trend = least_squares_trend(points)

    assert trend is not None
    assert trend.per_day == pytest.approx(2.0)
    assert trend.at(day(5)) == pytest.approx(20.0)
    assert least_squares_trend(points[:1]) is None
    assert least_squares_trend((points[0], Point(day(0), Decimal(3)))) is None


async def test_a_series_reads_in_imperial_units_for_an_imperial_reader(uow: UnitOfWork) -> None:
    world = await world_with_session(uow)
    await log(uow, world.child.id, "squat", [(day(0), "100"), (day(7), "110")], unit="kg")
    found: Series = await progress.series(
        uow,
        actor=await actor(uow, world.parent),
        athlete_id=world.child.id,
        metric_key="squat",
        since=None,
        until=day(30),
    )

    pounds = found.in_units("imperial")

    assert pounds.unit == "lb"
    assert [round(p.value, 2) for p in pounds.points] == [Decimal("220.46"), Decimal("242.51")]
    assert [round(p.value, 2) for p in pounds.bests] == [Decimal("242.51")]
    assert found.in_units("metric") is found


async def test_the_viewer_sees_the_athletes_they_may_look_at_themself_first(
    uow: UnitOfWork,
) -> None:
    world = await world_with_session(uow)

    coach_sees = await viewers.athletes_in_view(uow, actor=await actor(uow, world.coach_user))
    parent_sees = await viewers.athletes_in_view(uow, actor=await actor(uow, world.parent))

    assert [(a.athlete_id, a.name) for a in coach_sees] == [(world.child.id, "Kim")]
    assert [a.name for a in parent_sees] == ["Kim"]


async def test_a_coachs_roster_shows_latest_values_and_the_change_over_four_weeks(
    uow: UnitOfWork, latest: LatestMetrics
) -> None:
    world = await world_with_session(uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.other_child, day(1, 8)))
        await tx.commit()
    now = day(40)
    kim, lea = world.child.id, world.other_child.id
    # Kim: 5.40 four weeks ago (day 12 is the cutoff), then 5.20 and 5.00 since.
    await log(uow, kim, "sprint_40m", [(day(5), "5.60"), (day(11), "5.40"), (day(20), "5.20")])
    await log(uow, kim, "sprint_40m", [(day(39), "5.00")])
    # A squat first logged inside the window: changed from its first value; weight: nothing new.
    await log(uow, kim, "squat", [(day(20), "60"), (day(30), "70")], unit="kg")
    await log(uow, kim, "body_weight", [(day(2), "40")], unit="kg")

    lines = await roster(uow, actor=await actor(uow, world.coach_user), latest=latest, now=now)

    assert [(line.athlete_id, line.name) for line in lines] == [(kim, "Kim"), (lea, "Lea")]
    kims = {m.kind.key: (m.latest.value, m.change) for m in lines[0].metrics}
    assert kims == {
        "sprint_40m": (Decimal("5.00"), Decimal("-0.40")),
        "squat": (Decimal("70"), Decimal("10")),
        "body_weight": (Decimal("40"), None),
    }
    assert [m.kind.category for m in lines[0].metrics] == ["body", "speed", "strength"]
    assert lines[1].metrics == ()


async def test_only_a_coach_has_a_roster(uow: UnitOfWork, latest: LatestMetrics) -> None:
    world = await world_with_session(uow)

    with pytest.raises(NotAllowed):
        await roster(uow, actor=await actor(uow, world.parent), latest=latest, now=day(1))


async def test_the_export_is_every_value_as_csv_in_the_readers_time_zone(uow: UnitOfWork) -> None:
    world = await world_with_session(uow)
    await log(uow, world.child.id, "sprint_40m", [(day(3, 9), "5.30")], notes="windy, ñ")
    await log(uow, world.child.id, "squat", [(day(1), "82.5")], unit="kg", notes="=HYPERLINK()")
    await log(uow, world.other_child.id, "squat", [(day(2), "70")], unit="kg")

    # The coach lives in Berlin (UTC+2 in September).
    data = await export_csv(
        uow, actor=await actor(uow, world.coach_user), athlete_id=world.child.id
    )

    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows == [
        ["recorded_at", "metric", "value", "unit", "notes"],
        ["2026-09-02T09:00:00+02:00", "Back squat", "82.5", "kg", "'=HYPERLINK()"],
        ["2026-09-04T18:00:00+02:00", "40 m sprint", "5.3", "s", "windy, ñ"],
    ]
