"""One processing job end to end against Postgres, Redis and storage: results stored, status
moved in the row and the mirror, and the athlete's side and coach told, once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.wiring import Services
from domain.models import Coach, Notification, TrainingSession, User, VideoAnalysis
from domain.uow import UnitOfWork
from domain.videos.library import link_session
from domain.videos.uploads import IncomingVideo, receive_video
from tests.domain.videos.test_uploads import actor_of
from tests.factories import BookingWorld, booking_world, session_at
from tests.video_clips import make_clip, make_random_mp4
from tests.video_steps import run_video_jobs

NOW = datetime.now(UTC)


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def upload(services: Services, world: BookingWorld, data: bytes) -> uuid.UUID:
    received = await receive_video(
        services.uow,
        services.videos,
        actor=await actor_of(services.uow, world.parent),
        athlete_id=world.child.id,
        incoming=IncomingVideo("file-1", "video", len(data), "drill"),
        chunks=chunks_of(data),
        now=NOW,
    )
    return received.video_id


async def video_of(uow: UnitOfWork, video_id: uuid.UUID) -> VideoAnalysis:
    async with uow as tx:
        video = await tx.session.get(VideoAnalysis, video_id)
    assert video is not None
    return video


async def notices(uow: UnitOfWork) -> list[str]:
    async with uow as tx:
        return sorted(await tx.session.scalars(select(Notification.kind)))


@pytest.fixture
async def world(uow: UnitOfWork) -> BookingWorld:
    world = await booking_world(uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, NOW - timedelta(days=1)))
        await tx.commit()
    return world


async def test_a_processed_video_has_its_rendition_thumbnail_chart_and_analysis(
    services: Services, uow: UnitOfWork, world: BookingWorld, tmp_path: Path
) -> None:
    video_id = await upload(
        services, world, make_clip(tmp_path / "c.mp4", reps=4, period_s=1.2).read_bytes()
    )

    await run_video_jobs(services)

    video = await video_of(uow, video_id)
    assert video.status == "analyzed" and video.failure_reason is None
    assert video.analysis_results["version"] == 1
    assert abs(video.analysis_results["motion"]["reps"] - 4) <= 1
    owner = world.child_user.id
    assert video.thumbnail_url == f"videos/thumbnails/{owner}/{video_id}/thumbnail.jpg"
    assert video.processed_url == f"videos/processed/{owner}/{video_id}/video.mp4"
    charts = video.analysis_results["chart_keys"]
    assert set(charts) == {"en"}  # in the language of Pia, the one told (none set: English)
    for key in (video.thumbnail_url, video.processed_url, *charts.values()):
        assert await services.storage.exists(key)
    assert video.duration == round(video.analysis_results["video"]["duration_s"])
    assert ((await services.video_status.statuses([video_id])).get(video_id)).status == "analyzed"
    # Pia (Kim has no Telegram) gets the analysis; Cora, Kim's coach, the video.
    assert await notices(uow) == ["video_analyzed", "video_review"]


async def test_the_chart_is_drawn_in_the_languages_of_those_told_and_no_other(
    services: Services, uow: UnitOfWork, world: BookingWorld, tmp_path: Path
) -> None:
    async with uow as tx:
        pia = await tx.users.get(world.parent.id)
        pia.language_code = "es-MX"
        kim = await tx.users.get(world.child_user.id)
        kim.telegram_user_id = kim.telegram_chat_id = 888_002
        kim.language_code = "en"
        await tx.commit()
    video_id = await upload(
        services, world, make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0).read_bytes()
    )

    await run_video_jobs(services)

    charts = (await video_of(uow, video_id)).analysis_results["chart_keys"]
    assert set(charts) == {"es", "en"}  # Pia reads Spanish, Kim (now on Telegram) English
    for key in charts.values():
        assert await services.storage.exists(key)


async def test_a_video_that_does_not_decode_fails_at_once_with_its_reason_and_is_kept(
    services: Services, uow: UnitOfWork, world: BookingWorld, tmp_path: Path
) -> None:
    video_id = await upload(services, world, make_random_mp4(tmp_path / "bad.mp4").read_bytes())

    await run_video_jobs(services)

    video = await video_of(uow, video_id)
    assert video.status == "failed" and video.failure_reason == "not_decodable"
    status = (await services.video_status.statuses([video_id])).get(video_id)
    assert status.status == "failed" and status.attempts == 1  # a refusal is not retried
    assert await services.storage.exists(video.video_url)  # kept for the coach
    assert await notices(uow) == ["video_failed", "video_review"]


async def test_a_job_failing_three_times_is_failed_and_the_athletes_side_told_once(
    services: Services, uow: UnitOfWork, world: BookingWorld, tmp_path: Path
) -> None:
    video_id = await upload(
        services, world, make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0).read_bytes()
    )
    tries: list[int] = []

    async def broken(video_id: uuid.UUID, attempt: int) -> None:
        tries.append(attempt)
        raise OSError("disk full")

    await run_video_jobs(services, handle=broken)

    assert tries == [1, 2, 3]
    video = await video_of(uow, video_id)
    assert video.status == "failed" and video.failure_reason == "failed"
    assert ((await services.video_status.statuses([video_id])).get(video_id)).status == "failed"
    assert await notices(uow) == ["video_failed", "video_review"]


async def test_a_job_delivered_twice_is_processed_and_announced_once(
    services: Services, uow: UnitOfWork, world: BookingWorld, tmp_path: Path
) -> None:
    video_id = await upload(
        services, world, make_clip(tmp_path / "c.mp4", reps=3, period_s=1.0).read_bytes()
    )
    await services.video_queue.enqueue(video_id)  # e.g. re-queued by the stale-upload sweep

    await run_video_jobs(services)

    assert (await video_of(uow, video_id)).status == "analyzed"
    assert await notices(uow) == ["video_analyzed", "video_review"]


async def test_coaches_wait_for_the_sender_to_say_which_session_then_only_its_coach_sees_it(
    services: Services, uow: UnitOfWork, world: BookingWorld, tmp_path: Path
) -> None:
    async with uow as tx:
        bea = User(role="coach", first_name="Bea", telegram_user_id=888_001)
        tx.users.add(bea)
        await tx.flush()
        other_coach = Coach(user_id=bea.id, specializations=["tennis"])
        tx.coaches.add(other_coach)
        await tx.flush()
        tx.sessions.add(session_at(other_coach, world.child, NOW - timedelta(days=3)))
        coras = (
            await tx.session.scalars(
                select(TrainingSession.id).where(TrainingSession.coach_id == world.coach.id)
            )
        ).one()
        await tx.commit()
    data = make_clip(tmp_path / "c.mp4", reps=2, period_s=1.0).read_bytes()
    video_id = await upload(services, world, data)
    await run_video_jobs(services)  # analysed before Pia answers

    reviews = await review_rows(uow)
    assert {row.recipient_id for row in reviews} == {world.coach_user.id, bea.id}
    assert all(row.due_at > datetime.now(UTC) + timedelta(minutes=9) for row in reviews)

    now = datetime.now(UTC)
    pia = await actor_of(uow, world.parent)
    await link_session(services.uow, actor=pia, video_id=video_id, session_id=coras, now=now)

    reviews = await review_rows(uow)
    assert [(row.recipient_id, row.due_at) for row in reviews] == [(world.coach_user.id, now)]


async def review_rows(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        return list(
            await tx.session.scalars(
                select(Notification).where(Notification.kind == "video_review")
            )
        )


# Run in a fresh interpreter: in this one an earlier test may have started the server already.
JOB_SERVER = """
import sys, time
from pathlib import Path
from domain.videos.processing import start_job_server
start_job_server()
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    children = Path("/proc/self/task").glob("*/children")
    for pid in {pid for path in children for pid in path.read_text().split()}:
        if "cv2" in Path(f"/proc/{pid}/maps").read_text():
            print("loaded")
            sys.exit(0)
    time.sleep(0.1)
print("not loaded")
"""


def test_the_job_server_loads_the_pipeline_before_the_first_video() -> None:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-c", JOB_SERVER]
    done = subprocess.run(command, capture_output=True, check=True, cwd=root, env=env)

    # The first video after a worker starts need not wait for numpy, OpenCV and matplotlib.
    assert done.stdout.decode().strip() == "loaded"
