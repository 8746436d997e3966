"""A weekly series: created and expanded in one transaction, one occurrence skipped or moved, the
series changed from a date onwards; families told through the outbox.

The whole season is expanded when the series is made (`insert_occurrences`, one statement):
40 weeks of two days are 80 rows, written in a few milliseconds, and every occurrence then is a
plain `training_sessions` row that the no-overlap constraint, the booking screens, reminders and
RSVPs already understand, with no job needed to keep a rolling horizon filled (and nothing to
go wrong when that job is late). The constraint judges the whole season at once: a clash with
the coach's other sessions refuses the series and names the first date that clashed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError

from domain import policy
from domain.booking.sessions import GROUP
from domain.clubs.series import queries
from domain.clubs.series.plan import (
    SeriesChange,
    SeriesPlan,
    SeriesRefused,
    check_plan,
    local_start,
    occurrences,
    parse_change,
    parse_plan,
)
from domain.clubs.teams import queries as teams
from domain.errors import NotFound, SlotTaken, from_integrity_error
from domain.models import NotificationKind, SessionSeries, SessionStatus, TrainingSession
from domain.policy import Action, Actor, AthleteTarget, SeriesTarget, TeamTarget
from domain.uow import Transaction, UnitOfWork

INDIVIDUAL = "individual"
SKIPPED = "skipped"
CHANGED = "series_changed"
_UTC_INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)([+-]\d{2})")


class SeriesClash(SlotTaken):
    """The coach already has a session at one of the series' times; `date` is the first."""

    message_key = "series.error.clash"


@dataclass(frozen=True)
class SeriesView:
    """A series as the chat shows it."""

    id: uuid.UUID
    title: str
    athlete_id: uuid.UUID | None
    team_id: uuid.UUID | None
    weekdays: tuple[int, ...]
    local_time: time
    timezone: str
    length_minutes: int
    place: str | None
    season_start: date
    season_end: date
    holidays: tuple[date, ...]
    capacity: int
    rsvp_lead_hours: int
    rsvp_deadline_hours: int


@dataclass(frozen=True)
class Created:
    """A series made: what it is and how many occurrences it put on the calendar."""

    series: SeriesView
    occurrences: int


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: when, whether it is still on."""

    id: uuid.UUID
    series_id: uuid.UUID
    title: str
    start: datetime
    end: datetime
    status: str
    cancel_reason: str | None

    @property
    def live(self) -> bool:
        """Still on the calendar."""
        return self.status != SessionStatus.CANCELLED


async def create_private_series(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID, text: str, now: datetime
) -> Created:
    """A private-lesson series with one athlete the coach coaches, the season expanded."""
    plan = parse_plan(text)
    async with uow as tx:
        policy.require(actor, Action.SCHEDULE_SERIES_FOR, AthleteTarget(athlete_id))
        if actor.coach_id is None:
            raise NotFound("no coach profile")
        policy.require(actor, Action.MANAGE_SERIES, SeriesTarget(frozenset({actor.coach_id})))
        names = await queries.series_names(tx, actor.coach_id, athlete_id)
        if names is None:
            raise NotFound("coach or athlete")
        coach_name, zone, name = names
        # "Kim · Cora": whose lessons with whom, as both sides read it.
        series = _new_series(
            actor, plan, zone, coach_id=actor.coach_id, title=f"{name} · {coach_name}"
        )
        series.athlete_id = athlete_id
        count = await _write(tx, actor, series, plan, athletes=[athlete_id], now=now)
        await tx.commit()
    return Created(view_of(series), count)


async def create_team_series(
    uow: UnitOfWork, *, actor: Actor, team_id: uuid.UUID, text: str, now: datetime
) -> Created:
    """A team's weekly practice on the acting coach's calendar, its members in every occurrence
    (capacity at least the roster), the team's season unless the line gives one."""
    async with uow as tx:
        team = await teams.team(tx, team_id)
        if team is None or actor.coach_id is None:
            raise NotFound("team")
        coaches = await teams.coach_ids(tx, team_id)
        policy.require(actor, Action.MANAGE_TEAM, TeamTarget(coaches))
        policy.require(actor, Action.MANAGE_SERIES, SeriesTarget(coaches))
        members = sorted(await teams.member_athlete_ids(tx, team_id))
        plan = parse_plan(
            text, capacity=max(len(members), 1), season=(team.season_start, team.season_end)
        )
        names = await queries.series_names(tx, actor.coach_id, None)
        zone = names[1] if names else "UTC"
        series = _new_series(actor, plan, zone, coach_id=actor.coach_id, title=team.name)
        series.team_id = team_id
        count = await _write(tx, actor, series, plan, athletes=members, now=now)
        await tx.commit()
    return Created(view_of(series), count)


def _new_series(
    actor: Actor, plan: SeriesPlan, zone: str | None, *, coach_id: uuid.UUID, title: str
) -> SessionSeries:
    """The series row, in the coach's zone (their availability's, else their own)."""
    return SessionSeries(
        id=uuid.uuid4(),
        coach_id=coach_id,
        team_id=None,
        athlete_id=None,
        title=title[:100],
        weekdays=list(plan.weekdays),
        local_time=plan.local_time,
        timezone=zone or actor.timezone or "UTC",
        length_minutes=plan.length_minutes,
        capacity=plan.capacity,
        location={"text": plan.place} if plan.place else None,
        season_start=plan.season_start,
        season_end=plan.season_end,
        holidays=sorted(plan.holidays),
        rsvp_lead_hours=plan.rsvp_lead_hours,
        rsvp_reminder_hours=plan.rsvp_reminder_hours,
        rsvp_deadline_hours=plan.rsvp_deadline_hours,
        created_by=actor.user_id,
    )


async def _write(
    tx: Transaction,
    actor: Actor,
    series: SessionSeries,
    plan: SeriesPlan,
    *,
    athletes: list[uuid.UUID],
    now: datetime,
) -> int:
    """The series and its whole season in one statement (SeriesClash names the first clash),
    a team's members in each occurrence, and the audit entry."""
    times = [(start, end) for _, start, end in occurrences(plan, series.timezone) if start > now]
    group = series.athlete_id is None
    try:
        ids = await queries.insert_series(
            tx,
            series,
            times,
            session_type=GROUP if group else INDIVIDUAL,
            participants=len(athletes) if group else 1,
        )
    except DBAPIError as err:
        raise _clash(err, series.timezone) from err
    if group:
        await queries.add_participants(tx, ids, athletes, series.created_by)
    tx.audit.record(
        actor_id=actor.user_id,
        action="series.created",
        entity="session_series",
        entity_id=series.id,
        details={"weekdays": list(plan.weekdays), "occurrences": len(ids)},
    )
    return len(ids)


async def expand(
    tx: Transaction,
    series: SessionSeries,
    plan: SeriesPlan,
    *,
    athletes: list[uuid.UUID],
    now: datetime,
    skipped: frozenset[date] = frozenset(),
) -> int:
    """Write the plan's occurrences still ahead; SeriesClash names the first clash."""
    times = [
        (start, end)
        for _, start, end in occurrences(plan, series.timezone, skipped=skipped)
        if start > now
    ]
    group = series.athlete_id is None
    try:
        ids = await queries.insert_occurrences(
            tx,
            series,
            times,
            session_type=GROUP if group else INDIVIDUAL,
            participants=len(athletes) if group else 1,
        )
    except DBAPIError as err:
        raise _clash(err, series.timezone) from err
    if group:
        await queries.add_participants(tx, ids, athletes, series.created_by)
    return len(ids)


def _clash(err: DBAPIError, zone: str) -> Exception:
    mapped = from_integrity_error(err)
    if not isinstance(mapped, SlotTaken):
        return mapped or err
    # Postgres names the refused row's range first: "Key (coach_id, tstzrange(...))=(…,
    # ["2027-01-12 16:00:00+00",…) conflicts with existing key …".
    detail = _detail(err)
    found = _UTC_INSTANT.search(detail)
    if found is None:
        return SeriesClash("clash", date="?")
    instant = datetime.fromisoformat(f"{found[1]}{found[2]}:00").astimezone(ZoneInfo(zone))
    return SeriesClash("clash", date=instant.date().isoformat())


def _detail(err: BaseException) -> str:
    seen: BaseException | None = err
    for _ in range(5):
        if seen is None:
            break
        detail = getattr(seen, "detail", None)
        if isinstance(detail, str) and detail:
            return detail
        seen = getattr(seen, "orig", None) or seen.__cause__
    return str(err)


async def skip_occurrence(
    uow: UnitOfWork, *, actor: Actor, session_id: uuid.UUID, now: datetime
) -> Occurrence:
    """Call one occurrence off; its families are told. Skipping it twice changes nothing."""
    async with uow as tx:
        session, series = await _occurrence_to_change(tx, actor, session_id, now)
        if session.status != SessionStatus.CANCELLED:
            await queries.cancel_occurrences(
                tx, [session.id], by=actor.user_id, reason=SKIPPED, now=now
            )
            await queries.drop_unsent(tx, [session.id])
            await _tell(
                tx,
                series,
                NotificationKind.SERIES_SKIPPED,
                await queries.series_athletes_of(tx, session.id),
                key=f"{session.id}:{session.sequence + 1}",
                payload={"title": series.title, "starts_at": session.start_time.isoformat()},
                now=now,
            )
        await tx.commit()
        await tx.session.refresh(session)
    return occurrence_of(session, series)


async def move_occurrence(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: uuid.UUID,
    day: date,
    clock: time,
    now: datetime,
) -> Occurrence:
    """Move one occurrence to another local date and time; families told. SeriesClash if busy."""
    async with uow as tx:
        session, series = await _occurrence_to_change(tx, actor, session_id, now)
        if session.status == SessionStatus.CANCELLED:
            raise SeriesRefused("series.error.occurrence_skipped")
        start = local_start(day, clock, series.timezone)
        if start <= now:
            raise SeriesRefused("series.error.move_to_past")
        was = session.start_time
        try:
            await queries.move_occurrence(tx, session.id, start, start + (session.end_time - was))
        except DBAPIError as err:
            raise _clash(err, series.timezone) from err
        await queries.drop_unsent(tx, [session.id])
        await _tell(
            tx,
            series,
            NotificationKind.SERIES_MOVED,
            await queries.series_athletes_of(tx, session.id),
            key=f"{session.id}:{session.sequence + 1}",
            payload={
                "title": series.title,
                "was_at": was.isoformat(),
                "starts_at": start.isoformat(),
            },
            now=now,
        )
        await tx.commit()
        await tx.session.refresh(session)
    return occurrence_of(session, series)


async def change_series(
    uow: UnitOfWork, *, actor: Actor, series_id: uuid.UUID, text: str, now: datetime
) -> Created:
    """Change days, time, length or place from a date onwards: the occurrences from then are
    made again (skipped dates stay skipped), earlier ones stay as they were; families told."""
    change = parse_change(text)
    async with uow as tx:
        series = await _series_to_change(tx, actor, series_id)
        today = now.astimezone(ZoneInfo(series.timezone)).date()
        if change.from_date < today:
            raise SeriesRefused("series.error.change_in_past", today=today.isoformat())
        if change.from_date > series.season_end:
            raise SeriesRefused("series.error.after_season", end=series.season_end.isoformat())
        plan = change.applied_to(plan_of(series))
        check_plan(plan)
        athletes = await queries.series_athletes(tx, series.id)
        skipped = await _replace_from(tx, actor, series, change, now)
        _apply(series, change)
        await tx.flush()
        count = await expand(tx, series, plan, athletes=athletes, now=now, skipped=skipped)
        await _tell(
            tx,
            series,
            NotificationKind.SERIES_CHANGED,
            athletes,
            key=f"{series.id}:{change.from_date.isoformat()}:{now.timestamp():.0f}",
            payload={"title": series.title, "from_date": change.from_date.isoformat()},
            now=now,
        )
        tx.audit.record(
            actor_id=actor.user_id,
            action="series.changed",
            entity="session_series",
            entity_id=series.id,
            details={"from": change.from_date.isoformat(), "occurrences": count},
        )
        await tx.commit()
    return Created(view_of(series), count)


async def _replace_from(
    tx: Transaction, actor: Actor, series: SessionSeries, change: SeriesChange, now: datetime
) -> frozenset[date]:
    """Call off the live occurrences from the date (and still ahead); the dates skipped stay."""
    cut = max(local_start(change.from_date, time(0, 0), series.timezone), now)
    zone = ZoneInfo(series.timezone)
    existing = await queries.occurrences_from(tx, series.id, cut)
    skipped = frozenset(
        s.start_time.astimezone(zone).date() for s in existing if s.cancel_reason == SKIPPED
    )
    live = [s.id for s in existing if s.status != SessionStatus.CANCELLED]
    if live:
        await queries.cancel_occurrences(tx, live, by=actor.user_id, reason=CHANGED, now=now)
        await queries.drop_unsent(tx, live)
    return skipped


def _apply(series: SessionSeries, change: SeriesChange) -> None:
    if change.weekdays:
        series.weekdays = list(change.weekdays)
    if change.local_time:
        series.local_time = change.local_time
    if change.length_minutes:
        series.length_minutes = change.length_minutes
    if change.place is not None:
        series.location = {"text": change.place}


async def _tell(
    tx: Transaction,
    series: SessionSeries,
    kind: NotificationKind,
    athletes: list[uuid.UUID],
    *,
    key: str,
    payload: dict[str, object],
    now: datetime,
) -> None:
    rows = await queries.family_ids(tx, athletes)
    await tx.outbox.enqueue_many(
        [
            {
                "recipient_id": recipient,
                "kind": kind,
                "dedup_key": f"{kind}:{key}:{athlete}:{recipient}",
                "payload": {**payload, "athlete": name, "series_id": str(series.id)},
                "due_at": now,
            }
            for athlete, name, recipient in rows
            if recipient is not None
        ]
    )


async def _occurrence_to_change(
    tx: Transaction, actor: Actor, session_id: uuid.UUID, now: datetime
) -> tuple[TrainingSession, SessionSeries]:
    session = await queries.occurrence(tx, session_id)
    if session is None or session.series_id is None:
        raise NotFound("occurrence")
    series = await _series_to_change(tx, actor, session.series_id)
    if session.start_time <= now:
        raise SeriesRefused("series.error.occurrence_past")
    return session, series


async def _series_to_change(tx: Transaction, actor: Actor, series_id: uuid.UUID) -> SessionSeries:
    series = await tx.session.get(SessionSeries, series_id)
    if series is None:
        raise NotFound("series")
    policy.require(actor, Action.MANAGE_SERIES, await series_target(tx, series))
    return series


async def series_target(tx: Transaction, series: SessionSeries) -> SeriesTarget:
    """Who runs the series, for the policy: its coach and, for a team's, the team's coaches."""
    coaches = await teams.coach_ids(tx, series.team_id) if series.team_id else frozenset()
    return SeriesTarget(coaches | {series.coach_id})


def plan_of(series: SessionSeries) -> SeriesPlan:
    """The series' plan as it now stands."""
    return SeriesPlan(
        weekdays=tuple(series.weekdays),
        local_time=series.local_time,
        length_minutes=series.length_minutes,
        season_start=series.season_start,
        season_end=series.season_end,
        holidays=frozenset(series.holidays or ()),
        place=(series.location or {}).get("text"),
        capacity=series.capacity,
        rsvp_lead_hours=series.rsvp_lead_hours,
        rsvp_reminder_hours=series.rsvp_reminder_hours,
        rsvp_deadline_hours=series.rsvp_deadline_hours,
    )


def view_of(series: SessionSeries) -> SeriesView:
    """A series for the chat layer."""
    return SeriesView(
        id=series.id,
        title=series.title,
        athlete_id=series.athlete_id,
        team_id=series.team_id,
        weekdays=tuple(series.weekdays),
        local_time=series.local_time,
        timezone=series.timezone,
        length_minutes=series.length_minutes,
        place=(series.location or {}).get("text"),
        season_start=series.season_start,
        season_end=series.season_end,
        holidays=tuple(series.holidays or ()),
        capacity=series.capacity,
        rsvp_lead_hours=series.rsvp_lead_hours,
        rsvp_deadline_hours=series.rsvp_deadline_hours,
    )


def occurrence_of(session: TrainingSession, series: SessionSeries) -> Occurrence:
    """An occurrence for the chat layer."""
    return Occurrence(
        id=session.id,
        series_id=series.id,
        title=series.title,
        start=session.start_time.astimezone(UTC),
        end=session.end_time.astimezone(UTC),
        status=session.status,
        cancel_reason=session.cancel_reason,
    )


async def coachable_athletes(uow: UnitOfWork, *, actor: Actor) -> list[tuple[uuid.UUID, str]]:
    """The athletes a private-lesson series can be with: those the coach coaches, by name."""
    async with uow as tx:
        return await queries.first_names(tx, sorted(actor.coached_athlete_ids))


async def team_series(uow: UnitOfWork, *, actor: Actor, team_id: uuid.UUID) -> list[SeriesView]:
    """A team's series, for the team's coaches."""
    async with uow as tx:
        policy.require(actor, Action.MANAGE_TEAM, TeamTarget(await teams.coach_ids(tx, team_id)))
        return [view_of(s) for s in await queries.series_of_team(tx, team_id)]


async def coach_series(uow: UnitOfWork, *, actor: Actor) -> list[SeriesView]:
    """The acting coach's series."""
    if actor.coach_id is None:
        return []
    async with uow as tx:
        return [view_of(s) for s in await queries.series_of_coach(tx, actor.coach_id)]


@dataclass(frozen=True)
class SeriesPage:
    """A series and its next occurrences."""

    series: SeriesView
    upcoming: list[Occurrence]


async def series_page(
    uow: UnitOfWork, *, actor: Actor, series_id: uuid.UUID, now: datetime, count: int = 6
) -> SeriesPage:
    """A series with its next occurrences (skipped ones shown as such)."""
    async with uow as tx:
        series = await _series_to_change(tx, actor, series_id)
        sessions = await queries.occurrences_from(
            tx, series.id, now - timedelta(hours=3), limit=count * 3
        )
        shown = [s for s in sessions if s.cancel_reason != CHANGED][:count]
        return SeriesPage(view_of(series), [occurrence_of(s, series) for s in shown])
