"""How athletes keep up with a program: per athlete and week, the training days done, partly
done, skipped and left unanswered; the newest result logged from it; who is falling behind.
The coach sees it for their program (`program_adherence`), the family for their athlete
(`athlete_compliance`, shown by /progress), and each coach gets a weekly digest per program
(`queue_weekly_digests`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain import policy
from domain.errors import NotFound
from domain.models import NotificationKind, ProgramEnrolment, WorkoutStatus
from domain.policy import Action, Actor, AthleteTarget, ProgramTarget
from domain.programs.content import ProgramContent
from domain.programs.following import queries
from domain.uow import UnitOfWork

# Falling behind: of the training days of the last BEHIND_DAYS, fewer than half done or
# partly done (and at least two such days, so one missed day on day two is not alarming).
BEHIND_DAYS = 14
WEEKS_SHOWN = 4
DIGEST_HOUR = 8  # Monday, the coach's local time


@dataclass(frozen=True)
class WeekTally:
    """One week of one athlete: training days in it so far and what became of them."""

    week: int
    due: int
    done: int = 0
    partly: int = 0
    skipped: int = 0

    @property
    def unanswered(self) -> int:
        """Training days passed with no answer."""
        return self.due - self.done - self.partly - self.skipped


@dataclass(frozen=True)
class AthleteAdherence:
    """One athlete's weeks on a program, their newest result from it, and whether behind."""

    athlete_id: uuid.UUID
    name: str
    weeks: list[WeekTally]
    behind: bool
    latest: dict[str, Any] | None = None  # metric, value, unit, recorded_at


@dataclass(frozen=True)
class ProgramAdherence:
    """A program's athletes, the ones falling behind first."""

    program_id: uuid.UUID
    title: str
    athletes: list[AthleteAdherence] = field(default_factory=list)


def tally(
    enrolment: ProgramEnrolment,
    content: ProgramContent,
    answered: dict[tuple[int, int], str],
    today: date,
    *,
    shown: int | None = WEEKS_SHOWN,
) -> tuple[list[WeekTally], bool]:
    """The weeks so far (the newest `shown`, or all) and whether the athlete is behind."""
    elapsed = (today - enrolment.start_date).days + 1
    weeks: list[WeekTally] = []
    recent_due, recent_kept = 0, 0
    for plan in content.weeks:
        counts: Counter[str] = Counter()
        due = 0
        for day in plan.days:
            n = (plan.week - 1) * 7 + day.day - 1
            if n >= elapsed:
                continue
            due += 1
            status = answered.get((plan.week, day.day))
            if status:
                counts[status] += 1
            if elapsed - n <= BEHIND_DAYS:
                recent_due += 1
                recent_kept += status in (WorkoutStatus.DONE, WorkoutStatus.PARTLY)
        if due:
            weeks.append(
                WeekTally(
                    plan.week,
                    due,
                    counts[WorkoutStatus.DONE],
                    counts[WorkoutStatus.PARTLY],
                    counts[WorkoutStatus.SKIPPED],
                )
            )
    behind = recent_due >= 2 and recent_kept * 2 < recent_due
    return (weeks[-shown:] if shown else weeks), behind


def _local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


async def program_adherence(
    uow: UnitOfWork, *, actor: Actor, program_id: uuid.UUID, now: datetime
) -> ProgramAdherence:
    """The coach's view of a program of theirs: every athlete following it, week by week."""
    async with uow as tx:
        found = await queries.program_with_coach(tx, program_id)
        if found is None:
            raise NotFound("no such program")
        program = found[0]
        policy.require(actor, Action.VIEW_ADHERENCE, ProgramTarget(program.coach_id))
        rows = await queries.program_enrolments(tx, program_id)
        ids = [row[0].id for row in rows]
        answers = await queries.answers(tx, ids)
        latest = {r[0]: r for r in await queries.latest_program_results(tx, ids)}
    by_enrolment: dict[uuid.UUID, dict[tuple[int, int], str]] = {}
    for enrolment_id, week, day, status in answers:
        by_enrolment.setdefault(enrolment_id, {})[(week, day)] = status
    athletes = []
    for enrolment, name, timezone, content in rows:
        weeks, behind = tally(
            enrolment,
            ProgramContent.from_stored(content),
            by_enrolment.get(enrolment.id, {}),
            _local_today(now, timezone or "UTC"),
        )
        result = latest.get(enrolment.id)
        athletes.append(
            AthleteAdherence(
                enrolment.athlete_id,
                name,
                weeks,
                behind,
                _result(result) if result is not None else None,
            )
        )
    athletes.sort(key=lambda a: (not a.behind, a.name))
    return ProgramAdherence(program.id, program.title, athletes)


def _result(row: Any) -> dict[str, Any]:
    _enrolment, metric, value, unit, recorded_at = row
    return {"metric": metric, "value": value, "unit": unit, "recorded_at": recorded_at}


async def followed_programs(uow: UnitOfWork, *, actor: Actor) -> list[tuple[uuid.UUID, str, int]]:
    """The coach's programs that athletes follow now: id, title, how many."""
    if actor.coach_id is None:
        return []
    async with uow as tx:
        rows = await queries.coach_programs(tx, actor.coach_id)
    return [(program_id, title, count) for program_id, title, count in rows]


@dataclass(frozen=True)
class Compliance:
    """An athlete's keeping up with one program: training days due, done, partly, skipped."""

    program_title: str
    due: int
    done: int
    partly: int
    skipped: int

    @property
    def percent(self) -> int:
        """Done counts whole, partly half, of the days due so far."""
        if not self.due:
            return 100
        kept = Decimal(self.done) + Decimal(self.partly) / 2
        return int(kept * 100 / self.due)


async def athlete_compliance(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID, now: datetime
) -> list[Compliance]:
    """The athlete's running programs and how well each is kept (for /progress)."""
    policy.require(actor, Action.VIEW_METRICS, AthleteTarget(athlete_id))
    async with uow as tx:
        rows = await queries.enrolments_with_content(tx, athlete_id)
        answers = await queries.answers(tx, [row[0].id for row in rows])
        user = await queries.athlete_user(tx, athlete_id)
    today = _local_today(now, user.timezone if user else "UTC")
    by_enrolment: dict[uuid.UUID, dict[tuple[int, int], str]] = {}
    for enrolment_id, week, day, status in answers:
        by_enrolment.setdefault(enrolment_id, {})[(week, day)] = status
    found = []
    for enrolment, title, content in rows:
        everything, _behind = tally(
            enrolment,
            ProgramContent.from_stored(content),
            by_enrolment.get(enrolment.id, {}),
            today,
            shown=None,
        )
        found.append(
            Compliance(
                title,
                sum(w.due for w in everything),
                sum(w.done for w in everything),
                sum(w.partly for w in everything),
                sum(w.skipped for w in everything),
            )
        )
    return found


async def queue_weekly_digests(uow: UnitOfWork, *, now: datetime) -> int:
    """Queue last week's adherence digest of each program to its coach, on Monday morning in
    the coach's zone (once per program and week: the dedup key)."""
    async with uow as tx:
        programs = await queries.programs_for_digest(tx)
    queued = 0
    for program_id, coach_user_id, coach_id, timezone in programs:
        local = now.astimezone(ZoneInfo(timezone or "UTC"))
        if local.weekday() != 0 or local.hour < DIGEST_HOUR:
            continue
        coach = Actor(user_id=coach_user_id, role="coach", coach_id=coach_id)
        # As of yesterday, Sunday: the week the digest tells about is the one just over.
        yesterday = now - timedelta(days=1)
        view = await program_adherence(uow, actor=coach, program_id=program_id, now=yesterday)
        items = [_digest_line(a) for a in view.athletes]
        year, week, _ = local.date().isocalendar()
        async with uow as tx:
            queued += await tx.outbox.enqueue(
                recipient_id=coach_user_id,
                kind=NotificationKind.PROGRAM_DIGEST,
                dedup_key=f"{NotificationKind.PROGRAM_DIGEST}:{program_id}:{year}-{week}",
                payload={
                    "program": view.title,
                    "behind": sum(a.behind for a in view.athletes),
                    "athletes": {"lines": "training.digest.line", "items": items},
                },
                due_at=now,
            )
            await tx.commit()
    return queued


def _digest_line(athlete: AthleteAdherence) -> dict[str, Any]:
    last = athlete.weeks[-1] if athlete.weeks else WeekTally(0, 0)
    return {
        "name": athlete.name,
        "done": last.done,
        "partly": last.partly,
        "skipped": last.skipped,
        "due": last.due,
        "mark": "⚠️" if athlete.behind else "✅",
    }
