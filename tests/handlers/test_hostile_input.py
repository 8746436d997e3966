"""Hostile input, as a stranger or a careless user types it, through the emulator.

Every command and plain text, with payloads that have broken chat bots before (4,000
characters, right-to-left and zero-width characters, emoji floods, SQL- and HTML-like text,
NaN, infinities and huge numbers, impossible dates), from every role and before sign-up. Each
case must get a clear reply: never the apology for an unexpected error, never an error logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, suppress

import pytest

from bot.guards import RATE_LIMITS
from bot.i18n import t
from domain.models import Athlete, Coach, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import WEEKDAY_EVENINGS

COMMANDS = (
    "start", "help", "cancel", "profile", "children", "addchild", "quiet", "book", "reschedule",
    "schedule", "availability", "coachprofile", "pending", "payments", "log", "progress",
    "export", "roster", "videos",
)  # fmt: skip
PAYLOADS = (
    "x" * 4000,
    "\u202eevil.exe\u202c مرحبا بالعالم",
    "\u200b\u200c\u200d\u2060" * 40 + "squat",
    "🏋️‍♀️" * 700,
    "'; DROP TABLE users; -- \" OR 1=1",
    "<b>bold</b><script>alert(1)</script>&amp;&lt;",
    "NaN",
    "-inf s",
    "1e309 kg",
    "99999999999999999999999999999999 m",
    "2026-02-30 25:61",
    "squat 120kg x5 0000-00-00",
)
APOLOGY = t("error.unexpected", "en", ref="").split(":")[0]


async def cast(uow: UnitOfWork, emulator: Emulator) -> dict[str, EmulatedUser]:
    """A stranger, an athlete, a parent with a child, a verified coach and an admin."""
    people = {role: emulator.user(role.capitalize()) for role in ROLES}
    async with uow as tx:
        users = {
            role: tx.users.add(
                User(
                    role="parent" if role == "admin" else role,
                    first_name=role.capitalize(),
                    telegram_user_id=person.id,
                    telegram_chat_id=person.id,
                    timezone="Europe/Madrid",
                )
            )
            for role, person in people.items()
            if role != "stranger"
        }
        await tx.flush()
        tx.athletes.add(Athlete(user_id=users["athlete"].id, primary_sport="tennis"))
        kid = tx.users.add(User(role="athlete", first_name="Kid"))
        await tx.flush()
        tx.athletes.add(
            Athlete(user_id=kid.id, parent_id=users["parent"].id, primary_sport="tennis")
        )
        users["coach"].verification_status = True
        tx.coaches.add(
            Coach(
                user_id=users["coach"].id,
                specializations=["tennis"],
                availability={"timezone": "Europe/Madrid", "weekly": WEEKDAY_EVENINGS},
            )
        )
        await tx.commit()
    return people


ROLES = ("stranger", "athlete", "parent", "coach", "admin")


async def try_everything(person: EmulatedUser) -> list[str]:
    """Every command and plain text with every payload; the bot's texts that were apologies."""
    cases = [f"/{command} {payload}" for command in COMMANDS for payload in PAYLOADS]
    cases += list(PAYLOADS)
    for case in cases:
        await person.send(case)
        await person.expect_reply(timeout=15)
        # Close whatever flow the case opened, and let its last replies arrive: which reply
        # answers which message matters less than that none of them is the apology.
        await person.send("/cancel")
        await person.expect_reply(timeout=15)
        with suppress(AssertionError):
            while True:
                await person.expect_reply(timeout=0.3)
    return [
        str(m.get("text") or m.get("caption") or "")[:80]
        for m in person.messages()
        if APOLOGY in str(m.get("text") or "")
    ]


@pytest.mark.slow
async def test_every_command_and_text_with_hostile_payloads_gets_a_clear_reply_from_everyone(
    uow: UnitOfWork,
    run_bot: Callable[..., AbstractAsyncContextManager[object]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Hundreds of messages a minute from each person: the rate limit would answer them all.
    monkeypatch.setitem(RATE_LIMITS, "message", (100_000, 10.0))
    async with Emulator(limits=False, bot_name="SportsCenter") as emulator:
        people = await cast(uow, emulator)
        with caplog.at_level(logging.WARNING):
            async with run_bot(emulator, admins=[people["admin"].id]):
                apologies = await asyncio.gather(*(try_everything(p) for p in people.values()))

    errors = sorted(
        {
            f"{r.name}: {r.exc_info[1] if r.exc_info else r.getMessage()!r:.160}"
            for r in caplog.records
            if r.levelno >= logging.ERROR or r.exc_info
        }
    )
    assert errors == []
    assert dict(zip(ROLES, apologies, strict=True)) == {role: [] for role in ROLES}
