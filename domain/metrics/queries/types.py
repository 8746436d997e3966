"""Reads of the metric types: built-in ones and coaches' own."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import or_, select

from domain.metrics.queries.results import coach_ids_of
from domain.models import MetricType
from domain.uow import Transaction

# Catalogue order: by category, built-ins before a coach's own, then by name.
_CATALOGUE_ORDER = (MetricType.category, MetricType.coach_id.nulls_first(), MetricType.name)


async def types_for(
    tx: Transaction, *, athlete_id: uuid.UUID | None, coach_id: uuid.UUID | None
) -> Sequence[MetricType]:
    """Built-in types plus those of the athlete's coaches and of `coach_id`, catalogue order."""
    owners = [MetricType.coach_id.is_(None)]
    if athlete_id is not None:
        owners.append(MetricType.coach_id.in_(coach_ids_of(athlete_id)))
    if coach_id is not None:
        owners.append(MetricType.coach_id == coach_id)
    query = select(MetricType).where(or_(*owners)).order_by(*_CATALOGUE_ORDER)
    return (await tx.session.scalars(query)).all()


async def types_of_coach(tx: Transaction, coach_id: uuid.UUID) -> Sequence[MetricType]:
    """Built-in types and one coach's own."""
    query = select(MetricType).where(
        or_(MetricType.coach_id.is_(None), MetricType.coach_id == coach_id)
    )
    return (await tx.session.scalars(query)).all()


async def types_with_keys(tx: Transaction, keys: Collection[str]) -> Sequence[MetricType]:
    """The types of these keys, in catalogue order."""
    if not keys:
        return []
    query = select(MetricType).where(MetricType.key.in_(keys)).order_by(*_CATALOGUE_ORDER)
    return (await tx.session.scalars(query)).all()


async def type_with_key(tx: Transaction, key: str) -> MetricType | None:
    """One type of this key, if any."""
    return await tx.session.scalar(select(MetricType).where(MetricType.key == key).limit(1))
