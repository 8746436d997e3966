"""Deep-link invitations: a child or a second guardian links their own Telegram to a family.

The token travels only in the link (`t.me/<bot>?start=inv-<token>`); the database keeps its
SHA-256, so a leaked table does not open any family. Invitations are single use and expire.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain import policy
from domain.errors import DomainError, InvalidInput
from domain.models import Athlete, AthleteLink, Invitation, InvitationKind, Role, User
from domain.people import queries
from domain.people.private_chats import require_private_chat
from domain.policy import Action, Actor, AthleteTarget, UserTarget
from domain.uow import Transaction, UnitOfWork

INVITATION_TTL = timedelta(hours=72)
TOKEN_BYTES = 24  # 32 url-safe characters: with "inv-" well under Telegram's 64-char start payload
DEEP_LINK_PREFIX = "inv-"
KINDS = tuple(InvitationKind)
# The role a newcomer gets when opening an invitation of this kind.
_NEW_USER_ROLE = {InvitationKind.GUARDIAN: Role.PARENT, InvitationKind.MENTOR: Role.MENTOR}


class InvitationRefused(DomainError):
    """An invitation that cannot be used; `reason` is safe to log (never the token)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_key = f"family.refused_{reason}"


class ChildAlreadyLinked(DomainError):
    """The child already has their own Telegram account; no child invitation is needed."""

    message_key = "family.child_already_linked"


@dataclass(frozen=True)
class TelegramAccount:
    """The Telegram person opening an invitation."""

    id: int
    chat_id: int
    first_name: str
    last_name: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class CreatedInvitation:
    """A fresh invitation: the token is only ever here, never in the database."""

    token: str
    kind: str
    child_name: str
    expires_at: datetime


@dataclass(frozen=True)
class Recipient:
    """Where to tell someone something, in their language."""

    chat_id: int
    language_code: str | None


@dataclass(frozen=True)
class AcceptedInvitation:
    """What opening an invitation did, for the replies to the opener and the inviter."""

    kind: str
    role: str
    child_name: str
    opener_name: str
    inviter: Recipient | None


def new_token() -> str:
    """A random, url-safe invitation token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def deep_link(bot_username: str, token: str) -> str:
    """The t.me link that opens the bot with this invitation."""
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{token}"


async def create_invitation(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID, kind: str, now: datetime | None = None
) -> CreatedInvitation:
    """Invite a child (to link their Telegram), a guardian or a mentor; the token comes once."""
    if kind not in KINDS:
        raise InvalidInput(f"invitation kind {kind!r}")
    policy.require(actor, Action.MANAGE_CHILDREN, UserTarget(actor.user_id))
    policy.require(actor, Action.ACT_FOR_ATHLETE, AthleteTarget(athlete_id))
    token, expires_at = new_token(), (now or datetime.now(UTC)) + INVITATION_TTL
    async with uow as tx:
        child = await _child_user(tx, await tx.athletes.get(athlete_id))
        if kind == InvitationKind.CHILD and child.telegram_user_id is not None:
            raise ChildAlreadyLinked()
        invitation = Invitation(
            token_hash=hash_token(token),
            kind=kind,
            athlete_id=athlete_id,
            created_by=actor.user_id,
            expires_at=expires_at,
        )
        tx.session.add(invitation)
        await tx.flush()
        tx.audit.record(
            actor_id=actor.user_id,
            action="invitation.created",
            entity="invitation",
            entity_id=invitation.id,
            details={"kind": kind, "athlete_id": str(athlete_id)},
        )
        await tx.commit()
    return CreatedInvitation(token, kind, child.first_name, expires_at)


async def accept_invitation(
    uow: UnitOfWork, *, token: str, telegram_user: TelegramAccount, now: datetime | None = None
) -> AcceptedInvitation:
    """Link the opener's Telegram as the child or as a guardian; InvitationRefused otherwise."""
    # Before the token is even looked at: opened in a group, nothing is linked or used up.
    require_private_chat(telegram_user_id=telegram_user.id, chat_id=telegram_user.chat_id)
    now = now or datetime.now(UTC)
    async with uow as tx:
        # The row lock makes a second opener wait, then see used_at set: one of them wins.
        found = await queries.invitation_locked(tx, hash_token(token))
        found_id = found.id if found else None
        try:
            invitation = _usable(found, now)
            athlete = await tx.athletes.get(invitation.athlete_id)
            user = await _link(tx, invitation, athlete, telegram_user)
        except InvitationRefused as refusal:
            await tx.session.rollback()  # nothing half-linked; the audit row stands alone
            await _audit_refusal(tx, found_id, telegram_user, refusal.reason)
            raise
        invitation.used_at, invitation.used_by = now, user.id
        accepted = await _accepted(tx, invitation, athlete, user)
        tx.audit.record(
            actor_id=user.id,
            action="invitation.accepted",
            entity="invitation",
            entity_id=invitation.id,
            details={"kind": invitation.kind, "athlete_id": str(athlete.id)},
        )
        await tx.commit()
    return accepted


def _usable(invitation: Invitation | None, now: datetime) -> Invitation:
    if invitation is None or invitation.athlete_id is None:
        raise InvitationRefused("unknown")
    if invitation.used_at is not None:
        raise InvitationRefused("used")
    if invitation.expires_at <= now:
        raise InvitationRefused("expired")
    return invitation


async def _link(
    tx: Transaction, invitation: Invitation, athlete: Athlete, account: TelegramAccount
) -> User:
    existing = await tx.users.by_telegram_id(account.id)
    if invitation.kind == InvitationKind.CHILD:
        child = await _child_user(tx, athlete)
        if child.telegram_user_id is not None:
            raise InvitationRefused("child_already_linked")
        if existing is not None:
            raise InvitationRefused("account_taken")
        child.telegram_user_id, child.telegram_chat_id = account.id, account.chat_id
        child.language_code = account.language_code
        return child
    user = existing or await _new_user(tx, account, _NEW_USER_ROLE[invitation.kind])
    if await _already_related(tx, athlete, user):
        raise InvitationRefused("already_linked")
    tx.session.add(AthleteLink(athlete_id=athlete.id, user_id=user.id, relation=invitation.kind))
    return user


async def _new_user(tx: Transaction, account: TelegramAccount, role: str) -> User:
    # No onboarded_at: onboarding may still complete the profile (phone, time zone) later.
    user = tx.users.add(
        User(
            role=role,
            first_name=account.first_name[:100],
            last_name=(account.last_name or "")[:100],
            telegram_user_id=account.id,
            telegram_chat_id=account.chat_id,
            language_code=account.language_code,
        )
    )
    await tx.flush()
    return user


async def _already_related(tx: Transaction, athlete: Athlete, user: User) -> bool:
    if user.id in (athlete.user_id, athlete.parent_id):
        return True
    return await queries.is_linked(tx, athlete.id, user.id)


async def _child_user(tx: Transaction, athlete: Athlete) -> User:
    if athlete.user_id is None:
        raise InvalidInput("athlete without a user")
    return await tx.users.get(athlete.user_id)


async def _accepted(
    tx: Transaction, invitation: Invitation, athlete: Athlete, user: User
) -> AcceptedInvitation:
    child = await _child_user(tx, athlete)
    inviter = await tx.users.find(invitation.created_by)
    recipient = None
    if inviter is not None and inviter.telegram_chat_id is not None:
        recipient = Recipient(inviter.telegram_chat_id, inviter.language_code)
    return AcceptedInvitation(
        invitation.kind, user.role, child.first_name, user.first_name, recipient
    )


async def _audit_refusal(
    tx: Transaction, invitation_id: uuid.UUID | None, account: TelegramAccount, reason: str
) -> None:
    opener = await tx.users.by_telegram_id(account.id)
    tx.audit.record(
        actor_id=opener.id if opener else None,
        action="invitation.refused",
        entity="invitation",
        entity_id=invitation_id,
        details={"reason": reason, "telegram_user_id": account.id},
    )
    await tx.commit()
