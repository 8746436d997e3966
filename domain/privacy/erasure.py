"""/deleteme: a request, 7 days' grace (withdrawn by /start), then erasure by a scheduled job.

Erasure, in one transaction per person: future sessions cancelled as a coach's cancellation
is (paid ones refunded in full, first: Stars refunds need the person's Telegram id, so the
erasure waits until the outbox sent them); children only they guard are erased with them,
co-guarded children pass to the other guardian; personal fields removed, metrics and videos
deleted (their files too), sessions and payments kept without names or words, audit entries
anonymised through the trigger's maintenance path. What is kept and why: docs/privacy.md.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.actors import actor_for_user
from domain.adapters.storage import MediaStorage
from domain.adapters.storage.base import StorageError
from domain.booking.refunds import CancellationRefund
from domain.booking.sessions import SessionView
from domain.booking.slot_cache import SlotCache
from domain.booking.suspension import cancel_future_sessions
from domain.errors import InvalidInput
from domain.policy import Action, Actor, UserTarget, require
from domain.privacy import queries
from domain.uow import Transaction, UnitOfWork

log = logging.getLogger(__name__)
GRACE = timedelta(days=7)
REASON = "erased"


@dataclass(frozen=True)
class Erased:
    """One person erased: how many people (they and their children), files and sessions."""

    user_id: uuid.UUID
    people: int
    files_deleted: int
    sessions_cancelled: int
    # Their Telegram ids as they were: the runtime forgets their chat state by them.
    telegram_user_ids: tuple[int, ...] = ()


class AdminCannotBeErased(InvalidInput):
    """An admin asks another admin to remove their rights first (the last one cannot go)."""

    message_key = "privacy.error.admin"


async def request_erasure(uow: UnitOfWork, *, actor: Actor, now: datetime) -> datetime:
    """Record the actor's request; when the erasure is due (a repeat keeps the first date)."""
    require(actor, Action.ERASE_OWN_DATA, UserTarget(actor.user_id))
    if actor.is_admin:
        raise AdminCannotBeErased("an admin")
    async with uow as tx:
        due_at = await queries.add_request(tx, actor.user_id, now, now + GRACE)
        _audit(tx, actor.user_id, "privacy.erasure_requested", due_at=due_at.isoformat())
        await tx.commit()
    return due_at


async def withdraw_erasure(uow: UnitOfWork, *, actor: Actor) -> bool:
    """Withdraw the actor's pending request (their /start); whether there was one."""
    require(actor, Action.ERASE_OWN_DATA, UserTarget(actor.user_id))
    async with uow as tx:
        due_at = await queries.withdraw_request(tx, actor.user_id)
        if due_at is None:
            return False
        _audit(tx, actor.user_id, "privacy.erasure_withdrawn")
        await tx.commit()
    return True


async def erase_due(
    uow: UnitOfWork,
    *,
    storage: MediaStorage,
    refund: CancellationRefund,
    slots: SlotCache,
    now: datetime,
    limit: int = 20,
) -> list[Erased]:
    """Job: erase the people whose grace is over, one transaction each; those erased."""
    done: list[Erased] = []
    waiting: set[uuid.UUID] = set()
    for _ in range(limit):
        async with uow as tx:
            request = await queries.claim_due(tx, now)
            if request is None or request.user_id in waiting:
                return done
            request.claimed_at = now
            erased, touched = await _erase(tx, request.user_id, storage, refund, now)
            if erased is None:
                waiting.add(request.user_id)
            else:
                request.erased_at = now
            await tx.commit()
        for view in touched:
            await slots.forget_session(view.coach_id, view.coach_timezone, view.start, view.end)
        if erased is not None:
            done.append(erased)
    return done


async def _erase(
    tx: Transaction,
    user_id: uuid.UUID,
    storage: MediaStorage,
    refund: CancellationRefund,
    now: datetime,
) -> tuple[Erased | None, list[SessionView]]:
    """Erase the person, or only cancel their sessions if Stars refunds must go out first."""
    person = await actor_for_user(tx, await tx.users.get(user_id))
    guardians = await queries.guardians_of(tx, person.guarded_athlete_ids)
    only_theirs = frozenset(a for a, who in guardians.items() if who <= {user_id})
    athletes = {*only_theirs, *filter(None, [person.own_athlete_id])}
    people = {user_id, *await queries.athlete_user_ids(tx, athletes)}
    # Names go first, so the cancellation notices (and their calendar files) carry none.
    await queries.remove_names(tx, people)
    await tx.flush()
    # Their co-guarded children's sessions are the other guardian's to keep.
    cancelling = replace(person, guarded_athlete_ids=only_theirs)
    cancelled = await cancel_future_sessions(
        tx, person=cancelling, admin=cancelling, now=now, refund=refund, reason=REASON
    )
    if refunds := await queries.unsent_star_refunds(tx, user_id):
        log.info("erasure waits for %d Stars refunds to be sent", refunds)
        return None, cancelled
    await queries.hand_over_children(tx, user_id, person.guarded_athlete_ids - only_theirs)
    # Made an admin during the grace: the rights go (the database keeps the last admin).
    await queries.drop_admin(tx, user_id)
    keys, telegram_ids = await _remove(tx, person, people, athletes)
    # Before the commit: should it fail, the next run erases again, and no file is orphaned.
    deleted = await _delete_files(storage, keys)
    erased = Erased(user_id, len(people), deleted, len(cancelled), telegram_ids)
    return erased, cancelled


async def _remove(
    tx: Transaction, person: Actor, people: set[uuid.UUID], athletes: set[uuid.UUID]
) -> tuple[list[str], tuple[int, ...]]:
    """Every personal row and field of these people and athletes removed or anonymised; the
    storage keys of their files, and the Telegram ids they had."""
    keys = await queries.delete_videos(tx, athletes)
    keys += await queries.delete_nutrition(tx, people, athletes)
    keys += await queries.anonymise_coach(tx, person.user_id)
    rows = await queries.user_rows(tx, people)
    keys += [row["profile_image_url"] for row in rows if row["profile_image_url"]]
    telegram_ids = tuple(row["telegram_user_id"] for row in rows if row["telegram_user_id"])
    await queries.delete_metrics(tx, people, athletes)
    await queries.delete_club_records(tx, people, athletes)
    await queries.anonymise_sessions(tx, people, athletes)
    await queries.delete_links(tx, people, athletes)
    await queries.delete_team_rows(tx, people, athletes)
    await queries.payer_method_cleared(tx, sorted(people))
    await queries.anonymise_athletes(tx, athletes)
    await queries.anonymise_users(tx, people)
    await tx.flush()  # the cancellations' own audit entries are anonymised too
    await queries.anonymise_audit(tx, {*people, *athletes, *filter(None, [person.coach_id])})
    _audit(tx, None, "privacy.erased", subject=str(person.user_id), people=len(people))
    return keys, telegram_ids


async def _delete_files(storage: MediaStorage, keys: list[str]) -> int:
    """Delete the files; a failure is logged and the erasure goes on (docs/privacy.md)."""
    deleted = 0
    for key in keys:
        try:
            await storage.delete(key)
            deleted += 1
        except (StorageError, ValueError) as err:
            log.error("an erased person's file could not be deleted: %r", err)
    return deleted


def _audit(tx: Transaction, actor_id: uuid.UUID | None, action: str, **details: object) -> None:
    tx.audit.record(
        actor_id=actor_id, action=action, entity="user", entity_id=actor_id, details=details
    )
