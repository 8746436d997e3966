"""Personal bests: which value is a new best, and who hears about it.

A value is a personal best when it beats every earlier value of the same metric for the same
athlete in the metric's better direction ('higher' or 'lower'); a metric whose better is
'neither' (body weight, height) has no bests. The first value of a metric is the athlete's
baseline, not a best: there is nothing it beat, and congratulating every first entry would
teach people to ignore the notices. A tie equals the best without beating it, so it is not one
either. "Earlier" means logged before, whatever its `recorded_at`: a backdated value that beats
everything on record is a best too.

A best undone after its notices went out is corrected: whoever was told hears that it was taken
back and what the best on record is now (`withdraw_best`); unsent notices are simply dropped.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from functools import partial

from domain.metrics.catalogue import MetricKind
from domain.metrics.queries.results import (
    best_value,
    coaches_of,
    drop_unsent_notices,
    told_of,
)
from domain.metrics.units import display
from domain.models import NotificationKind, PerformanceMetric, User
from domain.people.family import people_to_notify
from domain.uow import Transaction

FAMILY_KIND = NotificationKind.PERSONAL_BEST
COACH_KIND = NotificationKind.PERSONAL_BEST_COACH
# The correction to those told of a best that was then undone; `_LAST` when no value is left.
WITHDRAWN_KIND = NotificationKind.PERSONAL_BEST_WITHDRAWN
WITHDRAWN_LAST_KIND = NotificationKind.PERSONAL_BEST_WITHDRAWN_LAST


def beats(kind: MetricKind, value: Decimal, best: Decimal | None) -> bool:
    """Whether `value` is a new personal best over `best` (None: nothing logged before)."""
    if best is None:
        return False
    if kind.better == "higher":
        return value > best
    if kind.better == "lower":
        return value < best
    return False


async def hold_bests(tx: Transaction, *, athlete_id: uuid.UUID, metric_key: str) -> None:
    """Serialise bests of one athlete's metric until the transaction ends."""
    # Two values logged at once (a parent and the coach) would otherwise both compare against
    # the same old best and both be announced as the new one.
    await tx.hold_lock(f"pb:{athlete_id}:{metric_key}")


async def best_so_far(
    tx: Transaction, *, athlete_id: uuid.UUID, kind: MetricKind
) -> Decimal | None:
    """The athlete's best value of this metric on record, or None if there is none yet."""
    return await best_value(
        tx, athlete_id=athlete_id, metric_key=kind.key, lower=kind.better == "lower"
    )


async def announce_best(
    tx: Transaction,
    *,
    metric: PerformanceMetric,
    kind: MetricKind,
    athlete_name: str,
    previous: Decimal,
    exclude: uuid.UUID,
    now: datetime,
) -> int:
    """Queue the congratulation (athlete side) and the coach's note; how many were queued.

    `exclude` (whoever logged it) hears nothing: the reply to their message already says so.
    """
    assert metric.athlete_id is not None and metric.metric_value is not None
    family = await people_to_notify(tx, metric.athlete_id)
    told = {person.id for person in family}
    coaches = [coach for coach in await coaches_of(tx, metric.athlete_id) if coach.id not in told]
    notice = partial(_notice, metric=metric, kind=kind, athlete=athlete_name, previous=previous)
    rows = [notice(FAMILY_KIND, person, now) for person in family]
    rows += [notice(COACH_KIND, coach, now) for coach in coaches]
    return await tx.outbox.enqueue_many([row for row in rows if row["recipient_id"] != exclude])


async def drop_unsent_announcements(tx: Transaction, metric_id: uuid.UUID) -> int:
    """Forget the best's notices not sent yet, once its value is undone."""
    return await drop_unsent_notices(tx, metric_id, (FAMILY_KIND, COACH_KIND))


async def withdraw_best(
    tx: Transaction,
    *,
    metric_id: uuid.UUID,
    athlete_id: uuid.UUID,
    kind: MetricKind,
    value: Decimal,
    athlete_name: str,
    now: datetime,
) -> int:
    """Queue a correction to everyone told that an undone value was a best; how many queued.

    Call it once the value is deleted and its unsent notices dropped: the best it reports is
    what is left on record, and a notice a sender was delivering meanwhile held its row, so the
    drop waited, found it sent and left it; its reader is among those corrected.
    """
    told = await told_of(tx, metric_id, (FAMILY_KIND, COACH_KIND))
    if not told:
        return 0
    best = await best_so_far(tx, athlete_id=athlete_id, kind=kind)
    notice = partial(
        _withdrawal, metric_id=metric_id, kind=kind, athlete=athlete_name, value=value, best=best
    )
    return await tx.outbox.enqueue_many([notice(person, now) for person in told])


def _notice(
    notice_kind: str,
    person: User,
    now: datetime,
    *,
    metric: PerformanceMetric,
    kind: MetricKind,
    athlete: str,
    previous: Decimal,
) -> dict[str, object]:
    assert metric.metric_value is not None
    # Written in each recipient's own units: a parent in pounds reads pounds.
    units = person.units or "metric"
    return {
        "recipient_id": person.id,
        "kind": notice_kind,
        "dedup_key": f"personal_best:{metric.id}:{person.id}",
        "due_at": now,
        "payload": {
            "athlete": athlete,
            "metric": kind.reference(),
            "value": display(metric.metric_value, kind.unit, units=units),
            "previous": display(previous, kind.unit, units=units),
            "metric_id": str(metric.id),
        },
    }


def _withdrawal(
    person: User,
    now: datetime,
    *,
    metric_id: uuid.UUID,
    kind: MetricKind,
    athlete: str,
    value: Decimal,
    best: Decimal | None,
) -> dict[str, object]:
    units = person.units or "metric"
    payload: dict[str, object] = {
        "athlete": athlete,
        "metric": kind.reference(),
        "value": display(value, kind.unit, units=units),
        "metric_id": str(metric_id),
    }
    if best is not None:
        payload["best"] = display(best, kind.unit, units=units)
    return {
        "recipient_id": person.id,
        "kind": WITHDRAWN_KIND if best is not None else WITHDRAWN_LAST_KIND,
        "dedup_key": f"{WITHDRAWN_KIND}:{metric_id}:{person.id}",
        "due_at": now,
        "payload": payload,
    }
