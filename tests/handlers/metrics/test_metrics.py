"""/log in chat, through the emulator: one line or step by step, for oneself, a child or an
athlete one coaches; the questioned value, Undo, and what others may not touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Athlete, Coach, PerformanceMetric, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import session_at
from tests.handlers.chat_steps import forged_data
from tests.handlers.coaching.coach_steps import sign_up
from tests.handlers.onboarding_flow import press_forged

NOT_AVAILABLE = "isn't available"


async def athlete(uow: UnitOfWork, person: EmulatedUser) -> Athlete:
    """A signed-up athlete with their profile."""
    user = await sign_up(uow, person, "athlete")
    async with uow as tx:
        profile = tx.athletes.add(Athlete(user_id=user.id, primary_sport="athletics"))
        await tx.commit()
    return profile


async def parent_of(uow: UnitOfWork, person: EmulatedUser, *names: str) -> list[Athlete]:
    """A signed-up parent and their children (no Telegram of their own)."""
    parent = await sign_up(uow, person, "parent")
    children = []
    async with uow as tx:
        for name in names:
            kid = tx.users.add(User(role="athlete", first_name=name))
            await tx.flush()
            children.append(
                tx.athletes.add(Athlete(user_id=kid.id, parent_id=parent.id, primary_sport="run"))
            )
        await tx.commit()
    return children


async def coach_of(uow: UnitOfWork, person: EmulatedUser, *athletes: Athlete) -> Coach:
    """A signed-up coach with a session booked with each of these athletes."""
    user = await sign_up(uow, person, "coach")
    start = datetime.now(UTC) + timedelta(days=2)
    async with uow as tx:
        coach = tx.coaches.add(Coach(user_id=user.id, specializations=["athletics"]))
        await tx.flush()
        for hours, someone in enumerate(athletes):
            tx.sessions.add(session_at(coach, someone, start + timedelta(hours=2 * hours)))
        await tx.commit()
    return coach


async def stored(uow: UnitOfWork) -> list[PerformanceMetric]:
    async with uow as tx:
        query = select(PerformanceMetric).order_by(PerformanceMetric.created_at)
        return list((await tx.session.scalars(query)).all())


def buttons(message: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """Label -> callback data of a message's inline buttons."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button.get("callback_data", "") for row in rows for button in row}


async def test_an_athlete_logs_three_values_in_one_line_each_and_beats_a_time(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari = emulator.user("Ari")
    await athlete(uow, ari)

    async with run_bot(emulator):
        await ari.send("/log 40m sprint 5.12s")
        sprint = await ari.expect_reply(contains="✅ 40 m sprint 5.12 s logged")
        await ari.send("/log squat 120kg x5")
        squat = await ari.expect_reply(contains="✅ Back squat 120 kg × 5 logged")
        await ari.send("/log weight 72.4")
        await ari.expect_reply(contains="✅ Body weight 72.4 kg logged")
        await ari.send("/log 40m sprint 5.05")
        best = await ari.expect_reply(contains="🏆 New personal best! Previous best: 5.12 s.")

    assert "📌 The first 40 m sprint on record" in sprint["text"]
    assert "for Ari" not in sprint["text"]
    assert "↩️ Undo" in buttons(squat) and "↩️ Undo" in buttons(best)
    rows = await stored(uow)
    assert [(row.metric_type, str(row.metric_value)) for row in rows] == [
        ("sprint_40m", "5.1200"),
        ("squat", "120.0000"),
        ("body_weight", "72.4000"),
        ("sprint_40m", "5.0500"),
    ]


async def test_a_typo_gets_the_nearest_metric_names(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari = emulator.user("Ari")
    await athlete(uow, ari)

    async with run_bot(emulator):
        await ari.send("/log sqaut 100kg")
        hint = await ari.expect_reply(contains="I don't know a metric called “sqaut”")
        await ari.send("/log squat 100 sec")
        await ari.expect_reply(contains="“sec” doesn't fit this metric")

    assert "Did you mean: Back squat" in hint["text"]
    assert await stored(uow) == []


async def test_a_parent_picks_a_child_and_logs_for_her(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pia = emulator.user("Pia")
    kim, _ = await parent_of(uow, pia, "Kim", "Tom")

    async with run_bot(emulator):
        await pia.send("/log squat 60kg")
        await pia.expect_reply(contains="Whose result is it?")
        await pia.press("Kim")
        await pia.expect("edit", contains="✅ Back squat 60 kg logged for Kim")

    (row,) = await stored(uow)
    assert row.athlete_id == kim.id


async def test_a_coach_logs_for_their_athlete_and_the_parent_hears_of_the_best(
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
        await cora.send("/log vertical jump 44 cm")
        await cora.expect_reply(contains="🏆 New personal best! Previous best: 41 cm.")
        await send_due_notifications(BotContext(app))
        await pia.expect_reply(contains="🏆 New personal best for Kim! Vertical jump: 44 cm")

    assert [row.recorded_by for row in await stored(uow)] == [await _user_id(uow, cora)] * 2


async def test_another_familys_child_and_another_athletes_values_are_refused(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    pia, omar, ari, ben = (emulator.user(name) for name in ("Pia", "Omar", "Ari", "Ben"))
    await parent_of(uow, pia, "Kim", "Tom")
    (lea,) = await parent_of(uow, omar, "Lea")
    await athlete(uow, ari)
    await athlete(uow, ben)

    async with run_bot(emulator):
        await ari.send("/log squat 80kg")
        logged = await ari.expect_reply(contains="logged")
        await ben.send("/log squat 70kg")
        await ben.expect_reply(contains="logged")
        # Ben replays Ari's Undo button; Pia names Lea on her own picker.
        await press_forged(emulator, ben, buttons(logged)["↩️ Undo"])
        await ben.expect("callback_answer", contains="not allowed")
        await pia.send("/log squat 60kg")
        picker = await pia.expect_reply(contains="Whose result is it?")
        token = buttons(picker)["Kim"].split(":")[2]
        await press_forged(emulator, pia, forged_data("ml", "ath", token, lea.id))
        await pia.expect("callback_answer", contains=NOT_AVAILABLE)

    assert [str(row.metric_value) for row in await stored(uow)] == ["80.0000", "70.0000"]


async def test_the_undo_button_takes_the_value_back(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari = emulator.user("Ari")
    await athlete(uow, ari)

    async with run_bot(emulator):
        await ari.send("/log 5k 21:30")
        await ari.expect_reply(contains="✅ 5 km run 21:30 logged")
        await ari.press("↩️ Undo")
        await ari.expect("edit", contains="↩️ Undone: 5 km run 21:30 is no longer recorded for Ari")
        assert await stored(uow) == []


async def test_the_reply_compares_with_the_value_before_and_an_undone_value_is_forgotten(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari = emulator.user("Ari")
    await athlete(uow, ari)

    async with run_bot(emulator):
        await ari.send("/log squat 100kg")
        first = await ari.expect_reply(contains="✅ Back squat 100 kg logged")
        await ari.send("/log squat 110kg")
        second = await ari.expect_reply(contains="✅ Back squat 110 kg logged")
        await ari.press("↩️ Undo", second)
        await ari.expect("edit", contains="↩️ Undone: Back squat 110 kg")
        await ari.send("/log squat 100kg")
        third = await ari.expect_reply(contains="✅ Back squat 100 kg logged")

    assert "Last time" not in first["text"]
    assert "↔️ Last time: 100 kg; change: +10 kg (better)." in second["text"]
    assert "↔️ Last time: 100 kg, the same." in third["text"]


async def test_an_unusual_value_is_questioned_then_logged_anyway(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari = emulator.user("Ari")
    await athlete(uow, ari)

    async with run_bot(emulator):
        await ari.send("/log squat 1200kg")
        await ari.expect_reply(contains="🤔 1200 kg for Back squat?")
        assert await stored(uow) == []
        await ari.press("✅ Log anyway")
        await ari.expect("edit", contains="✅ Back squat 1200 kg logged")
        await ari.send("/log squat 900kg")
        await ari.expect_reply(contains="🤔 900 kg for Back squat?")
        await ari.press("✖️ Cancel")
        await ari.expect("edit", contains="Nothing was logged")

    assert [str(row.metric_value) for row in await stored(uow)] == ["1200.0000"]


async def test_the_guided_flow_asks_category_metric_value_and_note(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ari = emulator.user("Ari")
    await athlete(uow, ari)

    async with run_bot(emulator):
        await ari.send("/log")
        await ari.expect_reply(contains="What did you measure?")
        await ari.press("⚡ Speed")
        await ari.expect("edit", contains="Which one?")
        await ari.press("⬅️ Back")
        await ari.expect("edit", contains="What did you measure?")
        await ari.press("⚡ Speed")
        await ari.expect("edit", contains="Which one?")
        await ari.press("40 m sprint")
        await ari.expect("edit", contains="Send the 40 m sprint result in s")
        await ari.send("fast")
        await ari.expect_reply(contains="I couldn't find the value")
        await ari.send("5.3")
        await ari.expect_reply(contains="Add a note")
        await ari.send("headwind")
        await ari.expect_reply(contains="✅ 40 m sprint 5.3 s logged")
        await ari.send("/log")
        await ari.expect_reply(contains="What did you measure?")
        await ari.press("⚖️ Body")
        await ari.expect("edit", contains="Which one?")
        await ari.press("Body weight")
        await ari.expect("edit", contains="Send the Body weight result in kg")
        await ari.send("500")
        await ari.expect_reply(contains="🤔 500 kg for Body weight?")
        await ari.press("✅ Log anyway")
        await ari.expect("edit", contains="Add a note")
        await ari.press("Skip")
        await ari.expect("edit", contains="✅ Body weight 500 kg logged")

    rows = await stored(uow)
    assert [(row.metric_type, row.notes) for row in rows] == [
        ("sprint_40m", "headwind"),
        ("body_weight", None),
    ]


async def test_someone_not_signed_up_or_with_nobody_to_log_for_is_told_so(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    stranger, cora = emulator.user("Sam"), emulator.user("Cora")
    await coach_of(uow, cora)

    async with run_bot(emulator):
        await stranger.send("/log squat 100kg")
        await stranger.expect_reply(contains="Send /start to sign up")
        await cora.send("/log squat 100kg")
        await cora.expect_reply(contains="There is nobody you can log results for yet")


async def _user_id(uow: UnitOfWork, person: EmulatedUser) -> object:
    async with uow as tx:
        user = await tx.users.by_telegram_id(person.id)
        assert user is not None
        return user.id
