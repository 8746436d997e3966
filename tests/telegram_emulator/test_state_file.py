"""People, chats and ids survive a restart of the emulator when it keeps a state file.

A bot's database remembers people by Telegram id; an emulator that forgot them and numbered
newcomers from 100001 again had the bot greet a stranger as someone it knew.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest

from telegram_emulator import Emulator
from telegram_emulator.__main__ import main
from telegram_emulator.state_file import StateFileError


async def bot_sends(emulator: Emulator, chat_id: int, *texts: str) -> list[int]:
    """The bot sends texts to a chat; their message ids."""
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        return [(await bot.send_message(chat_id, text)).message_id for text in texts]


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_people_and_ids_survive_a_restart_and_a_newcomer_gets_a_new_id(
    tmp_path: Path,
) -> None:
    state = tmp_path / "var" / "emulator-state.json"
    async with Emulator(limits=False, state_file=state) as first:
        ana = first.user("Ana", username="ana_runs", language_code="es")
        ben = first.user("Ben", last_name="Ode")
        await ana.send("/start")
        token, people = first.token, {p.id: p for p in first.world.people.values()}

    async with Emulator(limits=False, state_file=state) as again:
        assert again.token == token  # the same bot, so the same bot id
        assert again.world.people == people
        assert (ana.id, ben.id) == (100_001, 100_002)
        newcomer = again.user("Cleo")
        assert newcomer.id == 100_003
        # Ana started the bot before the restart: it may still write to her.
        assert await bot_sends(again, ana.id, "Welcome back")


async def test_message_and_update_ids_continue_after_a_crash(tmp_path: Path) -> None:
    state, crashed = tmp_path / "state.json", tmp_path / "as-left-by-a-crash.json"
    async with Emulator(limits=False, state_file=state) as first:
        ana = first.user("Ana")
        await ana.send("/start")
        sent = await bot_sends(first, ana.id, "one", "two", "three")
        async with Bot(first.token, base_url=first.base_url) as bot:
            last_update = (await bot.get_updates())[-1].update_id
        # The file as it is while running: what a killed emulator leaves behind.
        shutil.copy(state, crashed)

    async with Emulator(limits=False, state_file=crashed) as again:
        person = again.user("Ben")  # the restarted emulator's first person ...
        assert person.id == ana.id + 1  # ... is not Ana again
        after = await bot_sends(again, ana.id, "four")
        await again.client.send_text(again.world.people[ana.id], "hello again")
        async with Bot(again.token, base_url=again.base_url) as bot:
            updates = await bot.get_updates()
    # A reply to a new message must never point at an old one the bot remembers.
    assert after[0] > max(sent)
    assert updates and updates[0].update_id > last_update


async def test_blocks_phone_numbers_groups_and_stars_payments_are_kept(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    async with Emulator(limits=False, state_file=state) as first:
        ana, ben = first.user("Ana"), first.user("Ben")
        await ana.send("/start")
        await ana.share_contact()
        ben.block_bot()
        team = first.group("Juniors", [ana, ben])
        club = first.group("Club", [ana], with_bot=False)
        first.bot.record_charge("stxEMUkept", {"currency": "XTR", "user_id": ana.id})

    async with Emulator(limits=False, state_file=state) as again:
        assert again.world.people[ana.id].phone_number == "+15550100001"
        assert ben.id in again.bot.blocked_by and ana.id in again.bot.started_by
        kept = again.world.chats[team.id]
        assert (kept.title, kept.member_ids) == ("Juniors", {ana.id, ben.id})
        assert kept.has_bot(again.bot.id) and not again.world.chats[club.id].has_bot(again.bot.id)
        assert again.world.add_group("Seniors", []).id == club.id - 1
        assert again.bot.charges["stxEMUkept"]["user_id"] == ana.id


async def test_the_file_is_replaced_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    async with Emulator(limits=False, state_file=state) as emulator:
        emulator.user("Ana")
        before = state.read_text()

        def disk_full(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", disk_full)
        with pytest.raises(OSError, match="No space left"):
            emulator.user("Ben")

        assert state.read_text() == before
        assert files_in(tmp_path) == ["state.json"]  # no partial file left behind
        assert [p["first_name"] for p in json.loads(before)["people"]] == ["Ana"]


async def test_without_a_state_file_the_emulator_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with Emulator(limits=False) as emulator:
        await emulator.user("Ana").send("/start")

    assert files_in(tmp_path) == []
    async with Emulator(limits=False) as fresh:
        assert fresh.user("Ben").id == 100_001


def test_a_damaged_state_file_is_refused_with_the_way_out(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"version": 1, "people": [')

    with pytest.raises(StateFileError, match=r"state\.json: it is not JSON .*move it away"):
        Emulator(state_file=state)
    state.write_text('{"version": 1, "people": "nobody"}')
    with pytest.raises(StateFileError, match=r"does not hold what the emulator keeps"):
        Emulator(state_file=state)
    with pytest.raises(SystemExit, match=r"^telegram_emulator: can't read the emulator's state"):
        main(["--state-file", str(state)])


async def test_a_refund_after_a_restart_finds_the_payment(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    async with Emulator(limits=False, state_file=state) as first:
        ana = first.user("Ana")
        await ana.send("/start")
        first.bot.record_charge(
            "stxEMUpaid",
            {"currency": "XTR", "total_amount": 5, "user_id": ana.id, "invoice_payload": "x"},
        )

    async with (
        Emulator(limits=False, state_file=state) as again,
        Bot(again.token, base_url=again.base_url) as bot,
    ):
        assert await bot.refund_star_payment(ana.id, "stxEMUpaid") is True

    async with (
        Emulator(limits=False, state_file=state) as third,
        Bot(third.token, base_url=third.base_url) as bot,
    ):
        with pytest.raises(BadRequest, match=r"(?i)charge_already_refunded"):
            await bot.refund_star_payment(ana.id, "stxEMUpaid")
