"""Mentors asking: a mentor asks a family to follow their child, a guardian approves (with or
without the child's videos) or declines. Changing a mentor's videos later: `mentor_videos`.

A mentor names the family by sharing the Telegram contact of the athlete's parent (or of the
athlete). The request is addressed to that guardian, who is shown one pair of buttons per child;
nothing goes back to the mentor but the guardian's answer, so sharing someone's contact tells
nothing about their family. A press is checked again here: only the guardian the request was
addressed to, and only for a child they guard, can approve.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from domain import policy
from domain.errors import DomainError, NotAllowed, NotFound
from domain.models import (
    Athlete,
    AthleteLink,
    MentorRequest,
    MentorRequestStatus,
    NotificationKind,
    Role,
    User,
)
from domain.people import queries
from domain.people.mentor_videos import child_first_name
from domain.policy import Action, Actor, AthleteTarget, UserTarget
from domain.uow import Transaction, UnitOfWork

# The guardian's button intents, with the request (and the child, to approve); the delivery
# side (`handlers.people.delivery`) turns them into callback data.
APPROVE_WITH_VIDEOS, APPROVE = "mentor.approve_videos", "mentor.approve"
DECLINE = "mentor.decline"
PENDING, APPROVED, DECLINED = MentorRequestStatus
REQUEST = NotificationKind.MENTOR_REQUEST
# What the mentor hears back, by answer.
ANSWER_KINDS = {
    (APPROVED, True): NotificationKind.MENTOR_APPROVED_VIDEOS,
    (APPROVED, False): NotificationKind.MENTOR_APPROVED,
    (DECLINED, False): NotificationKind.MENTOR_DECLINED,
}


class AlreadyRelated(DomainError):
    """The mentor is already the athlete, a guardian or a mentor of theirs."""

    message_key = "mentor.already_related"


@dataclass(frozen=True)
class MentorAnswer:
    """What a guardian's press did: approved (with videos or not), declined, or nothing new."""

    outcome: str  # approved, declined, or the request's status when it was answered before
    mentor_name: str
    athlete_name: str = ""
    videos: bool = False


def may_ask_to_mentor(actor: Actor | None) -> bool:
    """Whether this person may ask families to let them mentor a child (mentors only)."""
    return actor is not None and policy.may(actor, Action.ASK_TO_MENTOR, UserTarget(actor.user_id))


async def ask_to_mentor(
    uow: UnitOfWork, *, actor: Actor, contact_telegram_id: int, now: datetime
) -> None:
    """Ask the family of the shared contact to approve this mentor; silent when there is none."""
    policy.require(actor, Action.ASK_TO_MENTOR, UserTarget(actor.user_id))
    async with uow as tx:
        guardian = await _guardian_behind(tx, contact_telegram_id)
        if guardian is None or guardian.id == actor.user_id:
            return
        children = await _children_to_offer(tx, guardian.id, mentor_id=actor.user_id)
        if not children or await queries.pending_mentor_request(tx, actor.user_id, guardian.id):
            return  # nothing to offer, or they were asked already: ask once
        request = MentorRequest(mentor_user_id=actor.user_id, guardian_user_id=guardian.id)
        tx.session.add(request)
        await tx.flush()
        mentor = await tx.users.get(actor.user_id)
        await tx.outbox.enqueue_many([_request_notice(request, guardian, mentor, children, now)])
        tx.audit.record(
            actor_id=actor.user_id,
            action="mentor.asked",
            entity="mentor_request",
            entity_id=request.id,
        )
        await tx.commit()


async def answer_request(
    uow: UnitOfWork,
    *,
    actor: Actor,
    request_id: uuid.UUID,
    athlete_id: uuid.UUID | None,
    videos: bool,
    now: datetime,
) -> MentorAnswer:
    """A guardian's Approve (for one child, videos or not) or Decline (`athlete_id` None)."""
    async with uow as tx:
        request = await queries.mentor_request_locked(tx, request_id)
        if request is None:
            raise NotFound("mentor request")
        if request.guardian_user_id != actor.user_id:
            raise NotAllowed("a mentor request addressed to someone else", action="approve_mentor")
        if athlete_id is not None:
            policy.require(actor, Action.APPROVE_MENTOR, AthleteTarget(athlete_id))
        mentor = await tx.users.get(request.mentor_user_id)
        if request.status != PENDING:
            return MentorAnswer(request.status, mentor.first_name)  # a second press
        answer = await _decide(tx, request, mentor, athlete_id, videos=videos, now=now)
        tx.audit.record(
            actor_id=actor.user_id,
            action=f"mentor.{answer.outcome}",
            entity="mentor_request",
            entity_id=request.id,
            details={"videos": videos} if athlete_id else None,
        )
        await tx.commit()
    return answer


async def _decide(
    tx: Transaction,
    request: MentorRequest,
    mentor: User,
    athlete_id: uuid.UUID | None,
    *,
    videos: bool,
    now: datetime,
) -> MentorAnswer:
    request.decided_at = now
    if athlete_id is None:
        request.status = DECLINED
        await _tell_mentor(tx, request, DECLINED, "", videos=False, now=now)
        return MentorAnswer(DECLINED, mentor.first_name)
    athlete = await tx.athletes.get(athlete_id)
    if await _related(tx, athlete, mentor.id):
        raise AlreadyRelated()
    tx.session.add(
        AthleteLink(
            athlete_id=athlete.id, user_id=mentor.id, relation=Role.MENTOR, video_consent=videos
        )
    )
    request.status, request.athlete_id = APPROVED, athlete.id
    name = await child_first_name(tx, athlete.id)
    await _tell_mentor(tx, request, APPROVED, name, videos=videos, now=now)
    return MentorAnswer(APPROVED, mentor.first_name, name, videos)


async def _tell_mentor(
    tx: Transaction,
    request: MentorRequest,
    outcome: str,
    athlete_name: str,
    *,
    videos: bool,
    now: datetime,
) -> None:
    kind = ANSWER_KINDS[(outcome, videos)]
    payload = {"athlete": athlete_name} if athlete_name else {}
    row = {
        "recipient_id": request.mentor_user_id,
        "kind": kind,
        "dedup_key": f"{kind}:{request.id}",
        "due_at": now,
        "payload": payload,
    }
    await tx.outbox.enqueue_many([row])


async def _guardian_behind(tx: Transaction, contact_telegram_id: int) -> User | None:
    """The contact if they guard a child, else the parent of the contact if they are a child."""
    contact = await tx.users.by_telegram_id(contact_telegram_id)
    if contact is None:
        return None
    if await queries.guarded_children(tx, contact.id):
        return contact
    parent_id = await queries.parent_of_athlete_user(tx, contact.id)
    return await tx.users.find(parent_id) if parent_id is not None else None


async def _children_to_offer(
    tx: Transaction, guardian_id: uuid.UUID, *, mentor_id: uuid.UUID
) -> list[tuple[uuid.UUID, str]]:
    """The guardian's children the mentor is not related to yet."""
    related = await queries.linked_athlete_ids(tx, mentor_id)
    own = await queries.athlete_of_user(tx, mentor_id)
    return [
        (athlete_id, name)
        for athlete_id, name in await queries.guarded_children(tx, guardian_id)
        if athlete_id not in related and (own is None or athlete_id != own.id)
    ]


async def _related(tx: Transaction, athlete: Athlete, user_id: uuid.UUID) -> bool:
    if user_id in (athlete.user_id, athlete.parent_id):
        return True
    return await queries.is_linked(tx, athlete.id, user_id)


def _request_notice(
    request: MentorRequest,
    guardian: User,
    mentor: User,
    children: list[tuple[uuid.UUID, str]],
    now: datetime,
) -> dict[str, object]:
    """The guardian's notice: per child, approve with or without videos; then decline."""
    rows = [
        [
            _button("mentor.button.approve_videos", APPROVE_WITH_VIDEOS, request, athlete_id, name),
            _button("mentor.button.approve", APPROVE, request, athlete_id, name),
        ]
        for athlete_id, name in children
    ]
    decline = {"label": "mentor.button.decline", "button": DECLINE, "request_id": str(request.id)}
    rows.append([decline])
    mentor_name = " ".join(filter(None, (mentor.first_name, mentor.last_name)))
    return {
        "recipient_id": guardian.id,
        "kind": REQUEST,
        "dedup_key": f"{REQUEST}:{request.id}",
        "due_at": now,
        "payload": {"mentor": mentor_name, "buttons": rows},
    }


def _button(
    label: str, intent: str, request: MentorRequest, athlete_id: uuid.UUID, name: str
) -> dict[str, object]:
    return {
        "label": label,
        "button": intent,
        "request_id": str(request.id),
        "athlete_id": str(athlete_id),
        "params": {"name": name},
    }
