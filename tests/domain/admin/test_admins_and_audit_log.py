"""Admins in the database and the append-only audit log: rules the database itself keeps."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.actors import actor_for_user
from domain.admin import admins
from domain.errors import LastAdmin
from domain.models import Admin, AuditEntry, User
from domain.policy import Actor
from domain.uow import UnitOfWork

_ids = itertools.count(880_001)


async def person(uow: UnitOfWork, name: str, *, admin: bool = False) -> Actor:
    async with uow as tx:
        user = tx.users.add(User(role="coach", first_name=name, telegram_user_id=next(_ids)))
        await tx.flush()
        if admin:
            tx.admins.add(Admin(user_id=user.id))
            await tx.flush()
        actor = await actor_for_user(tx, user)
        await tx.commit()
    return actor


async def admin_ids(uow: UnitOfWork) -> set:
    async with uow as tx:
        return set(await tx.session.scalars(select(Admin.user_id)))


async def test_an_admin_promotes_and_demotes_another_and_both_are_audited(uow) -> None:
    ada, cora = await person(uow, "Ada", admin=True), await person(uow, "Cora")
    promoted = await admins.promote(uow, admin=ada, user_id=cora.user_id)
    assert promoted.is_admin and await admin_ids(uow) == {ada.user_id, cora.user_id}
    await admins.demote(uow, admin=ada, user_id=cora.user_id)
    assert await admin_ids(uow) == {ada.user_id}
    async with uow as tx:
        audited = list(await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.at)))
    assert audited == ["admin.promoted", "admin.demoted"]


async def test_the_last_admin_cannot_be_demoted_not_even_by_themself(uow) -> None:
    ada = await person(uow, "Ada", admin=True)
    with pytest.raises(LastAdmin):
        await admins.demote(uow, admin=ada, user_id=ada.user_id)
    assert await admin_ids(uow) == {ada.user_id}


async def test_two_admins_demoting_each_other_at_once_leave_one(uow) -> None:
    for _ in range(5):
        ada, abe = await person(uow, "Ada", admin=True), await person(uow, "Abe", admin=True)
        results = await asyncio.gather(
            admins.demote(uow, admin=ada, user_id=abe.user_id),
            admins.demote(uow, admin=abe, user_id=ada.user_id),
            return_exceptions=True,
        )
        assert sorted(type(result).__name__ for result in results) == ["AdminChange", "LastAdmin"]
        assert len(await admin_ids(uow)) == 1
        async with uow as tx:  # the next round starts with no admin
            await tx.session.execute(text("ALTER TABLE admins DISABLE TRIGGER admins_keep_one"))
            await tx.session.execute(text("DELETE FROM admins"))
            await tx.session.execute(text("ALTER TABLE admins ENABLE TRIGGER admins_keep_one"))
            await tx.commit()


async def test_the_database_refuses_to_delete_every_admin_in_one_statement(
    uow, engine: AsyncEngine
) -> None:
    await person(uow, "Ada", admin=True)
    await person(uow, "Abe", admin=True)
    with pytest.raises(DBAPIError, match="the last admin cannot be removed"):
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM admins"))
    assert len(await admin_ids(uow)) == 2


async def test_the_setting_seeds_admins_only_while_there_are_none(uow) -> None:
    first, later = await person(uow, "Ada"), await person(uow, "Abe")
    async with uow as tx:
        ada_tg = (await tx.users.get(first.user_id)).telegram_user_id
        abe_tg = (await tx.users.get(later.user_id)).telegram_user_id
    await admins.seed(uow, telegram_user_ids=[ada_tg, 999])  # 999 has not signed up
    assert await admin_ids(uow) == {first.user_id}
    # Once the database has an admin, the setting no longer makes one (nor brings one back).
    await admins.seed(uow, telegram_user_ids=[abe_tg])
    assert await admin_ids(uow) == {first.user_id}


async def _entry(uow: UnitOfWork) -> None:
    async with uow as tx:
        tx.audit.record(actor_id=None, action="test.entry", entity="user", entity_id=None)
        await tx.commit()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"]
)
async def test_the_audit_log_refuses_update_and_delete(uow, engine, statement) -> None:
    await _entry(uow)
    with pytest.raises(DBAPIError, match="audit_log is append-only") as refused:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    assert getattr(refused.value.orig, "sqlstate", None) == "42501"
    async with uow as tx:
        assert list(await tx.session.scalars(select(AuditEntry.action))) == ["test.entry"]


async def test_erasure_may_anonymise_audit_entries_under_the_maintenance_setting(
    uow, engine
) -> None:
    await _entry(uow)
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL sportscenter.audit_maintenance = 'anonymise'"))
        await conn.execute(text("UPDATE audit_log SET details = '{}'::jsonb, actor_id = NULL"))
        with pytest.raises(DBAPIError, match="append-only"):
            async with conn.begin_nested():
                await conn.execute(text("DELETE FROM audit_log"))
    async with uow as tx:
        assert len(list(await tx.session.scalars(select(AuditEntry.id)))) == 1
