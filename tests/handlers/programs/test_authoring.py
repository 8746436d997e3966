"""Writing a program through the emulator: details, weeks, errors, copy, preview, versions."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from domain.models import ProgramVersion, TrainingProgram
from domain.programs.content import ProgramContent
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.programs.program_steps import (
    WEEK_1,
    create_program,
    enrol,
    sign_up_athlete,
    sign_up_coach,
    write_week,
)


async def _program(uow: UnitOfWork) -> TrainingProgram:
    async with uow as tx:
        return (await tx.session.scalars(select(TrainingProgram))).one()


async def _versions(uow: UnitOfWork) -> list[ProgramVersion]:
    async with uow as tx:
        rows = await tx.session.scalars(select(ProgramVersion).order_by(ProgramVersion.number))
        return list(rows)


async def test_a_coach_writes_copies_previews_and_publishes_a_program(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up_coach(uow, cora)
    async with run_bot(emulator):
        await create_program(cora)
        await write_week(cora, 1, WEEK_1)
        await cora.press("📋 Copy a week")
        await cora.expect("edit", contains="Which week do you want to copy?")
        await cora.press("1")
        await cora.expect("edit", contains="Copy week 1 to which week?")
        await cora.press("2")
        await cora.expect("edit", contains="Weeks written: 1, 2 · training days: 4")
        await cora.press("👀 Preview")
        preview = await cora.expect("edit", contains="As athletes will see it")
        await cora.press("»")
        week_2 = await cora.expect("edit", contains="Week 2 of 4")
        await cora.press("« Back")
        await cora.expect("edit", contains="Weeks written")
        await cora.press("🚀 Publish")
        await cora.expect("edit", contains="In the catalogue (version 1)")
    assert "Week 1 of 4" in preview["text"]
    assert "• Back squat: 3 × 5 · 70% of your best" in preview["text"]
    assert "• Bench press: 3 × 8 · 60 kg" in preview["text"]
    assert "• 400 m: 4 × 400 m · rest 90 s" in preview["text"]
    assert "The other 5 days are rest days." in preview["text"]
    assert "• Back squat: 3 × 5" in week_2["text"]
    program = await _program(uow)
    assert (program.title, program.sport_type, program.difficulty_level) == (
        "Sprint base",
        "athletics",
        "beginner",
    )
    assert (program.duration_weeks, program.price, program.currency) == (4, Decimal("49.00"), "EUR")
    assert program.target_skills == ["speed", "acceleration"]
    assert program.status == "published"
    [version] = await _versions(uow)
    content = ProgramContent.from_stored(version.content)
    assert [w.week for w in content.weeks] == [1, 2]
    assert content.weeks[0].days == content.weeks[1].days


async def test_a_bad_line_is_named_with_its_reason_and_nothing_is_saved(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up_coach(uow, cora)
    async with run_bot(emulator):
        await create_program(cora)
        await cora.press("✏️ Write a week")
        await cora.press("1", await cora.expect("edit", contains="Which week"))
        await cora.expect("edit", contains="Week 1.")
        await cora.send("D1: back squat 3x5\nD2: deadlift 3x5 600kg\nD9: run 5km\nW53D1: jog 1km")
        refused = await cora.expect_reply(contains="Nothing was saved")
        # Still waiting for week 1: the corrected text is taken.
        await cora.send("D1: back squat 3x5")
        await cora.expect_reply(contains="Saved week 1")
    assert "Line 2: a load must be above 0 kg and at most 500 kg" in refused["text"]
    assert "Line 3: day 9 does not exist" in refused["text"]
    assert "Line 4: week 53 does not exist: weeks go from 1 to 52" in refused["text"]
    assert "Line 1" not in refused["text"]


async def test_weeks_beyond_the_bounds_are_refused_and_asked_again(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up_coach(uow, cora)
    async with run_bot(emulator):
        await cora.send("/programs")
        await cora.press("➕ New program", await cora.expect_reply(contains="training programs"))
        await cora.expect("edit", contains="title")
        await cora.send("Base")
        await cora.press("Athletics", await cora.expect_reply(contains="Which sport"))
        await cora.press("Advanced", await cora.expect("edit", contains="Which level"))
        await cora.expect("edit", contains="How many weeks")
        for typed in ("0", "53", "twelve"):
            await cora.send(typed)
            await cora.expect_reply(contains="from 1 to 52")
        await cora.send("52")
        await cora.expect_reply(contains="Which skills")


async def test_editing_a_published_program_makes_a_new_version_and_enrolled_athletes_keep_theirs(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ari = emulator.user("Cora"), emulator.user("Ari")
    await sign_up_coach(uow, cora)
    athlete = await sign_up_athlete(uow, ari)
    async with run_bot(emulator):
        await create_program(cora)
        await write_week(cora, 1, WEEK_1)
        await cora.press("🚀 Publish")
        await cora.expect("edit", contains="version 1")
        await enrol(uow, await _program(uow), athlete)
        card = await write_week(cora, 1, "D1: back squat 5x5 @75%")
        assert "publish again to make it version 2" in str(card["text"])
        await cora.press("🚀 Publish", card)
        await cora.expect("edit", contains="In the catalogue (version 2)")
    first, second = await _versions(uow)
    assert ProgramContent.from_stored(first.content).weeks[0].days[0].exercises[0].sets == 3
    assert ProgramContent.from_stored(second.content).weeks[0].days[0].exercises[0].sets == 5
    program = await _program(uow)
    assert program.current_version_id == second.id
    async with uow as tx:
        from domain.models import ProgramEnrolment

        enrolment = (await tx.session.scalars(select(ProgramEnrolment))).one()
    assert enrolment.program_version_id == first.id


async def test_an_unverified_coach_keeps_a_draft_but_cannot_publish(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora = emulator.user("Cora")
    await sign_up_coach(uow, cora, verified=False)
    async with run_bot(emulator):
        await create_program(cora)
        await write_week(cora, 1, WEEK_1)
        await cora.press("🚀 Publish")
        answer = await cora.expect("callback_answer", contains="Only verified coaches")
    assert answer
    assert (await _program(uow)).status == "draft"


async def test_unpublish_takes_it_out_of_the_catalogue(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ari = emulator.user("Cora"), emulator.user("Ari")
    await sign_up_coach(uow, cora)
    await sign_up_athlete(uow, ari)
    async with run_bot(emulator):
        await create_program(cora)
        await write_week(cora, 1, WEEK_1)
        await cora.press("🚀 Publish")
        await cora.expect("edit", contains="version 1")
        await cora.press("⏸ Unpublish")
        await cora.expect("edit", contains="Out of the catalogue")
        await ari.send("/programs")
        await ari.expect_reply(contains="No programs are published yet")


async def test_a_spanish_coach_previews_in_spanish(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    lucia = emulator.user("Lucía", language_code="es")
    await sign_up_coach(uow, lucia)
    async with run_bot(emulator):
        await lucia.send("/programs")
        await lucia.press(
            "➕ Nuevo programa", await lucia.expect_reply(contains="programas de entrenamiento")
        )
        await lucia.expect("edit", contains="título")
        await lucia.send("Base de velocidad")
        await lucia.press("Atletismo", await lucia.expect_reply(contains="deporte"))
        await lucia.press("Principiante", await lucia.expect("edit", contains="nivel"))
        await lucia.expect("edit", contains="semanas")
        await lucia.send("2")
        await lucia.send("velocidad")
        await lucia.expect_reply(contains="Descríbelo")
        await lucia.send("Dos semanas de técnica de carrera para empezar.")
        await lucia.press("Gratis", await lucia.expect_reply(contains="cuesta"))
        await lucia.expect("edit", contains="borrador")
        await lucia.press("✏️ Escribir una semana")
        await lucia.press("1", await lucia.expect("edit", contains="semana"))
        await lucia.send(WEEK_1)
        await lucia.expect_reply(contains="guardada")
        await lucia.press("👀 Vista previa")
        preview = await lucia.expect("edit", contains="Así lo verán")
    assert "Semana 1 de 2" in preview["text"]
    assert "3 × 5 · 70 % de tu mejor marca" in preview["text"]
    assert "descanso 90 s" in preview["text"]
    assert "Los otros 5 días son de descanso." in preview["text"]
