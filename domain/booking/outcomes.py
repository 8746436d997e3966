"""After a session: the coach records how it went, the athletes' side rates it.

A session can be closed (completed or no-show) once it has started, only by its coach. The
coach's notes are theirs; the rating (1–5) and feedback are the athlete's, given by the athlete
or a guardian once the session is completed, and may be changed later. The coach's average
rating and review count are recomputed in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.booking.queries.sessions import coach_rating
from domain.booking.rules import BookingRefused
from domain.booking.sessions import SessionView, load_session
from domain.errors import NotAllowed
from domain.models import SessionStatus
from domain.policy import Actor
from domain.uow import Transaction, UnitOfWork

OUTCOMES = (SessionStatus.COMPLETED, SessionStatus.NO_SHOW)
MAX_NOTES = 2000
MAX_FEEDBACK = 1000


async def record_outcome(
    uow: UnitOfWork, *, actor: Actor, session_id: uuid.UUID, outcome: str, now: datetime
) -> SessionView:
    """The coach marks a started session completed or no-show (again: changes nothing)."""
    if outcome not in OUTCOMES:
        raise BookingRefused("booking.error.outcome")
    async with uow as tx:
        loaded = await load_session(tx, session_id, lock=True)
        loaded.require_coach(actor)
        session = loaded.session
        if session.status == outcome:
            return loaded.view_for(actor)
        if session.status not in (
            SessionStatus.SCHEDULED,
            SessionStatus.COMPLETED,
            SessionStatus.NO_SHOW,
        ):
            raise BookingRefused("booking.error.not_live", status=session.status)
        if session.start_time > now:
            raise BookingRefused("booking.error.not_started")
        session.status = outcome
        tx.audit.record(
            actor_id=actor.user_id,
            action=f"session.{outcome}",
            entity="training_session",
            entity_id=session.id,
        )
        view = loaded.view_for(actor)
        await tx.commit()
    return view


async def add_coach_notes(
    uow: UnitOfWork, *, actor: Actor, session_id: uuid.UUID, notes: str
) -> SessionView:
    """The coach's private notes on a session (replacing earlier ones)."""
    text = notes.strip()
    if not text or len(text) > MAX_NOTES:
        raise BookingRefused("booking.error.notes_length", limit=MAX_NOTES)
    async with uow as tx:
        loaded = await load_session(tx, session_id, lock=True)
        loaded.require_coach(actor)
        loaded.session.coach_notes = text
        view = loaded.view_for(actor)
        await tx.commit()
    return view


async def rate(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: uuid.UUID,
    rating: int,
    feedback: str | None = None,
) -> SessionView:
    """The athlete (or a guardian) rates a completed session 1–5, with optional words."""
    if not 1 <= rating <= 5:
        raise BookingRefused("booking.error.rating")
    if feedback is not None and len(feedback.strip()) > MAX_FEEDBACK:
        raise BookingRefused("booking.error.feedback_length", limit=MAX_FEEDBACK)
    async with uow as tx:
        loaded = await load_session(tx, session_id, lock=True)
        if not loaded.athletes_of(actor):
            raise NotAllowed("not a party to this session", action="book_for_athlete")
        session = loaded.session
        if session.status != SessionStatus.COMPLETED:
            raise BookingRefused("booking.error.rate_not_completed")
        session.rating = rating
        if feedback is not None:
            session.athlete_feedback = feedback.strip() or None
        await tx.flush()
        await _refresh_coach_rating(tx, loaded.coach.id)
        view = loaded.view_for(actor)
        await tx.commit()
    return view


async def _refresh_coach_rating(tx: Transaction, coach_id: uuid.UUID) -> None:
    average, count = await coach_rating(tx, coach_id)
    coach = await tx.coaches.get(coach_id)
    coach.rating = None if average is None else round(average, 2)
    coach.total_reviews = count
