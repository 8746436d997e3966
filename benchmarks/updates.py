"""Updates per second: our full runtime vs a bare PTB echo bot, and the emulator's own speed.

Run: `.venv/bin/python benchmarks/updates.py` (needs local Postgres and Redis). The emulator runs
in its own process with Telegram's limits off (`sportscenter emulator`), so it does not share
the bot's CPU core. Each round queues the same number of updates for each bot, then times the
bot from its first getUpdates until it has answered them all. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import UTC, datetime

import aiohttp
from _common import EmulatorProcess, scratch_database
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import BotContext, build_application
from bot.settings import load_settings
from bot.tuning import tune_gc
from bot.wiring import build_services
from domain.models import User


class Emulator(EmulatorProcess):
    """`sportscenter emulator` with Telegram's limits off, driven over its web chat API."""

    def __init__(self) -> None:
        super().__init__(limits=False)
        self.http: aiohttp.ClientSession | None = None

    async def api(self, method: str, path: str, body: dict | None = None) -> dict:
        assert self.http is not None
        async with self.http.request(method, f"{self.url}{path}", json=body) as response:
            return await response.json()

    async def people(self, count: int, tag: str) -> list[int]:
        return [
            (await self.api("POST", "/api/people", {"first_name": f"{tag}{i}"}))["id"]
            for i in range(count)
        ]

    async def queue_messages(self, people: list[int], per_person: int) -> int:
        sem = asyncio.Semaphore(32)

        async def send(person: int, i: int) -> None:
            async with sem:
                await self.api("POST", f"/api/people/{person}/send", {"text": f"hello {i}"})

        await asyncio.gather(*(send(p, i) for p in people for i in range(per_person)))
        return len(people) * per_person


async def time_bot(application: Application, expected: int, done: asyncio.Event) -> float:
    async with application:
        # Timed from the first getUpdates on: start-up is no update's cost (ours loads the city
        # index in start(), a second or two the first round paid and the later ones did not).
        await application.start()
        began = time.perf_counter()
        await application.updater.start_polling()
        await asyncio.wait_for(done.wait(), timeout=300)
        elapsed = time.perf_counter() - began
        await application.updater.stop()
        await application.stop()
    return expected / elapsed


async def bare_ptb_rate(emulator: Emulator, people: list[int], per_person: int) -> float:
    expected = await emulator.queue_messages(people, per_person)
    done, seen = asyncio.Event(), [0]

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(update.effective_message.text)
        seen[0] += 1
        if seen[0] == expected:
            done.set()

    application = (
        Application.builder()
        .token(emulator.token)
        .base_url(f"{emulator.url}/bot")
        .base_file_url(f"{emulator.url}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return await time_bot(application, expected, done)


async def our_rate(emulator: Emulator, settings, people: list[int], per_person: int) -> float:
    expected = await emulator.queue_messages(people, per_person)
    done, seen = asyncio.Event(), [0]
    services = build_services(settings)

    async def seen_again(update: Update, context: BotContext) -> None:
        # One read and one write in one transaction, like a typical chat action.
        person = update.effective_user
        async with context.uow as tx:
            user = await tx.users.by_telegram_id(person.id)
            if user is None:
                tx.users.add(
                    User(role="athlete", first_name=person.first_name, telegram_user_id=person.id)
                )
            else:
                user.last_login_at = datetime.now(UTC)
            await tx.commit()
        await update.effective_message.reply_text(update.effective_message.text)
        seen[0] += 1
        if seen[0] == expected:
            done.set()

    application = build_application(
        settings,
        services,
        base_url=f"{emulator.url}/bot",
        base_file_url=f"{emulator.url}/file/bot",
        token=emulator.token,
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, seen_again))
    try:
        return await time_bot(application, expected, done)
    finally:
        await services.close()


async def emulator_send_rate(emulator: Emulator, person: int, total: int) -> float:
    assert emulator.http is not None
    await emulator.api("POST", f"/api/people/{person}/send", {"text": "/start"})
    url = f"{emulator.url}/bot{emulator.token}/sendMessage"
    sem = asyncio.Semaphore(32)

    async def send(i: int) -> None:
        async with sem, emulator.http.post(url, json={"chat_id": person, "text": f"m{i}"}) as r:
            assert r.status == 200, await r.text()
            await r.read()

    began = time.perf_counter()
    await asyncio.gather(*(send(i) for i in range(total)))
    return total / (time.perf_counter() - began)


async def run(args: argparse.Namespace, settings) -> dict[str, float]:
    emulator = Emulator()
    emulator.http = aiohttp.ClientSession()
    ours, bare = [], []
    try:
        for round_ in range(args.rounds):
            ours.append(
                await our_rate(
                    emulator,
                    settings,
                    await emulator.people(args.people, f"o{round_}-"),
                    args.per_person,
                )
            )
            bare.append(
                await bare_ptb_rate(
                    emulator, await emulator.people(args.people, f"b{round_}-"), args.per_person
                )
            )
            print(
                f"round {round_ + 1}: ours {ours[-1]:,.0f} updates/s, "
                f"bare PTB echo {bare[-1]:,.0f} updates/s",
                flush=True,
            )
        sender = (await emulator.people(1, "s"))[0]
        send_rate = await emulator_send_rate(emulator, sender, args.sends)
        print(f"emulator sendMessage: {send_rate:,.0f}/s", flush=True)
    finally:
        await emulator.http.close()
        emulator.stop()
    return {
        "ours_updates_per_s": round(max(ours)),
        "bare_ptb_updates_per_s": round(max(bare)),
        "ratio": round(max(ours) / max(bare), 3),
        # Each round's ours over bare, run back to back: the same machine's moment for both.
        "median_round_ratio": round(
            statistics.median(o / b for o, b in zip(ours, bare, strict=True)), 3
        ),
        "emulator_send_per_s": round(send_rate),
    }


async def cleanup(settings) -> None:
    services = build_services(settings)
    try:
        async for key in services.redis.scan_iter(match=f"{settings.redis_key_prefix}*"):
            await services.redis.delete(key)
    finally:
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--per-person", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sends", type=int, default=5000)
    args = parser.parse_args()
    tune_gc()  # as `sportscenter run` does: the runtime measured is the one we ship
    with scratch_database() as url:
        settings = load_settings(
            database_url=url,
            redis_key_prefix=f"bench:{uuid.uuid4().hex[:8]}:",
            log_level="WARNING",
            outgoing_rate_limit="off",
        )
        try:
            result = asyncio.run(run(args, settings))
        finally:
            asyncio.run(cleanup(settings))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
