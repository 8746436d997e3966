"""Nutrition plans at scale: one morning's plan days to 10,000 athletes, food search, and the
daily totals of a 7-day plan.

Run: `.venv/bin/python benchmarks/nutrition.py [--athletes 10000] [--senders 4]` (needs the
local Postgres and Redis; uses a scratch database and Redis prefix it removes at the end).

1. Delivery: N athletes, each on Telegram (people of the emulator, with Telegram's limits ON;
   in this process, as benchmarks/programs.py), follow a published 7-day plan from the same local
   date, spread over 12 time zones and three breakfast times (07:00, 07:30, 08:00). The morning
   runs on a simulated clock that moves with the real one while there is work and jumps over idle
   time to the next moment anyone's breakfast comes: the bot's job (`queue_due_days`) queues what
   is due and `--senders` outbox senders (`drain` + the bot's Telegram deliverer) send each day,
   read as it stands when sent (its kind from the athlete's sessions and program workouts, its
   meals and totals). Every person's transcript is read back to count lost and duplicated days.
2. Food search: typed names (whole, first word, no accents, typos; English and Spanish) through
   `search_foods`, one transaction each, as a chat message is.
3. Totals: a stored 7-day plan (a training day and a rest day template of 6 meals of 3-5 items,
   and a different override for each of the 7 days) read with its foods and added up day by day
   (`day_view`), one transaction per round.

Last line: one JSON object with daily_msgs_per_s, lost, duplicated, food_search_p95_ms,
totals_p95_ms (targets >= 27, 0, 0, <= 20, <= 10) and a few figures beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg
from _common import Figures, asyncpg_dsn, bot_services, p50_p95, percentile, run_benchmark
from nutrition_foods import WARM_UP, all_foods, measure_search
from nutrition_foods import queries as typed_names
from sqlalchemy import text

from bot.app import build_application
from bot.outbox import telegram_deliverer
from domain.models import MealSlot
from domain.notifications.outbox import Claimed, DeliveryResult, drain
from domain.nutrition.days import queue_due_days
from domain.nutrition.foods import Food
from domain.nutrition.known_foods import foods_named
from domain.nutrition.plan_content import DailyPlans, DayKind, DayMeals, Item, Targets
from domain.nutrition.plans import day_view
from domain.uow import UnitOfWork
from telegram_emulator import Emulator

ZONES = (
    "Pacific/Auckland",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
TIMES = (time(7, 0), time(7, 30), time(8, 0))
MORNING = date(2026, 12, 7)  # day 1 of everyone's plan
BATCH = 25
TARGETS = Targets(energy_kcal=2600, protein_g=140, carbohydrate_g=330, fat_g=85, water_ml=2500)


def meals(foods: list[Food], rng: random.Random) -> DayMeals:
    """Six meals of three to five items of foods of the table."""
    day = DayMeals()
    for slot in MealSlot:
        for _ in range(rng.randint(3, 5)):
            item = Item(food_id=rng.choice(foods).id, grams=Decimal(rng.randrange(20, 400)))
            day = day.with_item(slot, item)
    return day


def week_plan(foods: list[Food], rng: random.Random, *, overrides: bool) -> DailyPlans:
    """Targets, a training and a rest day, and (for the totals) an override for each day."""
    days = {MORNING + timedelta(days=n): meals(foods, rng) for n in range(7)} if overrides else {}
    return DailyPlans(
        targets=TARGETS,
        training_day=meals(foods, rng),
        rest_day=meals(foods, rng),
        overrides=days,
    )


async def search_figures(uow: UnitOfWork, foods: list[Food], count: int) -> Figures:
    """p50/p95 of a search, one transaction each: the foods helper's measurement."""
    times = await measure_search(uow, typed_names(foods, count + WARM_UP, random.Random(7)))
    p50, p95 = p50_p95(times)
    return {"food_search_p50_ms": p50, "food_search_p95_ms": p95}


# Totals of a 7-day plan.


async def measure_totals(uow: UnitOfWork, foods: list[Food], rounds: int) -> Figures:
    """p50/p95 of reading a stored 7-day plan and its foods and adding up each day."""
    plan = week_plan(foods, random.Random(11), overrides=True)
    plan_id = uuid.uuid4()
    async with uow as tx:
        await tx.session.execute(
            text(
                "INSERT INTO nutrition_plans (id, plan_type, start_date, end_date, daily_plans,"
                " is_template, template_weight_kg) VALUES (:id, 'maintenance', :start, :end,"
                " CAST(:plan AS jsonb), true, 70)"
            ),
            {
                "id": plan_id,
                "start": MORNING,
                "end": MORNING + timedelta(days=6),
                "plan": json.dumps(plan.stored()),
            },
        )
        await tx.commit()
    times = []
    items = 0
    for n in range(rounds + WARM_UP):
        began = clock.perf_counter()
        async with uow as tx:
            stored = await (await tx.connection()).scalar(
                text("SELECT daily_plans FROM nutrition_plans WHERE id = :id"), {"id": plan_id}
            )
            content = DailyPlans.from_stored(stored)
            by_id = await foods_named(tx, content.food_ids())
        days = [
            day_view(
                DayKind.TRAINING, content.for_day(MORNING + timedelta(days=d), DayKind.REST), by_id
            )
            for d in range(7)
        ]
        assert all(day.totals.energy_kcal > 0 for day in days)
        items = sum(len(m.lines) for day in days for m in day.meals)
        if n >= WARM_UP:
            times.append((clock.perf_counter() - began) * 1000)
    p50, p95 = p50_p95(times)
    print(f"totals: {rounds} reads of a 7-day plan ({items} items), p50 {p50} ms, p95 {p95} ms")
    return {"totals_p50_ms": p50, "totals_p95_ms": p95, "totals_items": items}


# One morning's deliveries.


async def seed_athletes(dsn: str, ids: list[int], plan: DailyPlans) -> dict[str, datetime]:
    """N athletes on Telegram with a published 7-day plan from MORNING; each plan's instant."""
    users, athletes, plans, due = [], [], [], {}
    stored = json.dumps(plan.stored())
    for k, telegram_id in enumerate(ids):
        zone, at = ZONES[k % len(ZONES)], TIMES[(k // len(ZONES)) % len(TIMES)]
        user, athlete, plan_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        users.append((user, "athlete", f"a{k}", telegram_id, telegram_id, zone))
        athletes.append((athlete, user, "athletics", Decimal(70)))
        end = MORNING + timedelta(days=6)
        plans.append((plan_id, athlete, "maintenance", MORNING, end, stored, "published", at))
        due[str(plan_id)] = datetime.combine(MORNING, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "users",
            records=users,
            columns=[
                "id",
                "role",
                "first_name",
                "telegram_user_id",
                "telegram_chat_id",
                "timezone",
            ],
        )
        await connection.copy_records_to_table(
            "athletes", records=athletes, columns=["id", "user_id", "primary_sport", "weight_kg"]
        )
        await connection.copy_records_to_table(
            "nutrition_plans",
            records=plans,
            columns=[
                "id",
                "athlete_id",
                "plan_type",
                "start_date",
                "end_date",
                "daily_plans",
                "status",
                "breakfast_time",
            ],
        )
    finally:
        await connection.close()
    return due


class SimulatedMorning:
    """A clock that runs with the real one and can jump ahead over idle time."""

    def __init__(self, start: datetime) -> None:
        self.base, self.real = start, clock.perf_counter()

    def now(self) -> datetime:
        return self.base + timedelta(seconds=clock.perf_counter() - self.real)

    def jump_to(self, moment: datetime) -> None:
        if moment > self.now():
            self.base, self.real = moment, clock.perf_counter()


async def deliver_morning(settings, services, n: int, senders: int, foods: list[Food]) -> Figures:  # type: ignore[no-untyped-def]
    """Send one morning's plan days to N athletes; count lost and duplicated from the chats."""
    async with Emulator(limits=True, bot_name="SportsCenter") as emulator:
        people = [emulator.user(f"a{i}") for i in range(n)]
        for person in people:
            await person.send("/start")
        plan = week_plan(foods, random.Random(3), overrides=False)
        due = await seed_athletes(asyncpg_dsn(settings.database_url), [p.id for p in people], plan)
        print(f"  seeded {n} athletes with plans in {len(ZONES)} zones", flush=True)
        application = build_application(
            settings,
            services,
            base_url=emulator.base_url,
            base_file_url=emulator.base_file_url,
            token=emulator.token,
        )
        await application.initialize()
        morning = SimulatedMorning(min(due.values()) - timedelta(minutes=1))
        late: list[float] = []
        inner = telegram_deliverer(application.bot, services)

        async def deliver(notification: Claimed) -> DeliveryResult:
            result = await inner(notification)
            if result.outcome.value == "sent":
                chosen = due[str(notification.payload["plan_id"])]
                late.append((morning.now() - chosen).total_seconds())
            return result

        moments = sorted(set(due.values()))
        began = clock.perf_counter()
        sent = 0
        try:
            while sent < n:
                await queue_due_days(services.uow, now=morning.now())
                reports = await asyncio.gather(
                    *(
                        drain(services.uow, now=morning.now(), limit=BATCH, deliver=deliver)
                        for _ in range(senders)
                    )
                )
                claimed = sum(r.claimed for r in reports)
                sent += claimed
                if claimed == 0:
                    ahead = [m for m in moments if m > morning.now()]
                    if not ahead:
                        break
                    morning.jump_to(ahead[0])
                elif sent % 1000 < BATCH * senders:
                    print(f"  {sent} sent, {clock.perf_counter() - began:.0f} s", flush=True)
            elapsed = clock.perf_counter() - began
        finally:
            await application.shutdown()
        by_chat: dict[int, int] = {}
        for (chat_id, _), message in emulator.bot.messages.items():
            if (message.get("text") or "").startswith(("🛋", "🏋️")):
                by_chat[chat_id] = by_chat.get(chat_id, 0) + 1
        counts = [by_chat.get(person.id, 0) for person in people]
    figures = {
        "daily_msgs_per_s": round(sum(counts) / elapsed, 2),
        "delivered": sum(1 for c in counts if c >= 1),
        "lost": sum(1 for c in counts if c == 0),
        "duplicated": sum(c - 1 for c in counts if c > 1),
        "late_p95_s": round(percentile(late, 0.95), 1) if late else None,
        "senders": senders,
    }
    print(f"delivery: {figures} (ceiling 30/s)", flush=True)
    return figures  # type: ignore[return-value]


async def run(args: argparse.Namespace, url: str, prefix: str) -> Figures:
    async with bot_services(url, prefix, OUTGOING_RATE_LIMIT="telegram") as (settings, services):
        foods = await all_foods(services.uow)
        figures = await search_figures(services.uow, foods, args.queries)
        figures |= await measure_totals(services.uow, foods, args.rounds)
        figures = (
            await deliver_morning(settings, services, args.athletes, args.senders, foods) | figures
        )
    keys = ("daily_msgs_per_s", "lost", "duplicated", "food_search_p95_ms", "totals_p95_ms")
    return {key: figures[key] for key in keys} | figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=10_000, help="athletes with plans")
    parser.add_argument("--senders", type=int, default=4, help="outbox senders at once")
    parser.add_argument("--queries", type=int, default=400, help="food searches")
    parser.add_argument("--rounds", type=int, default=200, help="reads of the 7-day plan")
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
