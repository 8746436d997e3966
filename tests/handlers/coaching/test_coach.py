"""The coach profile flow through the emulator, with the real application."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.models import AuditEntry, Coach
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.coaching.coach_steps import (
    BIO,
    PDF,
    fill_in_profile,
    sign_up,
    upload_and_submit,
)


async def test_a_coach_completes_and_submits_a_profile(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    cora = emulator.user("Cora")
    user = await sign_up(uow, cora, "coach")
    async with run_bot(emulator):
        await fill_in_profile(cora)
        await upload_and_submit(cora)
    async with uow as tx:
        coach = await tx.session.scalar(select(Coach).where(Coach.user_id == user.id))
        assert coach.specializations == ["tennis", "fitness", "long jump"]
        assert (coach.years_experience, coach.hourly_rate, coach.currency, coach.bio) == (
            6,
            Decimal("45.00"),
            "EUR",
            BIO,
        )
        documents = coach.verification_documents["documents"]
        assert [doc["mime"] for doc in documents] == ["application/pdf", "image/png"]
        assert coach.verification_documents["submitted_at"]
        assert not (await tx.users.get(user.id)).verification_status
        actions = set(await tx.session.scalars(select(AuditEntry.action)))
    assert documents[0]["key"].startswith(f"documents/certifications/{user.id}/")
    assert await services.storage.read_bytes(documents[0]["key"]) == PDF
    assert {"coach.submitted", "coach.document_added"} <= actions


async def test_a_renamed_program_is_refused_and_the_flow_goes_on(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up(uow, cora, "coach")
    async with run_bot(emulator):
        await fill_in_profile(cora)
        await cora.send_document(b"MZ\x90\x00" + b"\x00" * 512, filename="diploma.pdf")
        await cora.expect_reply(contains="only accept PDF files and pictures")
        await cora.send_document(PDF, filename="diploma.pdf")
        await cora.expect_reply(contains="Got it: diploma.pdf")


async def test_wrong_answers_re_ask_with_a_hint_and_keep_earlier_ones(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up(uow, cora, "coach")
    async with run_bot(emulator):
        await cora.send("/coachprofile")
        await cora.expect_reply(contains="What do you coach?")
        await cora.press("Swimming")
        await cora.expect("edit", contains="Chosen: Swimming")
        await cora.press("Done")
        await cora.expect("edit", contains="How many years")
        await cora.send("seventy-one")
        await cora.expect_reply(contains="whole number of years")
        await cora.send("3")
        await cora.expect_reply(contains="hourly rate")
        await cora.send("40")
        await cora.expect_reply(contains="In which currency?")
        await cora.press("GBP")
        await cora.expect("edit", contains="Tell athletes")
        await cora.press("« Back")
        await cora.expect("edit", contains="hourly rate")
        await cora.press("« Back")
        await cora.expect("edit", contains="How many years")
        await cora.press("« Back")
        await cora.expect("edit", contains="Chosen: Swimming")


async def test_cancel_stops_the_flow_and_later_text_is_not_taken_as_an_answer(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up(uow, cora, "coach")
    async with run_bot(emulator):
        await cora.send("/coachprofile")
        await cora.expect_reply(contains="What do you coach?")
        await cora.press("Tennis")
        await cora.expect("edit", contains="Chosen: Tennis")
        await cora.press("Done")
        await cora.expect("edit", contains="How many years")
        await cora.press("Cancel")
        await cora.expect("edit", contains="Stopped")
        await cora.send("6")
        await cora.expect_reply(contains="I wasn't expecting that")
        await cora.send("/coachprofile")
        await cora.expect_reply(contains="What do you coach?")
        await cora.send("/cancel")
        await cora.expect_reply(contains="Cancelled")


async def test_a_sticker_like_message_gets_a_hint(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up(uow, cora, "coach")
    async with run_bot(emulator):
        await fill_in_profile(cora)
        await cora.send("here is my diploma")
        await cora.expect_reply(contains="as a file or a photo")


async def test_someone_who_is_not_a_coach_is_refused_politely(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari, stranger = emulator.user("Ari"), emulator.user("Sam")
    await sign_up(uow, ari, "athlete")
    async with run_bot(emulator):
        await ari.send("/coachprofile")
        await ari.expect_reply(contains="only for coaches")
        await stranger.send("/coachprofile")
        await stranger.expect_reply(contains="only for coaches")
    async with uow as tx:
        assert await tx.session.scalar(select(Coach)) is None


async def test_the_setup_button_of_other_flows_starts_the_profile_in_place(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora", language_code="es")
    await sign_up(uow, cora, "coach")
    async with run_bot(emulator) as app:
        await cora.send("/help")  # Telegram lets a bot write only after the person did
        await cora.expect_reply()
        button = InlineKeyboardButton("Perfil", callback_data="coach:setup")
        await app.bot.send_message(cora.id, "Menú", reply_markup=InlineKeyboardMarkup([[button]]))
        await cora.expect_reply(contains="Menú")
        await cora.press("Perfil")
        prompt = await cora.expect("edit", contains="¿Qué entrenas?")
    labels = [b["text"] for row in prompt["reply_markup"]["inline_keyboard"] for b in row]
    assert {"Natación", "Listo", "Cancelar"} <= set(labels)
