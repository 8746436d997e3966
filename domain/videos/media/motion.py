"""Repetitions, tempo and activity read from how things move in a training video.

Frames are decoded small (160 px on the long side, at most 15 per second) and gray. Between two
frames, pixels that changed beyond the noise are the moving region; dense optical flow
(Farneback) says which way they moved. The mean flow of the moving region, projected on the
clip's main direction of movement, is a signed velocity: during one repetition it swings one
way and back once, so it has the repetition's period (motion energy would peak twice). The
autocorrelation of that velocity gives the period; alternating swings past a threshold on
either side (hysteresis) count the repetitions, paired so the count does not depend on which
way the axis points. Only per-frame numbers are kept, never the frames.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from domain.videos.media.probe import ProbeInfo, Sampling, read_frames

METHOD = "flow-axis-v1"
LONG_SIDE_PX = 160
ANALYSIS_FPS_MAX = 15.0
# A pixel moved when it changed by this many noise sigmas (and at least DIFF_MIN gray levels).
NOISE_SIGMAS, DIFF_MIN = 5.0, 8.0
# Below this share of moving pixels a frame is still: sensor noise and compression shimmer.
ACTIVE_SHARE = 0.002
MERGE_GAP_S, MIN_SEGMENT_S = 1.5, 0.8
PERIOD_MIN_S, PERIOD_MAX_S = 0.4, 12.0
# A later autocorrelation peak must beat the first by this factor to be the period (no halving).
PEAK_PREFERENCE = 1.15
SWING_SHARE = 0.25  # of the typical peak speed: a swing smaller than this is a wobble
SWING_FLOOR = 0.03  # frame lengths per second: slower than this is not a movement at all
CADENCE_AGREEMENT = 0.1
# Activity at which the timeline shows 1 even in a clip that never gets busier.
TIMELINE_FULL_SHARE = 0.01


@dataclass(frozen=True)
class Rep:
    """One repetition: from leaving a turning point to coming back to it."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class Motion:
    """What the movement in a clip says: repetitions, their tempo and evenness, when it moved."""

    reps: tuple[Rep, ...]
    period_s: float | None
    tempo_rpm: float | None
    consistency: float | None
    active_segments: tuple[tuple[float, float], ...]
    timeline: tuple[float, ...]
    # The signed velocity along the main axis (frame lengths per second) and its times, for charts.
    times_s: np.ndarray = field(repr=False, compare=False)
    velocity: np.ndarray = field(repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready `motion` part of the analysis."""
        return {
            "reps": len(self.reps),
            "tempo_rpm": _round(self.tempo_rpm, 1),
            "period_s": _round(self.period_s, 3),
            "consistency": _round(self.consistency, 3),
            "rep_times_s": [round(rep.start_s, 2) for rep in self.reps],
            "active_segments": [[round(a, 2), round(b, 2)] for a, b in self.active_segments],
            "timeline": [round(value, 3) for value in self.timeline],
            "method": METHOD,
        }


def analysis_size(width: int, height: int) -> tuple[int, int]:
    """The small frame size motion is measured at: 160 px on the long side, even sides."""
    scale = LONG_SIDE_PX / max(width, height, 1)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def analysis_fps(fps: float) -> float:
    """At most 15 frames per second, taking every k-th source frame so steps stay even."""
    source = fps if fps > 0 else ANALYSIS_FPS_MAX
    return source / math.ceil(source / ANALYSIS_FPS_MAX - 1e-9)


def analysis_sampling(probe: ProbeInfo) -> Sampling:
    """The frames motion is measured on: small, gray, at most 15 per second."""
    return Sampling(analysis_size(probe.width, probe.height), analysis_fps(probe.fps))


def analyse_motion(raw: Path, probe: ProbeInfo) -> Motion:
    """Repetitions, tempo, consistency and activity of the movement in `raw`."""
    sampling = analysis_sampling(probe)
    timeout_s = 60.0 + 2.0 * probe.duration_s
    frames = read_frames(raw, size=sampling.size, fps=sampling.fps, timeout_s=timeout_s)
    return motion_of_frames(frames, sampling)


def motion_of_frames(frames: Iterator[np.ndarray], sampling: Sampling) -> Motion:
    """Repetitions, tempo, consistency and activity of frames sampled as `analysis_sampling`."""
    # closing: should measuring fail, the decoding ffmpeg is stopped at once, not on collection.
    with closing(frames), _one_thread():
        share, flow = measure_frames(frames)
    return motion_from_measurements(share, flow, fps=sampling.fps)


@contextmanager
def _one_thread() -> Iterator[None]:
    """OpenCV on one thread: the transcode keeps every core busy meanwhile, and a second
    thread added only its hand-overs (0.2 s of CPU in a 30 s clip's 1.2 s of optical flow)."""
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(threads)


def measure_frames(frames: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per pair of frames: the share of pixels that moved and their mean flow (px per frame)."""
    shares: list[float] = []
    flows: list[tuple[float, float]] = []
    previous: np.ndarray | None = None
    for frame in frames:
        current = cv2.GaussianBlur(frame, (5, 5), 0)
        if previous is not None:
            share, mean_flow = _moved(previous, current)
            shares.append(share)
            flows.append(mean_flow)
        previous = current
    return np.asarray(shares, dtype=np.float64), np.asarray(flows, dtype=np.float64).reshape(-1, 2)


def motion_from_measurements(share: np.ndarray, flow: np.ndarray, *, fps: float) -> Motion:
    """Reps, period, tempo, consistency and activity from per-frame moving share and mean flow."""
    times = (np.arange(len(share)) + 0.5) / fps
    segments = _active_segments(share, fps)
    inside = np.zeros(len(share), dtype=bool)
    for start, end in segments:
        inside[start:end] = True
    # Analysis pixels per frame become frame lengths per second, whatever the source size.
    raw_velocity = flow @ _main_axis(flow[inside]) * (fps / LONG_SIDE_PX) * inside
    sharp = _smooth(raw_velocity, 0.07 * fps)
    period = _autocorrelation_period(sharp, fps)
    velocity = _smooth(raw_velocity, (period or 1.0) / 10 * fps)
    reps = [rep for start, end in segments for rep in _reps(velocity, sharp, start, end)]
    rep_list = [Rep(float(times[a]), float(times[b])) for a, b in reps]
    cadence = _cadence_s(rep_list, segments, times, period) if rep_list else None
    return Motion(
        reps=tuple(rep_list),
        period_s=cadence,
        tempo_rpm=60.0 / cadence if cadence else None,
        consistency=_consistency(rep_list),
        active_segments=tuple((float(times[a]), float(times[b - 1])) for a, b in segments),
        timeline=_timeline(share, fps),
        times_s=times,
        velocity=velocity,
    )


def _moved(previous: np.ndarray, current: np.ndarray) -> tuple[float, tuple[float, float]]:
    difference = cv2.absdiff(previous, current)
    # The median change is the noise: most of a training video's pixels do not move.
    noise_sigma = 1.4826 * float(np.median(difference))
    moving = difference > max(DIFF_MIN, NOISE_SIGMAS * noise_sigma)
    count = int(np.count_nonzero(moving))
    share = count / moving.size
    if share < ACTIVE_SHARE:
        return share, (0.0, 0.0)
    flow = cv2.calcOpticalFlowFarneback(previous, current, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    moved = flow[moving]
    return share, (float(moved[:, 0].mean()), float(moved[:, 1].mean()))


def _active_segments(share: np.ndarray, fps: float) -> list[tuple[int, int]]:
    """Index ranges [start, end) of movement, short pauses bridged, blips dropped."""
    active = _median(share, 5) >= ACTIVE_SHARE
    runs: list[list[int]] = []
    for index in np.flatnonzero(active):
        if runs and index - runs[-1][1] <= MERGE_GAP_S * fps:
            runs[-1][1] = int(index) + 1
        else:
            runs.append([int(index), int(index) + 1])
    return [(a, b) for a, b in runs if (b - a) >= MIN_SEGMENT_S * fps]


def _main_axis(flow: np.ndarray) -> np.ndarray:
    """The direction most of the movement goes along (its sign is arbitrary)."""
    if len(flow) == 0:
        return np.array([0.0, 1.0])
    _, vectors = np.linalg.eigh(flow.T @ flow)
    return vectors[:, -1]


def _autocorrelation_period(velocity: np.ndarray, fps: float) -> float | None:
    """The lag at which the velocity best repeats itself, in seconds, or None if it does not."""
    energy = float(velocity @ velocity)
    low, high = math.ceil(PERIOD_MIN_S * fps), min(int(PERIOD_MAX_S * fps), len(velocity) // 2)
    if energy <= 0 or high <= low + 2:
        return None
    padded = np.fft.rfft(velocity, 2 * len(velocity))
    correlation = np.fft.irfft(padded * np.conj(padded))[: high + 2] / energy
    peaks = [
        lag
        for lag in range(low, high + 1)
        if correlation[lag] > 0.2
        and correlation[lag - 1] < correlation[lag] >= correlation[lag + 1]
    ]
    if not peaks:
        return None
    best = peaks[0]
    for lag in peaks[1:]:
        if correlation[lag] > PEAK_PREFERENCE * correlation[best]:
            best = lag
    # A parabola through the peak and its neighbours places it between samples.
    left, centre, right = correlation[best - 1 : best + 2]
    shift = 0.5 * (left - right) / (left - 2 * centre + right) if left - 2 * centre + right else 0
    return (best + float(shift)) / fps


@dataclass(frozen=True)
class _Swing:
    start: int
    end: int
    strength: float


def _reps(smooth: np.ndarray, sharp: np.ndarray, start: int, end: int) -> list[tuple[int, int]]:
    """Repetitions in one active segment: pairs of opposite swings, as index ranges [a, b]."""
    threshold = max(SWING_SHARE * float(np.percentile(np.abs(smooth[start:end]), 95)), SWING_FLOOR)
    swings = _swings(smooth[start:end], sharp[start:end], threshold)
    if len(swings) % 2:
        # An odd swing is a move into or out of position: drop the weaker end.
        first, last = swings[0], swings[-1]
        weaker_first = first.strength < last.strength
        swings = swings[1:] if weaker_first else swings[:-1]
    pairs = zip(swings[::2], swings[1::2], strict=True)
    return [(start + out.start, start + back.end - 1) for out, back in pairs]


def _swings(smooth: np.ndarray, sharp: np.ndarray, threshold: float) -> list[_Swing]:
    """Swings past ±threshold, alternating in sign, each from still-or-turning to the same."""
    cores: list[tuple[int, int, int]] = []  # sign, first and last index past the threshold
    for index, value in enumerate(smooth):
        sign = 1 if value > threshold else -1 if value < -threshold else 0
        if sign and (not cores or cores[-1][0] != sign):
            cores.append((sign, index, index))
        elif sign:
            cores[-1] = (sign, cores[-1][1], index)
    # Hysteresis finds swings on the smooth signal; the frame-true one says where they begin
    # and end, which smoothing would have pulled into the pauses either side.
    swings = []
    for sign, first, last in cores:
        peak = first + int(np.argmax(sign * sharp[first : last + 1]))
        begin, end = peak, peak + 1
        while begin > 0 and sign * sharp[begin - 1] > 0.1 * threshold:
            begin -= 1
        while end < len(sharp) and sign * sharp[end] > 0.1 * threshold:
            end += 1
        swings.append(_Swing(begin, end, float((sign * smooth[first : last + 1]).max())))
    return swings


def _cadence_s(
    reps: list[Rep], segments: list[tuple[int, int]], times: np.ndarray, period: float | None
) -> float:
    """Seconds from one rep's start to the next within a set (median), else the median rep."""
    bounds = [(float(times[a]), float(times[b - 1])) for a, b in segments]
    gaps = [
        later.start_s - rep.start_s
        for rep, later in itertools.pairwise(reps)
        if any(a <= rep.start_s and later.end_s <= b for a, b in bounds)
    ]
    cadence = float(np.median(gaps or [rep.end_s - rep.start_s for rep in reps]))
    # Rep bounds fall on whole frames; the autocorrelation peak is finer when the two agree.
    if period is not None and abs(period / cadence - 1) < CADENCE_AGREEMENT:
        return period
    return cadence


def _consistency(reps: list[Rep]) -> float | None:
    """1 − the coefficient of variation of rep durations, 0..1; None below three reps."""
    if len(reps) < 3:
        return None
    durations = np.array([rep.end_s - rep.start_s for rep in reps])
    return float(np.clip(1.0 - durations.std() / durations.mean(), 0.0, 1.0))


def _timeline(share: np.ndarray, fps: float) -> tuple[float, ...]:
    """Activity per second, 0..1, relative to the clip's busiest second."""
    seconds = math.ceil(len(share) / fps - 1e-9) if len(share) else 0
    moving = np.where(share >= ACTIVE_SHARE, share, 0.0)
    per_second = np.array(
        [
            moving[int(s * fps) : max(int((s + 1) * fps), int(s * fps) + 1)].mean()
            for s in range(seconds)
        ]
    )
    if not len(per_second):
        return ()
    scale = max(float(per_second.max()), TIMELINE_FULL_SHARE)
    return tuple(float(value) for value in np.clip(per_second / scale, 0.0, 1.0))


def _smooth(signal: np.ndarray, sigma: float) -> np.ndarray:
    if sigma < 0.5 or len(signal) == 0:
        return signal.astype(np.float64)
    radius = int(3 * sigma)
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    return np.convolve(signal, kernel / kernel.sum(), mode="same")


def _median(signal: np.ndarray, width: int) -> np.ndarray:
    if len(signal) < width:
        return signal
    padded = np.pad(signal, width // 2, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, width), axis=1)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
