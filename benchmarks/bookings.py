"""Booking throughput through the data layer, beside raw asyncpg, and the one-slot race.

Run: `.venv/bin/python benchmarks/bookings.py` (needs the local Postgres; uses a scratch
database it drops at the end). Last line: {"bookings_per_s": ..., "race_winners": ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from _common import asyncpg_dsn, scratch_database

from bot.tuning import tune_gc
from domain.adapters.db import create_engine, create_session_factory
from domain.errors import Contended, SlotTaken
from domain.models import Athlete, Coach, TrainingSession, User
from domain.uow import UnitOfWork

T0 = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
INSERT_SQL = (
    "INSERT INTO training_sessions (id, coach_id, athlete_id, session_type, start_time, end_time) "
    "VALUES ($1, $2, $3, 'individual', $4, $5)"
)


async def seed(uow: UnitOfWork, coaches: int) -> tuple[list[uuid.UUID], uuid.UUID]:
    async with uow as tx:
        users = [tx.users.add(User(role="coach", first_name=f"Coach {i}")) for i in range(coaches)]
        athlete_user = tx.users.add(User(role="athlete", first_name="Bench"))
        await tx.flush()
        coach_rows = [tx.coaches.add(Coach(user_id=u.id)) for u in users]
        athlete = tx.athletes.add(Athlete(user_id=athlete_user.id, primary_sport="athletics"))
        await tx.commit()
    return [c.id for c in coach_rows], athlete.id


def slot(offset: int) -> tuple[datetime, datetime]:
    start = T0 + timedelta(hours=offset)
    return start, start + timedelta(hours=1)


async def data_layer_rate(factory, coach_ids, athlete_id, per_task: int, slot_base: int) -> float:
    async def worker(coach_id: uuid.UUID) -> None:
        uow = UnitOfWork(factory)
        for i in range(per_task):
            start, end = slot(slot_base + i)
            async with uow as tx:
                tx.sessions.add(
                    TrainingSession(
                        coach_id=coach_id,
                        athlete_id=athlete_id,
                        session_type="individual",
                        start_time=start,
                        end_time=end,
                    )
                )
                await tx.commit()

    began = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in coach_ids))
    return len(coach_ids) * per_task / (time.perf_counter() - began)


async def asyncpg_rate(dsn: str, coach_ids, athlete_id, per_task: int, slot_base: int) -> float:
    pool = await asyncpg.create_pool(dsn, min_size=len(coach_ids), max_size=len(coach_ids))

    async def worker(coach_id: uuid.UUID) -> None:
        for i in range(per_task):
            start, end = slot(slot_base + i)
            # One statement is its own transaction: the fastest a booking insert can be.
            await pool.execute(INSERT_SQL, uuid.uuid4(), coach_id, athlete_id, start, end)

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in coach_ids))
        return len(coach_ids) * per_task / (time.perf_counter() - began)
    finally:
        await pool.close()


async def race(factory, coach_id: uuid.UUID, athlete_id: uuid.UUID, attempts: int) -> int:
    start, end = slot(-1000)

    async def attempt() -> bool:
        try:
            async with UnitOfWork(factory) as tx:
                tx.sessions.add(
                    TrainingSession(
                        coach_id=coach_id,
                        athlete_id=athlete_id,
                        session_type="individual",
                        start_time=start,
                        end_time=end,
                    )
                )
                await tx.commit()
        except (SlotTaken, Contended):  # a deadlock between waiters loses like a taken slot
            return False
        return True

    return sum(await asyncio.gather(*(attempt() for _ in range(attempts))))


async def run(args: argparse.Namespace, url: str) -> dict[str, float | int]:
    engine = create_engine(url, pool_size=args.tasks)
    factory = create_session_factory(engine)
    dsn = asyncpg_dsn(url)
    try:
        coach_ids, athlete_id = await seed(UnitOfWork(factory), args.tasks)
        await data_layer_rate(factory, coach_ids, athlete_id, 50, slot_base=-500)  # warm pools
        ours, raw = [], []
        for round_ in range(args.rounds):
            base = round_ * 2 * args.per_task
            ours.append(await data_layer_rate(factory, coach_ids, athlete_id, args.per_task, base))
            raw.append(
                await asyncpg_rate(dsn, coach_ids, athlete_id, args.per_task, base + args.per_task)
            )
            print(
                f"round {round_ + 1}: data layer {ours[-1]:,.0f}/s, raw asyncpg {raw[-1]:,.0f}/s",
                flush=True,
            )
        winners = await race(factory, coach_ids[0], athlete_id, args.race)
        print(
            f"race: {winners} of {args.race} concurrent bookings of one slot succeeded", flush=True
        )
    finally:
        await engine.dispose()
    best_ours, best_raw = max(ours), max(raw)
    return {
        "bookings_per_s": round(best_ours),
        "asyncpg_bookings_per_s": round(best_raw),
        "ratio_to_asyncpg": round(best_ours / best_raw, 3),
        "race_winners": winners,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20, help="concurrent booking tasks")
    parser.add_argument("--per-task", type=int, default=250, help="bookings per task per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--race", type=int, default=200, help="concurrent bookings of one slot")
    args = parser.parse_args()
    tune_gc()  # as `sportscenter run` does: the runtime measured is the one we ship
    with scratch_database() as url:
        result = asyncio.run(run(args, url))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
