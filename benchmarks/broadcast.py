"""A broadcast to N people through the emulator with Telegram's limits on, its sender killed
with SIGKILL halfway and started again.

Run: `.venv/bin/python benchmarks/broadcast.py [--n 10000]` (needs the local Postgres and Redis;
uses a scratch database and Redis prefix it removes at the end).

1. The emulator runs in this process (which only polls the database while the sender works),
   with Telegram's flood limits ON (30 messages a second overall) and nothing kept on disk;
   N people are created there and each sends /start (a bot may only write to people who
   have), and signed up in the database (half athletes, half parents), with one admin.
2. The admin's broadcast to everyone is drafted and confirmed through `domain.admin.broadcasts`
   (what /broadcast's Confirm button calls): one outbox row per person, in one statement.
3. The sender is a process of its own: the bot's outbox job (`bot.outbox.send_due_notifications`,
   paced by the same rate limiter as `sportscenter run`) run back to back, beside the
   broadcast's progress job (`handlers.admin.broadcast.update_progress`, every 5 s, which marks
   the broadcast done). When the outbox says half is sent, the process is killed with SIGKILL
   and a new one started; it goes on from the outbox's rows and exits once the broadcast is
   done.
4. Every person's chat is read back from the emulator's messages: a person without the
   message is lost, a second copy is duplicated. The rate is the people reached over the
   whole run, from the confirmation to the broadcast being done, the restart included.
Last line: `{"broadcast_msgs_per_s", "lost", "duplicated", "killed_and_resumed", ...}`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time as clock
import uuid
from collections import Counter
from datetime import UTC, datetime

import asyncpg
from _common import Figures, asyncpg_dsn, bot_services, run_benchmark

from bot.app import BotContext, build_application
from bot.outbox import send_due_notifications
from domain.actors import load_actor
from domain.admin import broadcasts
from domain.admin.broadcasts import Audience
from domain.models import BroadcastAudience
from handlers.admin.broadcast import update_progress
from telegram_emulator import Emulator

MESSAGE = "📣 The club is closed on Sunday for maintenance; sessions move to the indoor hall."
ADMIN_NAME = "Admin"
POLL_S = 0.5
PROGRESS_S = 5.0


async def seed(url: str, emulator: Emulator, n: int) -> tuple[list[int], int]:
    """N people and an admin on the emulator (each has sent /start) and in the database."""
    people = [
        emulator.world.add_person(name) for name in [ADMIN_NAME] + [f"p{i}" for i in range(n)]
    ]
    for person in people:
        await emulator.client.send_text(person, "/start")
    ids = [person.id for person in people]
    user_ids = [uuid.uuid4() for _ in ids]
    roles = ["admin"] + ["athlete" if k % 2 else "parent" for k in range(n)]
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.copy_records_to_table(
            "users",
            records=[(u, r, "P", t, t) for u, r, t in zip(user_ids, roles, ids, strict=True)],
            columns=["id", "role", "first_name", "telegram_user_id", "telegram_chat_id"],
        )
        await connection.execute("INSERT INTO admins (user_id) VALUES ($1)", user_ids[0])
    finally:
        await connection.close()
    return ids[1:], ids[0]


async def confirm_broadcast(
    settings, services, emulator: Emulator, admin_tg: int
) -> tuple[uuid.UUID, int]:
    """Draft and confirm the admin's broadcast to everyone; its progress message is a real one."""
    application = build_application(
        settings,
        services,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        token=emulator.token,
    )
    await application.initialize()
    try:
        progress = await application.bot.send_message(admin_tg, "📣 …")
    finally:
        await application.shutdown()
    admin = await load_actor(services.uow, telegram_user_id=admin_tg)
    assert admin is not None and admin.is_admin
    draft = await broadcasts.draft(
        services.uow, admin=admin, audience=Audience(BroadcastAudience.EVERYONE), message=MESSAGE
    )
    await broadcasts.confirm(
        services.uow,
        admin=admin,
        broadcast_id=draft.broadcast_id,
        chat_id=admin_tg,
        message_id=progress.message_id,
        now=datetime.now(UTC),
    )
    return draft.broadcast_id, progress.message_id


def start_sender(
    args: argparse.Namespace,
    url: str,
    prefix: str,
    emulator: Emulator,
    broadcast_id: uuid.UUID,
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--sender",
            "--url",
            url,
            "--prefix",
            prefix,
            "--emulator-url",
            emulator.url,
            "--token",
            emulator.token,
            "--broadcast",
            str(broadcast_id),
        ],
    )


async def status(dsn: str, broadcast_id: uuid.UUID) -> tuple[int, str]:
    connection = await asyncpg.connect(dsn)
    try:
        sent = await connection.fetchval(
            "SELECT count(*) FROM notifications WHERE kind = 'broadcast' AND sent_at IS NOT NULL"
        )
        state = await connection.fetchval(
            "SELECT status FROM broadcasts WHERE id = $1", broadcast_id
        )
    finally:
        await connection.close()
    return int(sent), str(state)


async def run(args: argparse.Namespace, url: str, prefix: str) -> Figures:
    dsn = asyncpg_dsn(url)
    # In this process, which only polls the database meanwhile: the sender has its own.
    async with Emulator(limits=True, bot_name="SportsCenter") as emulator:
        async with bot_services(url, prefix, OUTGOING_RATE_LIMIT="telegram") as (
            settings,
            services,
        ):
            began_seed = clock.perf_counter()
            people, admin_tg = await seed(url, emulator, args.n)
            print(
                f"seeded {args.n} people in {clock.perf_counter() - began_seed:.0f} s", flush=True
            )
            broadcast_id, progress_id = await confirm_broadcast(
                settings, services, emulator, admin_tg
            )
            print(f"confirmed: {args.n} queued", flush=True)
        began = clock.perf_counter()  # from the confirmation to the broadcast done
        sender = start_sender(args, url, prefix, emulator, broadcast_id)
        killed_at = -1
        while True:
            await asyncio.sleep(POLL_S)
            sent, state = await status(dsn, broadcast_id)
            if killed_at < 0 and sent >= args.n * args.kill_at:
                sender.send_signal(signal.SIGKILL)
                sender.wait()
                killed_at = sent
                print(f"SIGKILL at {sent} sent, {clock.perf_counter() - began:.1f} s", flush=True)
                sender = start_sender(args, url, prefix, emulator, broadcast_id)
            if state == "done":
                break
            if sender.poll() is not None:
                raise RuntimeError(f"the sender exited ({sender.returncode}) before the end")
        elapsed = clock.perf_counter() - began
        sender.wait(30)
        copies = Counter(
            chat_id
            for (chat_id, _), message in emulator.bot.messages.items()
            if message.get("text") == MESSAGE
        )
        progress = emulator.bot.messages.get((admin_tg, progress_id), {}).get("text")
        print(f"the admin's progress message: {progress!r}", flush=True)
    counts = [copies.get(person, 0) for person in people]
    delivered = sum(1 for c in counts if c)
    figures = {
        "n": args.n,
        "elapsed_s": round(elapsed, 1),
        "killed_at_sent": killed_at,
        "broadcast_msgs_per_s": round(delivered / elapsed, 2),
        "lost": sum(1 for c in counts if c == 0),
        "duplicated": sum(c - 1 for c in counts if c > 1),
        "killed_and_resumed": killed_at >= 0 and state == "done",
    }
    print(f"broadcast: {figures} (ceiling 30/s)", flush=True)
    return figures


async def sender(args: argparse.Namespace) -> None:
    """The sender process: the outbox job back to back, the progress job every 5 s."""
    os.environ.update(OUTGOING_RATE_LIMIT="telegram")
    async with bot_services(args.url, args.prefix, OUTGOING_RATE_LIMIT="telegram") as (
        settings,
        services,
    ):
        application = build_application(
            settings,
            services,
            base_url=f"{args.emulator_url}/bot",
            base_file_url=f"{args.emulator_url}/file/bot",
            token=args.token,
        )
        await application.initialize()
        context = BotContext(application)
        done = asyncio.Event()

        async def send() -> None:
            while not done.is_set():
                await send_due_notifications(context)
                await asyncio.sleep(0.05)  # nothing due: look again shortly

        async def progress() -> None:
            while not done.is_set():
                await asyncio.sleep(PROGRESS_S)
                await update_progress(context)
                _, state = await status(asyncpg_dsn(args.url), uuid.UUID(args.broadcast))
                if state == "done":
                    done.set()

        try:
            await asyncio.gather(send(), progress())
        finally:
            await application.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="people to broadcast to")
    parser.add_argument("--kill-at", type=float, default=0.5, help="share sent when killed")
    parser.add_argument("--sender", action="store_true", help=argparse.SUPPRESS)
    for name in ("--url", "--prefix", "--emulator-url", "--token", "--broadcast"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sender:
        asyncio.run(sender(args))
        return
    run_benchmark(run, args)


if __name__ == "__main__":
    main()
