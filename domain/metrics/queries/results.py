"""Reads and writes of performance metrics, and who is told about them."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, CompoundSelect, Row, Select, delete, func, select
from sqlalchemy.dialects.postgresql import distinct_on

from domain.models import (
    Coach,
    Notification,
    PerformanceMetric,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.uow import Transaction


async def best_value(
    tx: Transaction,
    *,
    athlete_id: uuid.UUID,
    metric_key: str,
    lower: bool,
    before: datetime | None = None,
) -> Decimal | None:
    """The athlete's lowest (or highest) value of the metric, recorded before `before` if given."""
    pick = func.min if lower else func.max
    query = select(pick(PerformanceMetric.metric_value)).where(
        PerformanceMetric.athlete_id == athlete_id, PerformanceMetric.metric_type == metric_key
    )
    if before is not None:
        query = query.where(PerformanceMetric.recorded_at < before)
    return await tx.session.scalar(query)


def points_query(
    athlete_id: uuid.UUID, metric_key: str, since: datetime | None, until: datetime
) -> Select[tuple[datetime, Decimal]]:
    """Values of one athlete's metric in [since, until), oldest first.

    Both bounds are on the partition key, so only the partitions of those months are read.
    """
    query = select(PerformanceMetric.recorded_at, PerformanceMetric.metric_value).where(
        PerformanceMetric.athlete_id == athlete_id,
        PerformanceMetric.metric_type == metric_key,
        PerformanceMetric.recorded_at < until,
        PerformanceMetric.metric_value.is_not(None),
    )
    if since is not None:
        query = query.where(PerformanceMetric.recorded_at >= since)
    return query.order_by(PerformanceMetric.recorded_at, PerformanceMetric.created_at)


async def points(
    tx: Transaction, athlete_id: uuid.UUID, metric_key: str, since: datetime | None, until: datetime
) -> list[tuple[datetime, Decimal]]:
    """(recorded_at, value) of one athlete's metric in [since, until), oldest first."""
    rows = await tx.session.execute(points_query(athlete_id, metric_key, since, until))
    return [(at, value) for at, value in rows]


async def keys_with_values(tx: Transaction, athlete_id: uuid.UUID) -> set[str]:
    """The metric keys the athlete has values of."""
    return set(
        await tx.session.scalars(
            select(PerformanceMetric.metric_type)
            .where(
                PerformanceMetric.athlete_id == athlete_id,
                PerformanceMetric.metric_value.is_not(None),
            )
            .distinct()
        )
    )


async def all_values(tx: Transaction, athlete_id: uuid.UUID) -> Sequence[PerformanceMetric]:
    """Every value of the athlete, oldest first."""
    return (
        await tx.session.scalars(
            select(PerformanceMetric)
            .where(
                PerformanceMetric.athlete_id == athlete_id,
                PerformanceMetric.metric_value.is_not(None),
            )
            .order_by(PerformanceMetric.recorded_at, PerformanceMetric.created_at)
        )
    ).all()


async def edge_values(
    tx: Transaction, athletes: Iterable[uuid.UUID], *when: ColumnElement[bool], newest: bool
) -> list[tuple[uuid.UUID | None, str, datetime, Decimal | None]]:
    """Per athlete and metric, the newest (or oldest) value recorded `when`."""
    order = PerformanceMetric.recorded_at.desc() if newest else PerformanceMetric.recorded_at
    query = (
        select(
            PerformanceMetric.athlete_id,
            PerformanceMetric.metric_type,
            PerformanceMetric.recorded_at,
            PerformanceMetric.metric_value,
        )
        .where(
            PerformanceMetric.athlete_id.in_(list(athletes)),
            PerformanceMetric.metric_value.is_not(None),
            *when,
        )
        .ext(distinct_on(PerformanceMetric.athlete_id, PerformanceMetric.metric_type))
        .order_by(PerformanceMetric.athlete_id, PerformanceMetric.metric_type, order)
    )
    return [
        (athlete, key, at, value) for athlete, key, at, value in await tx.session.execute(query)
    ]


async def latest_rows(tx: Transaction, athlete_ids: list[uuid.UUID]) -> Sequence[Row]:
    """Per athlete and metric, the latest value: (athlete_id, metric_type, metric_value, unit,
    recorded_at, created_at); a later log wins a tie in recorded_at."""
    query = (
        select(
            PerformanceMetric.athlete_id,
            PerformanceMetric.metric_type,
            PerformanceMetric.metric_value,
            PerformanceMetric.unit,
            PerformanceMetric.recorded_at,
            PerformanceMetric.created_at,
        )
        .where(
            PerformanceMetric.athlete_id.in_(athlete_ids),
            PerformanceMetric.metric_value.is_not(None),
        )
        .ext(distinct_on(PerformanceMetric.athlete_id, PerformanceMetric.metric_type))
        .order_by(
            PerformanceMetric.athlete_id,
            PerformanceMetric.metric_type,
            PerformanceMetric.recorded_at.desc(),
            PerformanceMetric.created_at.desc(),
        )
    )
    return (await tx.session.execute(query)).all()


def coach_ids_of(athlete_id: uuid.UUID) -> CompoundSelect:
    """The coaches of an athlete: a non-cancelled session with them, alone or in a group."""
    live = TrainingSession.status != SessionStatus.CANCELLED
    individual = select(TrainingSession.coach_id).where(
        TrainingSession.athlete_id == athlete_id, live
    )
    in_groups = (
        select(TrainingSession.coach_id)
        .join(SessionParticipant, SessionParticipant.session_id == TrainingSession.id)
        .where(SessionParticipant.athlete_id == athlete_id, live)
    )
    return individual.union(in_groups)


async def coaches_of(tx: Transaction, athlete_id: uuid.UUID) -> Sequence[User]:
    """The users who coach the athlete: a non-cancelled session with them, past or future."""
    coach_ids = coach_ids_of(athlete_id).scalar_subquery()
    users = select(User).join(Coach, Coach.user_id == User.id).where(Coach.id.in_(coach_ids))
    return (await tx.session.scalars(users)).all()


async def drop_unsent_notices(tx: Transaction, metric_id: uuid.UUID, kinds: Collection[str]) -> int:
    """Forget the notices of these kinds about one value that are not sent yet; how many."""
    # Unsent rows are few and the partial index on unsent rows finds them.
    statement = delete(Notification).where(
        Notification.sent_at.is_(None),
        Notification.kind.in_(kinds),
        Notification.payload["metric_id"].astext == str(metric_id),
    )
    return (await tx.session.execute(statement)).rowcount or 0


async def told_of(tx: Transaction, metric_id: uuid.UUID, kinds: Collection[str]) -> Sequence[User]:
    """Whoever was sent a notice of these kinds about one value."""
    sent = select(Notification.recipient_id).where(
        Notification.sent_at.is_not(None),
        Notification.kind.in_(kinds),
        Notification.payload["metric_id"].astext == str(metric_id),
    )
    return (await tx.session.scalars(select(User).where(User.id.in_(sent)))).all()
