"""Performance metrics at scale: progress charts, range queries on 10,000,000 rows, logging.

Run: `.venv/bin/python benchmarks/metrics.py [--rows 10000000]` (needs the local Postgres and
Redis; uses a scratch database and Redis prefix it removes at the end). Three parts, each
printing its figures as it goes:

1. Chart render time (`handlers.metrics.charts.render_progress`) for a year of daily values
   (365 points, with the trend line and personal bests), p50 and p95.
2. A one-year range query for one athlete and one metric on `--rows` rows spread over three
   years (2,000 athletes x 10 metrics), p50 and p95 over random (athlete, metric, year)
   samples: on the real `performance_metrics` (its monthly partitions made by
   `domain.metrics.queries.partitions.ensure_partitions`) and on an unpartitioned copy of the
   same rows with the same (athlete_id, metric_type, recorded_at) index, in the same run, in
   turn (and the partitioned one again with plan_cache_mode=force_generic_plan, to tell what
   planning costs).
   Both tables are loaded by COPY, a few days of rows at a time, then VACUUM ANALYZEd.
3. Values logged per second through `domain.metrics.log.log_metric` with 20 concurrent tasks
   (each an athlete logging one line at a time for themself, on top of the loaded history: the
   line parsed with `parse_log_line`, the best so far read, the row stored, a best announced),
   beside two references measured in the same run on raw asyncpg: the same log's statements
   typed by hand (lock, best so far, INSERT, name, in one transaction), and the bare INSERT.

Last line: one JSON object with the figures the issue names (and the references beside them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import time as clock
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
from _common import Figures, asyncpg_dsn, bot_services, p50_p95, rate, run_benchmark

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.metrics.catalogue import MetricKind, catalogue_for
from domain.metrics.log import log_metric
from domain.metrics.log_line import parse_log_line
from domain.metrics.progress import Point, Series, least_squares_trend, running_bests
from domain.metrics.queries.partitions import ensure_partitions
from domain.policy import Actor
from handlers.metrics.charts import render_progress

ATHLETES = 2000
# Seeded catalogue keys: canonical unit, a typical value, how far athletes spread around it.
METRICS = {
    "sprint_30m": ("s", 4.6, 0.4),
    "sprint_40m": ("s", 5.6, 0.5),
    "run_5km": ("s", 1500.0, 200.0),
    "vertical_jump": ("cm", 50.0, 10.0),
    "squat": ("kg", 100.0, 25.0),
    "bench_press": ("kg", 70.0, 18.0),
    "deadlift": ("kg", 130.0, 30.0),
    "pull_ups": ("reps", 12.0, 4.0),
    "resting_hr": ("bpm", 60.0, 7.0),
    "body_weight": ("kg", 70.0, 12.0),
}
# What the loggers type, one line per value, as a person would in the chat.
LINES = {
    "squat": "/log squat {}kg",
    "sprint_40m": "/log 40m sprint {}s",
    "body_weight": "/log weight {}",
}
SPAN_START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_END = datetime(2027, 1, 1, tzinfo=UTC)  # three years of history, up to NOW
NOW = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
FLAT_TABLE = "performance_metrics_unpartitioned"
COLUMNS = [
    "id",
    "recorded_at",
    "athlete_id",
    "metric_type",
    "value",
    "recorded_by",
    "metric_value",
    "unit",
]
RANGE_SQL = (
    "SELECT recorded_at, metric_value FROM {table} WHERE athlete_id = $1 AND metric_type = $2 "
    "AND recorded_at >= $3 AND recorded_at < $4 ORDER BY recorded_at"
)

People = list[tuple[uuid.UUID, uuid.UUID]]  # (athlete id, their user id)
Levels = dict[tuple[uuid.UUID, str], float]  # where each athlete's values of a metric lie


async def seed_people(dsn: str) -> People:
    """2,000 athletes, each with a user account of their own."""
    users = [uuid.uuid4() for _ in range(ATHLETES)]
    athletes = [uuid.uuid4() for _ in range(ATHLETES)]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "users",
            records=[(u, "athlete", f"Athlete {i}", 7_000_000 + i) for i, u in enumerate(users)],
            columns=["id", "role", "first_name", "telegram_user_id"],
        )
        await connection.copy_records_to_table(
            "athletes",
            records=[(a, u, "athletics") for a, u in zip(athletes, users, strict=True)],
            columns=["id", "user_id", "primary_sport"],
        )
    finally:
        await connection.close()
    return list(zip(athletes, users, strict=True))


def year_of_daily_values(kind: MetricKind) -> Series:
    """365 daily values of a slowly improving athlete, with their bests and trend."""
    first = NOW - YEAR
    points = tuple(
        Point(
            first + timedelta(days=day), Decimal(str(round(100 + day / 20 + random.gauss(0, 3), 1)))
        )
        for day in range(365)
    )
    return Series(
        athlete_id=uuid.uuid4(),
        kind=kind,
        unit=kind.unit,
        since=first,
        until=NOW,
        points=points,
        bests=running_bests(points, kind, None),
        trend=least_squares_trend(points),
    )


async def charts(services: Services, renders: int) -> dict[str, float]:
    """p50/p95 of rendering a year of daily squats as the /progress PNG."""
    kinds = await catalogue_for(services.uow, athlete_id=None)
    series = year_of_daily_values(next(kind for kind in kinds if kind.key == "squat"))
    times, size = [], 0
    for n in range(renders + 5):  # the first five warm matplotlib's font and glyph caches
        began = clock.perf_counter()
        png = render_progress(series, title="Back squat", x_label="Date", y_label="kg", lang="en")
        if n >= 5:
            times.append((clock.perf_counter() - began) * 1000)
        size = len(png)
    p50, p95 = p50_p95(times)
    figures = {"chart_p50_ms": p50, "chart_p95_ms": p95}
    print(
        f"chart of {len(series.points)} daily values with {len(series.bests)} bests, "
        f"{size / 1000:.0f} kB PNG, {renders} renders: {figures} (target p95 <= 150 ms)",
        flush=True,
    )
    return figures


async def make_partitions(services: Services) -> int:
    """The real monthly partitions for the span, through the repository that makes them."""
    months = (SPAN_END.year - SPAN_START.year) * 12 + 3  # and a few past NOW, for logging
    async with services.uow as tx:
        created = await ensure_partitions(tx, today=SPAN_START.date(), months_ahead=months)
        await tx.commit()
    return len(created)


def history_batch(people: People, levels: Levels, days: range, per_day: int) -> list[tuple]:
    """`per_day` rows on each of `days`, in time order, on random (athlete, metric) pairs."""
    pairs = list(levels.items())
    users = dict(people)
    rows = []
    for day in days:
        day_start = SPAN_START + timedelta(days=day)
        for second in sorted(random.randrange(86_400) for _ in range(per_day)):
            (athlete, key), level = random.choice(pairs)
            unit, _, width = METRICS[key]
            # A count is whole: the database refuses 12.37 pull-ups (migration 0007).
            value = round(level + random.gauss(0, width / 20), 0 if unit == "reps" else 2)
            rows.append(
                (
                    uuid.uuid4(),
                    day_start + timedelta(seconds=second),
                    athlete,
                    key,
                    f'{{"typed": "{value}", "typed_unit": "{unit}"}}',
                    users[athlete],
                    Decimal(str(value)),
                    unit,
                )
            )
    return rows


async def load_history(dsn: str, people: People, levels: Levels, rows: int, batch_days: int) -> int:
    """`rows` rows into both tables by COPY, `batch_days` days at a time, then ANALYZE."""
    days = (SPAN_END - SPAN_START).days
    per_day = rows // days
    # The rows are consistent by construction; checking each one's foreign keys would only
    # slow the load (replica mode skips those triggers, on these two connections only).
    replica = {"session_replication_role": "replica"}
    partitioned = await asyncpg.connect(dsn, server_settings=replica)
    flat = await asyncpg.connect(dsn, server_settings=replica)
    try:
        await flat.execute(
            f"CREATE TABLE {FLAT_TABLE} (LIKE performance_metrics INCLUDING DEFAULTS)"
        )
        await flat.execute(f"CREATE INDEX ON {FLAT_TABLE} (athlete_id, metric_type, recorded_at)")
        began = clock.perf_counter()
        for first in range(0, days, batch_days):
            batch = history_batch(
                people, levels, range(first, min(days, first + batch_days)), per_day
            )
            await asyncio.gather(
                partitioned.copy_records_to_table(
                    "performance_metrics", records=batch, columns=COLUMNS
                ),
                flat.copy_records_to_table(FLAT_TABLE, records=batch, columns=COLUMNS),
            )
            if first // batch_days % 10 == 9:
                done = min(days, first + batch_days) * per_day
                print(f"  loaded {done:,} rows in {clock.perf_counter() - began:.0f} s", flush=True)
        # VACUUM too, as autovacuum would after such a load: the queries then find the rows'
        # hint bits set and autovacuum does not start in the middle of them.
        await asyncio.gather(
            partitioned.execute("VACUUM (ANALYZE) performance_metrics"),
            flat.execute(f"VACUUM (ANALYZE) {FLAT_TABLE}"),
        )
        total = await partitioned.fetchval("SELECT count(*) FROM performance_metrics")
        print(
            f"loaded {total:,} rows into each table (COPY + VACUUM ANALYZE) in "
            f"{clock.perf_counter() - began:.0f} s",
            flush=True,
        )
    finally:
        await partitioned.close()
        await flat.close()
    return total


def sample(people: People) -> tuple[uuid.UUID, str, datetime]:
    """A random athlete, metric and start of a year within the history."""
    days = (SPAN_END - YEAR - SPAN_START).days
    start = SPAN_START + timedelta(days=random.randrange(days), hours=random.randrange(24))
    return random.choice(people)[0], random.choice(list(METRICS)), start


async def range_queries(dsn: str, people: People, samples: int) -> dict[str, float]:
    """p50/p95 of a one-year range query, partitioned vs unpartitioned, on the same samples.

    Beside them, the partitioned query on a connection with plan_cache_mode=force_generic_plan
    (partitions pruned as the statement runs rather than planned for each execution), on
    samples of its own: how much of a difference between the tables is planning.
    """
    connection = await asyncpg.connect(dsn)
    generic = await asyncpg.connect(dsn, server_settings={"plan_cache_mode": "force_generic_plan"})
    warm = samples // 5  # the first ones warm the plans and the caches, unmeasured
    try:
        queries = {
            "partitioned": await connection.prepare(RANGE_SQL.format(table="performance_metrics")),
            "unpartitioned": await connection.prepare(RANGE_SQL.format(table=FLAT_TABLE)),
            "partitioned_generic_plan": await generic.prepare(
                RANGE_SQL.format(table="performance_metrics")
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in queries}
        points = 0
        for n in range(warm + samples):
            # The two tables share no pages: the same sample on both, each first half the time.
            # The generic plan reads the partitioned table's pages, so it gets a sample of its own.
            same, own = sample(people), sample(people)
            order = ["partitioned", "unpartitioned"][:: 1 if n % 2 else -1]
            runs = [(name, same) for name in order] + [("partitioned_generic_plan", own)]
            for name, (athlete, key, start) in runs:
                began = clock.perf_counter()
                found = await queries[name].fetch(athlete, key, start, start + YEAR)
                if n >= warm:
                    times[name].append((clock.perf_counter() - began) * 1000)
                    points += len(found)
        athlete, key, start = sample(people)
        plan = await connection.fetch(
            f"EXPLAIN (ANALYZE, COSTS OFF) {RANGE_SQL.format(table='performance_metrics')}",
            athlete,
            key,
            start,
            start + YEAR,
        )
    finally:
        await connection.close()
        await generic.close()
    scanned = {
        name for (line,) in plan for name in re.findall(r"performance_metrics_y\d+m\d+\b", line)
    }
    figures: dict[str, float] = {}
    for name, values in times.items():
        p50, p95 = p50_p95(values)
        figures |= {f"range_query_p50_ms_{name}": p50, f"range_query_p95_ms_{name}": p95}
    print(
        f"one-year range query, {samples} (athlete, metric, year) samples of "
        f"{points / len(queries) / samples:.0f} values on average, {len(scanned)} partitions "
        f"scanned: {figures} (target partitioned p95 <= 20 ms, and no slower than unpartitioned)",
        flush=True,
    )
    return figures


def levels_of(people: People) -> Levels:
    """Where each athlete's values of each metric lie: near the typical value, in its bounds."""
    return {
        (athlete, key): max(typical + random.gauss(0, width), typical / 2)
        for athlete, _ in people
        for key, (_, typical, width) in METRICS.items()
    }


Logger = tuple[uuid.UUID, Actor, list[MetricKind]]  # athlete, the athlete as actor, catalogue
Entry = tuple[str, str, Decimal]  # the line typed, and the metric key and value it means


def entries(athlete: uuid.UUID, levels: Levels, count: int) -> list[Entry]:
    """`count` lines one athlete types in turn, each near their level of its metric."""
    keys = list(LINES)
    found = []
    for i in range(count):
        key = keys[i % len(keys)]
        value = round(levels[athlete, key] + random.gauss(0, METRICS[key][2] / 20), 2)
        found.append((LINES[key].format(value), key, Decimal(str(value))))
    return found


async def loggers_of(services: Services, people: People) -> list[Logger]:
    found = []
    for athlete, user in people:
        async with services.uow as tx:
            actor = await actor_for_user(tx, await tx.users.get(user))
        found.append((athlete, actor, await catalogue_for(services.uow, athlete_id=athlete)))
    return found


async def service_rate(
    services: Services, loggers: list[Logger], lines: list[list[Entry]], start: datetime
) -> tuple[float, int]:
    """Values per second through log_metric, and how many of them were personal bests."""
    bests = 0

    async def worker(n: int) -> None:
        nonlocal bests
        uow = services.uow
        athlete, actor, catalogue = loggers[n]
        for i, (text, _, _) in enumerate(lines[n]):
            now = start + timedelta(seconds=i)
            line = parse_log_line(text, catalogue, now=now, timezone="UTC")
            logged = await log_metric(
                uow,
                actor=actor,
                athlete_id=athlete,
                line=line,
                now=now,
                latest=services.latest_metrics,
            )
            bests += logged.is_pb

    return await rate(worker, len(loggers), sum(map(len, lines))), bests


# The statements log_metric makes, typed by hand: hold the athlete's bests of the metric, read
# the best so far, store the row, read the athlete's name; in one transaction.
HAND_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
HAND_BEST = {
    better: f"SELECT {pick}(metric_value) FROM performance_metrics WHERE athlete_id = $1 "
    "AND metric_type = $2"
    for better, pick in (("lower", "min"), ("higher", "max"), ("neither", "max"))
}
HAND_INSERT = (
    "INSERT INTO performance_metrics (id, recorded_at, athlete_id, metric_type, value, "
    "metric_value, unit, recorded_by, session_id, notes) "
    "VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, NULL, NULL)"
)
HAND_NAME = "SELECT u.first_name FROM athletes a JOIN users u ON u.id = a.user_id WHERE a.id = $1"


async def asyncpg_rate(
    dsn: str, loggers: list[Logger], lines: list[list[Entry]], start: datetime, *, whole: bool
) -> float:
    """Values per second on raw asyncpg: the whole log by hand, or (whole=False) its INSERT."""
    pool = await asyncpg.create_pool(dsn, min_size=len(loggers), max_size=len(loggers))

    async def log(
        connection: asyncpg.Connection,
        athlete: uuid.UUID,
        user: uuid.UUID,
        i: int,
        key: str,
        value: Decimal,
        better: str,
    ) -> None:
        unit = METRICS[key][0]
        typed = json.dumps({"typed": str(value), "typed_unit": unit})
        row = (uuid.uuid4(), start + timedelta(seconds=i), athlete, key, typed, value, unit, user)
        if not whole:
            await connection.execute(HAND_INSERT, *row)
            return
        async with connection.transaction():
            await connection.execute(HAND_LOCK, f"pb:{athlete}:{key}")
            await connection.fetchval(HAND_BEST[better], athlete, key)
            await connection.execute(HAND_INSERT, *row)
            await connection.fetchval(HAND_NAME, athlete)

    async def worker(n: int) -> None:
        athlete, actor, catalogue = loggers[n]
        better = {kind.key: kind.better for kind in catalogue}
        for i, (_, key, value) in enumerate(lines[n]):
            async with pool.acquire() as connection:
                await log(connection, athlete, actor.user_id, i, key, value, better[key])

    try:
        return await rate(worker, len(loggers), sum(map(len, lines)))
    finally:
        await pool.close()


async def logging_rates(
    services: Services, dsn: str, people: People, levels: Levels, args: argparse.Namespace
) -> dict[str, float]:
    """Rounds of the three, each round's logs at a later minute; the best round of each counts."""
    loggers = await loggers_of(services, people[: args.tasks])
    lines = [entries(athlete, levels, args.per_task) for athlete, _, _ in loggers]
    await service_rate(services, loggers, [some[:10] for some in lines], NOW)  # warm
    ours, hand, bare = [], [], []
    for round_ in range(args.rounds):
        start = NOW + timedelta(hours=1 + round_)
        per_s, bests = await service_rate(services, loggers, lines, start)
        ours.append(per_s)
        hand.append(
            await asyncpg_rate(dsn, loggers, lines, start + timedelta(minutes=20), whole=True)
        )
        bare.append(
            await asyncpg_rate(dsn, loggers, lines, start + timedelta(minutes=40), whole=False)
        )
        print(
            f"round {round_ + 1}: log_metric {ours[-1]:,.0f}/s ({bests} personal bests), the same "
            f"log by hand on asyncpg {hand[-1]:,.0f}/s (ratio {ours[-1] / hand[-1]:.3f}), the "
            f"bare INSERT {bare[-1]:,.0f}/s (ratio {ours[-1] / bare[-1]:.3f})",
            flush=True,
        )
    return {
        "log_per_s": round(max(ours)),
        "asyncpg_same_log_per_s": round(max(hand)),
        "log_ratio_to_same_log_by_hand": round(max(ours) / max(hand), 3),
        "asyncpg_insert_per_s": round(max(bare)),
        "log_ratio_to_insert": round(max(ours) / max(bare), 3),
    }


async def run(args: argparse.Namespace, url: str, prefix: str) -> Figures:
    dsn = asyncpg_dsn(url)
    figures: Figures = {}
    async with bot_services(url, prefix) as (_, services):
        people = await seed_people(dsn)
        figures |= await charts(services, args.renders)
        levels = levels_of(people)
        print(f"made {await make_partitions(services)} monthly partitions", flush=True)
        figures["rows"] = await load_history(dsn, people, levels, args.rows, args.batch_days)
        figures |= await range_queries(dsn, people, args.queries)
        figures |= await logging_rates(services, dsn, people, levels, args)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="metric rows to load")
    parser.add_argument("--batch-days", type=int, default=20, help="days of rows per COPY")
    parser.add_argument("--queries", type=int, default=2000, help="range queries per table")
    parser.add_argument("--renders", type=int, default=100, help="charts to render")
    parser.add_argument("--tasks", type=int, default=20, help="concurrent logging tasks")
    parser.add_argument("--per-task", type=int, default=100, help="values per task per round")
    parser.add_argument("--rounds", type=int, default=3)
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
