"""Food search over the bundled table, and the daily totals of a 7-day plan (issue 17).

Run: `.venv/bin/python benchmarks/nutrition_foods.py [--queries 400] [--rounds 200]` (needs the
local Postgres; uses a scratch database it drops at the end).

1. Search: `--queries` names as people type them, in English and Spanish (half each): whole
   names, first words, lower case without accents, and typos (a letter dropped, doubled or two
   swapped), plus a few words that are no food; each through `search_foods` in a transaction of
   its own, as one chat message is.
2. Totals: a 7-day plan of 6 meals of ~4 items (168 items) stored as JSON in the spec's
   `nutrition_plans.daily_plans`; each round reads the plan, its foods (`foods_by_ids`) and adds
   up every day (`totals_of`), in one transaction.

Last line: one JSON object with food_search_p95_ms and totals_p95_ms (targets 20 and 10).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
import unicodedata
from decimal import Decimal

from _common import Figures, p50_p95, run_benchmark
from sqlalchemy import text

from domain.adapters.db import create_engine, create_session_factory
from domain.nutrition.foods import Food, foods_by_ids, search_foods
from domain.nutrition.totals import Amount, totals_of
from domain.uow import UnitOfWork

WARM_UP = 20
NO_FOOD = ("qwerty", "asdfgh", "zzzz", "xylophone", "ordenador", "bicicleta")
MEALS = ("breakfast", "snack", "lunch", "before_training", "after_training", "dinner")


def typo(word: str, rng: random.Random) -> str:
    """The word as a hurried thumb types it: a letter dropped, doubled, or two swapped."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice(
        (
            word[:i] + word[i + 1 :],
            word[:i] + word[i] + word[i:],
            word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :],
        )
    )


def plain(name: str) -> str:
    """Lower case without accents, as many type on a phone."""
    return "".join(
        c for c in unicodedata.normalize("NFD", name.lower()) if unicodedata.category(c) != "Mn"
    )


def queries(foods: list[Food], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(typed text, language) pairs, half English and half Spanish."""
    made: list[tuple[str, str]] = []
    while len(made) < count:
        language = "en" if len(made) % 2 == 0 else "es"
        name = rng.choice(foods).name(language)
        shape = rng.randrange(5)
        if shape == 0:
            typed = name
        elif shape == 1:
            typed = name.split()[0]
        elif shape == 2:
            typed = plain(name)
        elif shape == 3 or rng.random() > 0.05:
            typed = " ".join(typo(word, rng) for word in plain(name).split()[:2])
        else:
            typed = rng.choice(NO_FOOD)
        made.append((typed, language))
    return made


async def all_foods(uow: UnitOfWork) -> list[Food]:
    async with uow as tx:
        ids = (await (await tx.connection()).scalars(text("SELECT id FROM foods"))).all()
        return list((await foods_by_ids(tx, ids)).values())


async def measure_search(uow: UnitOfWork, typed: list[tuple[str, str]]) -> list[float]:
    times, empty = [], 0
    for n, (text_, language) in enumerate(typed):
        began = time.perf_counter()
        async with uow as tx:
            found = await search_foods(tx, text_, language)
        if n >= WARM_UP:
            times.append((time.perf_counter() - began) * 1000)
        empty += not found
    p50, p95 = p50_p95(times)
    print(f"search: {len(times)} queries, p50 {p50} ms, p95 {p95} ms, {empty} found nothing")
    return times


def week_plan(foods: list[Food], rng: random.Random) -> dict[str, object]:
    """Seven days of six meals of three to five items, as a plan stores them."""
    return {
        "days": [
            {
                "meals": [
                    {
                        "meal": meal,
                        "items": [
                            {"food_id": rng.choice(foods).id, "grams": str(rng.randrange(20, 400))}
                            for _ in range(rng.randint(3, 5))
                        ],
                    }
                    for meal in MEALS
                ]
            }
            for _ in range(7)
        ]
    }


async def measure_totals(uow: UnitOfWork, plan_id: str, rounds: int) -> list[float]:
    times, cpu = [], []
    for n in range(rounds + WARM_UP):
        began, began_cpu = time.perf_counter(), time.process_time()
        async with uow as tx:
            plan = await (await tx.connection()).scalar(
                text("SELECT daily_plans FROM nutrition_plans WHERE id = :id"), {"id": plan_id}
            )
            items = [i for d in plan["days"] for m in d["meals"] for i in m["items"]]
            foods = await foods_by_ids(tx, (i["food_id"] for i in items))
        days = [
            totals_of(
                Amount(foods[i["food_id"]], Decimal(i["grams"]))
                for m in day["meals"]
                for i in m["items"]
            )
            for day in plan["days"]
        ]
        assert len(days) == 7 and all(d.energy_kcal > 0 for d in days)
        if n >= WARM_UP:
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
    p50, p95 = p50_p95(times)
    print(
        f"totals: {rounds} reads of a 7-day plan ({len(items)} items), p50 {p50} ms, p95 {p95} ms"
        f" (of which this process's CPU: p50 {p50_p95(cpu)[0]} ms)"
    )
    return times


async def run(args: argparse.Namespace, url: str, prefix: str) -> Figures:
    engine = create_engine(url, pool_size=2)
    uow = UnitOfWork(create_session_factory(engine))
    rng = random.Random(17)
    try:
        foods = await all_foods(uow)
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"{len(foods)} foods in the table; load average {load}", flush=True)
        search = await measure_search(uow, queries(foods, args.queries + WARM_UP, rng))
        async with uow as tx:
            plan_id = await (await tx.connection()).scalar(
                # Nobody's plan: a template row (migration 0019 checks that a plan has an athlete).
                text(
                    "INSERT INTO nutrition_plans (daily_plans, is_template) VALUES (:plan, true)"
                    " RETURNING id"
                ),
                {"plan": json.dumps(week_plan(foods, rng))},
            )
            await tx.commit()
        totals = await measure_totals(uow, plan_id, args.rounds)
    finally:
        await engine.dispose()
    search_p50, search_p95 = p50_p95(search)
    totals_p50, totals_p95 = p50_p95(totals)
    return {
        "food_search_p95_ms": search_p95,
        "totals_p95_ms": totals_p95,
        "food_search_p50_ms": search_p50,
        "totals_p50_ms": totals_p50,
        "queries": len(search),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=200)
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
