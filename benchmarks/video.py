"""Video processing through the real worker: wall time per second of clip, and its memory.

Run: `.venv/bin/python benchmarks/video.py [--runs 3]` (needs the local Postgres and Redis;
uses a scratch database, Redis prefix and media directory it removes at the end). With pose:
the same from an environment with the pose extra, `.venv-pose/bin/python benchmarks/video.py`
(`make test-pose` builds it).

A 30 s 1280x720 30 fps synthetic clip (tests/video_clips.py: a drawn person doing 13 squats,
2 s each, standing still for 2 s before and after, sensor noise σ=2, a tone as its sound track)
is sent through `receive_video` (stored, recorded, queued) to a `sportscenter worker` process
started first and left waiting for jobs, so its start-up is not counted. Each run is a new video
to the same worker, timed from `receive_video`'s return (queueing is its last step) until the
Redis status mirror says `analyzed`; meanwhile the memory of the worker's processes (the worker,
the server its job processes are forked from, the job's process) and of ffmpeg is read from
/proc every 50 ms (PSS, so pages a forked process shares with its parent count once).
The worker is this interpreter (`python -m bot.cli worker`) and
runs pose estimation on every video whenever mediapipe imports, so from an environment with the
extra the figures include pose ("pose": "on, detected"); otherwise "pose": "not installed".
The figure gives pose a person to find, and its hips going up and down are what motion counts.

Last line: one JSON object with processing_ratio (median wall time / clip length, target
<= 0.5), peak_rss_mb (the worker's processes together at their peak, target <= 400),
reps_expected and reps_found, and beside them the long-lived process's RSS after each run
(flat: memory a video needed leaves with its job process), ffmpeg, and the pose outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import bot_services, run_benchmark

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.models import Athlete, User, VideoAnalysis
from domain.policy import Actor
from domain.videos.uploads import IncomingVideo, receive_video

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the clip maker is in tests/
from tests.video_clips import make_figure_clip

REPS, PERIOD_S, STILL_S = 13, 2.0, 2.0
CLIP_S = STILL_S + REPS * PERIOD_S + STILL_S  # 30 s
SIZE, FPS, NOISE = (1280, 720), 30, 2.0
SAMPLE_S = 0.05
RUN_TIMEOUT_S = 300.0
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Clip:
    path: Path
    size: int  # bytes, as Telegram reports it


def make_bench_clip(path: Path) -> Clip:
    """The 30 s 720p clip with a known rep count, as a phone would film it (with sound)."""
    began = time.perf_counter()
    make_figure_clip(
        path,
        reps=REPS,
        period_s=PERIOD_S,
        fps=FPS,
        size=SIZE,
        lead_in_s=STILL_S,
        lead_out_s=STILL_S,
        noise=NOISE,
        audio=True,
    )
    clip = Clip(path, path.stat().st_size)
    print(
        f"clip: {CLIP_S:.0f} s {SIZE[0]}x{SIZE[1]} {FPS} fps H.264 + AAC, {REPS} squats of "
        f"{PERIOD_S} s, noise σ={NOISE}, {clip.size / 1e6:.1f} MB, made in "
        f"{time.perf_counter() - began:.1f} s",
        flush=True,
    )
    return clip


def proc_kb(pid: int, field: str) -> int:
    """A field of /proc/<pid>/status (VmRSS, VmHWM) in kB; 0 once the process is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    """The processes started by `pid` (from any of its threads), and theirs."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in map(int, children.read_text().split()):
                found += [child, *descendants(child)]
    return found


def pss_kb(pid: int) -> int:
    """A process's proportional set size in kB: pages shared with others count in part."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def is_ffmpeg(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/comm").read_text().startswith("ffmpeg")
    return False


@dataclass
class Memory:
    """The largest figures seen over a run's samples, in kB.

    The worker is several processes: itself, the server it forks each job's process from, and
    that job process (see domain.videos.processing), which starts ffmpeg. Their PSS is summed,
    so the pages a forked process shares with its server count once, not twice.
    """

    worker: int = 0  # the worker's Python processes together (PSS)
    main: int = 0  # the long-lived worker process alone (RSS)
    child: int = 0  # one ffmpeg's peak (its VmHWM, which also catches peaks between samples)
    combined: int = 0  # every process of the worker, ffmpeg included (PSS)

    def sample(self, pid: int) -> None:
        tree = descendants(pid)
        ffmpeg = [child for child in tree if is_ffmpeg(child)]
        python = [pid, *(child for child in tree if child not in ffmpeg)]
        worker = sum(map(pss_kb, python))
        self.worker = max(self.worker, worker)
        self.main = max(self.main, proc_kb(pid, "VmRSS"))
        self.child = max([self.child, *(proc_kb(c, "VmHWM") for c in ffmpeg)])
        self.combined = max(self.combined, worker + sum(map(pss_kb, ffmpeg)))


@contextlib.contextmanager
def running_worker(log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`sportscenter worker` on this environment, once it waits for jobs; SIGTERM at the end."""
    began = time.perf_counter()
    with log_path.open("wb") as log:
        # INFO: to see "waiting for jobs"; any free port for its health checks.
        env = {**os.environ, "LOG_LEVEL": "INFO", "HEALTH_PORT": "0"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"], env=env, stdout=log, stderr=log
        )
    try:
        while "waiting for jobs" not in log_path.read_text():
            if worker.poll() is not None or time.perf_counter() - began > 60:
                raise RuntimeError(f"the worker did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        print(f"worker pid {worker.pid} waiting for jobs after {time.perf_counter() - began:.1f} s")
        yield worker
    finally:
        worker.terminate()  # it finishes the job in hand and closes its connections
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


async def athlete_actor(services: Services) -> tuple[uuid.UUID, Actor]:
    """A new athlete with a user account, and that user as the one sending the videos."""
    async with services.uow as tx:
        user = tx.users.add(User(role="athlete", first_name="Bench", telegram_user_id=7_100_000))
        await tx.flush()
        athlete = tx.athletes.add(Athlete(user_id=user.id, primary_sport="athletics"))
        await tx.commit()
    async with services.uow as tx:
        actor = await actor_for_user(tx, await tx.users.get(user.id))
    return athlete.id, actor


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


async def one_run(
    services: Services,
    worker: subprocess.Popen[bytes],
    clip: Clip,
    athlete: uuid.UUID,
    actor: Actor,
    n: int,
) -> tuple[float, Memory, dict[str, Any]]:
    """Upload the clip as a new video; wall time until analyzed, memory seen, its analysis."""
    incoming = IncomingVideo(f"bench-{uuid.uuid4().hex}", "video", clip.size)
    received = await receive_video(
        services.uow,
        services.videos,
        actor=actor,
        athlete_id=athlete,
        incoming=incoming,
        chunks=file_chunks(clip.path),
        now=datetime.now(UTC),
    )
    queued, memory = time.perf_counter(), Memory()
    while True:
        memory.sample(worker.pid)
        state = (await services.video_status.statuses([received.video_id])).get(received.video_id)
        if state is not None and state.status in ("analyzed", "failed"):
            break
        if worker.poll() is not None or time.perf_counter() - queued > RUN_TIMEOUT_S:
            raise RuntimeError(f"video {received.video_id} never finished")
        await asyncio.sleep(SAMPLE_S)
    wall = time.perf_counter() - queued
    async with services.uow as tx:
        video = await tx.session.get(VideoAnalysis, received.video_id)
    if video is None or video.status != "analyzed" or video.analysis_results is None:
        raise RuntimeError(f"video {received.video_id}: {video and video.failure_reason}")
    print(
        f"run {n}: {wall:.2f} s (ratio {wall / CLIP_S:.3f}), reps "
        f"{video.analysis_results['motion']['reps']}/{REPS}, worker {mb(memory.worker)} MB "
        f"(its long-lived process {mb(memory.main)} MB), largest ffmpeg {mb(memory.child)} MB, "
        f"all together {mb(memory.combined)} MB",
        flush=True,
    )
    return wall, memory, video.analysis_results


def pose_outcome(analysis: dict[str, Any]) -> str:
    """What became of pose: on (found the person or not), not installed, or off and why."""
    pose = analysis.get("pose") or {}
    if pose.get("available"):
        return "on, detected" if pose.get("detected") else "on, nobody detected"
    reason = pose.get("reason")
    return "not installed" if reason == "not_installed" else f"off ({reason})"


def knee_range(analysis: dict[str, Any]) -> list[float] | None:
    """The least and most bent the left knee was over the clip (degrees), when pose found it."""
    knee = (analysis.get("pose") or {}).get("ranges", {}).get("left_knee")
    return [knee["min"], knee["max"]] if knee else None


def mb(kb: int) -> float:
    return round(kb / 1024, 1)


async def run(args: argparse.Namespace, url: str, prefix: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sc-bench-video-") as tmp:
        work = Path(tmp)
        clip = make_bench_clip(work / "clip.mp4")
        media = {"STORAGE_BACKEND": "local", "MEDIA_DIR": str(work / "media")}
        async with bot_services(url, prefix, **media) as (_, services):
            athlete, actor = await athlete_actor(services)
            with running_worker(work / "worker.log") as worker:
                runs = [
                    await one_run(services, worker, clip, athlete, actor, n)
                    for n in range(1, args.runs + 1)
                ]
    walls = [wall for wall, _, _ in runs]
    analysis = runs[-1][2]
    figures = {
        "processing_ratio": round(statistics.median(walls) / CLIP_S, 3),
        "peak_rss_mb": mb(max(memory.worker for _, memory, _ in runs)),
        "worker_process_rss_mb": [mb(memory.main) for _, memory, _ in runs],
        "reps_expected": REPS,
        "reps_found": analysis["motion"]["reps"],
        "processing_s_median": round(statistics.median(walls), 2),
        "runs": len(runs),
        "peak_ffmpeg_rss_mb": mb(max(memory.child for _, memory, _ in runs)),
        "peak_rss_with_ffmpeg_mb": mb(max(memory.combined for _, memory, _ in runs)),
        "noise_sigma": NOISE,
        "pose": pose_outcome(analysis),
        "pose_left_knee_deg": knee_range(analysis),
    }
    print(
        f"pose: {figures['pose']}; median ratio {figures['processing_ratio']} (target <= 0.5), "
        f"worker peak {figures['peak_rss_mb']} MB (target <= 400)",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="videos, one after another")
    run_benchmark(run, parser.parse_args())


if __name__ == "__main__":
    main()
