"""The outbox sender: due notifications go out once, failures back off, blocks are remembered."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from domain.models import Notification, User, UserStatus
from domain.notifications.outbox import (
    DEFERRED_IN_QUIET_HOURS,
    FINAL_PREFIX,
    GIVE_UP_DELAY,
    MAX_ATTEMPTS,
    Backlog,
    Claimed,
    DeliveryResult,
    Outcome,
    drain,
    outbox_backlog,
    retry_delay,
)
from domain.uow import UnitOfWork

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"


class FakeDelivery:
    """Records every delivery and answers with `result` (or raises after `crash_after`)."""

    def __init__(
        self, result: DeliveryResult = DeliveryResult.SENT, crash_after: int | None = None
    ) -> None:
        self.result = result
        self.crash_after = crash_after
        self.delivered: Counter[uuid.UUID] = Counter()
        self.claimed: list[Claimed] = []

    async def __call__(self, notification: Claimed) -> DeliveryResult:
        if self.crash_after is not None and sum(self.delivered.values()) >= self.crash_after:
            raise RuntimeError("sender crashed")
        self.delivered[notification.id] += 1
        self.claimed.append(notification)
        await asyncio.sleep(0)  # let a concurrent drain run while the rows are locked
        return self.result


async def _user(uow: UnitOfWork, telegram_user_id: int = 100, **fields: object) -> User:
    async with uow as tx:
        user = tx.users.add(
            User(role="athlete", first_name="Ann", telegram_user_id=telegram_user_id, **fields)
        )
        await tx.commit()
    return user


async def _enqueue(
    uow: UnitOfWork, user: User, count: int, *, due_at: datetime = NOW, kind: str = "test_ping"
) -> None:
    async with uow as tx:
        for i in range(count):
            await tx.outbox.enqueue(
                recipient_id=user.id,
                kind=kind,
                dedup_key=f"{user.id}:{kind}:{due_at.isoformat()}:{i}",
                payload={"n": i},
                due_at=due_at,
            )
        await tx.commit()


async def _rows(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        query = select(Notification).order_by(Notification.dedup_key)
        return list((await tx.session.execute(query)).scalars().all())


async def test_due_notifications_are_sent_once_and_marked(uow: UnitOfWork) -> None:
    await _enqueue(uow, await _user(uow), 3)
    deliver = FakeDelivery()

    first = await drain(uow, now=NOW, limit=10, deliver=deliver)
    second = await drain(uow, now=NOW, limit=10, deliver=deliver)

    assert (first.claimed, first.count(Outcome.SENT), second.claimed) == (3, 3, 0)
    assert set(deliver.delivered.values()) == {1}
    rows = await _rows(uow)
    assert all(row.sent_at == NOW and row.attempts == 1 for row in rows)


async def test_notifications_not_yet_due_are_left_alone(uow: UnitOfWork) -> None:
    await _enqueue(uow, await _user(uow), 2, due_at=NOW + timedelta(seconds=1))
    deliver = FakeDelivery()

    report = await drain(uow, now=NOW, limit=10, deliver=deliver)

    assert report.claimed == 0 and not deliver.delivered
    assert all(row.sent_at is None and row.attempts == 0 for row in await _rows(uow))


async def test_the_backlog_counts_what_is_due_and_unsent_and_the_oldest_due_time(
    uow: UnitOfWork,
) -> None:
    user = await _user(uow)
    await _enqueue(uow, user, 2, due_at=NOW - timedelta(minutes=5))
    await _enqueue(uow, user, 1, due_at=NOW - timedelta(minutes=1))
    await _enqueue(uow, user, 1, due_at=NOW + timedelta(minutes=1))  # not due yet
    assert await outbox_backlog(uow, now=NOW) == Backlog(3, NOW - timedelta(minutes=5))

    await drain(uow, now=NOW, limit=10, deliver=FakeDelivery(DeliveryResult.final("bad")))

    # Given up is not waiting: those rows are due a century from now.
    assert await outbox_backlog(uow, now=NOW) == Backlog(0, None)


def test_retry_delay_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_a_failure_is_retried_with_growing_backoff_and_given_up_after_the_cap(
    uow: UnitOfWork,
) -> None:
    await _enqueue(uow, await _user(uow), 1)
    deliver = FakeDelivery(DeliveryResult.retry("timed out"))
    now, waits = NOW, []
    for _ in range(MAX_ATTEMPTS):
        assert await drain(uow, now=now, limit=1, deliver=deliver)
        (row,) = await _rows(uow)
        waits.append(row.due_at - now)
        # Not due again a moment before its retry time, due right at it.
        early = await drain(
            uow,
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


async def test_a_blocked_recipient_is_given_up_at_once_and_marked_blocked(uow: UnitOfWork) -> None:
    user = await _user(uow)
    await _enqueue(uow, user, 3)
    deliver = FakeDelivery(DeliveryResult.BLOCKED)

    report = await drain(uow, now=NOW, limit=10, deliver=deliver)

    # The first refusal is enough; the rest of the batch is given up without trying.
    assert sum(deliver.delivered.values()) == 1
    assert (report.count(Outcome.BLOCKED), report.count(Outcome.FINAL)) == (1, 2)
    rows = await _rows(uow)
    assert all(r.last_error.startswith(FINAL_PREFIX) and r.sent_at is None for r in rows)
    assert all(r.due_at == NOW + GIVE_UP_DELAY for r in rows)
    async with uow as tx:
        assert (await tx.users.get(user.id)).status == UserStatus.BLOCKED


async def test_two_concurrent_drains_deliver_each_notification_exactly_once(
    uow: UnitOfWork,
) -> None:
    await _enqueue(uow, await _user(uow), 1000)
    deliver = FakeDelivery()

    async def sender() -> int:
        total = 0
        while claimed := (await drain(uow, now=NOW, limit=50, deliver=deliver)).claimed:
            total += claimed
        return total

    first, second = await asyncio.gather(sender(), sender())

    assert first + second == 1000 and first and second
    assert len(deliver.delivered) == 1000 and set(deliver.delivered.values()) == {1}
    assert all(row.sent_at is not None for row in await _rows(uow))


async def test_a_sender_killed_mid_batch_loses_nothing_and_repeats_nothing(uow: UnitOfWork) -> None:
    await _enqueue(uow, await _user(uow), 5)
    crashing = FakeDelivery(crash_after=3)

    with pytest.raises(RuntimeError):
        await drain(uow, now=NOW, limit=10, deliver=crashing)

    assert sum(row.sent_at is not None for row in await _rows(uow)) == 3
    restarted = FakeDelivery()
    report = await drain(uow, now=NOW, limit=10, deliver=restarted)
    # The three sent before the crash stay sent; the other two go out once, after the restart.
    assert report.count(Outcome.SENT) == 2
    assert not set(crashing.delivered) & set(restarted.delivered)
    assert len(crashing.delivered) + len(restarted.delivered) == 5
    assert all(row.sent_at is not None for row in await _rows(uow))


async def test_a_sender_cancelled_while_sending_leaves_that_one_for_the_next_drain(
    uow: UnitOfWork,
) -> None:
    await _enqueue(uow, await _user(uow), 3)
    started, never = asyncio.Event(), asyncio.Event()
    handed: list[uuid.UUID] = []

    async def hangs_on_the_second(notification: Claimed) -> DeliveryResult:
        handed.append(notification.id)
        if len(handed) == 2:
            started.set()
            await never.wait()  # the process dies here, with the row claimed
        return DeliveryResult.SENT

    task = asyncio.create_task(drain(uow, now=NOW, limit=10, deliver=hangs_on_the_second))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    later = FakeDelivery()
    report = await drain(uow, now=NOW, limit=10, deliver=later)
    assert report.count(Outcome.SENT) == 2
    assert handed[1] in later.delivered and handed[0] not in later.delivered


async def test_a_rate_limit_waits_exactly_as_long_as_telegram_asks_and_costs_no_attempt(
    uow: UnitOfWork,
) -> None:
    await _enqueue(uow, await _user(uow), 1)
    slow_down = FakeDelivery(
        DeliveryResult.retry("Flood control", retry_after=timedelta(seconds=7))
    )
    now = NOW
    # Far more refusals than MAX_ATTEMPTS: a rate limit alone never makes a row be given up.
    for _ in range(MAX_ATTEMPTS + 2):
        report = await drain(uow, now=now, limit=1, deliver=slow_down)
        (row,) = await _rows(uow)
        assert report.count(Outcome.RETRY) == 1
        assert (row.due_at, row.attempts, row.last_error) == (
            now + timedelta(seconds=7),
            0,
            "Flood control",
        )
        now = row.due_at

    report = await drain(uow, now=now, limit=1, deliver=FakeDelivery())

    (row,) = await _rows(uow)
    assert report.count(Outcome.SENT) == 1
    assert (row.sent_at, row.attempts, row.last_error) == (now, 1, None)


async def test_a_reminder_that_can_wait_is_held_until_the_quiet_hours_end(uow: UnitOfWork) -> None:
    # 22:30 UTC on 15 January is 23:30 in Berlin, inside the default 21:00-07:00.
    late = datetime(2030, 1, 15, 22, 30, tzinfo=UTC)
    user = await _user(uow, timezone=BERLIN)
    await _enqueue(uow, user, 1, due_at=late - timedelta(minutes=5), kind="reminder_24h")
    await _enqueue(uow, user, 1, due_at=late - timedelta(minutes=5), kind="reminder_1h")
    deliver = FakeDelivery()

    report = await drain(uow, now=late, limit=10, deliver=deliver)

    assert (report.count(Outcome.DEFERRED), report.count(Outcome.SENT)) == (1, 1)
    assert [claimed.kind for claimed in deliver.claimed] == ["reminder_1h"]
    by_kind = {row.kind: row for row in await _rows(uow)}
    held = by_kind["reminder_24h"]
    # 07:00 in Berlin (UTC+1 in winter).
    assert held.due_at == datetime(2030, 1, 16, 6, 0, tzinfo=UTC)
    assert (held.sent_at, held.attempts, held.last_error) == (None, 0, None)

    morning = await drain(uow, now=held.due_at, limit=10, deliver=deliver)

    assert morning.count(Outcome.SENT) == 1
    assert [claimed.kind for claimed in deliver.claimed] == ["reminder_1h", "reminder_24h"]


async def test_quiet_hours_end_by_the_recipients_clock_on_the_night_it_changes(
    uow: UnitOfWork,
) -> None:
    # 30 March 2030, 23:30 in Berlin; the clocks go forward at 02:00, so 07:00 is 05:00 UTC.
    late = datetime(2030, 3, 30, 22, 30, tzinfo=UTC)
    await _enqueue(uow, await _user(uow, timezone=BERLIN), 1, due_at=late, kind="reminder_24h")

    await drain(uow, now=late, limit=10, deliver=FakeDelivery())

    (row,) = await _rows(uow)
    assert row.due_at == datetime(2030, 3, 31, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", sorted(DEFERRED_IN_QUIET_HOURS))
async def test_no_kind_is_held_outside_quiet_hours_or_for_someone_without_them(
    uow: UnitOfWork, kind: str
) -> None:
    late = datetime(2030, 1, 15, 22, 30, tzinfo=UTC)
    daytime = await _user(uow, 100, timezone="America/New_York")  # 17:30 there
    no_quiet = await _user(uow, 101, timezone=BERLIN, quiet_from=time(0), quiet_until=time(0))
    for user in (daytime, no_quiet):
        await _enqueue(uow, user, 1, due_at=late, kind=kind)

    report = await drain(uow, now=late, limit=10, deliver=FakeDelivery())

    assert report.count(Outcome.SENT) == 2


async def test_a_sender_gets_the_recipients_chat_language_and_time_zone(uow: UnitOfWork) -> None:
    user = await _user(uow, 100, timezone=BERLIN, language_code="es", telegram_chat_id=555)
    await _enqueue(uow, user, 1)
    deliver = FakeDelivery()

    await drain(uow, now=NOW, limit=10, deliver=deliver)

    (claimed,) = deliver.claimed
    assert (claimed.chat_id, claimed.language, claimed.timezone) == (555, "es", BERLIN)
    assert (claimed.kind, claimed.payload, claimed.attempts) == ("test_ping", {"n": 0}, 0)
