"""/log through the emulator: results backfilled by date or weekday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.models import Athlete
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.handlers.metrics.test_metrics import athlete, stored

MADRID = ZoneInfo("Europe/Madrid")


async def in_madrid(uow: UnitOfWork, person: EmulatedUser) -> Athlete:
    """A Spanish-speaking athlete who lives in Madrid."""
    profile = await athlete(uow, person)
    async with uow:
        user = await uow.users.by_telegram_id(person.id)
        assert user is not None
        user.timezone = "Europe/Madrid"
        await uow.commit()
    return profile


async def test_results_are_backfilled_by_date_and_by_spanish_weekday(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana", language_code="es")
    await in_madrid(uow, ana)

    async with run_bot(emulator):
        await ana.send("/log squat 100kg 2026-11-30 18:00")
        await ana.expect_reply(contains="✅ Back squat 100 kg registrado")
        # Midnight of the last Monday has always passed, whatever day the test runs on.
        await ana.send("/log squat 90kg lun 0:00")
        await ana.expect_reply(contains="✅ Back squat 90 kg registrado")
        await ana.send("/log squat 95kg 2999-01-01")
        await ana.expect_reply(contains="“2999-01-01” está en el futuro")

    by_date, by_weekday = await stored(uow)
    assert by_date.recorded_at == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert by_weekday.created_at is not None
    today = by_weekday.created_at.astimezone(MADRID).date()
    monday = today - timedelta(days=today.weekday())
    assert by_weekday.recorded_at == datetime.combine(monday, datetime.min.time(), MADRID)
