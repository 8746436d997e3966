"""/availability through the emulator: the text form, the grid, typed settings and refusals."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler

from bot.app import BotApplication, BotContext
from bot.i18n import catalogues
from bot.wiring import Services
from domain.booking.availability import AvailabilityRules
from domain.models import AuditEntry, Coach
from domain.uow import UnitOfWork
from handlers.shared.menu_entries import OpenHours
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import tiny_png
from tests.handlers.chat_steps import forged_data
from tests.handlers.coaching.coach_steps import sign_up

ROOT = Path(__file__).parents[3]


async def coach_row(uow: UnitOfWork, person: EmulatedUser, zone: str = "Europe/Madrid") -> Coach:
    """A signed-up coach in `zone` with a saved (unverified) profile."""
    user = await sign_up(uow, person, "coach")
    async with uow as tx:
        (await tx.users.get(user.id)).timezone = zone
        coach = tx.coaches.add(Coach(user_id=user.id, specializations=["tennis"]))
        await tx.commit()
    return coach


async def rules_of(uow: UnitOfWork, coach: Coach) -> dict[str, Any] | None:
    async with uow as tx:
        return (await tx.session.get(Coach, coach.id)).availability


async def open_grid(coach: EmulatedUser) -> dict[str, Any]:
    await coach.send("/availability")
    return await coach.expect_reply(contains="Your week")


def _forge(app: BotApplication) -> None:
    """Test only: show the presser a button carrying whatever callback data /forge names."""

    async def forge(update: Update, context: BotContext) -> None:
        button = InlineKeyboardButton("Forged", callback_data=context.args[0])
        await update.effective_message.reply_text(
            "forged", reply_markup=InlineKeyboardMarkup([[button]])
        )

    app.add_handler(CommandHandler("forge", forge))


async def test_a_coach_sets_a_day_by_text_and_sees_the_week_in_their_time_zone(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    coach = await coach_row(uow, cora)
    async with run_bot(emulator):
        await cora.send("/availability mon 16:00-20:00, 21:00-22:00")
        week = await cora.expect_reply(contains="Mon 16:00-20:00, 21:00-22:00")
        await cora.send("/availability 2099-12-24 off")
        await cora.expect("edit", contains="📅 2099-12-24 Thu: day off")
        confirmed = await cora.expect_reply(contains="2099-12-24 Thu: day off")
    assert "Your week · Europe/Madrid" in week["text"]
    assert "Tue closed" in week["text"]
    assert confirmed["text"] == "✅ 📅 2099-12-24 Thu: day off"  # one line, not the card again
    rules = AvailabilityRules.from_json(await rules_of(uow, coach))
    assert [str(r) for r in rules.weekly["mon"]] == ["16:00-20:00", "21:00-22:00"]
    assert rules.exceptions == {date(2099, 12, 24): []}
    assert rules.timezone == "Europe/Madrid"


async def test_the_grid_switches_a_weekday_on_and_off_in_place(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    coach = await coach_row(uow, cora)
    async with run_bot(emulator):
        grid = await open_grid(cora)
        await cora.press("▫️ Tue")
        await cora.expect("edit", contains="Which hours on Tue")
        await cora.press("16:00-20:00")
        opened = await cora.expect("edit", contains="Tue 16:00-20:00")
        await cora.press("✅ Tue")
        await cora.expect("edit", contains="Which hours on Tue")
        await cora.press("🚫 Closed")
        closed = await cora.expect("edit", contains="Tue closed")
        await cora.press("⚙️ Settings")
        await cora.expect("edit", contains="Minimum notice")
        await cora.press("🤖 Auto: off")
        await cora.expect("edit", contains="Auto-accept bookings: on")
    assert opened["message_id"] == closed["message_id"] == grid["message_id"]
    rules = AvailabilityRules.from_json(await rules_of(uow, coach))
    assert rules.weekly == {} and [str(r) for r in rules.paused["tue"]] == ["16:00-20:00"]
    assert rules.auto_accept


async def test_session_lengths_and_types_are_switched_on_their_pages(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora", language_code="es")
    coach = await coach_row(uow, cora)
    async with run_bot(emulator):
        await cora.send("/availability")
        await cora.expect_reply(contains="Tu semana")
        await cora.press("⚙️ Ajustes")
        await cora.expect("edit", contains="Antelación mínima")
        await cora.press("⏱ Duraciones")
        await cora.expect("edit", contains="Ofrecidas: 60 min")
        await cora.press("90 min")
        await cora.expect("edit", contains="Ofrecidas: 60 min, 90 min")
        await cora.press("« Atrás")
        await cora.expect("edit", contains="⚙️ Ajustes")
        await cora.press("🏷 Tipos")
        await cora.expect("edit", contains="Ofrecidos: Individual")
        await cora.press("✓ Individual")
        answer = await cora.expect("callback_answer")
    assert "al menos un tipo" in answer["text"].lower()
    rules = AvailabilityRules.from_json(await rules_of(uow, coach))
    assert rules.session_lengths == [60, 90] and rules.session_types == ["individual"]


async def test_a_setting_is_typed_in_after_its_button(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    coach = await coach_row(uow, cora)
    async with run_bot(emulator):
        await open_grid(cora)
        await cora.press("⚙️ Settings")
        await cora.expect("edit", contains="Minimum notice")
        await cora.press("⏳ Notice")
        await cora.expect("edit", contains="How much notice")
        await cora.send("3h")
        await cora.expect("edit", contains="notice 3 h")
        await cora.press("⚙️ Settings")
        await cora.expect("edit", contains="Minimum notice")
        await cora.press("📍 Location")
        await cora.expect("edit", contains="Where do your sessions")
        await cora.send("online https://meet.example.com/cora")
        await cora.expect("edit", contains="📍 online (https://meet.example.com/cora)")
        await cora.press("⚙️ Settings")
        await cora.expect("edit", contains="Minimum notice")
        await cora.press("💳 Pay before")
        await cora.expect("edit", contains="must it be paid")
        await cora.send("6")
        await cora.expect("edit", contains="pay 6 h before")
        await cora.send("24")  # the setting was saved: a number now means nothing
        await cora.expect_reply(contains="I wasn't expecting that")
    rules = AvailabilityRules.from_json(await rules_of(uow, coach))
    assert rules.min_notice_minutes == 180
    assert rules.meeting_url == "https://meet.example.com/cora"
    assert rules.pay_before_hours == 6


async def test_bad_input_gets_a_polite_reply_and_changes_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    coach = await coach_row(uow, cora)
    async with run_bot(emulator):
        await cora.send("/availability mon 20:00-16:00")
        await cora.expect_reply(contains="“20:00-16:00” is not a time range")
        await cora.send("/availability mon 16:00-18:00, 17:00-19:00")
        await cora.expect_reply(contains="These hours overlap")
        await cora.send("/availability 2001-01-01 off")
        await cora.expect_reply(contains="already over")
        await open_grid(cora)
        await cora.press("⚙️ Settings")
        await cora.expect("edit", contains="Minimum notice")
        await cora.press("📆 Horizon")
        await cora.expect("edit", contains="How many days ahead")
        await cora.send("1000")
        await cora.expect_reply(contains="from 1 to 365")
        await cora.send_photo(tiny_png())
        await cora.expect_reply(contains="type your answer as text")
        assert await rules_of(uow, coach) is None
        await cora.send("45")
        await cora.expect("edit", contains="45 days ahead")
    assert AvailabilityRules.from_json(await rules_of(uow, coach)).horizon_days == 45


async def test_someone_who_is_not_a_coach_is_refused_politely(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari, stranger, newcomer = emulator.user("Ari"), emulator.user("Sam"), emulator.user("Nia")
    await sign_up(uow, ari, "athlete")
    await sign_up(uow, newcomer, "coach")
    async with run_bot(emulator):
        await ari.send("/availability mon 16:00-20:00")
        await ari.expect_reply(contains="only for coaches")
        await stranger.send("/availability")
        await stranger.expect_reply(contains="only for coaches")
        await newcomer.send("/availability")
        await newcomer.expect_reply(contains="/coachprofile")
    async with uow as tx:
        assert await tx.session.scalar(select(Coach)) is None


async def test_forged_availability_buttons_are_refused_audited_and_change_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, olga = emulator.user("Cora"), emulator.user("Olga")
    mine, theirs = await coach_row(uow, cora), await coach_row(uow, olga)
    async with run_bot(emulator, _forge):
        await olga.send("/availability mon 09:00-12:00")
        await olga.expect_reply(contains="Mon 09:00-12:00")
        olgas = await rules_of(uow, theirs)
        forged = [
            forged_data("av", "day", theirs.id, "mon", 0),
            forged_data("av", "auto", theirs.id, 1),
            forged_data("av", "day", uuid.uuid4(), "mon", 0),
            forged_data("av", "day", mine.id, "funday", 1),
            forged_data("av", "len", mine.id, "abc", 1),
            forged_data("av", "pg", mine.id, "secrets"),
            forged_data("av", "undate", mine.id, "2026-99"),
            forged_data("av", "drop", mine.id),
            forged_data("av", "hours", mine.id, "funday"),
            forged_data("av", "hrs", mine.id, "mon", "0000-2400"),
            forged_data("av", "hrs", theirs.id, "mon", "0900-1300"),
            "av:day:not-an-id:mon:1",
        ]
        for data in forged:
            await cora.send(f"/forge {data}")
            await cora.expect_reply(contains="forged")
            await cora.press("Forged")
            await cora.expect("callback_answer", contains="isn't available")
    assert await rules_of(uow, theirs) == olgas
    assert await rules_of(uow, mine) is None
    async with uow as tx:
        refused = await tx.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "callback.refused")
        )
        assert [entry.details["data"] for entry in refused] == forged


async def test_a_change_in_the_chat_drops_the_coachs_cached_free_slots(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cora = emulator.user("Cora")
    coach = await coach_row(uow, cora)
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    key = services.keys.availability(coach.id, tomorrow)
    await services.cache.set_json(key, {"slots": {"60": []}}, 60)
    async with run_bot(emulator):
        await open_grid(cora)
        await cora.press("▫️ Wed")
        await cora.expect("edit", contains="Which hours on Wed")
        await cora.press("16:00-20:00")
        await cora.expect("edit", contains="Wed 16:00-20:00")
    assert await services.cache.get_json(key) is None


def test_every_availability_message_key_has_english_and_spanish_text() -> None:
    sources = [
        ROOT / "domain" / "booking" / "availability.py",
        ROOT / "domain" / "booking" / "availability_input.py",
        ROOT / "domain" / "booking" / "availability_settings.py",
        ROOT / "domain" / "booking" / "slots.py",
        ROOT / "handlers" / "booking" / "availability.py",
        ROOT / "handlers" / "booking" / "availability_render.py",
        ROOT / "handlers" / "booking" / "availability_values.py",
    ]
    used = {
        key
        for path in sources
        for key in re.findall(r"\"(availability\.(?:error\.)?\w+)\"", path.read_text())
    }
    assert "availability.error.past_date" in used and "availability.not_a_coach" in used
    for lang in ("en", "es"):
        assert sorted(used - catalogues()[lang].keys()) == []


def bot_messages(person: EmulatedUser) -> list[dict[str, Any]]:
    return [m for m in person.messages() if m.get("from", {}).get("is_bot")]


def rows_of(message: dict[str, Any]) -> list[list[str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [[button["text"] for button in row] for row in rows]


async def test_the_week_card_is_compact_with_short_buttons_a_few_to_a_row(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, cruz = emulator.user("Cora"), emulator.user("Cruz", language_code="es")
    await coach_row(uow, cora)
    await coach_row(uow, cruz)
    async with run_bot(emulator):
        await cora.send("/availability mon 16:00-20:00")
        week = await cora.expect_reply(contains="Mon 16:00-20:00")
        await cora.press("⚙️ Settings")
        settings_page = await cora.expect("edit", contains="Minimum notice")
        await cruz.send("/availability")
        semana = await cruz.expect_reply(contains="Tu semana")
        await cruz.press("⚙️ Ajustes")
        ajustes = await cruz.expect("edit", contains="Antelación")
    assert len(week["text"].splitlines()) <= 13, week["text"]  # it was 30
    for card in (week, settings_page, semana, ajustes):
        for row in rows_of(card):
            assert len(row) <= 3, row
            assert all(len(label) <= 14 for label in row), row


async def test_a_typed_setting_edits_the_card_in_place(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await coach_row(uow, cora)
    async with run_bot(emulator):
        card = await open_grid(cora)
        await cora.press("⚙️ Settings")
        await cora.expect("edit", contains="Minimum notice")
        await cora.press("⏳ Notice")
        await cora.expect("edit", contains="How much notice")
        before = len(bot_messages(cora))
        await cora.send("3h")
        edited = await cora.expect("edit", contains="notice 3 h")
        assert len(bot_messages(cora)) == before
    assert edited["message_id"] == card["message_id"]


async def test_tapping_a_weekday_asks_for_its_hours_instead_of_setting_them(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    coach = await coach_row(uow, cora)
    async with run_bot(emulator):
        card = await open_grid(cora)
        await cora.press("▫️ Tue")
        asked = await cora.expect("edit", contains="Which hours on Tue")
        assert await rules_of(uow, coach) is None  # nothing set by the tap itself
        await cora.press("09:00-13:00")
        await cora.expect("edit", contains="Tue 09:00-13:00")
        await cora.press("▫️ Wed")
        await cora.expect("edit", contains="Which hours on Wed")
        before = len(bot_messages(cora))
        await cora.send("17:00-19:30")
        done = await cora.expect("edit", contains="Wed 17:00-19:30")
        assert len(bot_messages(cora)) == before
    assert asked["message_id"] == done["message_id"] == card["message_id"]
    assert any("16:00-20:00" in row for row in rows_of(asked))
    rules = AvailabilityRules.from_json(await rules_of(uow, coach))
    assert {d: [str(r) for r in rs] for d, rs in rules.weekly.items()} == {
        "tue": ["09:00-13:00"],
        "wed": ["17:00-19:30"],
    }


async def test_a_bare_offset_for_the_hours_offers_the_zones_that_have_it(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    coach = await coach_row(uow, cora, zone="UTC")
    async with run_bot(emulator):
        card = await open_grid(cora)
        await cora.press("⚙️ Settings")
        await cora.expect("edit", contains="Minimum notice")
        await cora.press("🌍 Zone")
        await cora.expect("edit", contains="Your hours are read in UTC")
        await cora.send("+9")
        asked = await cora.expect_reply(contains="doesn't follow summer time")
        assert "Tokyo" in [label for row in rows_of(asked) for label in row]
        await cora.press("Tokyo")
        edited = await cora.expect("edit", contains="Your week · Asia/Tokyo")
    assert edited["message_id"] == card["message_id"]
    assert AvailabilityRules.from_json(await rules_of(uow, coach)).timezone == "Asia/Tokyo"


async def test_set_my_hours_opens_the_compact_card_that_is_then_edited_in_place(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await coach_row(uow, cora)
    async with run_bot(emulator, _forge):
        # The button a newly verified coach gets (tests/handlers/coaching/test_admin.py).
        await cora.send(f"/forge {OpenHours().pack()}")
        await cora.expect_reply(contains="forged")
        await cora.press("Forged")
        card = await cora.expect_reply(contains="Your week")
        assert ["▫️ Mon", "▫️ Tue", "▫️ Wed"] in rows_of(card)
        await cora.send("/availability mon 16:00-20:00")
        edited = await cora.expect("edit", contains="Mon 16:00-20:00")
        await cora.expect_reply(contains="Mon 16:00-20:00")
    assert edited["message_id"] == card["message_id"]
