"""Reading a file's duration and size from what ffmpeg prints, and falling back to zeros."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from telegram_emulator.media_info import MediaFacts, media_facts, parse_ffmpeg_banner
from tests.telegram_emulator.media_files import MediaFiles

# What `ffmpeg -i` prints (ffmpeg writes each stream on one line; split here for the width).
MP3_WITH_COVER = (
    "Input #0, mp3, from 'song.mp3':\n"
    "  Duration: 00:03:05.51, start: 0.025056, bitrate: 128 kb/s\n"
    "  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 128 kb/s\n"
    "  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), "
    "500x500, 90k tbn (attached pic)\n"
)
PHONE_CLIP = (
    "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'IMG_0042.MOV':\n"
    "  Duration: 01:00:01.50, start: 0.000000, bitrate: 9000 kb/s\n"
    "  Stream #0:0[0x1](und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv, bt709), "
    "1920x1080, 8999 kb/s, 29.97 fps, 30 tbr, 600 tbn (default)\n"
    "    Side data:\n"
    "      displaymatrix: rotation of -90.00 degrees\n"
)


def test_cover_art_of_an_audio_file_is_not_a_picture_size() -> None:
    assert parse_ffmpeg_banner(MP3_WITH_COVER) == MediaFacts(duration=186, width=0, height=0)


def test_a_clip_shot_upright_is_reported_upright_and_durations_round_half_up() -> None:
    assert parse_ffmpeg_banner(PHONE_CLIP) == MediaFacts(duration=3602, width=1080, height=1920)


def test_a_stream_without_a_duration_reports_zero() -> None:
    assert parse_ffmpeg_banner("  Duration: N/A, bitrate: N/A\n") == MediaFacts()


def test_a_real_clip_is_read(media: MediaFiles) -> None:
    assert media_facts(media.clip) == MediaFacts(duration=2, width=320, height=240)


def test_a_missing_file_reports_zeros(tmp_path: Path) -> None:
    assert media_facts(tmp_path / "gone.mp4") == MediaFacts()


def test_without_ffmpeg_the_facts_are_zeros(
    media: MediaFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_ffmpeg() -> str:
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)

    assert media_facts(media.clip) == MediaFacts()


def test_an_ffmpeg_that_hangs_is_given_up_on(
    media: MediaFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hangs(command: list[str], **kwargs: object) -> None:
        raise subprocess.TimeoutExpired(command, float(str(kwargs["timeout"])))

    monkeypatch.setattr(subprocess, "run", hangs)

    assert media_facts(media.clip) == MediaFacts()
