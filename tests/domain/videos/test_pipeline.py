"""The media pipeline end to end: one raw clip in, thumbnail, web MP4, chart and analysis out."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from domain.videos.media import probe as media_probe
from domain.videos.media.chart_words import ChartWords
from domain.videos.media.motion import analyse_motion
from domain.videos.media.pipeline import ANALYSIS_VERSION, Processed, VideoRefused, process
from domain.videos.media.probe import ProbeInfo, probe, run_ffmpeg
from domain.videos.media.renditions import keeps_sound, rendition_size
from tests.video_clips import (
    make_clip,
    make_copy_with_sound,
    make_pdf_named_mp4,
    make_random_mp4,
)

WORDS = {"en": ChartWords("seconds", "How much they moved")}

JPEG_START, PNG_START = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def hd(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Processed]:
    """A 720p clip with sound (6 reps of 1.5 s) and what the pipeline made of it."""
    folder = tmp_path_factory.mktemp("hd")
    raw = make_clip(
        folder / "raw.mp4", reps=6, period_s=1.5, fps=30, size=(1280, 720), noise=1.0, audio=True
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "mediapipe", None)  # the same answer with or without the extra
        return raw, process(raw, folder / "work", chart_words=WORDS)


def test_the_analysis_has_the_documented_shape(hd: tuple[Path, Processed]) -> None:
    _, processed = hd
    analysis = json.loads(json.dumps(processed.analysis))  # JSON through and through

    assert analysis["version"] == ANALYSIS_VERSION == 1
    assert set(analysis) == {"version", "video", "motion", "pose"}
    assert analysis["video"] == {
        "duration_s": pytest.approx(11.0, abs=0.1),
        "width": 1280,
        "height": 720,
        "fps": 30.0,
        "codec": "h264",
        "has_audio": True,
    }
    motion = analysis["motion"]
    assert set(motion) == {
        "reps", "tempo_rpm", "period_s", "consistency", "rep_times_s", "active_segments",
        "timeline", "method",
    }  # fmt: skip
    assert abs(motion["reps"] - 6) <= 1
    assert motion["tempo_rpm"] == pytest.approx(40.0, rel=0.1)
    assert len(motion["rep_times_s"]) == motion["reps"]
    assert len(motion["timeline"]) == 11
    assert isinstance(motion["method"], str) and motion["method"]
    assert analysis["pose"] == {"available": False, "reason": "not_installed"}


def test_outputs_are_a_jpeg_an_h264_mp4_and_a_png_inside_the_workdir(
    hd: tuple[Path, Processed],
) -> None:
    raw, processed = hd
    workdir = raw.parent / "work"

    assert processed.thumbnail.read_bytes().startswith(JPEG_START)
    chart = processed.charts["en"]
    assert chart.read_bytes().startswith(PNG_START)
    assert {processed.thumbnail.parent, processed.rendition.parent, chart.parent} == {workdir}
    assert sorted(path.name for path in raw.parent.iterdir()) == ["raw.mp4", "work"]
    video = probe(processed.rendition, max_duration_s=600)
    assert (video.codec, video.width, video.height, video.has_audio) == ("h264", 1280, 720, True)
    assert video.duration_s == pytest.approx(11.0, abs=0.2)


def test_an_aac_sound_track_is_carried_over_as_it_is(hd: tuple[Path, Processed]) -> None:
    raw, processed = hd

    # Encoding it again would cost a second of CPU for a 30 s clip and lose a little quality.
    assert _sound_packets(processed.rendition) == _sound_packets(raw)


@pytest.mark.parametrize("codec", ["mp2", "libopus"])
def test_other_sound_is_encoded_as_aac_at_128_kbps(
    hd: tuple[Path, Processed], tmp_path: Path, codec: str
) -> None:
    raw = make_copy_with_sound(hd[0], tmp_path / "raw.mkv", codec=codec, channels=2)

    processed = process(raw, tmp_path / "work", chart_words=WORDS, with_pose=False)

    video = probe(processed.rendition, max_duration_s=600)
    assert video.audio_codec == "aac"
    assert video.audio_kbps is not None and video.audio_kbps <= 140
    assert _sound_packets(processed.rendition) != _sound_packets(raw)


def test_only_aac_up_to_320_kbps_is_kept_as_it_came() -> None:
    def sound(codec: str | None, kbps: int | None) -> ProbeInfo:
        return ProbeInfo(30.0, 1280, 720, 30.0, "h264", codec is not None, codec, kbps)

    assert keeps_sound(sound("aac", 256)) and keeps_sound(sound("aac", None))
    assert not keeps_sound(sound("aac", 512))  # a studio-rate track is made web-sized
    assert not keeps_sound(sound("mp3", 128)) and not keeps_sound(sound("opus", None))
    assert not keeps_sound(sound(None, None))


def _sound_packets(path: Path) -> str:
    """A digest of the compressed sound as stored (not decoded): equal when copied as it was."""
    args = ["-i", str(path), "-map", "0:a:0", "-c", "copy", "-f", "md5", "-"]
    code, out, errors = run_ffmpeg(["-loglevel", "error", *args], timeout_s=30)
    assert code == 0, errors
    return out.decode()


def test_the_upload_is_decoded_once_for_the_rendition_and_the_motion(
    hd: tuple[Path, Processed], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, processed = hd
    started: list[list[str]] = []
    real_init = media_probe.Ffmpeg.__init__

    def recording_init(self: media_probe.Ffmpeg, args: list[str], **kwargs: Any) -> None:
        started.append(list(args))
        real_init(self, args, **kwargs)

    monkeypatch.setattr(media_probe.Ffmpeg, "__init__", recording_init)
    again = process(raw, tmp_path / "work", chart_words=WORDS, with_pose=False)

    # Decoding a 720p clip is a tenth of its processing: one long-running ffmpeg, not two.
    assert len(started) == 1
    assert again.analysis["motion"] == processed.analysis["motion"]
    assert again.analysis["motion"] == analyse_motion(raw, probe(raw, max_duration_s=600)).as_dict()


def test_the_rendition_plays_before_it_has_fully_downloaded(hd: tuple[Path, Processed]) -> None:
    data = hd[1].rendition.read_bytes()

    assert data.index(b"moov") < data.index(b"mdat")


def test_a_large_clip_is_scaled_down_to_720p_keeping_its_shape(tmp_path: Path) -> None:
    raw = make_clip(tmp_path / "raw.mp4", reps=1, period_s=1.0, fps=10, size=(1920, 1080))

    processed = process(raw, tmp_path / "work", chart_words=WORDS, with_pose=False)

    video = probe(processed.rendition, max_duration_s=600)
    assert (video.width, video.height) == (1280, 720)
    assert video.has_audio is False
    assert processed.analysis["pose"] == {"available": False, "reason": "disabled"}
    thumbnail = cv2.imdecode(np.frombuffer(processed.thumbnail.read_bytes(), np.uint8), 1)
    assert thumbnail.shape == (360, 640, 3)  # at most 640 px wide, the clip's shape


def test_rendition_sizes_fit_720p_either_way_round_with_even_sides() -> None:
    assert rendition_size(1920, 1080) == (1280, 720)
    assert rendition_size(1080, 1920) == (720, 1280)
    assert rendition_size(3840, 1600) == (1280, 532)
    assert rendition_size(640, 360) == (640, 360)  # never upscaled
    assert rendition_size(321, 241) == (320, 240)


@pytest.mark.parametrize("make", [make_random_mp4, make_pdf_named_mp4], ids=["random", "pdf"])
def test_an_undecodable_upload_is_refused_and_leaves_nothing_behind(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    raw = make(tmp_path / "raw.mp4")

    with pytest.raises(VideoRefused) as refused:
        process(raw, tmp_path / "work", chart_words=WORDS)

    assert refused.value.message_key == "video.refused.not_decodable"
    assert list((tmp_path / "work").iterdir()) == []


def test_a_clip_over_the_limit_is_refused_as_too_long(tmp_path: Path) -> None:
    raw = make_clip(tmp_path / "raw.mp4", reps=3, period_s=1.0, lead_in_s=0.5, lead_out_s=0.5)

    with pytest.raises(VideoRefused) as refused:
        process(raw, tmp_path / "work", chart_words=WORDS, max_duration_s=3)

    assert refused.value.message_key == "video.refused.too_long"
