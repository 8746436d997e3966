"""Training programs at scale: one morning's program days to 10,000 athletes, and parsing.

Run: `.venv/bin/python benchmarks/programs.py [--n 10000] [--senders 2]` (needs the local
Postgres and Redis; uses a scratch database and Redis prefix it removes at the end).

1. Delivery: N athletes, each on Telegram (people of the emulator, with Telegram's limits ON; in
   this process, see `deliver_morning`), follow a 12-week program from the same local date,
   spread over 12 time zones (Auckland to Los Angeles) and three chosen times (07:00, 07:30,
   08:00), so "this morning" is 36 moments across a day of UTC. The morning runs on a simulated
   clock that moves with the real one while there is work and jumps over idle time to the next
   moment anyone's time comes: the bot's own job (`queue_due_days`) queues what is due and
   `--senders` outbox senders (`drain` + the bot's Telegram deliverer, paced by the same rate
   limiter as `sportscenter run`) send each workout, read as it stands when sent. Every person's
   transcript is then read back from the emulator to count lost and duplicated days. Lateness is
   measured per message against that person's chosen time, in simulated time.
2. Parsing: a 12-week program of about 400 exercise lines through `parse_program_text`.

Last line: one JSON object with deliveries_per_s, delivered, lost, duplicated, late_p95_s,
parse_p95_ms (and a few figures beside them).
"""

from __future__ import annotations

import argparse
import asyncio
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg
from _common import Figures, asyncpg_dsn, bot_services, percentile, run_benchmark

from bot.app import build_application
from bot.outbox import telegram_deliverer
from domain.models import Coach, ProgramStatus, ProgramVersion, TrainingProgram, User
from domain.notifications.outbox import Claimed, DeliveryResult, drain
from domain.programs.content import ProgramContent
from domain.programs.following.days import queue_due_days
from domain.programs.program_text import parse_program_text
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
MORNING = date(2026, 12, 7)  # a Monday: day 1 of week 1 for everyone
BATCH = 25
EXERCISES = (
    "back squat 3x5 @70%",
    "bench press 3x8 60kg",
    "deadlift 3x5 @75%",
    "400m x4 rest 90s",
    "pull ups 3x8",
    "plank 3x45s",
    "1km tempo 3-1-1-0",
)


def program_text(weeks: int = 12, days: tuple[int, ...] = (1, 2, 3, 5, 6)) -> str:
    """A 12-week program in compact text: a header per day, then one exercise per line."""
    lines = []
    for week in range(1, weeks + 1):
        for n, day in enumerate(days):
            count = 6 + (week + n) % 2  # 6 or 7 exercises a day: ~400 lines in all
            first, *rest = [EXERCISES[(week + n + k) % len(EXERCISES)] for k in range(count)]
            lines.append(f"W{week}D{day}: {first}")
            lines.extend(rest)
    return "\n".join(lines)


def parse_figures(samples: int) -> Figures:
    """p50/p95 of parsing the 12-week text, in ms."""
    text = program_text()
    parse_program_text(text, weeks=12)  # warm the regular expressions
    times = []
    for _ in range(samples):
        began = clock.perf_counter()
        parse_program_text(text, weeks=12)
        times.append((clock.perf_counter() - began) * 1000)
    lines = len(text.splitlines())
    p95 = percentile(times, 0.95)
    print(
        f"parse: {lines} lines, p50 {percentile(times, 0.5):.1f} ms, p95 {p95:.1f} ms", flush=True
    )
    return {"parse_lines": lines, "parse_p95_ms": round(p95, 2)}


async def seed_program(services) -> tuple[uuid.UUID, uuid.UUID]:  # type: ignore[no-untyped-def]
    """A verified coach's published 12-week program: (program, version)."""
    weeks = parse_program_text(program_text(), weeks=12)
    async with services.uow as tx:
        coach_user = tx.users.add(User(role="coach", first_name="Cora", verification_status=True))
        await tx.flush()
        coach = tx.coaches.add(Coach(user_id=coach_user.id, specializations=["athletics"]))
        await tx.flush()
        program = TrainingProgram(
            id=uuid.uuid4(),
            coach_id=coach.id,
            title="Strength base",
            duration_weeks=12,
            sport_type="athletics",
            difficulty_level="beginner",
            price=Decimal("25"),
        )
        tx.session.add(program)
        await tx.flush()
        version = ProgramVersion(
            id=uuid.uuid4(),
            program_id=program.id,
            number=1,
            schema_version=1,
            content=ProgramContent(weeks=weeks).stored(),
            duration_weeks=12,
        )
        tx.session.add(version)
        await tx.flush()
        program.status, program.current_version_id = ProgramStatus.PUBLISHED, version.id
        await tx.commit()
    return program.id, version.id


async def seed_athletes(
    dsn: str, ids: list[int], program: uuid.UUID, version: uuid.UUID
) -> dict[str, datetime]:
    """N athletes on Telegram, enrolled from MORNING; each enrolment's due instant."""
    users, athletes, enrolments, due = [], [], [], {}
    for k, telegram_id in enumerate(ids):
        zone, at = ZONES[k % len(ZONES)], TIMES[(k // len(ZONES)) % len(TIMES)]
        user, athlete, enrolment = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        users.append((user, "athlete", f"a{k}", telegram_id, telegram_id, zone))
        athletes.append((athlete, user, "athletics"))
        enrolments.append((enrolment, program, version, athlete, MORNING, at, "self", "active"))
        due[str(enrolment)] = datetime.combine(MORNING, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
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
            "athletes", records=athletes, columns=["id", "user_id", "primary_sport"]
        )
        await connection.copy_records_to_table(
            "program_enrolments",
            records=enrolments,
            columns=[
                "id",
                "program_id",
                "program_version_id",
                "athlete_id",
                "start_date",
                "delivery_time",
                "how",
                "status",
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


async def deliver_morning(settings, services, n: int, senders: int) -> Figures:  # type: ignore[no-untyped-def]
    # In this process, without a state file: `sportscenter emulator` rewrites its state file on
    # every change, which makes creating 10,000 people quadratic. Its limits are the same.
    async with Emulator(limits=True, bot_name="SportsCenter") as emulator:
        people = [emulator.user(f"a{i}") for i in range(n)]
        for person in people:
            await person.send("/start")
        program, version = await seed_program(services)
        due = await seed_athletes(
            asyncpg_dsn(settings.database_url), [p.id for p in people], program, version
        )
        print(f"  seeded {n} athletes in {len(ZONES)} zones", flush=True)
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
                chosen = due[str(notification.payload["enrolment_id"])]
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
        # One pass over the bot's messages (a transcript per person would sort them all each time).
        by_chat: dict[int, int] = {}
        for (chat_id, _), message in emulator.bot.messages.items():
            if (message.get("text") or "").startswith("🏋️"):
                by_chat[chat_id] = by_chat.get(chat_id, 0) + 1
        counts = [by_chat.get(person.id, 0) for person in people]
    delivered = sum(1 for c in counts if c >= 1)
    figures = {
        "deliveries_per_s": round(sum(counts) / elapsed, 2),
        "delivered": delivered,
        "lost": sum(1 for c in counts if c == 0),
        "duplicated": sum(c - 1 for c in counts if c > 1),
        "late_p95_s": round(percentile(late, 0.95), 1) if late else None,
        "late_p50_s": round(percentile(late, 0.5), 1) if late else None,
        "late_max_s": round(max(late), 1) if late else None,
        "senders": senders,
    }
    print(f"delivery: {figures} (ceiling 30/s)", flush=True)
    return figures  # type: ignore[return-value]


async def run(args: argparse.Namespace, url: str, prefix: str) -> Figures:
    figures = parse_figures(args.samples)
    async with bot_services(url, prefix, OUTGOING_RATE_LIMIT="telegram") as (settings, services):
        figures = await deliver_morning(settings, services, args.n, args.senders) | figures
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="athletes enrolled")
    parser.add_argument("--senders", type=int, default=2, help="outbox senders at once")
    parser.add_argument("--samples", type=int, default=200, help="parses of the 12-week text")
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
