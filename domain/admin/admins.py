"""Who is an admin: seeded from ADMIN_TELEGRAM_IDS while nobody is, then promoted and demoted
by admins (audited). The database refuses to remove the last one (`admins_keep_one`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from domain.admin import queries
from domain.errors import InvalidInput, NotAllowed
from domain.models import Admin, User
from domain.policy import Action, Actor, System, require
from domain.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminLine:
    """An admin as /admins lists them."""

    user_id: uuid.UUID
    name: str
    granted_at: datetime | None


@dataclass(frozen=True)
class AdminChange:
    """A promotion or demotion done: whose chat now shows which menu."""

    user_id: uuid.UUID
    name: str
    chat_id: int | None
    language: str | None
    is_admin: bool
    role: str  # users.role: the menu they keep once no longer an admin


class AlreadyAdmin(InvalidInput):
    """The person is an admin already."""

    message_key = "admin.error.already_admin"


class NotAnAdmin(InvalidInput):
    """The person is not an admin."""

    message_key = "admin.error.not_admin"


async def seed(
    uow: UnitOfWork, *, telegram_user_ids: Collection[int]
) -> list[tuple[int, str | None]]:
    """While nobody is an admin, make the signed-up configured accounts admins; then every
    admin's (chat id, language), for their menus."""
    async with uow as tx:
        if telegram_user_ids and not await tx.admins.any():
            for telegram_user_id in sorted(telegram_user_ids):
                user = await tx.users.by_telegram_id(telegram_user_id)
                if user is None:
                    continue
                tx.admins.add(Admin(user_id=user.id))
                tx.audit.record(
                    actor_id=None,
                    action="admin.seeded",
                    entity="user",
                    entity_id=user.id,
                    details={"telegram_user_id": telegram_user_id},
                )
                log.info("admin seeded from ADMIN_TELEGRAM_IDS: user %s", user.id)
            await tx.commit()
        rows = await queries.admins(tx)
    return [
        (user.telegram_chat_id or user.telegram_user_id, user.language_code)
        for user, _ in rows
        if user.telegram_chat_id or user.telegram_user_id
    ]


def require_admin(actor: Actor | None) -> Actor:
    """The actor, if they may run admin commands; NotAllowed otherwise (before sign-up too)."""
    if actor is None:
        raise NotAllowed("not signed up")
    require(actor, Action.ADMIN_COMMAND, System())
    return actor


async def list_admins(uow: UnitOfWork, *, admin: Actor) -> list[AdminLine]:
    """Every admin, first granted first."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        rows = await queries.admins(tx)
    return [
        AdminLine(user.id, full_name(user.first_name, user.last_name), grant.granted_at)
        for user, grant in rows
    ]


async def promote(uow: UnitOfWork, *, admin: Actor, user_id: uuid.UUID) -> AdminChange:
    """Make the user an admin (audited); AlreadyAdmin if they are."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        user = await tx.users.get(user_id)
        if await tx.admins.find(user_id) is not None:
            raise AlreadyAdmin("already an admin", name=user.first_name)
        tx.admins.add(Admin(user_id=user_id, granted_by=admin.user_id))
        tx.audit.record(
            actor_id=admin.user_id, action="admin.promoted", entity="user", entity_id=user_id
        )
        await tx.commit()
    return _change(user, is_admin=True)


async def demote(uow: UnitOfWork, *, admin: Actor, user_id: uuid.UUID) -> AdminChange:
    """Take the user's admin rights away (audited); LastAdmin if nobody would be left."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        user = await tx.users.get(user_id)
        if not await tx.admins.remove(user_id):
            raise NotAnAdmin("not an admin", name=user.first_name)
        tx.audit.record(
            actor_id=admin.user_id, action="admin.demoted", entity="user", entity_id=user_id
        )
        await tx.commit()  # admins_keep_one: LastAdmin when this was the last one
    return _change(user, is_admin=False)


def _change(user: User, *, is_admin: bool) -> AdminChange:
    return AdminChange(
        user_id=user.id,
        name=user.first_name,
        chat_id=user.telegram_chat_id or user.telegram_user_id,
        language=user.language_code,
        is_admin=is_admin,
        role=user.role,
    )


def full_name(first: str | None, last: str | None) -> str:
    """First and last name, whichever there are."""
    return " ".join(part for part in (first, last) if part)
