"""Three `sportscenter run` processes behind a round-robin proxy, fed by the emulator's webhook
delivery: every update is handled once, each person's in order, and a guided flow goes on
whichever replica gets its next step."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

from bot.runner import BOT_NAME
from domain.uow import UnitOfWork
from telegram_emulator import EmulatedUser, Emulator
from tests.handlers.onboarding_flow import sign_up_athlete
from tests.replica_set import bot_replicas

PEOPLE, UPDATES_EACH = 20, 5
_ECHOED = re.compile(r"/seq(\d+)")


def commands_answered(person: EmulatedUser) -> list[int]:
    """The numbers of the /seqN commands the bot answered, in the order of its answers."""
    return [
        int(found[1])
        for message in person.messages()
        if message.get("from", {}).get("is_bot") and (found := _ECHOED.search(message["text"]))
    ]


async def test_three_replicas_handle_each_update_once_and_each_persons_in_order(
    database_url: str, uow: UnitOfWork, tmp_path: Path
) -> None:
    async with (
        Emulator(limits=False, bot_name=BOT_NAME) as emulator,
        bot_replicas(
            3,
            api_url=emulator.url,
            token=emulator.token,
            database_url=database_url,
            key_prefix=f"test:{uuid.uuid4().hex}:",
            workdir=tmp_path,
        ) as replicas,
    ):
        # Round robin sends each step of the guided profile to another replica than the last.
        finished = await sign_up_athlete(emulator.user("Ana", last_name="Ruiz"))
        assert "All set" in finished["text"]

        people = [emulator.user(f"P{i}") for i in range(PEOPLE)]
        for person in people:
            for n in range(UPDATES_EACH):
                await person.send(f"/seq{n}")  # an unknown command: the answer names it
        async with asyncio.timeout(60):
            while sum(len(commands_answered(p)) for p in people) < PEOPLE * UPDATES_EACH:
                await emulator.world.wait_events(emulator.world.events[-1].seq, 1.0)
        await asyncio.sleep(0.5)  # room for a duplicate answer to show up

        assert {p.person.first_name: commands_answered(p) for p in people} == {
            p.person.first_name: list(range(UPDATES_EACH)) for p in people
        }
        assert len(replicas.proxy.answered) == 3  # every replica took part
