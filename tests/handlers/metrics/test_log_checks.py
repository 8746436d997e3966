"""/log through the emulator: impossible values refused in the person's language, a best taken
back corrected for those who were told, and results backfilled by date or weekday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Athlete
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.handlers.metrics.test_metrics import athlete, buttons, coach_of, parent_of, stored

MADRID = ZoneInfo("Europe/Madrid")


async def in_madrid(uow: UnitOfWork, person: EmulatedUser) -> Athlete:
    """A Spanish-speaking athlete who lives in Madrid."""
    profile = await athlete(uow, person)
    async with uow as tx:
        user = await tx.users.by_telegram_id(person.id)
        assert user is not None
        user.timezone = "Europe/Madrid"
        await tx.commit()
    return profile


async def test_an_impossible_value_is_refused_with_the_reason_and_metric_in_the_persons_language(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari, ana = emulator.user("Ari"), emulator.user("Ana", language_code="es")
    await athlete(uow, ari)
    await athlete(uow, ana)

    async with run_bot(emulator):
        await ari.send("/log 40m sprint -5.12")
        refused = await ari.expect_reply(contains="-5.12 s can't be right for 40 m sprint")
        await ana.send("/log free throws 120%")
        await ana.expect_reply(contains="120% no puede ser un resultado de Tiros libres")
        # Step by step, the value is asked for again rather than questioned.
        await ari.send("/log")
        await ari.expect_reply(contains="What did you measure?")
        await ari.press("⚡ Speed")
        await ari.expect("edit", contains="Which one?")
        await ari.press("40 m sprint")
        await ari.expect("edit", contains="Send the 40 m sprint result in s")
        await ari.send("0")
        await ari.expect_reply(contains="0 s can't be right for 40 m sprint")
        await ari.send("5.3")
        await ari.expect_reply(contains="Add a note")
        await ari.press("Skip")
        await ari.expect("edit", contains="✅ 40 m sprint 5.3 s logged")

    assert "✅ Log anyway" not in buttons(refused)
    assert [str(row.metric_value) for row in await stored(uow)] == ["5.3000"]


async def test_a_best_taken_back_is_corrected_for_the_parent_who_heard_of_it(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pia, cora = emulator.user("Pia"), emulator.user("Cora")
    (kim,) = await parent_of(uow, pia, "Kim")
    await coach_of(uow, cora, kim)

    async with run_bot(emulator) as app:
        await pia.send("/help")  # a chat with the bot, so it may write to her
        await pia.expect_reply()
        await cora.send("/log vertical jump 41cm")
        await cora.expect_reply(contains="✅ Vertical jump 41 cm logged for Kim")
        await cora.send("/log vertical jump 440 cm")
        await cora.expect_reply(contains="🤔 440 cm for Vertical jump?")
        await cora.press("✅ Log anyway")
        best = await cora.expect("edit", contains="🏆 New personal best!")
        await send_due_notifications(BotContext(app))
        await pia.expect_reply(contains="🏆 New personal best for Kim! Vertical jump: 440 cm")
        await cora.press("↩️ Undo", best)
        await cora.expect("edit", contains="↩️ Undone: Vertical jump 440 cm")
        await send_due_notifications(BotContext(app))
        await pia.expect_reply(
            contains="↩️ Correction: Kim's Vertical jump 440 cm was taken back, so it isn't "
            "a personal best after all. The best on record is now 41 cm."
        )

    assert [str(row.metric_value) for row in await stored(uow)] == ["41.0000"]


async def test_results_are_backfilled_by_date_and_by_spanish_weekday_in_spanish_words(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana", language_code="es")
    await in_madrid(uow, ana)

    async with run_bot(emulator):
        await ana.send("/log squat 100kg 2026-11-30 18:00")
        await ana.expect_reply(contains="✅ Sentadilla trasera 100 kg registrado")
        # Midnight of the last Monday has always passed, whatever day the test runs on.
        await ana.send("/log squat 90kg lun 0:00")
        await ana.expect_reply(contains="✅ Sentadilla trasera 90 kg registrado")
        await ana.send("/log squat 95kg 2999-01-01")
        await ana.expect_reply(contains="“2999-01-01” está en el futuro")

    by_date, by_weekday = await stored(uow)
    assert by_date.recorded_at == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert by_weekday.created_at is not None
    today = by_weekday.created_at.astimezone(MADRID).date()
    monday = today - timedelta(days=today.weekday())
    assert by_weekday.recorded_at == datetime.combine(monday, datetime.min.time(), MADRID)
