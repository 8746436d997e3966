"""Materials and the catalogue through the emulator: files checked by their bytes, browsing by
sport and level, a program's page with week 1 and the coach's rating, links for those enrolled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from domain.models import ProgramMaterial, TrainingProgram
from domain.uow import UnitOfWork
from handlers.programs.callbacks import (
    OpenMaterial,
    ProgramAction,
    ProgramPress,
    WeekAction,
    WeekPress,
)
from telegram_emulator import Emulator
from tests.handlers.booking.booking_steps import latest, press_data
from tests.handlers.chat_steps import forged_data
from tests.handlers.coaching.coach_steps import PDF
from tests.handlers.programs.program_steps import (
    WEEK_1,
    create_program,
    enrol,
    sign_up_athlete,
    sign_up_coach,
    write_week,
)

MB = 1024 * 1024


async def _program(uow: UnitOfWork) -> TrainingProgram:
    async with uow as tx:
        return (await tx.session.scalars(select(TrainingProgram))).one()


async def test_materials_are_kept_by_their_bytes_and_a_disguised_file_is_refused(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    cora = emulator.user("Cora")
    await sign_up_coach(uow, cora)
    async with run_bot(emulator):
        await create_program(cora)
        await cora.press("📎 Materials")
        await cora.expect("edit", contains="Send a PDF, a picture or a video")
        await cora.send_document(b"MZ\x90\x00" + b"\x00" * 512, filename="plan.pdf")
        await cora.expect_reply(contains="not a PDF, a picture or a video")
        await cora.send_document(PDF, filename="plan.pdf")
        await cora.expect_reply(contains="Attached: plan.pdf")
        listed = await cora.expect_reply(contains="Materials of this program")
        await cora.send("here it is")
        await cora.expect_reply(contains="as a file, a photo or a video")
    assert "📄 plan.pdf" in listed["text"]
    program = await _program(uow)
    async with uow as tx:
        [material] = (await tx.session.scalars(select(ProgramMaterial))).all()
    assert material.storage_key.startswith(f"training-materials/{program.id}/")
    assert (material.kind, material.content_type) == ("pdf", "application/pdf")
    assert await services.storage.read_bytes(material.storage_key) == PDF


# Over 50 MB the emulator itself refuses the upload, as Telegram's limits for bots go; that
# refusal is tests/domain/programs/test_materials.py's, by declared and by streamed size.
@pytest.mark.slow
async def test_a_material_past_the_bots_download_limit_is_refused_before_fetching(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up_coach(uow, cora)
    async with run_bot(emulator):
        await create_program(cora)
        await cora.press("📎 Materials")
        await cora.expect("edit", contains="Send a PDF")
        await cora.send_document(PDF + bytes(21 * MB), filename="season.pdf")
        await cora.expect_reply(contains="files up to 20 MB here")
    async with uow as tx:
        assert (await tx.session.scalars(select(ProgramMaterial))).all() == []


async def test_athletes_browse_by_sport_and_level_and_see_week_1_and_the_coachs_rating(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ari = emulator.user("Cora"), emulator.user("Ari")
    await sign_up_coach(uow, cora, rating=Decimal("4.50"), reviews=12)
    await sign_up_athlete(uow, ari)
    async with run_bot(emulator):
        await create_program(cora)
        await write_week(cora, 1, WEEK_1)
        await cora.press("🚀 Publish")
        await cora.expect("edit", contains="version 1")
        await ari.send("/programs")
        await ari.press("Athletics (1)", await ari.expect_reply(contains="by sport"))
        await ari.press("Beginner (1)", await ari.expect("edit", contains="which level"))
        await ari.expect("edit", contains="Athletics, Beginner")
        await ari.press("Sprint base · Cora · €49.00")
        page = await ari.expect("edit", contains="Week 1 as you would get it")
        await ari.press("« Catalogue")
        await ari.expect("edit", contains="by sport")
    text = str(page["text"])
    assert "Coach: Cora · ★ 4.5 (12 reviews)" in text
    assert "Athletics · Beginner · 4 weeks · €49.00" in text
    assert "• Back squat: 3 × 5 · 70% of your best" in text
    assert "Trains: speed, acceleration" in text


async def test_only_enrolled_families_and_the_author_get_a_materials_link(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ari, bo = emulator.user("Cora"), emulator.user("Ari"), emulator.user("Bo")
    await sign_up_coach(uow, cora)
    athlete = await sign_up_athlete(uow, ari)
    await sign_up_athlete(uow, bo)
    async with run_bot(emulator):
        await create_program(cora)
        await write_week(cora, 1, WEEK_1)
        await cora.press("🚀 Publish")
        await cora.expect("edit", contains="version 1")
        await cora.press("📎 Materials")
        await cora.expect("edit", contains="Send a PDF")
        await cora.send_document(PDF, filename="plan.pdf")
        await cora.expect_reply(contains="Attached: plan.pdf")
        await enrol(uow, await _program(uow), athlete)
        for person, sees in ((ari, True), (bo, False)):
            await person.send("/programs")
            await person.press("Athletics (1)", await person.expect_reply(contains="by sport"))
            await person.press("Beginner (1)", await person.expect("edit", contains="level"))
            await person.press("Sprint base · Cora · €49.00", await person.expect("edit"))
            page = await person.expect("edit", contains="1 file comes with it")
            buttons = [b["text"] for row in page["reply_markup"]["inline_keyboard"] for b in row]
            assert ("📄 plan.pdf" in buttons) is sees
        await ari.press("📄 plan.pdf")
        link = await ari.expect_reply(contains="the link works for 60 minutes")
        # The file's button, forged by someone not enrolled: refused, no link.
        async with uow as tx:
            material = (await tx.session.scalars(select(ProgramMaterial))).one()
        await press_data(emulator, bo, latest(bo), OpenMaterial(material.id).pack())
        refused = await bo.expect("callback_answer")
    assert "not available to you" in refused["text"]
    assert not [m for m in bo.messages() if "the link works" in str(m.get("text"))]
    url = link["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert "training-materials" in url


async def test_another_coachs_forged_buttons_neither_show_nor_change_a_program(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, dan = emulator.user("Cora"), emulator.user("Dan")
    await sign_up_coach(uow, cora)
    await sign_up_coach(uow, dan)
    async with run_bot(emulator):
        await create_program(cora)
        program = await _program(uow)
        await dan.send("/programs")
        home = await dan.expect_reply(contains="training programs")
        for press in (
            ProgramPress(ProgramAction.OPEN, program.id),
            ProgramPress(ProgramAction.PUBLISH, program.id),
            WeekPress(WeekAction.WRITE, program.id, 1),
        ):
            await press_data(emulator, dan, home, press.pack())
            answer = await dan.expect("callback_answer")
            assert "That program is not available" in answer["text"]
        await press_data(emulator, dan, home, forged_data("pga:p", "pub", "nonsense"))
        await dan.expect("callback_answer", contains="isn't available")
    assert (await _program(uow)).status == "draft"
