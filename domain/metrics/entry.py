"""What a person may log and for whom: their athletes, each athlete's catalogue, a typed line.

Athletes log for themselves, parents and guardians for their children, coaches for the
athletes they coach (domain.policy, Action.LOG_METRICS). The catalogue is read in a short
transaction of its own before the value is stored in another: it is reference data, and
reading it inside the write would hold the write open while the line is parsed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from domain import policy
from domain.errors import NotFound
from domain.metrics.catalogue import MetricKind, catalogue_for
from domain.metrics.latest import LatestMetrics
from domain.metrics.log import Logged, log_metric, require_plausible
from domain.metrics.log_line import LogLine, parse_log_line
from domain.people.queries import full_names
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import UnitOfWork


@dataclass(frozen=True)
class LogTarget:
    """An athlete the person may log values for."""

    athlete_id: uuid.UUID
    first_name: str
    last_name: str
    is_self: bool


async def athletes_to_log_for(uow: UnitOfWork, *, actor: Actor) -> list[LogTarget]:
    """Whom the actor may log for: themself first, then their children, then those they coach."""
    candidates = {actor.own_athlete_id, *actor.guarded_athlete_ids, *actor.coached_athlete_ids}
    allowed = [
        athlete_id
        for athlete_id in candidates
        if athlete_id is not None
        and policy.may(actor, Action.LOG_METRICS, AthleteTarget(athlete_id))
    ]
    if not allowed:
        return []
    async with uow as tx:
        rows = await full_names(tx, allowed)
        targets = [
            LogTarget(athlete_id, first, last or "", athlete_id == actor.own_athlete_id)
            for athlete_id, first, last in rows
        ]

    def order(target: LogTarget) -> tuple[int, str, str]:
        group = 0 if target.is_self else 1 if target.athlete_id in actor.guarded_athlete_ids else 2
        return group, target.first_name.lower(), target.last_name.lower()

    return sorted(targets, key=order)


async def catalogue_to_log(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID
) -> list[MetricKind]:
    """The metrics the actor may log for this athlete: built-ins and the athlete's coaches'."""
    policy.require(actor, Action.LOG_METRICS, AthleteTarget(athlete_id))
    return await catalogue_for(uow, athlete_id=athlete_id)


async def read_line(
    uow: UnitOfWork,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    text: str,
    now: datetime,
    timezone: str,
    metric_key: str | None = None,
) -> LogLine:
    """A typed line read against the athlete's catalogue; MetricInputError explains a bad one.

    With `metric_key` (a metric already picked by button) `text` is only the value, its unit,
    reps, time and note.
    """
    catalogue = await catalogue_to_log(uow, actor=actor, athlete_id=athlete_id)
    if metric_key is None:
        return parse_log_line(text, catalogue, now=now, timezone=timezone)
    picked = [kind for kind in catalogue if kind.key == metric_key]
    if not picked:
        raise NotFound("metric not in the athlete's catalogue")
    # Named by its key against a catalogue of one, the value is read exactly as in a full line.
    return parse_log_line(f"{metric_key} {text}", picked, now=now, timezone=timezone)


async def check_value(
    uow: UnitOfWork,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    text: str,
    metric_key: str | None,
    now: datetime,
    timezone: str,
) -> LogLine:
    """`read_line`, and Implausible for a value outside the metric's usual range."""
    line = await read_line(
        uow,
        actor=actor,
        athlete_id=athlete_id,
        text=text,
        now=now,
        timezone=timezone,
        metric_key=metric_key,
    )
    require_plausible(line)
    return line


async def log_typed(
    uow: UnitOfWork,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    text: str,
    now: datetime,
    timezone: str,
    latest: LatestMetrics,
    metric_key: str | None = None,
    confirmed: bool = False,
) -> Logged:
    """Read a typed line (see `read_line`) and log it (see `domain.metrics.log.log_metric`)."""
    line = await read_line(
        uow,
        actor=actor,
        athlete_id=athlete_id,
        text=text,
        now=now,
        timezone=timezone,
        metric_key=metric_key,
    )
    return await log_metric(
        uow,
        actor=actor,
        athlete_id=athlete_id,
        line=line,
        now=now,
        latest=latest,
        confirmed=confirmed,
    )
