"""A guardian deciding, mentor by mentor, whether a child's videos are sent to them, and who
is sent them: `athlete_links.video_consent`, off unless a guardian turned it on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import policy
from domain.errors import NotFound
from domain.people import queries
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import Transaction, UnitOfWork


@dataclass(frozen=True)
class ChildsMentor:
    """A mentor of a child, as their guardian manages them: may they be sent the videos?"""

    user_id: uuid.UUID
    name: str
    videos: bool


async def mentors_of_child(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID
) -> tuple[str, list[ChildsMentor]]:
    """The child's first name and mentors, for a guardian deciding who is sent the videos."""
    policy.require(actor, Action.APPROVE_MENTOR, AthleteTarget(athlete_id))
    async with uow as tx:
        return await child_first_name(tx, athlete_id), await _mentors(tx, athlete_id)


async def set_video_consent(
    uow: UnitOfWork,
    *,
    actor: Actor,
    athlete_id: uuid.UUID,
    mentor_user_id: uuid.UUID,
    allowed: bool,
) -> tuple[str, list[ChildsMentor]]:
    """A guardian allows or stops sending the child's videos to one mentor; the list after."""
    policy.require(actor, Action.APPROVE_MENTOR, AthleteTarget(athlete_id))
    async with uow as tx:
        link = await queries.mentor_link_locked(tx, athlete_id, mentor_user_id)
        if link is None:
            raise NotFound("mentor of this athlete")
        if link.video_consent != allowed:
            link.video_consent = allowed
            tx.audit.record(
                actor_id=actor.user_id,
                action="mentor.videos_allowed" if allowed else "mentor.videos_stopped",
                entity="athlete_link",
                entity_id=link.id,
            )
            await tx.flush()
        name, mentors = await child_first_name(tx, athlete_id), await _mentors(tx, athlete_id)
        await tx.commit()
    return name, mentors


async def _mentors(tx: Transaction, athlete_id: uuid.UUID) -> list[ChildsMentor]:
    return [
        ChildsMentor(user_id, " ".join(filter(None, (first, last))), bool(videos))
        for user_id, first, last, videos in await queries.mentors_of(tx, athlete_id)
    ]


async def child_first_name(tx: Transaction, athlete_id: uuid.UUID) -> str:
    athlete = await tx.athletes.get(athlete_id)
    return (await tx.users.get(athlete.user_id)).first_name if athlete.user_id else ""
