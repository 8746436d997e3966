"""Video processing through the real worker: wall time per second of clip, CPU, and memory.

Run: `.venv/bin/python benchmarks/video.py [--runs 3]` (needs the local Postgres and Redis;
uses a scratch database, Redis prefix and media directory it removes at the end). Beside
another version of the code, in one run: `benchmarks/video.py --compare GIT_REF [--turns 2]`.
With pose: the same from an environment with the pose extra,
`.venv-pose/bin/python benchmarks/video.py` (`make test-pose` builds it).

A 30 s 1280x720 30 fps synthetic clip (tests/video_clips.py: a drawn person doing 13 squats,
2 s each, standing still for 2 s before and after, sensor noise σ=2, a tone as its sound track)
is sent through `receive_video` (stored, recorded, queued) to a `sportscenter worker` process
started first and left waiting for jobs, so its start-up is not counted. Each run is a new video
to the same worker, timed from `receive_video`'s return (queueing is its last step) until the
Redis status mirror says `analyzed`; meanwhile the memory of the worker's processes (the worker,
the server its job processes are forked from, the job's process) and of ffmpeg is read from
/proc every 50 ms (PSS, so pages a forked process shares with its parent count once).
CPU seconds (user + system) of the worker's processes and of every process they started,
ffmpeg included, are read from /proc at queueing and when analyzed: unlike wall time they
hardly depend on what else the machine runs, so they compare versions on a busy machine.
The worker is this interpreter (`python -m bot.cli worker`) and
runs pose estimation on every video whenever mediapipe imports, so from an environment with the
extra the figures include pose ("pose": "on, detected"); otherwise "pose": "not installed".
The figure gives pose a person to find, and its hips going up and down are what motion counts.

Last line: one JSON object with processing_ratio (median wall time / clip length, target
<= 0.5), peak_rss_mb (the worker's processes together at their peak, target <= 400),
reps_expected and reps_found, cpu_s_per_video (median), and beside them the long-lived
process's RSS after each run (flat: memory a video needed leaves with its job process),
ffmpeg, and the pose outcome.

With --compare, the same clip goes through GIT_REF's code and this tree's in turns (each turn
a scratch database and worker of its own, `--runs` videos; the ref's files come from
`git archive`, its interpreter is this one): the last line holds both sides' medians and
this tree's over the ref's, `processing_here_over_ref` and `cpu_here_over_ref`. The script
copes with the code before the reshape (issue 14), e.g. `--compare cce1f20~1`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import bot_services, run_benchmark

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.models import Athlete, User, VideoAnalysis
from domain.policy import Actor
from domain.videos.uploads import IncomingVideo, receive_video

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
    # Imported here: with --compare the script also runs on another tree, which has its own.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the clip maker, in tests/
    from tests.video_clips import make_figure_clip

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


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int, *, with_reaped: bool = True) -> float:
    """A process's CPU seconds (user + system), and its reaped children's with `with_reaped`."""
    with contextlib.suppress(OSError, IndexError):
        # The name in parentheses may hold spaces: the fields counted after its ")".
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = fields[11:15] if with_reaped else fields[11:13]  # utime stime cutime cstime
        return sum(map(int, ticks)) / CLOCK_TICKS
    return 0.0


def tree_cpu_s(pid: int) -> float:
    """CPU seconds the process and all it started have used: the living count with the children
    they reaped, and a reaped process's time is in its parent's (the job's process reaps its
    ffmpegs, the fork server the job's process, the worker the fork server)."""
    return sum(cpu_s(p) for p in [pid, *descendants(pid)])


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
    # Each ffmpeg's CPU seconds when last seen alive (a sample's 50 ms may miss its last few).
    ffmpeg_cpu: dict[int, float] = field(default_factory=dict)

    def sample(self, pid: int) -> None:
        tree = descendants(pid)
        ffmpeg = [child for child in tree if is_ffmpeg(child)]
        for child in ffmpeg:
            self.ffmpeg_cpu[child] = max(self.ffmpeg_cpu.get(child, 0.0), cpu_s(child))
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


def transaction(services: Services) -> Any:
    """A transaction on the services' database; before the reshape (issue 14) `uow` was a
    factory to call, so `--compare` can run this script on that tree too."""
    return services.uow() if callable(services.uow) else services.uow


async def athlete_actor(services: Services) -> tuple[uuid.UUID, Actor]:
    """A new athlete with a user account, and that user as the one sending the videos."""
    async with transaction(services) as tx:
        user = tx.users.add(User(role="athlete", first_name="Bench", telegram_user_id=7_100_000))
        await tx.flush()
        athlete = tx.athletes.add(Athlete(user_id=user.id, primary_sport="athletics"))
        await tx.commit()
    async with transaction(services) as tx:
        user = await tx.users.get(user.id)
        older = "admin_telegram_ids" in inspect.signature(actor_for_user).parameters
        actor = await (
            actor_for_user(tx, user, admin_telegram_ids=()) if older else actor_for_user(tx, user)
        )
    return athlete.id, actor


async def video_state(services: Services, video_id: uuid.UUID) -> Any:
    """The video's status in the Redis mirror (read one at a time before the reshape)."""
    if hasattr(services.video_status, "statuses"):
        return (await services.video_status.statuses([video_id])).get(video_id)
    return await services.video_status.get(video_id)


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield chunk


@dataclass(frozen=True)
class Run:
    """One video through the worker: wall and CPU seconds, memory seen, its analysis."""

    wall_s: float
    cpu_s: float  # the worker's processes and their ffmpegs, from queueing to analyzed
    ffmpeg_cpu_s: float
    main_cpu_s: float  # the long-lived worker process's own part (Dramatiq, database, storage)
    memory: Memory
    analysis: dict[str, Any]


async def one_run(
    services: Services,
    worker: subprocess.Popen[bytes],
    clip: Clip,
    athlete: uuid.UUID,
    actor: Actor,
    n: int,
) -> Run:
    """Upload the clip as a new video; wall time and CPU until analyzed, memory, its analysis."""
    incoming = IncomingVideo(f"bench-{uuid.uuid4().hex}", "video", clip.size)
    cpu_before, main_before = tree_cpu_s(worker.pid), cpu_s(worker.pid, with_reaped=False)
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
        state = await video_state(services, received.video_id)
        if state is not None and state.status in ("analyzed", "failed"):
            break
        if worker.poll() is not None or time.perf_counter() - queued > RUN_TIMEOUT_S:
            raise RuntimeError(f"video {received.video_id} never finished")
        await asyncio.sleep(SAMPLE_S)
    wall = time.perf_counter() - queued
    cpu = tree_cpu_s(worker.pid) - cpu_before
    main_cpu = cpu_s(worker.pid, with_reaped=False) - main_before
    ffmpeg_cpu = sum(memory.ffmpeg_cpu.values())
    async with transaction(services) as tx:
        video = await tx.session.get(VideoAnalysis, received.video_id)
    if video is None or video.status != "analyzed" or video.analysis_results is None:
        raise RuntimeError(f"video {received.video_id}: {video and video.failure_reason}")
    print(
        f"run {n}: {wall:.2f} s (ratio {wall / CLIP_S:.3f}), CPU {cpu:.2f} s (ffmpeg "
        f"{ffmpeg_cpu:.2f} s, the video's process {cpu - ffmpeg_cpu - main_cpu:.2f} s, the "
        f"worker's {main_cpu:.2f} s), reps "
        f"{video.analysis_results['motion']['reps']}/{REPS}, worker {mb(memory.worker)} MB "
        f"(its long-lived process {mb(memory.main)} MB), largest ffmpeg {mb(memory.child)} MB, "
        f"all together {mb(memory.combined)} MB",
        flush=True,
    )
    return Run(wall, cpu, ffmpeg_cpu, main_cpu, memory, video.analysis_results)


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
        clip = given_clip(args.clip) if args.clip else make_bench_clip(work / "clip.mp4")
        media = {"STORAGE_BACKEND": "local", "MEDIA_DIR": str(work / "media")}
        async with bot_services(url, prefix, **media) as (_, services):
            athlete, actor = await athlete_actor(services)
            with running_worker(work / "worker.log") as worker:
                runs = [
                    await one_run(services, worker, clip, athlete, actor, n)
                    for n in range(1, args.runs + 1)
                ]
    analysis = runs[-1].analysis
    cpu = statistics.median(run.cpu_s for run in runs)
    figures = {
        "processing_ratio": round(statistics.median(run.wall_s for run in runs) / CLIP_S, 3),
        "peak_rss_mb": mb(max(run.memory.worker for run in runs)),
        "cpu_s_per_video": round(cpu, 2),
        "cpu_ratio": round(cpu / CLIP_S, 3),
        "worker_process_rss_mb": [mb(run.memory.main) for run in runs],
        "reps_expected": REPS,
        "reps_found": analysis["motion"]["reps"],
        "processing_s_median": round(statistics.median(run.wall_s for run in runs), 2),
        "processing_s_runs": [round(run.wall_s, 2) for run in runs],
        "cpu_s_runs": [round(run.cpu_s, 2) for run in runs],
        "ffmpeg_cpu_s_runs": [round(run.ffmpeg_cpu_s, 2) for run in runs],
        "worker_main_cpu_s_runs": [round(run.main_cpu_s, 2) for run in runs],
        "runs": len(runs),
        "peak_ffmpeg_rss_mb": mb(max(run.memory.child for run in runs)),
        "peak_rss_with_ffmpeg_mb": mb(max(run.memory.combined for run in runs)),
        "noise_sigma": NOISE,
        "pose": pose_outcome(analysis),
        "pose_left_knee_deg": knee_range(analysis),
    }
    print(
        f"pose: {figures['pose']}; median ratio {figures['processing_ratio']} (target <= 0.5), "
        f"CPU {figures['cpu_s_per_video']} s a video, "
        f"worker peak {figures['peak_rss_mb']} MB (target <= 400)",
        flush=True,
    )
    return figures


def given_clip(path: str) -> Clip:
    """A clip made earlier by make_bench_clip (`--compare` makes one for both sides)."""
    return Clip(Path(path), Path(path).stat().st_size)


def compare(args: argparse.Namespace) -> None:
    """This tree and `args.compare` (a git ref) in turns on one clip; the JSON has both sides'
    figures and this tree's over the ref's, wall and CPU alike."""
    here = Path(__file__).resolve().parent.parent
    sides: dict[str, list[dict[str, Any]]] = {args.compare: [], "here": []}
    with tempfile.TemporaryDirectory(prefix="sc-bench-video-compare-") as tmp:
        clip = make_bench_clip(Path(tmp) / "clip.mp4")
        ref_tree = checkout(here, args.compare, Path(tmp) / "ref")
        for turn in range(args.turns):
            for name, tree in ((args.compare, ref_tree), ("here", here)):
                print(f"turn {turn + 1}, {name}:", flush=True)
                sides[name].append(side(tree, clip, args.runs))
    figures: dict[str, Any] = {"compare": args.compare, "turns": args.turns}
    for name, results in sides.items():
        walls = [wall for result in results for wall in result["processing_s_runs"]]
        cpus = [cpu for result in results for cpu in result["cpu_s_runs"]]
        key = "ref" if name != "here" else "here"
        figures[f"processing_ratio_{key}"] = round(statistics.median(walls) / CLIP_S, 3)
        figures[f"cpu_s_per_video_{key}"] = round(statistics.median(cpus), 2)
        figures[f"peak_rss_mb_{key}"] = max(result["peak_rss_mb"] for result in results)
        figures[f"reps_found_{key}"] = sorted({result["reps_found"] for result in results})
    figures["cpu_here_over_ref"] = round(
        figures["cpu_s_per_video_here"] / figures["cpu_s_per_video_ref"], 3
    )
    figures["processing_here_over_ref"] = round(
        figures["processing_ratio_here"] / figures["processing_ratio_ref"], 3
    )
    figures["processing_ratio"] = figures["processing_ratio_here"]
    figures["reps_expected"] = REPS
    print(json.dumps(figures))


def checkout(repo: Path, ref: str, into: Path) -> Path:
    """The files of `ref` in `into` (git archive: no worktree to clean up afterwards)."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def side(tree: Path, clip: Clip, runs: int) -> dict[str, Any]:
    """This script on `tree`'s code (its worker, intake and migrations): its JSON figures."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, __file__, "--runs", str(runs), "--clip", str(clip.path)]
    child = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    last = ""
    for line in child.stdout:
        print(f"  {line}", end="", flush=True)
        last = line
    if child.wait() != 0:
        raise RuntimeError(f"the benchmark on {tree} failed")
    return json.loads(last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="videos, one after another")
    parser.add_argument("--clip", help="a clip make_bench_clip made (else one is made)")
    parser.add_argument("--compare", metavar="GIT_REF", help="also run this ref's code, in turns")
    parser.add_argument("--turns", type=int, default=2, help="with --compare: turns of each side")
    args = parser.parse_args()
    if args.compare:
        compare(args)
    else:
        run_benchmark(run, args)


if __name__ == "__main__":
    main()
