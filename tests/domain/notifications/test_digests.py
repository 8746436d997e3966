"""Coaches' morning digests: once a local day, at 07:00 in each coach's own zone."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.local_time import localized
from domain.models import Athlete, Coach, Notification, SessionParticipant, TrainingSession, User
from domain.notifications.digests import queue_digests
from domain.uow import UnitOfWork
from tests.factories import coach_and_athlete, session_at

# Tuesday 8 December 2026: Berlin is UTC+1, New York UTC-5, Kolkata UTC+5:30.
DAY = datetime(2026, 12, 8, tzinfo=UTC)


def at(hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """A UTC instant on DAY (or `days` after it)."""
    return DAY + timedelta(days=days, hours=hour, minutes=minute)


async def coach_in(uow: UnitOfWork, timezone: str) -> tuple[Coach, Athlete]:
    """A coach living in `timezone`, and an athlete called Ari."""
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        (await tx.users.get(coach.user_id)).timezone = timezone
        await tx.commit()
    return coach, athlete


async def add(
    uow: UnitOfWork, coach: Coach, athlete: Athlete, start: datetime, **extra: object
) -> None:
    async with uow as tx:
        tx.sessions.add(session_at(coach, athlete, start, **extra))
        await tx.commit()


def worded(digest: Notification, timezone: str, lang: str = "en") -> str:
    """The digest's list of sessions as the coach reads it (the domain queues values only)."""
    return str(localized(digest.payload, timezone, lang)["sessions"])


async def digests(uow: UnitOfWork) -> dict[uuid.UUID, list[Notification]]:
    """The digests queued so far, by recipient, oldest first."""
    async with uow as tx:
        query = select(Notification).where(Notification.kind == "digest")
        rows = (await tx.session.scalars(query.order_by(Notification.created_at))).all()
    found: dict[uuid.UUID, list[Notification]] = {}
    for row in rows:
        found.setdefault(row.recipient_id, []).append(row)
    return found


async def test_a_coach_gets_the_days_sessions_at_seven_in_their_own_zone_once(
    uow: UnitOfWork,
) -> None:
    coach, ari = await coach_in(uow, "Europe/Berlin")
    await add(uow, coach, ari, at(16, 30))  # 17:30 in Berlin
    await add(uow, coach, ari, at(15), minutes=90)  # 16:00
    await add(uow, coach, ari, at(22, 30))  # 23:30: still today in Berlin
    await add(uow, coach, ari, at(23, 30))  # 00:30 tomorrow in Berlin: not today's
    await add(uow, coach, ari, at(18), status="cancelled")
    await add(uow, coach, ari, at(19), status="requested")
    queue = uow

    assert await queue_digests(queue, now=at(5)) == 0  # 06:00 in Berlin: too early
    assert await queue_digests(queue, now=at(6)) == 1  # 07:00
    assert await queue_digests(queue, now=at(6, 40)) == 0  # the same morning again
    assert await queue_digests(queue, now=at(7)) == 0  # 08:00: this morning's is done

    (digest,) = (await digests(uow))[coach.user_id]
    assert digest.dedup_key == f"digest:{coach.user_id}:2026-12-08"
    assert digest.due_at == at(6)
    assert digest.payload["count"] == 3
    assert digest.payload["sessions"]["items"][0] == {
        "start_clock": at(15).isoformat(),
        "athletes": "Ari",
        "session_type": "individual",
        "minutes": 90,
    }
    assert worded(digest, "Europe/Berlin") == (
        "16:00 Ari (90 min)\n17:30 Ari (60 min)\n23:30 Ari (60 min)"
    )


async def test_each_zone_is_served_in_its_own_morning_and_again_the_next_day(
    uow: UnitOfWork,
) -> None:
    berlin, berlin_ari = await coach_in(uow, "Europe/Berlin")
    new_york, ny_ari = await coach_in(uow, "America/New_York")
    await add(uow, berlin, berlin_ari, at(15))
    await add(uow, berlin, berlin_ari, at(15, days=1))
    await add(uow, new_york, ny_ari, at(14))  # 09:00 in New York
    await add(uow, new_york, ny_ari, at(1, days=1))  # 20:00 on the 8th in New York
    queue = uow

    assert await queue_digests(queue, now=at(6)) == 1  # 07:00 Berlin, 01:00 New York
    assert set(await digests(uow)) == {berlin.user_id}
    assert await queue_digests(queue, now=at(12)) == 1  # 13:00 Berlin, 07:00 New York
    assert await queue_digests(queue, now=at(6, days=1)) == 1  # Berlin, the next morning

    sent = await digests(uow)
    assert [worded(d, "Europe/Berlin") for d in sent[berlin.user_id]] == [
        "16:00 Ari (60 min)",
        "16:00 Ari (60 min)",
    ]
    assert [d.dedup_key[-10:] for d in sent[berlin.user_id]] == ["2026-12-08", "2026-12-09"]
    (morning,) = sent[new_york.user_id]
    assert morning.payload["count"] == 2
    assert worded(morning, "America/New_York") == "09:00 Ari (60 min)\n20:00 Ari (60 min)"


async def test_a_zone_half_an_hour_off_is_reached_by_the_run_that_falls_in_its_seven_oclock_hour(
    uow: UnitOfWork,
) -> None:
    coach, ari = await coach_in(uow, "Asia/Kolkata")
    await add(uow, coach, ari, at(4, 30))  # 10:00 in Kolkata
    queue = uow

    assert await queue_digests(queue, now=at(1)) == 0  # 06:30 there
    assert await queue_digests(queue, now=at(2)) == 1  # 07:30 there
    assert worded((await digests(uow))[coach.user_id][0], "Asia/Kolkata") == "10:00 Ari (60 min)"


async def test_a_coach_without_sessions_that_day_gets_no_digest(uow: UnitOfWork) -> None:
    busy, ari = await coach_in(uow, "Europe/Berlin")
    idle, other = await coach_in(uow, "Europe/Berlin")
    await add(uow, busy, ari, at(15))
    await add(uow, idle, other, at(15, days=1))  # tomorrow only

    assert await queue_digests(uow, now=at(6)) == 1
    assert set(await digests(uow)) == {busy.user_id}


async def test_a_group_session_lists_its_participants(uow: UnitOfWork) -> None:
    coach, ari = await coach_in(uow, "Europe/Berlin")
    async with uow as tx:
        zoe_user = tx.users.add(User(role="athlete", first_name="Zoe"))
        await tx.flush()
        zoe = tx.athletes.add(Athlete(user_id=zoe_user.id, primary_sport="tennis"))
        group = tx.sessions.add(
            TrainingSession(
                coach_id=coach.id,
                session_type="group",
                start_time=at(17),
                end_time=at(18),
                capacity=4,
            )
        )
        await tx.flush()
        for athlete in (zoe, ari):
            tx.session.add(SessionParticipant(session_id=group.id, athlete_id=athlete.id))
        group.participant_count = 2
        await tx.commit()

    assert await queue_digests(uow, now=at(6)) == 1
    (digest,) = (await digests(uow))[coach.user_id]
    assert worded(digest, "Europe/Berlin") == "18:00 Ari, Zoe (60 min)"
    assert worded(digest, "Europe/Berlin", "es") == "18:00 Ari, Zoe (60 min)"


async def test_digest_runs_of_several_replicas_at_once_queue_one_digest(uow: UnitOfWork) -> None:
    coach, ari = await coach_in(uow, "Europe/Berlin")
    await add(uow, coach, ari, at(15))

    queued = await asyncio.gather(*(queue_digests(uow, now=at(6)) for _ in range(3)))

    assert sum(queued) == 1
    assert len((await digests(uow))[coach.user_id]) == 1
