"""One transaction per action; violations come back as typed domain errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.errors import AlreadyExists, NotFound
from domain.models import Athlete, User
from domain.uow import UnitOfWork
from tests.factories import coach_and_athlete


async def test_changes_are_rolled_back_unless_committed(uow: UnitOfWork) -> None:
    async with uow:
        user = uow.users.add(User(role="parent", first_name="Pat", telegram_user_id=1))
        await uow.flush()
    async with uow:
        assert await uow.users.find(user.id) is None


async def test_committed_changes_persist_and_stay_readable_after_the_block(uow: UnitOfWork) -> None:
    async with uow:
        user = uow.users.add(User(role="parent", first_name="Pat", telegram_user_id=2))
        await uow.commit()
    assert user.first_name == "Pat"
    async with uow:
        assert (await uow.users.by_telegram_id(2)).id == user.id


async def test_a_duplicate_telegram_account_is_already_exists(uow: UnitOfWork) -> None:
    async with uow:
        uow.users.add(User(role="athlete", first_name="A", telegram_user_id=3))
        await uow.commit()
    with pytest.raises(AlreadyExists):
        async with uow:
            uow.users.add(User(role="athlete", first_name="B", telegram_user_id=3))
            await uow.commit()


async def test_a_reference_to_a_missing_row_is_not_found(uow: UnitOfWork) -> None:
    import uuid

    with pytest.raises(NotFound):
        async with uow:
            uow.athletes.add(Athlete(parent_id=uuid.uuid4(), primary_sport="swimming"))
            await uow.commit()


async def test_get_of_an_unknown_id_is_not_found(uow: UnitOfWork) -> None:
    import uuid

    with pytest.raises(NotFound):
        async with uow:
            await uow.coaches.get(uuid.uuid4())


async def test_a_role_outside_the_five_is_refused_by_the_database(uow: UnitOfWork) -> None:
    from domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        async with uow:
            uow.users.add(User(role="superuser", first_name="Eve"))
            await uow.commit()


async def test_a_violation_raised_inside_a_repository_statement_leaves_as_a_domain_error(
    uow: UnitOfWork,
) -> None:
    import uuid

    with pytest.raises(NotFound):
        async with uow:
            await uow.outbox.enqueue(recipient_id=uuid.uuid4(), kind="reminder", dedup_key="x")


async def test_updated_at_moves_on_every_update_even_from_raw_sql(uow: UnitOfWork) -> None:
    async with uow:
        user = uow.users.add(User(role="coach", first_name="Cy", telegram_user_id=4))
        await uow.commit()
    created = user.updated_at
    async with uow:
        await uow.session.execute(
            text("UPDATE users SET first_name = 'Cyrus' WHERE id = :id"), {"id": user.id}
        )
        await uow.commit()
    async with uow:
        updated = await uow.session.scalar(
            text("SELECT updated_at FROM users WHERE id = :id"), {"id": user.id}
        )
    assert updated > created


async def test_one_uow_refuses_to_be_opened_twice_at_once(uow: UnitOfWork) -> None:
    async with uow:
        with pytest.raises(RuntimeError):
            async with uow:
                pass


async def test_outbox_enqueues_once_per_dedup_key(uow: UnitOfWork) -> None:
    _, athlete = await coach_and_athlete(uow)
    async with uow:
        first = await uow.outbox.enqueue(
            recipient_id=athlete.user_id,
            kind="reminder",
            dedup_key="reminder:s1:24h",
            payload={"s": 1},
        )
        second = await uow.outbox.enqueue(
            recipient_id=athlete.user_id,
            kind="reminder",
            dedup_key="reminder:s1:24h",
            payload={"s": 1},
        )
        await uow.commit()
    assert (first, second) == (True, False)


async def test_two_senders_never_claim_the_same_notification(
    uow: UnitOfWork, session_factory
) -> None:
    _, athlete = await coach_and_athlete(uow)
    now = datetime.now(UTC)
    async with uow:
        for i in range(10):
            await uow.outbox.enqueue(
                recipient_id=athlete.user_id,
                kind="reminder",
                dedup_key=f"k{i}",
                due_at=now - timedelta(minutes=1),
            )
        await uow.outbox.enqueue(
            recipient_id=athlete.user_id,
            kind="reminder",
            dedup_key="later",
            due_at=now + timedelta(hours=1),
        )
        await uow.commit()
    claimed, release = asyncio.Event(), asyncio.Event()

    async def holder() -> set[str]:
        async with UnitOfWork(session_factory) as own:
            rows = await own.outbox.claim_due(now, limit=6)
            claimed.set()
            await release.wait()  # keep the row locks while the second sender runs
            for n in rows:
                await own.outbox.mark_sent(n.id, now)
            await own.commit()
            return {n.dedup_key for n in rows}

    first = asyncio.create_task(holder())
    await claimed.wait()
    async with UnitOfWork(session_factory) as other:
        # Without SKIP LOCKED this would wait for the holder and time out.
        rows = await asyncio.wait_for(other.outbox.claim_due(now, limit=10), timeout=5)
        second = {n.dedup_key for n in rows}
    release.set()
    held = await first
    assert len(held) == 6
    assert not held & second
    assert held | second == {f"k{i}" for i in range(10)}


async def test_audit_entries_are_written_with_the_action(uow: UnitOfWork) -> None:
    coach, _ = await coach_and_athlete(uow)
    async with uow:
        uow.audit.record(
            actor_id=None,
            action="coach.verified",
            entity="coach",
            entity_id=coach.id,
            details={"by": "admin"},
        )
        await uow.commit()
    async with uow:
        row = (await uow.session.execute(text("SELECT action, details FROM audit_log"))).one()
    assert row.action == "coach.verified"
    assert row.details == {"by": "admin"}
