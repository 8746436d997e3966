"""/progress, /export and /roster through the emulator, as people use them in the chat.

Kim (a child without Telegram) trains with Cora; Pia is Kim's parent, Omar the parent of Lea,
who has no session with Cora. Results are placed around the present: the handlers read "now".
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from domain.models import AuditEntry, MetricType, PerformanceMetric
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BookingWorld, booking_world, session_at
from tests.handlers.booking.booking_steps import press_data

Json = dict[str, Any]
NOW = datetime.now(UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def cast(
    emulator: Emulator, uow: UnitOfWork
) -> tuple[BookingWorld, EmulatedUser, EmulatedUser, EmulatedUser]:
    """The world, and Cora, Pia and Omar in the chat."""
    coach, parent, other = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([coach.id, parent.id, other.id]))
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, days_ago(3)))
        await tx.commit()
    return world, coach, parent, other


async def log(
    uow: UnitOfWork, world: BookingWorld, metric: str, values: list[tuple[float, str]], unit: str
) -> None:
    """Values of Kim's, each `days` ago."""
    async with uow as tx:
        for days, value in values:
            tx.metrics.add(
                PerformanceMetric(
                    athlete_id=world.child.id,
                    metric_type=metric,
                    value={"value": value, "unit": unit},
                    metric_value=Decimal(value),
                    unit=unit,
                    recorded_at=days_ago(days),
                    notes="windy" if metric == "sprint_40m" else None,
                )
            )
        await tx.commit()


async def sprints_and_an_old_squat(uow: UnitOfWork, world: BookingWorld) -> None:
    await log(
        uow, world, "sprint_40m", [(50, "5.60"), (20, "5.40"), (10, "5.30"), (2, "5.10")], "s"
    )
    await log(uow, world, "squat", [(200, "60")], "kg")


def labels(message: Json) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def file_bytes(emulator: Emulator, file_id: str) -> bytes:
    return emulator.world.files[file_id].path.read_bytes()


async def test_a_parent_gets_a_chart_of_their_childs_sprints_and_words_for_an_empty_period(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    world, _, parent, _ = await cast(emulator, uow)
    await sprints_and_an_old_squat(uow, world)
    async with run_bot(emulator):
        await parent.send("/progress")
        metrics = await parent.expect_reply(contains="Which result of Kim?")
        await parent.press("40 m sprint", metrics)
        spans = await parent.expect("edit", contains="40 m sprint of Kim: which period?")
        await parent.press("4 weeks", spans)
        chart = await parent.expect("message")

        await parent.press("« Back", spans)
        await parent.expect("edit", contains="Which result of Kim?")
        await parent.press("Back squat")
        await parent.expect("edit", contains="Back squat of Kim")
        await parent.press("4 weeks")
        empty = await parent.expect("edit", contains="No Back squat results for Kim")

    assert labels(metrics) == ["40 m sprint", "Back squat"]
    assert labels(spans) == ["4 weeks", "3 months", "A year", "All", "« Back"]
    caption = chart["caption"].splitlines()
    assert caption[0] == "Kim · 40 m sprint · 4 weeks"
    assert caption[1].startswith("Latest: 5.1 s (")
    assert caption[2:] == ["Best: 5.1 s", "Change: -0.3 s (better)"]
    png = file_bytes(emulator, chart["photo"][-1]["file_id"])
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size) == ("PNG", (1000, 600))
    assert "in this period (4 weeks)" in empty["text"]
    assert "4 weeks" in labels(empty)  # a longer period is one press away


async def test_a_coach_of_two_picks_whose_results_and_gets_them_as_a_csv_file(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    world, coach, _, _ = await cast(emulator, uow)
    await sprints_and_an_old_squat(uow, world)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.other_child, days_ago(5)))
        await tx.commit()
    async with run_bot(emulator):
        await coach.send("/progress")
        whose = await coach.expect_reply(contains="Whose progress?")
        await coach.press("Lea", whose)
        await coach.expect("edit", contains="Lea has no results yet")

        await coach.send("/export")
        picker = await coach.expect_reply(contains="Whose results should I export?")
        await coach.press("Kim", picker)
        sent = await coach.expect("message", contains="All results of Kim")

    assert labels(whose) == labels(picker) == ["Kim", "Lea"]

    document = sent["document"]
    assert document["file_name"].startswith("Kim-results-") and document["file_name"].endswith(
        ".csv"
    )
    rows = list(csv.reader(io.StringIO(file_bytes(emulator, document["file_id"]).decode())))
    assert rows[0] == ["recorded_at", "metric", "value", "unit", "notes"]
    assert [row[1:] for row in rows[1:]] == [
        ["Back squat", "60", "kg", ""],
        ["40 m sprint", "5.6", "s", "windy"],
        ["40 m sprint", "5.4", "s", "windy"],
        ["40 m sprint", "5.3", "s", "windy"],
        ["40 m sprint", "5.1", "s", "windy"],
    ]
    # The coach reads times in Berlin, where the coach lives.
    assert datetime.fromisoformat(rows[-1][0]).utcoffset() in (
        timedelta(hours=1),
        timedelta(hours=2),
    )


async def test_a_coachs_roster_lists_latest_results_and_the_change_over_four_weeks(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    world, coach, parent, _ = await cast(emulator, uow)
    await sprints_and_an_old_squat(uow, world)
    async with run_bot(emulator):
        await coach.send("/roster")
        listed = await coach.expect_reply(contains="Your athletes")
        await parent.send("/roster")
        refused = await parent.expect_reply()

    assert listed["text"].splitlines()[2:] == [
        "👤 Kim",
        "   40 m sprint: 5.1 s (-0.5 s (better) in 4 weeks)",
        "   Back squat: 60 kg",
    ]
    assert "for coaches" in refused["text"]


async def test_the_roster_shows_a_value_the_coach_logs_and_after_its_undo_the_one_before(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    world, coach, _, _ = await cast(emulator, uow)
    await sprints_and_an_old_squat(uow, world)
    async with run_bot(emulator):
        await coach.send("/roster")  # Kim's latest values are cached from here on
        before = await coach.expect_reply(contains="Your athletes")
        await coach.send("/log squat 70kg")
        logged = await coach.expect_reply(contains="✅ Back squat 70 kg logged for Kim")
        await coach.send("/roster")
        after_log = await coach.expect_reply(contains="Your athletes")
        await coach.press("↩️ Undo", logged)
        await coach.expect("edit", contains="↩️ Undone")
        await coach.send("/roster")
        after_undo = await coach.expect_reply(contains="Your athletes")

    assert "   Back squat: 60 kg" in before["text"].splitlines()
    assert "   Back squat: 70 kg (+10 kg (better) in 4 weeks)" in after_log["text"].splitlines()
    assert after_undo["text"] == before["text"]


async def test_nobody_sees_the_progress_of_someone_elses_child(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    world, _, _, other = await cast(emulator, uow)
    await sprints_and_an_old_squat(uow, world)
    async with uow as tx:
        sprint = await tx.session.scalar(
            select(MetricType.id).where(MetricType.key == "sprint_40m")
        )
    kim = short_id(world.child.id)
    forged = [f"prg:s:{kim}:{short_id(sprint)}:4w", f"prg:x:{kim}", f"prg:a:{kim}", "prg:s:bad"]
    async with run_bot(emulator):
        await other.send("/progress")
        own = await other.expect_reply(contains="Lea has no results yet")
        for data in forged:
            await press_data(emulator, other, own, data)
            await other.expect("callback_answer", contains="isn't available")
        await other.send("/export")
        await other.expect_reply(contains="Lea has no results to export yet")

    assert not any("photo" in m or "document" in m for m in other.messages())
    async with uow as tx:
        refused = await tx.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "callback.refused")
        )
    assert refused == len(forged)
