"""Long input quoted back: the reply is short and clear, for every role and before sign-up."""

from __future__ import annotations

import logging

import pytest

from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.handlers.metrics.test_metrics import athlete, coach_of, parent_of

# Near the most Telegram lets anyone send in one message (4096).
LONG = ("lorem ipsum dolor sit amet " * 160)[:4080]
# command -> (words the reply starts with, words it ends with)
ANSWERS = {
    "/log": ("I don't know a metric called “lorem ipsum", "Send /log alone to pick from the list."),
    "/quiet": ("Sorry, I couldn't read “lorem ipsum", "(or /quiet off to switch them off)."),
}


async def _as(role: str, uow: UnitOfWork, emulator: Emulator, person: EmulatedUser) -> None:
    if role == "athlete":
        await athlete(uow, person)
    elif role == "parent":
        await parent_of(uow, person, "Kim")
    elif role == "coach":
        await coach_of(uow, person, await athlete(uow, emulator.user("Kim")))


@pytest.mark.parametrize("command", list(ANSWERS))
@pytest.mark.parametrize("role", ["athlete", "coach", "parent"])
async def test_a_long_argument_is_quoted_short_in_one_clear_reply(
    emulator: Emulator,
    run_bot,
    uow: UnitOfWork,
    caplog: pytest.LogCaptureFixture,
    command: str,
    role: str,
) -> None:
    ana = emulator.user("Ana")
    await _as(role, uow, emulator, ana)
    async with run_bot(emulator):
        with caplog.at_level(logging.WARNING):
            await ana.send(f"{command} {LONG}")
            reply = (await ana.expect_reply())["text"]
    starts, ends = ANSWERS[command]
    assert reply.startswith(starts) and reply.endswith(ends)
    assert "…”" in reply and len(reply) < 600
    # Neither the apology's traceback nor the sending path's safety net had to step in.
    # (Warnings and errors only: another test may have set up the runtime's logging, which
    # lets PTB's INFO lines about starting and stopping through.)
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []


async def test_before_sign_up_a_long_argument_gets_a_clear_reply(
    emulator: Emulator, run_bot, caplog: pytest.LogCaptureFixture
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        with caplog.at_level(logging.WARNING):
            await ana.send(f"/log {LONG}")
            logged = (await ana.expect_reply())["text"]
            await ana.send(f"/quiet {LONG}")
            quiet = (await ana.expect_reply())["text"]
    assert logged.startswith("Logging results is for people who have signed up")
    assert quiet.startswith(ANSWERS["/quiet"][0]) and "…”" in quiet and len(quiet) < 600
    # (Warnings and errors only: another test may have set up the runtime's logging, which
    # lets PTB's INFO lines about starting and stopping through.)
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []
