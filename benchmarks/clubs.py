"""Clubs at scale: one week's RSVP requests and reminders to every team, and a season's series
expansion.

Run: `.venv/bin/python benchmarks/clubs.py [--teams 1000] [--athletes 20] [--senders 2]`
(needs the local Postgres and Redis; uses a scratch database and Redis prefix it removes).

1. RSVP: T teams of A athletes, each athlete on Telegram (people of the emulator, with
   Telegram's limits ON, in this process as `benchmarks/programs.py` does), each team a weekly
   practice (a group series' occurrence with its members as participants, written with COPY)
   spread over the seven days of one week, 16:00 to 19:30 local, in twelve time zones. Half the
   athletes have answered before the reminders fall due (seeded as answers), so the week is
   T x A requests (48 h before) and T x A / 2 reminders (24 h before). The week runs on a
   simulated clock that moves with the real one while there is work and jumps over idle time:
   the bot's own job (`domain.clubs.series.rsvp.queue_due`) queues what is due and `--senders`
   outbox senders (`drain` + the bot's Telegram deliverer, paced by the same rate limiter as
   `sportscenter run`) send them. Every person's transcript is then read back from the emulator
   to count lost and duplicated requests and reminders. rsvp_msgs_per_s is the messages sent
   over the real time the week took (Telegram's ceiling is 30 messages a second).
2. Expansion: `--expansions` private-lesson series of 40 weeks, two days a week (80
   occurrences each, one transaction each, through `create_private_series`), each for its own
   coach; p50/p95 of the whole call.

3. Seat race: a full group session of two loses one participant, and `--seat-race` (200)
   athletes in its waitlist each hold an offer of that one place (as many offers as a coach
   lowering capacity or a forged press could leave standing). All accept at once through
   `domain.booking.waitlist.accept`, the function the Accept button calls, on an engine of
   `--race-connections` connections (Postgres allows 100 in all); seat_race_winners counts the
   accepts that got the place (the target is exactly 1) and seat_race_participants the session's
   count after (its capacity, 2).

Last line: one JSON object with rsvp_msgs_per_s, lost, duplicated, series_expand_p95_ms,
seat_race_winners (and a few figures beside them).
"""

from __future__ import annotations

import argparse
import asyncio
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
from _common import Figures, asyncpg_dsn, bot_services, percentile, run_benchmark

from bot.app import build_application
from bot.outbox import telegram_deliverer
from domain.adapters.db import create_engine, create_session_factory
from domain.booking import waitlist
from domain.clubs.series.rsvp import queue_due
from domain.clubs.series.series import create_private_series
from domain.notifications.outbox import drain
from domain.policy import Actor
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
TIMES = (time(16, 0), time(17, 0), time(18, 30), time(19, 30))
WEEK = date(2027, 1, 11)  # a Monday
BATCH = 25
REQUEST, REMINDER = "📅 Will", "⏰"


async def seed_week(
    dsn: str, ids: list[int], teams: int, athletes: int
) -> tuple[list[datetime], int]:
    """Coaches, athletes, one practice per team this week; the due moments and reminders due."""
    coaches, coach_users, series, sessions, users, kids, parts, answers = ([] for _ in range(8))
    moments: set[datetime] = set()
    for k in range(teams):
        zone = ZONES[k % len(ZONES)]
        day = WEEK + timedelta(days=k % 7)
        at = TIMES[(k // 7) % len(TIMES)]
        start = datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
        moments |= {start - timedelta(hours=48), start - timedelta(hours=24)}
        coach_user, coach, one_series, session = (uuid.uuid4() for _ in range(4))
        coach_users.append((coach_user, "coach", f"c{k}", zone))
        coaches.append((coach, coach_user, ["football"]))
        series.append(
            (one_series, coach, f"Team {k}", [day.weekday()], at, zone, 90, athletes,
             WEEK, WEEK + timedelta(days=279))
        )  # fmt: skip
        sessions.append(
            (session, coach, "group", "scheduled", start, start + timedelta(minutes=90),
             "not_required", athletes, athletes, one_series)
        )  # fmt: skip
        for j in range(athletes):
            telegram_id = ids[k * athletes + j]
            user, kid = uuid.uuid4(), uuid.uuid4()
            users.append((user, "athlete", f"a{k}-{j}", telegram_id, telegram_id, zone))
            kids.append((kid, user, "football"))
            parts.append((uuid.uuid4(), session, kid))
            if j % 2:
                answers.append((session, kid, "yes", user, start - timedelta(hours=30)))
    connection = await asyncpg.connect(dsn)
    try:
        copy = connection.copy_records_to_table
        await copy("users", records=coach_users, columns=["id", "role", "first_name", "timezone"])
        await copy("coaches", records=coaches, columns=["id", "user_id", "specializations"])
        await copy(
            "session_series",
            records=series,
            columns=["id", "coach_id", "title", "weekdays", "local_time", "timezone",
                     "length_minutes", "capacity", "season_start", "season_end"],
        )  # fmt: skip
        await copy(
            "training_sessions",
            records=sessions,
            columns=["id", "coach_id", "session_type", "status", "start_time", "end_time",
                     "payment_status", "capacity", "participant_count", "series_id"],
        )  # fmt: skip
        await copy(
            "users",
            records=users,
            columns=["id", "role", "first_name", "telegram_user_id", "telegram_chat_id",
                     "timezone"],
        )  # fmt: skip
        await copy("athletes", records=kids, columns=["id", "user_id", "primary_sport"])
        await copy(
            "session_participants", records=parts, columns=["id", "session_id", "athlete_id"]
        )
        await copy(
            "session_rsvps",
            records=answers,
            columns=["session_id", "athlete_id", "answer", "answered_by", "answered_at"],
        )
    finally:
        await connection.close()
    return sorted(moments), len(users) - len(answers)


class SimulatedWeek:
    """A clock that runs with the real one and can jump ahead over idle time."""

    def __init__(self, start: datetime) -> None:
        self.base, self.real = start, clock.perf_counter()

    def now(self) -> datetime:
        return self.base + timedelta(seconds=clock.perf_counter() - self.real)

    def jump_to(self, moment: datetime) -> None:
        if moment > self.now():
            self.base, self.real = moment, clock.perf_counter()


async def rsvp_week(settings, services, teams: int, athletes: int, senders: int) -> Figures:  # type: ignore[no-untyped-def]
    n = teams * athletes
    async with Emulator(limits=True, bot_name="SportsCenter") as emulator:
        people = [emulator.user(f"a{i}") for i in range(n)]
        for person in people:
            await person.send("/start")
        moments, reminders_due = await seed_week(
            asyncpg_dsn(settings.database_url), [p.id for p in people], teams, athletes
        )
        print(f"  seeded {teams} teams x {athletes} athletes; {len(moments)} moments", flush=True)
        application = build_application(
            settings,
            services,
            base_url=emulator.base_url,
            base_file_url=emulator.base_file_url,
            token=emulator.token,
        )
        await application.initialize()
        week = SimulatedWeek(moments[0] - timedelta(minutes=1))
        deliver = telegram_deliverer(application.bot, services)
        expected = n + reminders_due
        began = clock.perf_counter()
        sent = 0
        try:
            while True:
                await queue_due(services.uow, now=week.now())
                reports = await asyncio.gather(
                    *(
                        drain(services.uow, now=week.now(), limit=BATCH, deliver=deliver)
                        for _ in range(senders)
                    )
                )
                claimed = sum(r.claimed for r in reports)
                sent += claimed
                if claimed == 0:
                    ahead = [m for m in moments if m > week.now()]
                    if not ahead:
                        break
                    week.jump_to(ahead[0])
                elif sent % 1000 < BATCH * senders:
                    print(
                        f"  {sent}/{expected} sent, {clock.perf_counter() - began:.0f} s",
                        flush=True,
                    )
            elapsed = clock.perf_counter() - began
        finally:
            await application.shutdown()
        requests: dict[int, int] = {}
        reminders: dict[int, int] = {}
        for (chat_id, _), message in emulator.bot.messages.items():
            text = message.get("text") or ""
            if text.startswith(REQUEST):
                requests[chat_id] = requests.get(chat_id, 0) + 1
            elif text.startswith(REMINDER):
                reminders[chat_id] = reminders.get(chat_id, 0) + 1
        # The odd athletes of each team answered before their reminder: they get none.
        wanted = {
            person.id: 1 + (0 if (i % athletes) % 2 else 1) for i, person in enumerate(people)
        }
        got = {
            person.id: requests.get(person.id, 0) + reminders.get(person.id, 0) for person in people
        }
    total = sum(got.values())
    figures = {
        "rsvp_msgs_per_s": round(total / elapsed, 2),
        "rsvp_messages": total,
        "rsvp_expected": expected,
        "lost": sum(max(0, wanted[p] - got[p]) for p in wanted),
        "duplicated": sum(max(0, got[p] - wanted[p]) for p in wanted),
        "teams": teams,
        "athletes_per_team": athletes,
        "senders": senders,
        "rsvp_elapsed_s": round(elapsed, 1),
    }
    print(f"rsvp: {figures} (ceiling 30/s)", flush=True)
    return figures  # type: ignore[return-value]


async def seed_coaches(dsn: str, count: int) -> list[Actor]:
    """Coaches, each with an athlete they coach (a past session), as actors."""
    users, coaches, athlete_users, athletes, sessions, actors = ([] for _ in range(6))
    past = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for k in range(count):
        coach_user, coach, athlete_user, athlete = (uuid.uuid4() for _ in range(4))
        users.append((coach_user, "coach", f"coach{k}", "Europe/Madrid"))
        athlete_users.append((athlete_user, "athlete", f"kid{k}", "Europe/Madrid"))
        coaches.append((coach, coach_user, ["tennis"]))
        athletes.append((athlete, athlete_user, "tennis"))
        sessions.append(
            (uuid.uuid4(), coach, athlete, "individual", "completed", past,
             past + timedelta(hours=1))
        )  # fmt: skip
        actors.append(
            Actor(
                user_id=coach_user,
                role="coach",
                coach_id=coach,
                coached_athlete_ids=frozenset({athlete}),
                is_verified_coach=True,
                timezone="Europe/Madrid",
            )
        )
    connection = await asyncpg.connect(dsn)
    try:
        columns = ["id", "role", "first_name", "timezone"]
        await connection.copy_records_to_table(
            "users", records=users + athlete_users, columns=columns
        )
        await connection.copy_records_to_table(
            "coaches", records=coaches, columns=["id", "user_id", "specializations"]
        )
        await connection.copy_records_to_table(
            "athletes", records=athletes, columns=["id", "user_id", "primary_sport"]
        )
        await connection.copy_records_to_table(
            "training_sessions",
            records=sessions,
            columns=["id", "coach_id", "athlete_id", "session_type", "status", "start_time",
                     "end_time"],
        )  # fmt: skip
    finally:
        await connection.close()
    return actors


async def expansion(settings, services, samples: int) -> Figures:  # type: ignore[no-untyped-def]
    actors = await seed_coaches(asyncpg_dsn(settings.database_url), samples + 3)
    start = date(2027, 1, 4)
    line = f"tue thu 17:00 60min {start}..{start + timedelta(weeks=40) - timedelta(days=1)}"
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    times, made = [], 0
    for k, actor in enumerate(actors):
        (athlete,) = actor.coached_athlete_ids
        began = clock.perf_counter()
        created = await create_private_series(
            services.uow, actor=actor, athlete_id=athlete, text=line, now=now
        )
        if k >= 3:  # the first few warm the statement caches
            times.append((clock.perf_counter() - began) * 1000)
        made = created.occurrences
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    print(f"expansion: {made} occurrences, p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    return {"series_expand_p95_ms": round(p95, 2), "series_expand_p50_ms": round(p50, 2),
            "series_occurrences": made}  # fmt: skip


async def seed_seat_race(dsn: str, racers: int) -> tuple[Actor, list[uuid.UUID], uuid.UUID]:
    """A group session of two with one place just freed, and `racers` children of one parent
    in its line, each offered that place; the parent, the offers and the session."""
    start = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)
    coach_user, coach, parent, session = (uuid.uuid4() for _ in range(4))
    kids = [(uuid.uuid4(), uuid.uuid4()) for _ in range(racers + 1)]  # (user, athlete)
    offers = [uuid.uuid4() for _ in range(racers)]
    users = [(coach_user, "coach", "Cora", "Europe/Madrid"), (parent, "parent", "Pia", "UTC")]
    users += [(user, "athlete", f"kid{k}", "UTC") for k, (user, _) in enumerate(kids)]
    connection = await asyncpg.connect(dsn)
    try:
        copy = connection.copy_records_to_table
        await copy("users", records=users, columns=["id", "role", "first_name", "timezone"])
        await copy("coaches", records=[(coach, coach_user, ["tennis"])],
                   columns=["id", "user_id", "specializations"])  # fmt: skip
        await copy("athletes", records=[(a, u, "tennis", parent) for u, a in kids],
                   columns=["id", "user_id", "primary_sport", "parent_id"])  # fmt: skip
        await copy(
            "training_sessions",
            records=[(session, coach, "group", "scheduled", start, start + timedelta(hours=1),
                      "not_required", 2, 1)],
            columns=["id", "coach_id", "session_type", "status", "start_time", "end_time",
                     "payment_status", "capacity", "participant_count"],
        )  # fmt: skip
        await copy("session_participants", records=[(uuid.uuid4(), session, kids[-1][1])],
                   columns=["id", "session_id", "athlete_id"])  # fmt: skip
        offered_at = start - timedelta(days=2)
        await copy(
            "session_waitlist",
            records=[(o, session, a, parent, "offered", offered_at, offered_at, start)
                     for o, (_, a) in zip(offers, kids, strict=False)],
            columns=["id", "session_id", "athlete_id", "joined_by", "status", "joined_at",
                     "offered_at", "offer_expires_at"],
        )  # fmt: skip
    finally:
        await connection.close()
    actor = Actor(
        user_id=parent,
        role="parent",
        guarded_athlete_ids=frozenset(a for _, a in kids),
        timezone="UTC",
    )
    return actor, offers, session


async def seat_race(settings, racers: int, connections: int) -> Figures:  # type: ignore[no-untyped-def]
    dsn = asyncpg_dsn(settings.database_url)
    actor, offers, session = await seed_seat_race(dsn, racers)
    engine = create_engine(settings.database_url, pool_size=connections)
    uow = UnitOfWork(create_session_factory(engine))
    now = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)

    async def accept(entry_id: uuid.UUID) -> bool:
        try:
            await waitlist.accept(uow, actor=actor, entry_id=entry_id, now=now)
        except waitlist.PlaceTaken:
            return False
        return True

    try:
        began = clock.perf_counter()
        winners = sum(await asyncio.gather(*(accept(entry) for entry in offers)))
        elapsed = clock.perf_counter() - began
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(dsn)
    try:
        count = await connection.fetchval(
            "SELECT participant_count FROM training_sessions WHERE id = $1", session
        )
    finally:
        await connection.close()
    print(f"seat race: {winners} of {racers} accepts won, {count} in the session, "
          f"{elapsed:.2f} s", flush=True)  # fmt: skip
    return {"seat_race_winners": winners, "seat_race_accepts": racers,
            "seat_race_participants": count, "seat_race_s": round(elapsed, 2)}  # fmt: skip


async def run(args: argparse.Namespace, url: str, prefix: str) -> Figures:
    async with bot_services(url, prefix, OUTGOING_RATE_LIMIT="telegram") as (settings, services):
        figures = await expansion(settings, services, args.expansions)
        figures |= await seat_race(settings, args.seat_race, args.race_connections)
        figures = (
            await rsvp_week(settings, services, args.teams, args.athletes, args.senders) | figures
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000, help="teams, one practice a week each")
    parser.add_argument("--athletes", type=int, default=20, help="athletes per team")
    parser.add_argument("--senders", type=int, default=4, help="outbox senders at once")
    parser.add_argument("--expansions", type=int, default=100, help="40-week series made")
    parser.add_argument("--seat-race", type=int, default=200, help="accepts of one freed place")
    parser.add_argument("--race-connections", type=int, default=40, help="the race's pool")
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
