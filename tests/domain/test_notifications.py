"""The outbox sender: due notifications go out once, failures back off, blocks are remembered."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.models import Notification, User
from domain.notifications import (
    FINAL_PREFIX,
    GIVE_UP_DELAY,
    MAX_ATTEMPTS,
    Claimed,
    DeliveryResult,
    Outcome,
    drain,
    retry_delay,
)
from domain.people import BLOCKED
from domain.uow import UnitOfWork

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class FakeDelivery:
    """Records every delivery and answers with `result` (or raises after `crash_after`)."""

    def __init__(
        self, result: DeliveryResult = DeliveryResult.SENT, crash_after: int | None = None
    ) -> None:
        self.result = result
        self.crash_after = crash_after
        self.delivered: Counter[uuid.UUID] = Counter()

    async def __call__(self, notification: Claimed) -> DeliveryResult:
        if self.crash_after is not None and sum(self.delivered.values()) >= self.crash_after:
            raise RuntimeError("sender crashed")
        self.delivered[notification.id] += 1
        await asyncio.sleep(0)  # let a concurrent drain run while the rows are locked
        return self.result


async def _user(uow: UnitOfWork, telegram_user_id: int = 100) -> User:
    async with uow:
        user = uow.users.add(
            User(role="athlete", first_name="Ann", telegram_user_id=telegram_user_id)
        )
        await uow.commit()
    return user


async def _enqueue(uow: UnitOfWork, user: User, count: int, *, due_at: datetime = NOW) -> None:
    async with uow:
        for i in range(count):
            await uow.outbox.enqueue(
                recipient_id=user.id,
                kind="test_ping",
                dedup_key=f"{user.id}:{due_at.isoformat()}:{i}",
                payload={"n": i},
                due_at=due_at,
            )
        await uow.commit()


async def _rows(uow: UnitOfWork) -> list[Notification]:
    async with uow:
        query = select(Notification).order_by(Notification.dedup_key)
        return list((await uow.session.execute(query)).scalars().all())


def _factory(session_factory: async_sessionmaker[AsyncSession]):
    return lambda: UnitOfWork(session_factory)


async def test_due_notifications_are_sent_once_and_marked(uow: UnitOfWork, session_factory) -> None:
    await _enqueue(uow, await _user(uow), 3)
    deliver = FakeDelivery()

    first = await drain(_factory(session_factory), now=NOW, limit=10, deliver=deliver)
    second = await drain(_factory(session_factory), now=NOW, limit=10, deliver=deliver)

    assert (first.claimed, first.count(Outcome.SENT), second.claimed) == (3, 3, 0)
    assert set(deliver.delivered.values()) == {1}
    rows = await _rows(uow)
    assert all(row.sent_at == NOW and row.attempts == 1 for row in rows)


async def test_notifications_not_yet_due_are_left_alone(uow: UnitOfWork, session_factory) -> None:
    await _enqueue(uow, await _user(uow), 2, due_at=NOW + timedelta(seconds=1))
    deliver = FakeDelivery()

    report = await drain(_factory(session_factory), now=NOW, limit=10, deliver=deliver)

    assert report.claimed == 0 and not deliver.delivered
    assert all(row.sent_at is None and row.attempts == 0 for row in await _rows(uow))


def test_retry_delay_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_a_failure_is_retried_with_growing_backoff_and_given_up_after_the_cap(
    uow: UnitOfWork, session_factory
) -> None:
    await _enqueue(uow, await _user(uow), 1)
    deliver = FakeDelivery(DeliveryResult.retry("timed out"))
    now, waits = NOW, []
    for _ in range(MAX_ATTEMPTS):
        assert await drain(_factory(session_factory), now=now, limit=1, deliver=deliver)
        (row,) = await _rows(uow)
        waits.append(row.due_at - now)
        # Not due again a moment before its retry time, due right at it.
        early = await drain(
            _factory(session_factory),
            now=row.due_at - timedelta(seconds=1),
            limit=1,
            deliver=deliver,
        )
        assert early.claimed == 0
        now = row.due_at

    assert waits[:-1] == [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits[-1] == GIVE_UP_DELAY
    (row,) = await _rows(uow)
    assert row.attempts == MAX_ATTEMPTS and row.sent_at is None
    assert row.last_error == f"{FINAL_PREFIX} timed out"
    assert sum(deliver.delivered.values()) == MAX_ATTEMPTS


async def test_a_blocked_recipient_is_given_up_at_once_and_marked_blocked(
    uow: UnitOfWork, session_factory
) -> None:
    user = await _user(uow)
    await _enqueue(uow, user, 3)
    deliver = FakeDelivery(DeliveryResult.BLOCKED)

    report = await drain(_factory(session_factory), now=NOW, limit=10, deliver=deliver)

    # The first refusal is enough; the rest of the batch is given up without trying.
    assert sum(deliver.delivered.values()) == 1
    assert (report.count(Outcome.BLOCKED), report.count(Outcome.FINAL)) == (1, 2)
    rows = await _rows(uow)
    assert all(r.last_error.startswith(FINAL_PREFIX) and r.sent_at is None for r in rows)
    assert all(r.due_at == NOW + GIVE_UP_DELAY for r in rows)
    async with uow:
        assert (await uow.users.get(user.id)).status == BLOCKED


async def test_two_concurrent_drains_deliver_each_notification_exactly_once(
    uow: UnitOfWork, session_factory
) -> None:
    await _enqueue(uow, await _user(uow), 1000)
    deliver = FakeDelivery()

    async def sender() -> int:
        total = 0
        while claimed := (
            await drain(_factory(session_factory), now=NOW, limit=50, deliver=deliver)
        ).claimed:
            total += claimed
        return total

    first, second = await asyncio.gather(sender(), sender())

    assert first + second == 1000 and first and second
    assert len(deliver.delivered) == 1000 and set(deliver.delivered.values()) == {1}
    assert all(row.sent_at is not None for row in await _rows(uow))


async def test_a_drain_that_crashes_mid_batch_marks_nothing_and_a_later_drain_resends(
    uow: UnitOfWork, session_factory
) -> None:
    await _enqueue(uow, await _user(uow), 5)
    crashing = FakeDelivery(crash_after=3)

    with pytest.raises(RuntimeError):
        await drain(_factory(session_factory), now=NOW, limit=10, deliver=crashing)

    assert all(row.sent_at is None and row.attempts == 0 for row in await _rows(uow))
    later = FakeDelivery()
    report = await drain(_factory(session_factory), now=NOW, limit=10, deliver=later)
    # At least once: the three handed over before the crash go out a second time.
    assert report.count(Outcome.SENT) == 5
    assert set(crashing.delivered) < set(later.delivered)
