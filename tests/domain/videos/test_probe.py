"""Probing uploads: what a video holds, and the refusals for files that are not usable videos."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.videos.media.probe import ProbeInfo, VideoRefused, probe, read_frames
from tests.video_clips import (
    make_audio_only,
    make_clip,
    make_copy_with_sound,
    make_pdf_named_mp4,
    make_photo_named_mp4,
    make_random_mp4,
    make_rotated_copy,
    make_truncated_clip,
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5 s clip (3 reps of 1 s, a second still either side), 24 fps, with sound."""
    path = tmp_path_factory.mktemp("probe") / "clip.mp4"
    return make_clip(path, reps=3, period_s=1.0, fps=24, size=(320, 240), audio=True)


def _refusal(path: Path, *, max_duration_s: float = 600) -> str:
    with pytest.raises(VideoRefused) as refused:
        probe(path, max_duration_s=max_duration_s)
    return refused.value.message_key


def test_probe_reports_duration_size_rate_codec_and_sound(clip: Path) -> None:
    info = probe(clip, max_duration_s=600)

    assert info == ProbeInfo(
        duration_s=pytest.approx(5.0, abs=0.1),
        width=320,
        height=240,
        fps=24.0,
        codec="h264",
        has_audio=True,
        audio_codec="aac",
        audio_kbps=pytest.approx(69, abs=40),
    )


def test_a_clip_without_sound_says_so(tmp_path: Path) -> None:
    silent = make_clip(tmp_path / "silent.mp4", reps=1, period_s=1.0, lead_in_s=0, lead_out_s=0)

    info = probe(silent, max_duration_s=600)

    assert info.has_audio is False
    assert (info.audio_codec, info.audio_kbps) == (None, None)


def test_the_sound_track_is_described_by_codec_and_bit_rate(clip: Path, tmp_path: Path) -> None:
    mp2 = make_copy_with_sound(clip, tmp_path / "mp2.mkv", codec="mp2", bitrate="192k")

    info = probe(mp2, max_duration_s=600)

    assert (info.has_audio, info.audio_codec, info.audio_kbps) == (True, "mp2", 192)


def test_a_clip_tagged_as_rotated_reports_its_upright_size(clip: Path, tmp_path: Path) -> None:
    rotated = make_rotated_copy(clip, tmp_path / "portrait.mp4", degrees=90)

    info = probe(rotated, max_duration_s=600)

    assert (info.width, info.height) == (240, 320)
    frame = next(iter(read_frames(rotated, size=(120, 160), fps=5, timeout_s=30)))
    assert frame.shape == (160, 120)


def test_a_clip_longer_than_allowed_is_refused_as_too_long(clip: Path) -> None:
    assert _refusal(clip, max_duration_s=4) == "video.refused.too_long"


def test_random_bytes_behind_an_mp4_header_are_not_decodable(tmp_path: Path) -> None:
    assert _refusal(make_random_mp4(tmp_path / "noise.mp4")) == "video.refused.not_decodable"


def test_a_truncated_download_is_not_decodable(clip: Path, tmp_path: Path) -> None:
    truncated = make_truncated_clip(clip, tmp_path / "cut.mp4", keep=0.5)

    assert _refusal(truncated) == "video.refused.not_decodable"


def test_a_pdf_renamed_to_mp4_is_not_decodable(tmp_path: Path) -> None:
    assert _refusal(make_pdf_named_mp4(tmp_path / "plan.mp4")) == "video.refused.not_decodable"


def test_a_photo_renamed_to_mp4_is_not_a_video(tmp_path: Path) -> None:
    assert _refusal(make_photo_named_mp4(tmp_path / "photo.mp4")) == "video.refused.not_decodable"


def test_an_empty_file_is_not_decodable(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")

    assert _refusal(empty) == "video.refused.not_decodable"


def test_sound_without_pictures_is_refused_as_having_no_frames(tmp_path: Path) -> None:
    assert _refusal(make_audio_only(tmp_path / "voice.m4a")) == "video.refused.no_frames"


def test_a_missing_file_is_an_error_not_a_refusal(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        probe(tmp_path / "gone.mp4", max_duration_s=600)


def test_frames_come_at_the_asked_rate_and_size(clip: Path) -> None:
    frames = list(read_frames(clip, size=(80, 60), fps=12, timeout_s=30))

    assert len(frames) == pytest.approx(60, abs=2)
    assert {frame.shape for frame in frames} == {(60, 80)}
