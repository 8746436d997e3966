"""One transaction per action; violations come back as typed domain errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.errors import AlreadyExists, Contended, NotFound
from domain.models import Athlete, User
from domain.notifications import queries as notification_queries
from domain.uow import Transaction, UnitOfWork
from tests.factories import coach_and_athlete


async def test_changes_are_rolled_back_unless_committed(uow: UnitOfWork) -> None:
    async with uow as tx:
        user = tx.users.add(User(role="parent", first_name="Pat", telegram_user_id=1))
        await tx.flush()
    async with uow as tx:
        assert await tx.users.find(user.id) is None


async def test_committed_changes_persist_and_stay_readable_after_the_block(uow: UnitOfWork) -> None:
    async with uow as tx:
        user = tx.users.add(User(role="parent", first_name="Pat", telegram_user_id=2))
        await tx.commit()
    assert user.first_name == "Pat"
    async with uow as tx:
        assert (await tx.users.by_telegram_id(2)).id == user.id


async def test_a_duplicate_telegram_account_is_already_exists(uow: UnitOfWork) -> None:
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="A", telegram_user_id=3))
        await tx.commit()
    with pytest.raises(AlreadyExists):
        async with uow as tx:
            tx.users.add(User(role="athlete", first_name="B", telegram_user_id=3))
            await tx.commit()


async def test_a_reference_to_a_missing_row_is_not_found(uow: UnitOfWork) -> None:
    import uuid

    with pytest.raises(NotFound):
        async with uow as tx:
            tx.athletes.add(Athlete(parent_id=uuid.uuid4(), primary_sport="swimming"))
            await tx.commit()


async def test_get_of_an_unknown_id_is_not_found(uow: UnitOfWork) -> None:
    import uuid

    with pytest.raises(NotFound):
        async with uow as tx:
            await tx.coaches.get(uuid.uuid4())


async def test_a_role_outside_the_five_is_refused_by_the_database(uow: UnitOfWork) -> None:
    from domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        async with uow as tx:
            tx.users.add(User(role="superuser", first_name="Eve"))
            await tx.commit()


async def test_a_violation_raised_inside_a_repository_statement_leaves_as_a_domain_error(
    uow: UnitOfWork,
) -> None:
    import uuid

    with pytest.raises(NotFound):
        async with uow as tx:
            await tx.outbox.enqueue(recipient_id=uuid.uuid4(), kind="reminder", dedup_key="x")


async def test_updated_at_moves_on_every_update_even_from_raw_sql(uow: UnitOfWork) -> None:
    async with uow as tx:
        user = tx.users.add(User(role="coach", first_name="Cy", telegram_user_id=4))
        await tx.commit()
    created = user.updated_at
    async with uow as tx:
        await tx.session.execute(
            text("UPDATE users SET first_name = 'Cyrus' WHERE id = :id"), {"id": user.id}
        )
        await tx.commit()
    async with uow as tx:
        updated = await tx.session.scalar(
            text("SELECT updated_at FROM users WHERE id = :id"), {"id": user.id}
        )
    assert updated > created


async def test_two_concurrent_blocks_on_one_unit_of_work_are_two_transactions(
    uow: UnitOfWork,
) -> None:
    both_flushed, both_looked = asyncio.Barrier(2), asyncio.Barrier(2)

    async def action(telegram_user_id: int, *, commit: bool) -> Transaction:
        async with uow as tx:
            tx.users.add(User(role="athlete", first_name="A", telegram_user_id=telegram_user_id))
            await tx.flush()
            await both_flushed.wait()
            # Each sees its own uncommitted row and not the other's.
            assert await tx.users.by_telegram_id(telegram_user_id) is not None
            assert await tx.users.by_telegram_id(11 + 12 - telegram_user_id) is None
            await both_looked.wait()
            if commit:
                await tx.commit()
            return tx

    committed, rolled_back = await asyncio.gather(action(11, commit=True), action(12, commit=False))
    assert committed is not rolled_back
    assert committed.session is not rolled_back.session
    async with uow as tx:
        assert await tx.users.by_telegram_id(11) is not None
        assert await tx.users.by_telegram_id(12) is None


async def test_a_nested_block_is_a_transaction_of_its_own(uow: UnitOfWork) -> None:
    async with uow as outer:
        outer.users.add(User(role="athlete", first_name="Out", telegram_user_id=13))
        async with uow as inner:
            assert inner is not outer
            inner.users.add(User(role="athlete", first_name="In", telegram_user_id=14))
            await inner.commit()
        # Leaving the inner block closed the inner transaction only.
        await outer.commit()
    async with uow as tx:
        assert (await tx.users.by_telegram_id(13)).first_name == "Out"
        assert (await tx.users.by_telegram_id(14)).first_name == "In"


async def test_outbox_enqueues_once_per_dedup_key(uow: UnitOfWork) -> None:
    _, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        first = await tx.outbox.enqueue(
            recipient_id=athlete.user_id,
            kind="reminder",
            dedup_key="reminder:s1:24h",
            payload={"s": 1},
        )
        second = await tx.outbox.enqueue(
            recipient_id=athlete.user_id,
            kind="reminder",
            dedup_key="reminder:s1:24h",
            payload={"s": 1},
        )
        await tx.commit()
    assert (first, second) == (True, False)


async def test_two_senders_never_claim_the_same_notification(
    uow: UnitOfWork, session_factory
) -> None:
    _, athlete = await coach_and_athlete(uow)
    now = datetime.now(UTC)
    async with uow as tx:
        for i in range(10):
            await tx.outbox.enqueue(
                recipient_id=athlete.user_id,
                kind="reminder",
                dedup_key=f"k{i}",
                due_at=now - timedelta(minutes=1),
            )
        await tx.outbox.enqueue(
            recipient_id=athlete.user_id,
            kind="reminder",
            dedup_key="later",
            due_at=now + timedelta(hours=1),
        )
        await tx.commit()
    claimed, release = asyncio.Event(), asyncio.Event()

    async def holder() -> set[str]:
        async with UnitOfWork(session_factory) as own:
            rows = await notification_queries.claim_due(own, now, limit=6)
            claimed.set()
            await release.wait()  # keep the row locks while the second sender runs
            for n in rows:
                await notification_queries.mark_sent(own, n.id, now)
            await own.commit()
            return {n.dedup_key for n in rows}

    first = asyncio.create_task(holder())
    await claimed.wait()
    async with UnitOfWork(session_factory) as other:
        # Without SKIP LOCKED this would wait for the holder and time out.
        rows = await asyncio.wait_for(
            notification_queries.claim_due(other, now, limit=10), timeout=5
        )
        second = {n.dedup_key for n in rows}
    release.set()
    held = await first
    assert len(held) == 6
    assert not held & second
    assert held | second == {f"k{i}" for i in range(10)}


async def test_audit_entries_are_written_with_the_action(uow: UnitOfWork) -> None:
    coach, _ = await coach_and_athlete(uow)
    async with uow as tx:
        tx.audit.record(
            actor_id=None,
            action="coach.verified",
            entity="coach",
            entity_id=coach.id,
            details={"by": "admin"},
        )
        await tx.commit()
    async with uow as tx:
        row = (await tx.session.execute(text("SELECT action, details FROM audit_log"))).one()
    assert row.action == "coach.verified"
    assert row.details == {"by": "admin"}


async def test_a_deadlock_lost_leaves_as_a_try_again_refusal_not_a_driver_error(
    uow: UnitOfWork,
) -> None:
    # Two actions locking the same two rows in opposite order: Postgres aborts one of them
    # (40P01). The loser must reach the chat as a polite "try again", never a traceback.
    async with uow as tx:
        first = tx.users.add(User(role="parent", first_name="One", telegram_user_id=41))
        second = tx.users.add(User(role="parent", first_name="Two", telegram_user_id=42))
        await tx.commit()
    both_hold_one = asyncio.Barrier(2)

    async def rename(order: tuple[User, User]) -> None:
        async with uow as tx:
            for i, user in enumerate(order):
                await tx.session.execute(
                    text("UPDATE users SET first_name = first_name WHERE id = :id"),
                    {"id": user.id},
                )
                if i == 0:
                    await both_hold_one.wait()
            await tx.commit()

    outcomes = await asyncio.gather(
        rename((first, second)), rename((second, first)), return_exceptions=True
    )
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], Contended), repr(failures[0])


async def test_statements_run_without_jit_compilation(uow: UnitOfWork) -> None:
    # A chat action's statements are short: compiling one (tens of ms) costs more than it saves.
    async with uow as tx:
        assert await tx.session.scalar(text("SHOW jit")) == "off"
