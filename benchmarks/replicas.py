"""Updates through the emulator's webhook delivery to 1 and then 3 bot replicas.

Run: `.venv/bin/python benchmarks/replicas.py` (needs local Postgres and Redis). The emulator
runs in a process of its own (limits off, nothing kept on disk); each round starts N real
`sportscenter run` processes in webhook mode behind the round-robin proxy of
`tests/replica_set.py`, takes the webhook away while it queues `--people` × `--per-person`
updates (each an unknown command `/seqN`, answered by a line naming it: a guard pass, the
acting user's statement, one reply), then sets it again and times until every update is
answered. Every answer is counted per person: missing ones are lost, repeated ones duplicated,
and an answer to /seq3 before the one to /seq2 an order violation. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import aiohttp
from _common import scratch_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.replica_set

from bot.settings import load_settings
from bot.user_turns import UserTurns
from domain.adapters.cache import RedisKeys, connect_redis
from tests.replica_set import WEBHOOK_SECRET, bot_replicas

_ECHOED = re.compile(r"/seq(\d+)")
ANSWER_TIMEOUT_S = 600.0


class Emulator:
    """`python -m telegram_emulator` in a child process, driven over HTTP."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "telegram_emulator", "--port", "0", "--no-limits"],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self.token = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if m := re.search(r"web chat: (http://\S+)/", line):
                self.url = m[1]
            if m := re.search(r"Bot token: (\S+)", line):
                self.token = m[1]
            if self.url and self.token:
                break
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))

    async def call(self, method: str, path: str, body: dict | None = None) -> dict:
        async with self.http.request(method, f"{self.url}{path}", json=body) as response:
            return await response.json()

    async def bot_api(self, method: str, **params: object) -> object:
        answer = await self.call("POST", f"/bot{self.token}/{method}", params)
        assert answer.get("ok"), answer
        return answer["result"]

    async def queue(self, tag: str, people: int, per_person: int) -> dict[int, int]:
        """Create people and queue their commands; each person's id, numbered from 0."""
        sem = asyncio.Semaphore(32)

        async def person(n: int) -> int:
            async with sem:
                made = await self.call("POST", "/api/people", {"first_name": f"{tag}{n}"})
            for i in range(per_person):
                async with sem:
                    await self.call("POST", f"/api/people/{made['id']}/send", {"text": f"/seq{i}"})
            return made["id"]

        ids = await asyncio.gather(*(person(n) for n in range(people)))
        return {person_id: n for n, person_id in enumerate(ids)}

    async def newest_event(self) -> int:
        return (await self.call("GET", "/api/state"))["last_seq"]

    async def stop(self) -> None:
        await self.http.close()
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


async def answers(
    emulator: Emulator, after: int, people: set[int], expected: int, *, linger_s: float
) -> tuple[dict[int, list[int]], float]:
    """Each person's answered command numbers in order, and when the expected count was met
    (then `linger_s` more seconds are watched, for duplicates)."""
    seen: dict[int, list[int]] = defaultdict(list)
    count, done_at, deadline = 0, 0.0, time.perf_counter() + ANSWER_TIMEOUT_S
    while time.perf_counter() < (done_at + linger_s if done_at else deadline):
        polled = await emulator.call("GET", f"/api/events?after={after}&timeout=1")
        for event in polled["events"]:
            after = event["seq"]
            data = event["data"]
            if event["kind"] != "message" or event["chat_id"] not in people:
                continue
            if data.get("from", {}).get("is_bot") and (found := _ECHOED.search(data["text"])):
                seen[event["chat_id"]].append(int(found[1]))
                count += 1
        if count >= expected and not done_at:
            done_at = time.perf_counter()
    return seen, done_at


def tally(seen: dict[int, list[int]], people: set[int], per_person: int) -> dict[str, int]:
    lost = duplicated = violations = 0
    for person in people:
        got = seen.get(person, [])
        lost += len(set(range(per_person)) - set(got))
        duplicated += len(got) - len(set(got))
        firsts = list(dict.fromkeys(got))
        violations += sum(1 for a, b in itertools.pairwise(firsts) if a > b)
    return {"lost": lost, "duplicated": duplicated, "order_violations": violations}


async def round_with(
    count: int, emulator: Emulator, url: str, args: argparse.Namespace, workdir: Path
) -> dict[str, float | int]:
    async with bot_replicas(
        count,
        api_url=emulator.url,
        token=emulator.token,
        database_url=url,
        key_prefix=f"bench{uuid.uuid4().hex[:8]}:",
        workdir=workdir,
    ) as replicas:
        # Queue everything with the webhook away, then time delivery alone.
        await emulator.bot_api("deleteWebhook")
        people = await emulator.queue(f"r{count}-", args.people, args.per_person)
        expected = args.people * args.per_person
        after = await emulator.newest_event()
        began = time.perf_counter()
        await emulator.bot_api(
            "setWebhook",
            url=f"{replicas.proxy.url}/telegram",
            secret_token=WEBHOOK_SECRET,
            max_connections=args.max_connections,
        )
        seen, done_at = await answers(emulator, after, set(people), expected, linger_s=2.0)
        elapsed = (done_at or time.perf_counter()) - began
        figures = tally(seen, set(people), args.per_person)
        rate = round(expected / elapsed, 1)
        print(
            f"{count} replica(s): {rate:,.1f} updates/s over {elapsed:.1f} s, {figures}, "
            f"per replica {sorted(replicas.proxy.answered.values())}, machine load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
            flush=True,
        )
        return {"updates": expected, "updates_per_s": rate, **figures}


async def turn_cost_ms(rounds: int = 2000) -> tuple[float, float]:
    """Median time to take and let go of a user's turn on this Redis (what each update pays),
    beside one GET measured alternately with it: a busy machine inflates both alike."""
    redis = connect_redis(load_settings().redis_url)
    keys = RedisKeys(f"bench{uuid.uuid4().hex[:8]}:")
    turns = UserTurns(redis, keys)
    took: list[float] = []
    one_get: list[float] = []
    try:
        for user in range(rounds):
            began = time.perf_counter()
            async with turns.turn(user):
                pass
            took.append(time.perf_counter() - began)
            began = time.perf_counter()
            await redis.get(keys.user_turn(user))
            one_get.append(time.perf_counter() - began)
    finally:
        await redis.aclose()
    return round(statistics.median(took) * 1000, 3), round(statistics.median(one_get) * 1000, 3)


async def run(args: argparse.Namespace, url: str) -> dict[str, float | int]:
    turn_ms, get_ms = await turn_cost_ms()
    print(f"a user's turn: {turn_ms} ms per update (median), one Redis GET {get_ms} ms", flush=True)
    emulator = Emulator()
    try:
        with tempfile.TemporaryDirectory(prefix="sc-replicas-") as workdir:
            one = await round_with(1, emulator, url, args, Path(workdir))
            three = await round_with(3, emulator, url, args, Path(workdir))
    finally:
        await emulator.stop()
    # `updates` is one round's count; lost, duplicated and violations are both rounds'.
    return {
        "replicas": 3,
        "updates": three["updates"],
        "lost": one["lost"] + three["lost"],
        "duplicated": one["duplicated"] + three["duplicated"],
        "order_violations": one["order_violations"] + three["order_violations"],
        "updates_per_s_1": one["updates_per_s"],
        "updates_per_s_3": three["updates_per_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--per-person", type=int, default=5)
    parser.add_argument("--max-connections", type=int, default=40, help="setWebhook's")
    args = parser.parse_args()
    with scratch_database() as url:
        figures = asyncio.run(run(args, url))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
