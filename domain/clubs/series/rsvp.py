"""RSVP before each occurrence of a series: "Will Leo come?" Yes / No / Maybe.

A job (`queue_due`, every minute) queues in two statements the requests whose window has come
(the series' `rsvp_lead_hours` before the start) and the reminders to the athletes still
unanswered (`rsvp_reminder_hours` before), each to the athlete's side on Telegram, under a dedup
key per occurrence, athlete, recipient and the occurrence's sequence: no duplicates however many
run it (and the outbox's SKIP LOCKED claim for several senders), a moved occurrence asks again.
Both wait out quiet hours. Answers close `rsvp_deadline_hours` before the start.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import policy
from domain.clubs.series import queries
from domain.clubs.series.series import Occurrence, occurrence_of, series_target
from domain.errors import DomainError, NotFound
from domain.models import RsvpAnswer, SessionSeries, SessionStatus
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import UnitOfWork

# Requests are asked at most a week ahead: the statement reads only that window of sessions.
HORIZON = timedelta(days=8)


class AnswersClosed(DomainError):
    """The deadline passed (`closed_at`), or the occurrence was called off."""

    message_key = "series.rsvp.error.closed"


class OccurrenceOff(DomainError):
    """The occurrence was skipped or changed: nothing to answer."""

    message_key = "series.rsvp.error.off"


@dataclass(frozen=True)
class Queued:
    """How many requests and reminders a run queued."""

    requests: int
    reminders: int


async def queue_due(uow: UnitOfWork, *, now: datetime) -> Queued:
    """Queue the RSVP requests and reminders due by now; how many of each were new."""
    async with uow as tx:
        requests = await queries.queue_rsvps(tx, now=now, horizon=HORIZON, reminders=False)
        reminders = await queries.queue_rsvps(tx, now=now, horizon=HORIZON, reminders=True)
        await tx.commit()
    return Queued(requests, reminders)


@dataclass(frozen=True)
class Answered:
    """An answer kept: for whom, which, and for which occurrence."""

    athlete_name: str
    answer: RsvpAnswer
    occurrence: Occurrence


async def answer(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: uuid.UUID,
    athlete_id: uuid.UUID,
    answer: RsvpAnswer,
    now: datetime,
) -> Answered:
    """Keep a family's answer for their athlete, until the deadline (AnswersClosed after)."""
    async with uow as tx:
        policy.require(actor, Action.ANSWER_RSVP, AthleteTarget(athlete_id))
        session = await queries.occurrence(tx, session_id)
        athletes = dict(await queries.occurrence_athletes(tx, session_id)) if session else {}
        if session is None or athlete_id not in athletes:
            raise NotFound("occurrence")
        series = await tx.session.get(SessionSeries, session.series_id)
        assert series is not None  # an occurrence's series: the FK
        if session.status == SessionStatus.CANCELLED:
            raise OccurrenceOff("cancelled")
        closes = session.start_time - timedelta(hours=series.rsvp_deadline_hours)
        if now >= closes:
            raise AnswersClosed("closed", closed_at=closes)
        await queries.save_rsvp(
            tx,
            session_id=session_id,
            athlete_id=athlete_id,
            answer=answer,
            by=actor.user_id,
            now=now,
        )
        await tx.commit()
    return Answered(athletes[athlete_id], answer, occurrence_of(session, series))


@dataclass(frozen=True)
class AthleteLine:
    """One athlete at an occurrence: their answer (None: not yet) and the coach's mark."""

    athlete_id: uuid.UUID
    name: str
    answer: str | None
    attendance: str | None


@dataclass(frozen=True)
class Roll:
    """An occurrence with every athlete's answer and mark, and the answers counted."""

    occurrence: Occurrence
    athletes: list[AthleteLine]
    closes_at: datetime

    @property
    def counts(self) -> Counter[str]:
        """Athletes per answer ("none" for no answer yet)."""
        return Counter(line.answer or "none" for line in self.athletes)


async def roll(uow: UnitOfWork, *, actor: Actor, session_id: uuid.UUID) -> Roll:
    """What the coach sees of an occurrence: names with answers (and marks), counted."""
    async with uow as tx:
        session = await queries.occurrence(tx, session_id)
        if session is None or session.series_id is None:
            raise NotFound("occurrence")
        series = await tx.session.get(SessionSeries, session.series_id)
        assert series is not None
        policy.require(actor, Action.MANAGE_SERIES, await series_target(tx, series))
        answers = await queries.rsvps_of(tx, session_id)
        marks = await queries.attendance_of(tx, session_id)
        athletes = [
            AthleteLine(athlete, name, answers.get(athlete), marks.get(athlete))
            for athlete, name in await queries.occurrence_athletes(tx, session_id)
        ]
        closes = session.start_time - timedelta(hours=series.rsvp_deadline_hours)
        return Roll(occurrence_of(session, series), athletes, closes)
