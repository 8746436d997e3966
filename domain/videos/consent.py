"""Minors' consent to videos: before a child's video is stored or shown to a coach, a guardian's
consent is on record (issue 18).

A minor is an athlete under 18 by their date of birth (encrypted; opened with the SecretBox).
Sign-up and adding a child both require the date, so only rows made outside those flows lack
one; they are treated as adults (the rule is the birth date, and there is none).

Consent is given once per child by any of their guardians, and any of them may revoke it: later
uploads are refused again, and the stored videos are withheld from coaches and mentors (the
family still sees them) until consent is given again. Who gave or revoked it, and when, is on
the row; every change is also an audit entry.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from domain import policy
from domain.errors import DomainError, NotFound
from domain.models import NotificationKind, VideoConsent
from domain.people.birth_dates import age_on
from domain.people.queries import first_names, names_of_user
from domain.policy import Action, Actor, AthleteTarget
from domain.secrets_box import SecretBox, UndecryptableField
from domain.uow import Transaction, UnitOfWork
from domain.videos import queries

log = logging.getLogger(__name__)
ADULT_AGE = 18
# The guardian's button on the request; `handlers.videos.delivery` turns it into callback data.
GIVE = "video.consent.give"
REQUEST = NotificationKind.VIDEO_CONSENT_REQUEST
REVIEW = NotificationKind.VIDEO_REVIEW


class ConsentNeeded(DomainError):
    """A minor's video without a guardian's consent on record: refused, guardians asked."""

    message_key = "video.consent_needed"


class ConsentNeededNoGuardian(ConsentNeeded):
    """... and the minor has no guardian here to ask (they signed up on their own)."""

    message_key = "video.consent_needed_no_guardian"


@dataclass(frozen=True)
class ChildConsent:
    """A guarded child and their consent: given (by whom, when), revoked, or never given."""

    athlete_id: uuid.UUID
    name: str
    needed: bool  # a minor (or no date of birth): videos wait for consent
    given: bool
    by_name: str = ""
    at: datetime | None = None  # when it was given, or revoked


def is_minor(born: date | None, *, today: date) -> bool:
    """Under 18 by date of birth (no date known: not shown to be a minor)."""
    return born is not None and age_on(born, today) < ADULT_AGE


def holds(consent: VideoConsent | None) -> bool:
    """Whether a consent row is in force (given and not revoked)."""
    return consent is not None and consent.revoked_at is None


async def needs_consent(
    tx: Transaction, box: SecretBox | None, athlete_id: uuid.UUID, *, today: date
) -> bool:
    """Whether the athlete is a minor with no guardian's consent in force."""
    row = await queries.athlete_for_consent(tx, athlete_id)
    if row is None:
        raise NotFound("athlete")
    if not is_minor(_born(box, row.date_of_birth_encrypted), today=today):
        return False
    return not holds(await tx.session.get(VideoConsent, athlete_id))


async def ask_guardians(tx: Transaction, athlete_id: uuid.UUID, name: str, *, now: datetime) -> int:
    """Queue each guardian a request with a Consent button, at most once a day per child;
    how many guardians there are to ask (none: a minor who signed up on their own)."""
    guardians = await queries.guardian_ids(tx, athlete_id)
    button = {"label": "video.consent.button.give", "button": GIVE, "athlete_id": str(athlete_id)}
    await tx.outbox.enqueue_many(
        [
            {
                "recipient_id": guardian_id,
                "kind": REQUEST,
                "dedup_key": f"{REQUEST}:{athlete_id}:{guardian_id}:{now.date().isoformat()}",
                "due_at": now,
                "payload": {"athlete": name, "buttons": [[button]]},
            }
            for guardian_id in guardians
        ]
    )
    return len(guardians)


async def give_consent(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID, now: datetime
) -> ChildConsent:
    """A guardian consents to the child's videos; pressing again changes nothing."""
    policy.require(actor, Action.GIVE_VIDEO_CONSENT, AthleteTarget(athlete_id))
    async with uow as tx:
        consent = await queries.consent_locked(tx, athlete_id)
        if not holds(consent):
            if consent is None:
                consent = VideoConsent(athlete_id=athlete_id)
                tx.session.add(consent)
            consent.given_by, consent.given_at = actor.user_id, now
            consent.revoked_by = consent.revoked_at = None
            _audit(tx, actor, "video_consent.given", athlete_id)
        await tx.flush()
        state = await _state(tx, athlete_id, consent, needed=True)
        await tx.commit()
    return state


async def revoke_consent(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID, now: datetime
) -> ChildConsent:
    """A guardian revokes it: later uploads are refused, stored videos withheld from coaches."""
    policy.require(actor, Action.GIVE_VIDEO_CONSENT, AthleteTarget(athlete_id))
    async with uow as tx:
        consent = await queries.consent_locked(tx, athlete_id)
        if holds(consent):
            assert consent is not None
            consent.revoked_by, consent.revoked_at = actor.user_id, now
            # A coach's copy still waiting in the outbox must not go out either.
            await queries.drop_unsent_reviews_of_athlete(tx, athlete_id, REVIEW)
            _audit(tx, actor, "video_consent.revoked", athlete_id)
        state = await _state(tx, athlete_id, consent, needed=True)
        await tx.commit()
    return state


async def children_consents(
    uow: UnitOfWork, *, actor: Actor, box: SecretBox, today: date
) -> list[ChildConsent]:
    """The children the actor may consent for, each with their consent, by name."""
    ids = [
        athlete_id
        for athlete_id in actor.guarded_athlete_ids
        if policy.may(actor, Action.GIVE_VIDEO_CONSENT, AthleteTarget(athlete_id))
    ]
    if not ids:
        return []
    async with uow as tx:
        consents = await queries.consents_of(tx, ids)
        states = [
            await _state(
                tx,
                athlete_id,
                consents.get(athlete_id),
                needed=await _minor(tx, box, athlete_id, today=today),
            )
            for athlete_id in ids
        ]
    return sorted(states, key=lambda state: state.name.lower())


async def _minor(tx: Transaction, box: SecretBox, athlete_id: uuid.UUID, *, today: date) -> bool:
    row = await queries.athlete_for_consent(tx, athlete_id)
    if row is None:
        return False
    return is_minor(_born(box, row.date_of_birth_encrypted), today=today)


async def _state(
    tx: Transaction, athlete_id: uuid.UUID, consent: VideoConsent | None, *, needed: bool
) -> ChildConsent:
    name = (await first_names(tx, {athlete_id})).get(athlete_id, "")
    if consent is None:
        return ChildConsent(athlete_id, name, needed, given=False)
    given = holds(consent)
    by = consent.given_by if given else consent.revoked_by
    names = await names_of_user(tx, by) if by is not None else None
    by_name = " ".join(filter(None, names)) if names else ""
    at = consent.given_at if given else consent.revoked_at
    return ChildConsent(athlete_id, name, needed, given, by_name, at)


def _born(box: SecretBox | None, token: str | None) -> date | None:
    if token is None or box is None:
        return None
    try:
        return box.decrypt_date(token)
    except UndecryptableField:
        log.warning("an athlete's date of birth cannot be read: treated as unknown")
        return None


def _audit(tx: Transaction, actor: Actor, action: str, athlete_id: uuid.UUID) -> None:
    tx.audit.record(actor_id=actor.user_id, action=action, entity="athlete", entity_id=athlete_id)
