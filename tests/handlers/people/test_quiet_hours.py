"""/quiet through the emulator: see, set and switch off quiet hours; bad input changes nothing."""

from __future__ import annotations

import logging
from datetime import time

import pytest

from domain.models import User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.handlers.onboarding_flow import sign_up_athlete, step


async def _signed_up(uow: UnitOfWork, person: EmulatedUser, **fields: object) -> None:
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="Ana", telegram_user_id=person.id, **fields))
        await tx.commit()


async def _window(uow: UnitOfWork, person: EmulatedUser) -> tuple[time, time]:
    async with uow as tx:
        user = await tx.users.by_telegram_id(person.id)
        assert user is not None
        return user.quiet_from, user.quiet_until


async def test_quiet_shows_the_default_night_in_the_persons_time_zone(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await _signed_up(uow, ana, timezone="Europe/Berlin")
        await ana.send("/quiet")
        shown = await step(ana, "Quiet hours")
    assert shown["text"].startswith("🌙 Quiet hours: 21:00–07:00 (Europe/Berlin).")
    assert "/quiet off" in shown["text"]


async def test_quiet_with_a_window_sets_it(emulator: Emulator, run_bot, uow: UnitOfWork) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await _signed_up(uow, ana)
        await ana.send("/quiet 22:00-07:30")
        saved = await step(ana, "Saved ✅")
        await ana.send("/quiet")
        shown = await step(ana, "Quiet hours")
    assert "22:00–07:30 (UTC)" in saved["text"] and "22:00–07:30" in shown["text"]
    assert await _window(uow, ana) == (time(22, 0), time(7, 30))


async def test_quiet_off_switches_them_off(emulator: Emulator, run_bot, uow: UnitOfWork) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await _signed_up(uow, ana)
        await ana.send("/quiet off")
        saved = await step(ana, "Saved ✅")
    assert "No quiet hours" in saved["text"]
    assert await _window(uow, ana) == (time(0, 0), time(0, 0))


@pytest.mark.parametrize("typed", ["tonight", "22:00", "25:00-07:00"])
async def test_an_unreadable_window_gets_an_example_and_changes_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork, caplog: pytest.LogCaptureFixture, typed: str
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator):
        await _signed_up(uow, ana)
        with caplog.at_level(logging.INFO, logger="handlers.people.quiet_hours"):
            await ana.send(f"/quiet {typed}")
            refused = await step(ana, "couldn't read")
    assert f"“{typed}”" in refused["text"] and "/quiet 22:00-07:30" in refused["text"]
    assert any("unreadable quiet hours" in record.message for record in caplog.records)
    assert await _window(uow, ana) == (time(21, 0), time(7, 0))


async def test_a_spanish_speaker_is_answered_in_spanish(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana", language_code="es")
    async with run_bot(emulator):
        await _signed_up(uow, ana, timezone="Europe/Madrid")
        await ana.send("/quiet 23-7")
        saved = await step(ana, "Guardado ✅")
    assert "Horas de silencio: 23:00–07:00 (Europe/Madrid)" in saved["text"]


async def test_someone_not_signed_up_is_pointed_to_start(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ben = emulator.user("Ben")
    async with run_bot(emulator):
        await ben.send("/quiet 22:00-07:00")
        answer = await step(ben, "/start")
    assert "signed up" in answer["text"]


async def test_an_athlete_who_just_signed_up_has_quiet_in_the_menu_and_can_use_it(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator) as application:
        await sign_up_athlete(ana)
        await ana.send("/quiet 22:30-06:45")
        await step(ana, "Saved ✅")
    assert ("quiet", "quiet.command") in application.menus.for_role("athlete")
    assert await _window(uow, ana) == (time(22, 30), time(6, 45))
