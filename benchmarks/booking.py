"""Booking at scale: free-slot lookups, bookings through the domain service, reminder fan-out.

Run: `.venv/bin/python benchmarks/booking.py [--n 3000]` (needs the local Postgres and Redis;
uses a scratch database and Redis prefix it removes at the end). Three parts, each printing its
figures as it goes:

1. Free-slot lookup for one coach and date (`SlotCache.free_slots_on`) on a database holding
   100,000 sessions over 500 coaches: cold (cache entry dropped first, so the rules and the
   day's sessions come from Postgres) and cached (one Redis GET), p50 and p95.
2. Bookings per second through `domain.booking.book` with 20 concurrent tasks (each a parent
   booking their child onto free slots of its own coach: the request, the coach's Accept /
   Decline notice and the family's notice in one transaction), beside two references measured
   in the same run: the same booking's reads and writes typed by hand on raw asyncpg (what the
   database and the driver cost, without our Python), and one bare single-statement INSERT per
   booking (the foundation issue's reference).
3. Reminder fan-out: N due reminders to N people through the outbox sender
   (`domain.notifications.drain` + the bot's Telegram deliverer, paced by the same rate limiter
   as `sportscenter run`) into the emulator running in its own process with Telegram's limits
   ON. Messages/s against the 30/s ceiling; every person's transcript is then read back from
   the emulator to count lost and duplicated messages. The people have "started" the bot by
   sending /start through the emulator's web chat API.

Last line: one JSON object with the figures the issue names (and the reference beside them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
from _common import (
    EmulatorProcess,
    Figures,
    asyncpg_dsn,
    bot_services,
    p50_p95,
    rate,
    run_benchmark,
)
from sqlalchemy import text

from bot.app import build_application
from bot.outbox import telegram_deliverer
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking.book import BookingChoice
from domain.notifications.outbox import drain

COACHES = 500
SESSIONS = 100_000
ZONE = "Europe/Berlin"
# Every day 08:00-20:00 in Berlin: twelve one-hour slots a day.
RULES = {
    "timezone": ZONE,
    "weekly": {d: ["08:00-20:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "session_lengths": [60],
    "min_notice_minutes": 0,
    "horizon_days": 365,
}
NOW = datetime(2027, 1, 4, 5, 0, tzinfo=UTC)  # a Monday, before the day's first slot
SEEDED_DAYS = 100  # the 100,000 sessions fill 200 slots of each coach over these days
BATCH = 50


async def seed(dsn: str, tasks: int) -> tuple[list[uuid.UUID], list[tuple[uuid.UUID, uuid.UUID]]]:
    """500 verified coaches with 200 sessions each, and `tasks` parents with a child each."""
    connection = await asyncpg.connect(dsn)
    try:
        coach_users = [uuid.uuid4() for _ in range(COACHES)]
        coaches = [uuid.uuid4() for _ in range(COACHES)]
        parents = [uuid.uuid4() for _ in range(tasks)]
        child_users = [uuid.uuid4() for _ in range(tasks)]
        children = [uuid.uuid4() for _ in range(tasks)]
        users = [(u, "coach", f"Coach {i}", True, 9_000_000 + i) for i, u in enumerate(coach_users)]
        users += [(u, "parent", f"Parent {i}", False, 8_000_000 + i) for i, u in enumerate(parents)]
        users += [(u, "athlete", f"Child {i}", False, None) for i, u in enumerate(child_users)]
        await connection.copy_records_to_table(
            "users",
            records=users,
            columns=["id", "role", "first_name", "verification_status", "telegram_user_id"],
        )
        await connection.copy_records_to_table(
            "coaches",
            records=[
                (c, u, ["tennis"], 40, json.dumps(RULES))
                for c, u in zip(coaches, coach_users, strict=True)
            ],
            columns=["id", "user_id", "specializations", "hourly_rate", "availability"],
        )
        await connection.copy_records_to_table(
            "athletes",
            records=[
                (a, u, p, "tennis") for a, u, p in zip(children, child_users, parents, strict=True)
            ],
            columns=["id", "user_id", "parent_id", "primary_sport"],
        )
        per_coach = SESSIONS // COACHES
        rows = []
        for coach in coaches:
            # Two sessions a day at random hours: a realistic, uneven calendar.
            for day in range(per_coach // 2):
                for hour in random.sample(range(12), 2):
                    start = local_slot(day, hour)
                    athlete = random.choice(children)
                    rows.append(
                        (
                            uuid.uuid4(),
                            coach,
                            athlete,
                            "individual",
                            "scheduled",
                            start,
                            start + timedelta(hours=1),
                        )
                    )
        began = clock.perf_counter()
        await connection.copy_records_to_table(
            "training_sessions",
            records=rows,
            columns=[
                "id",
                "coach_id",
                "athlete_id",
                "session_type",
                "status",
                "start_time",
                "end_time",
            ],
        )
        await connection.execute("ANALYZE")
        print(
            f"seeded {len(rows):,} sessions over {COACHES} coaches in "
            f"{clock.perf_counter() - began:.1f} s",
            flush=True,
        )
    finally:
        await connection.close()
    return coaches, list(zip(parents, children, strict=True))


async def lookups(services, coaches: list[uuid.UUID], samples: int) -> dict[str, float]:
    slots = services.slots
    cold, cached = [], []
    for _ in range(samples):
        coach = random.choice(coaches)
        day = NOW.date() + timedelta(days=random.randrange(SEEDED_DAYS))
        await slots.forget_days(coach, [day])
        began = clock.perf_counter()
        await slots.free_slots_on(coach_id=coach, day=day, length_minutes=60, now=NOW)
        cold.append((clock.perf_counter() - began) * 1000)
        began = clock.perf_counter()
        await slots.free_slots_on(coach_id=coach, day=day, length_minutes=60, now=NOW)
        cached.append((clock.perf_counter() - began) * 1000)
    cold_p50, cold_p95 = p50_p95(cold)
    cached_p50, cached_p95 = p50_p95(cached)
    figures = {
        "free_slots_p50_ms_cold": cold_p50,
        "free_slots_p95_ms_cold": cold_p95,
        "free_slots_p50_ms_cached": cached_p50,
        "free_slots_p95_ms_cached": cached_p95,
    }
    print(f"free-slot lookup over {samples} (coach, date) pairs: {figures}", flush=True)
    return figures


def local_slot(day_offset: int, hour: int) -> datetime:
    """The `hour`-th one-hour slot (from 08:00 Berlin) of the day `day_offset` days after NOW."""
    day = NOW.date() + timedelta(days=day_offset)
    return datetime.combine(day, time(8 + hour), ZoneInfo(ZONE)).astimezone(UTC)


def free_start(day_offset: int, hour: int) -> datetime:
    """A slot after the seeded days, so every booked one is free."""
    return local_slot(SEEDED_DAYS + 10 + day_offset, hour)


async def service_rate(services, families, coaches, per_task: int, first_day: int) -> float:
    actors = []
    for parent, _ in families:
        async with services.uow as tx:
            actors.append(await actor_for_user(tx, await tx.users.get(parent)))

    async def worker(n: int) -> None:
        uow = services.uow
        for i in range(per_task):
            choice = BookingChoice(
                coach_id=coaches[n],
                athlete_id=families[n][1],
                start=free_start(first_day + i // 12, i % 12),
                length_minutes=60,
                session_type="individual",
            )
            await booking.book(uow, actor=actors[n], choice=choice, now=NOW, slots=services.slots)

    return await rate(worker, len(families), len(families) * per_task)


async def asyncpg_rate(dsn: str, families, coaches, per_task: int, first_day: int) -> float:
    pool = await asyncpg.create_pool(dsn, min_size=len(families), max_size=len(families))
    sql = (
        "INSERT INTO training_sessions (id, coach_id, athlete_id, session_type, start_time, "
        "end_time) VALUES ($1, $2, $3, 'individual', $4, $5)"
    )

    async def worker(n: int) -> None:
        for i in range(per_task):
            start = free_start(first_day + i // 12, i % 12)
            await pool.execute(
                sql, uuid.uuid4(), coaches[n], families[n][1], start, start + timedelta(hours=1)
            )

    try:
        return await rate(worker, len(families), len(families) * per_task)
    finally:
        await pool.close()


# The same reads and writes a booking makes, by hand on raw asyncpg with nothing in between:
# the coach and athlete read, then the session, its audit entry and the two notices in one
# statement, in one transaction. The family's recipient is passed in rather than looked up.
HAND_READ = (
    "SELECT u.id, c.availability, c.hourly_rate, u.verification_status, u.first_name, "
    "(SELECT au.first_name FROM athletes a JOIN users au ON au.id = a.user_id WHERE a.id = $2) "
    "FROM coaches c JOIN users u ON u.id = c.user_id WHERE c.id = $1"
)
HAND_WRITE = """
WITH booked AS (
    INSERT INTO training_sessions (id, coach_id, athlete_id, session_type, status, start_time,
        end_time, price, payment_status, booked_by, capacity, participant_count, sequence)
    VALUES ($1::uuid, $2, $3, 'individual', 'requested', $4, $5, 40, 'pending', $6::uuid, 1, 1, 0)
), audited AS (
    INSERT INTO audit_log (id, actor_id, action, entity, entity_id, details)
    VALUES (uuid_generate_v4(), $6::uuid, 'session.booked', 'training_session', $1::uuid, '{}')
)
INSERT INTO notifications (id, created_at, updated_at, recipient_id, kind, dedup_key, payload,
    due_at)
VALUES (uuid_generate_v4(), now(), now(), $7::uuid, 'booking_request',
        'booking_request:' || $1::text || ':' || $7::text, $8::jsonb, now()),
       (uuid_generate_v4(), now(), now(), $6::uuid, 'booking_requested',
        'booking_requested:' || $1::text || ':' || $6::text, $8::jsonb, now())
"""


async def by_hand_rate(dsn: str, families, coaches, per_task: int, first_day: int) -> float:
    pool = await asyncpg.create_pool(dsn, min_size=len(families), max_size=len(families))
    body = json.dumps({"coach": "Coach", "athlete": "Child", "starts_at": NOW.isoformat()})

    async def worker(n: int) -> None:
        parent, child = families[n]
        for i in range(per_task):
            start = free_start(first_day + i // 12, i % 12)
            async with pool.acquire() as connection, connection.transaction():
                coach_user = (await connection.fetchrow(HAND_READ, coaches[n], child))[0]
                await connection.execute(
                    HAND_WRITE,
                    uuid.uuid4(),
                    coaches[n],
                    child,
                    start,
                    start + timedelta(hours=1),
                    parent,
                    coach_user,
                    body,
                )

    try:
        return await rate(worker, len(families), len(families) * per_task)
    finally:
        await pool.close()


async def fan_out(settings, services, n: int) -> dict[str, float | int]:
    emulator = EmulatorProcess(limits=True)
    http = aiohttp.ClientSession()
    sem = asyncio.Semaphore(16)

    async def api(method: str, path: str, body: dict | None = None) -> dict:
        async with sem, http.request(method, f"{emulator.url}{path}", json=body) as response:
            return await response.json()

    try:
        people = await asyncio.gather(
            *(api("POST", "/api/people", {"first_name": f"r{i}"}) for i in range(n))
        )
        ids = [person["id"] for person in people]
        await asyncio.gather(
            *(api("POST", f"/api/people/{i}/send", {"text": "/start"}) for i in ids)
        )
        user_ids = [uuid.uuid4() for _ in ids]
        dsn = asyncpg_dsn(settings.database_url)
        connection = await asyncpg.connect(dsn)
        try:
            await connection.copy_records_to_table(
                "users",
                records=[(u, "athlete", "R", t, t) for u, t in zip(user_ids, ids, strict=True)],
                columns=["id", "role", "first_name", "telegram_user_id", "telegram_chat_id"],
            )
            # Kind test_ping: never held for quiet hours, so every row is due now.
            await connection.copy_records_to_table(
                "notifications",
                records=[
                    (uuid.uuid4(), u, "test_ping", json.dumps({"n": k}), NOW, f"fanout:{k}")
                    for k, u in enumerate(user_ids)
                ],
                columns=["id", "recipient_id", "kind", "payload", "due_at", "dedup_key"],
            )
        finally:
            await connection.close()
        application = build_application(
            settings,
            services,
            base_url=f"{emulator.url}/bot",
            base_file_url=f"{emulator.url}/file/bot",
            token=emulator.token,
        )
        await application.initialize()
        deliver = telegram_deliverer(application.bot)
        sent = 0
        began = clock.perf_counter()
        try:
            while sent < n:
                report = await drain(services.uow, now=NOW, limit=BATCH, deliver=deliver)
                sent += report.claimed
                if report.claimed == 0:
                    break
                if sent % 500 < BATCH:
                    elapsed = clock.perf_counter() - began
                    print(f"  fan-out: {sent} claimed in {elapsed:.1f} s", flush=True)
            elapsed = clock.perf_counter() - began
        finally:
            await application.shutdown()
        counts: dict[int, int] = {}
        transcripts = await asyncio.gather(
            *(api("GET", f"/api/people/{i}/transcript") for i in ids)
        )
        for k, transcript in enumerate(transcripts):
            texts = [m.get("text", "") for m in _bot_messages(transcript)]
            counts[k] = sum(1 for text in texts if text == f"Ping {k}")
    finally:
        await http.close()
        emulator.stop()
    delivered = sum(counts.values())
    figures = {
        "fanout_n": n,
        "fanout_msgs_per_s": round(delivered / elapsed, 2),
        "fanout_lost": sum(1 for c in counts.values() if c == 0),
        "fanout_duplicated": sum(c - 1 for c in counts.values() if c > 1),
    }
    print(f"reminder fan-out: {figures} (ceiling 30/s)", flush=True)
    return figures


def _bot_messages(transcript: list[dict]) -> list[dict]:
    return [m for m in transcript if (m.get("from") or {}).get("is_bot")]


async def run(args: argparse.Namespace, url: str, prefix: str) -> Figures:
    async with bot_services(url, prefix, OUTGOING_RATE_LIMIT="telegram") as (settings, services):
        coaches, families = await seed(asyncpg_dsn(url), args.tasks)
        figures: dict[str, float | int] = {}
        await lookups(services, coaches, 200)  # warm the pools and the planner
        figures |= await lookups(services, coaches, args.samples)
        dsn = asyncpg_dsn(url)
        await service_rate(services, families, coaches, 24, first_day=0)  # warm
        ours, hand, raw = [], [], []
        days = args.per_task // 12 + 1  # the days one round's bookings fill, per coach
        for round_ in range(args.rounds):
            first = 10 + round_ * 3 * days
            ours.append(await service_rate(services, families, coaches, args.per_task, first))
            hand.append(await by_hand_rate(dsn, families, coaches, args.per_task, first + days))
            raw.append(await asyncpg_rate(dsn, families, coaches, args.per_task, first + 2 * days))
            print(
                f"round {round_ + 1}: booking service {ours[-1]:,.0f}/s, the same booking by "
                f"hand on asyncpg {hand[-1]:,.0f}/s (ratio {ours[-1] / hand[-1]:.3f}), one bare "
                f"INSERT {raw[-1]:,.0f}/s",
                flush=True,
            )
        figures["bookings_per_s"] = round(max(ours))
        figures["asyncpg_same_booking_per_s"] = round(max(hand))
        figures["bookings_ratio_to_same_booking_by_hand"] = round(max(ours) / max(hand), 3)
        figures["asyncpg_bare_inserts_per_s"] = round(max(raw))
        async with services.uow as tx:
            # The booking notices are not part of the fan-out: only its N reminders are due.
            await tx.session.execute(text("DELETE FROM notifications"))
            await tx.commit()
        figures |= await fan_out(settings, services, args.n)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="reminders to fan out")
    parser.add_argument("--tasks", type=int, default=20, help="concurrent booking tasks")
    parser.add_argument("--per-task", type=int, default=60, help="bookings per task per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=1000, help="free-slot lookups")
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
